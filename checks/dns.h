/* dns.h - DNS answers as the checks see them, independent of where they came
 * from (c-ares on the network, or a zone file).
 *
 * Both resolver backends produce a DNS wire-format response; dns_parse()
 * turns it into a struct dns_answer.  Keeping the parser free of I/O lets it
 * be unit-tested and fuzzed on its own.  An answer carries everything the
 * UI shows as evidence: the query, the server, the rcode, the records and
 * how long it took. */
#ifndef MXAUDIT_DNS_H
#define MXAUDIT_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	DNS_T_DNAME = 39,
	DNS_T_TLSA = 52,
	DNS_T_SPF = 99,
};

/* What happened to a query.  The first three are answers; the rest mean
 * "could not find out" and must never be turned into a fail verdict. */
enum dns_result {
	DNS_OK = 0,    /* NOERROR with records of the asked type */
	DNS_NODATA,    /* NOERROR, the name exists, no records of that type */
	DNS_NXDOMAIN,  /* the name does not exist */
	DNS_SERVFAIL,
	DNS_REFUSED,
	DNS_TIMEOUT,   /* no answer within the timeout (after all tries) */
	DNS_TRUNCATED, /* TC set and the TCP retry failed */
	DNS_FORMERR,   /* the response could not be parsed */
	DNS_NETERR,    /* connection refused / unreachable */
	DNS_ERROR,     /* anything else (see answer->error) */
};

/* true for results that are a definite answer (OK, NODATA, NXDOMAIN). */
bool dns_result_is_answer(enum dns_result r);
const char *dns_result_name(enum dns_result r); /* "NXDOMAIN", "timeout", ... */
const char *dns_type_name(uint16_t type);       /* "MX", "TYPE65280" (static buffer for unknown) */
int dns_type_from_name(const char *name);       /* -1 if unknown */

struct dns_rr {
	char *owner; /* owner name, no trailing dot */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	union {
		struct { /* A, AAAA */
			int family;
			unsigned char bytes[16];
		} addr;
		struct { /* MX */
			uint16_t preference;
			char *exchange; /* "" for the null MX "." */
		} mx;
		char *name; /* PTR, CNAME, NS, DNAME target (no trailing dot) */
		struct {    /* TXT, SPF */
			char *text;    /* the strings concatenated, NUL-terminated */
			size_t len;    /* length of text (may contain NUL bytes) */
			size_t nstrings;
			size_t *lens;  /* length of each character-string */
		} txt;
		struct { /* SOA */
			char *mname, *rname;
			uint32_t serial, refresh, retry, expire, minimum;
		} soa;
		struct { /* TLSA */
			uint8_t usage, selector, mtype;
			unsigned char *data;
			size_t len;
		} tlsa;
		struct { /* any other type: raw rdata */
			unsigned char *data;
			size_t len;
		} raw;
	} u;
	char *text; /* presentation form of the rdata, for evidence lines */
};

struct dns_answer {
	int refs;
	char *qname; /* as asked, no trailing dot */
	uint16_t qtype;
	enum dns_result result;
	int rcode;        /* response rcode, -1 if there was no response */
	bool authentic;   /* AD bit set by the resolver */
	bool truncated;   /* TC bit seen */
	struct dns_rr *rrs; /* answer section: CNAMEs followed, then the data */
	size_t nrrs;
	char *server;     /* "127.0.0.1:53", "zone file demo.zone" */
	double elapsed_ms;
	char *error;      /* human sentence when result is not an answer */
};

/* Parse a wire-format response to (qname, qtype).  Never fails: a broken
 * message yields result DNS_FORMERR with answer->error saying why. */
struct dns_answer *dns_parse(const unsigned char *msg, size_t len, const char *qname, uint16_t qtype);
/* An answer that carries only an error (no response at all). */
struct dns_answer *dns_answer_error(const char *qname, uint16_t qtype, enum dns_result r, const char *why);

struct dns_answer *dns_answer_ref(struct dns_answer *a);
void dns_answer_unref(struct dns_answer *a);

/* Records of type t in the answer (CNAMEs skipped unless t is CNAME).
 * Iterate: for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, t, rr));) */
const struct dns_rr *dns_answer_next(const struct dns_answer *a, uint16_t t, const struct dns_rr *prev);
size_t dns_answer_count(const struct dns_answer *a, uint16_t t);

/* One-line evidence: "MX example.com -> NOERROR 2 records (12 ms, 127.0.0.1:53)". */
char *dns_answer_summary(const struct dns_answer *a);

#endif
