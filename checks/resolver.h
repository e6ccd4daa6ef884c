/* resolver.h - the asynchronous resolver the checks use.
 *
 * resolver_query() asks for (name, type) and calls back later from the event
 * loop - never from inside resolver_query() itself, so a callback may start
 * new queries without re-entrancy surprises.  Identical queries are asked
 * once: concurrent ones are coalesced and later ones answered from the
 * per-resolver cache, which is what lets the SPF evaluator prefetch and the
 * checks share answers (MX hosts for MX and TLS, TXT for SPF and DMARC).
 *
 * Backends produce wire-format responses (struct resolver_backend):
 *   - c-ares on the network (resolver_ares.c): resolv.conf or --dns-server;
 *   - zone files (resolver_zone.c): --zone FILE and --demo.
 * Tests may install their own backend with resolver_new_custom().
 *
 * One resolver belongs to one audit run; freeing it cancels every query in
 * flight without calling their callbacks. */
#ifndef MXAUDIT_RESOLVER_H
#define MXAUDIT_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"

struct evloop;
struct resolver;

struct resolver_config {
	const char **servers;     /* "IP", "IP:PORT", "[IPv6]:PORT"; empty = resolv.conf */
	size_t nservers;
	const char **zone_files;  /* when any: answer from these files only */
	size_t nzone_files;
	int timeout_ms;           /* per try; default 2000 */
	int tries;                /* default 2 */
};

enum {
	RESOLVER_F_AD = 1u << 0,      /* set the AD bit: ask whether the answer validated */
	RESOLVER_F_NOCACHE = 1u << 1, /* bypass the cache (watch mode) */
};

/* Called with the answer (borrowed: dns_answer_ref() it to keep it). */
typedef void (*resolver_cb)(void *arg, struct dns_answer *answer);

/* Backend interface: send one query; deliver the wire response (or an
 * error) by calling resolver_deliver() later, from the event loop. */
struct resolver_backend {
	const char *name;
	/* Start a query; id identifies it for resolver_deliver(). Return 0, or
	 * -1 with *why set when it cannot even be sent. */
	int (*send)(void *be, uint64_t id, const char *name, uint16_t type, unsigned flags, const char **why);
	/* Forget every query in flight (no delivery afterwards). */
	void (*cancel_all)(void *be);
	void (*free)(void *be);
	/* "127.0.0.1:53" etc. for evidence; may return a static string. */
	const char *(*describe)(void *be);
};

struct resolver *resolver_new(struct evloop *loop, const struct resolver_config *cfg, char **err);
/* A resolver over a custom backend: create(r, ctx) makes the backend state
 * (it needs r to call resolver_deliver()). Returns NULL if create does. */
struct resolver *resolver_new_custom(struct evloop *loop, const struct resolver_backend *ops,
                                     void *(*create)(struct resolver *r, void *ctx), void *ctx);
void resolver_free(struct resolver *r);

/* Start a query.  Returns false only for a name that cannot be queried
 * (syntax); the callback is still called, with a DNS_ERROR answer. */
void resolver_query(struct resolver *r, const char *name, uint16_t type, unsigned flags, resolver_cb cb, void *arg);

/* Backends report here. msg/len is a wire response; if msg is NULL,
 * result/why describe the failure. server names who answered. */
void resolver_deliver(struct resolver *r, uint64_t id, const unsigned char *msg, size_t len,
                      enum dns_result result, const char *why, const char *server);

/* Queries sent to a backend and not yet answered. */
size_t resolver_in_flight(const struct resolver *r);
/* Total queries sent to a backend since creation (cache hits excluded). */
size_t resolver_sent(const struct resolver *r);
struct evloop *resolver_loop(const struct resolver *r);
/* Cap the queries at the backends, over every resolver of the process
 * (0, the default, = no cap); the rest wait in order.  Batch mode sets it so
 * many audits at once do not overflow the DNS server with bursts. */
void resolver_set_max_in_flight(size_t n);
/* Who answers: the backend's describe() - for c-ares the servers in use as
 * "IP:PORT,[IPv6]:PORT" (resolv.conf's or --dns-server's), for zone files a
 * description.  Lets the blocklist check warn about public resolvers. */
const char *resolver_describe(const struct resolver *r);

/* Parse "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6 address.  Writes the
 * canonical address text to ip (INET6_ADDRSTRLEN bytes) and the port (53 if
 * none).  Returns false for anything else. */
bool resolver_parse_server(const char *spec, char *ip, size_t iplen, int *port);

/* Backends, used by resolver_new() and available to tests. */
void *resolver_ares_new(struct resolver *r, struct evloop *loop, const struct resolver_config *cfg, char **err);
extern const struct resolver_backend resolver_ares_backend;
void *resolver_zone_new(struct resolver *r, struct evloop *loop, const struct resolver_config *cfg, char **err);
extern const struct resolver_backend resolver_zone_backend;

#endif
