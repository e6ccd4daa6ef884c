/* propagation.h - is a record visible on every authoritative nameserver?
 *
 * After an operator publishes a fix, recursive resolvers (and receivers)
 * see it only once the zone's authoritative servers serve it.  This asks
 * them directly: the NS set of the zone the name is in (walking up from the
 * name to the first name with NS records, through the ordinary resolver),
 * each NS host's address (A, else AAAA), then the record and the zone's
 * SOA from EACH server through a resolver of its own that talks to that
 * one address only.  The result says per server what it serves (or the
 * error), its SOA serial, and whether the servers agree with each other and
 * with an expected value.
 *
 * Asynchronous through the event loop like everything else: the callback
 * runs once, from the loop, when every server has answered or timed out.
 * At most PROP_MAX_SERVERS servers are asked.
 *
 * Port: authoritative servers are asked on port 53.  --connect-to
 * HOST:53:ADDR:PORT (curl's syntax, already used for the SMTP probes)
 * redirects the query for NS host HOST; an empty ADDR keeps the address the
 * NS host resolves to and changes only the port.  That is how the tests
 * point ns1/ns2 of a test zone at two local servers on unprivileged ports. */
#ifndef MXAUDIT_PROPAGATION_H
#define MXAUDIT_PROPAGATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "util.h"

struct evloop;
struct resolver;
struct propagation;

#define PROP_MAX_SERVERS 8

struct prop_server {
	char *host; /* NS host name */
	char *addr; /* "IP:PORT" asked, or NULL (no address) */
	bool done;
	enum dns_result result; /* of the record query */
	char *error;            /* sentence when result is not an answer */
	struct strlist values;  /* the record set served (TXT strings joined), sorted */
	bool has_serial;
	uint32_t serial; /* the zone's SOA serial on this server */
	bool visible;    /* serves the expected value (any record when none is expected) */
};

struct prop_report {
	char *name;
	uint16_t type;
	char *expected; /* or NULL */
	char *zone;     /* the zone whose NS set was asked, or NULL */
	char *error;    /* the NS set could not be found: why */
	struct prop_server servers[PROP_MAX_SERVERS];
	size_t nservers;
	bool more_servers; /* the zone has more NS hosts than were asked */
	size_t nvisible;   /* servers with visible set */
	size_t nanswered;  /* servers that gave a definite answer */
	bool agree;        /* every server answered, all with the same set */
	bool done;
};

struct prop_config {
	const char *const *connect_to; /* curl-style redirects (see above) */
	size_t nconnect_to;
	int timeout_ms; /* per try, per server; default 2000 */
	int tries;      /* default 2 */
	/* Make the resolver that asks the one server "IP:PORT".  NULL: c-ares
	 * (resolver_new with that server only).  Tests put zone files here. */
	struct resolver *(*server_resolver)(void *ctx, struct evloop *loop, const char *server, int timeout_ms,
	                                    int tries);
	void *ctx;
};

typedef void (*prop_cb)(void *arg, struct propagation *p);

/* Start checking (name, type).  lookup answers the NS and address queries
 * and is taken over (freed with the check: a resolver cannot cancel single
 * queries, so it must not outlive the callbacks pointing into the check).
 * expected may be NULL.
 * cfg is copied (the strings it points to must outlive the check). */
struct propagation *propagation_start(struct evloop *loop, struct resolver *lookup, const struct prop_config *cfg,
                                      const char *name, uint16_t type, const char *expected, prop_cb cb, void *arg);
const struct prop_report *propagation_report(const struct propagation *p);
/* Cancels whatever is in flight (no callback afterwards).  Not from inside
 * the propagation's own callback. */
void propagation_free(struct propagation *p);

/* Does a served value equal the expected one?  TXT: case-insensitive, runs
 * of white space as one, none around ';' (SPF and DMARC read them so);
 * addresses in canonical form; names without the trailing dot. */
bool propagation_value_matches(uint16_t type, const char *seen, const char *expected);

#endif
