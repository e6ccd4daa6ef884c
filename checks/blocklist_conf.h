/* blocklist_conf.h - the blocklist list file (CONVENTIONS.md "Blocklist list
 * file") and what a list's answers mean.
 *
 * One list a line: ZONE KIND NAME... [KEY=VALUE...], KIND "ip" or "domain",
 * "#" (at the start of a token) begins a comment.  The NAME is every word up
 * to the first token containing "=".  The trailing tokens are:
 *
 *   CODE=meaning      a return code that means "listed", e.g. 127.0.0.2=SBL.
 *                     CODE may be a range LO-HI (127.0.0.10-127.0.0.11=PBL).
 *   !CODE=meaning     a return code that means the list REFUSED the query
 *                     (public resolver, over quota): an error, never a listing.
 *   delist=URL        where to ask for removal.
 *   test=NAME         entry that must be listed (default 127.0.0.2 for ip
 *                     lists, "test" for domain lists: RFC 5782 5.1).
 *   untest=NAME       entry that must not be listed (default 127.0.0.1 /
 *                     "invalid").
 *   ipv6=yes          the list also answers for IPv6 addresses (nibbles).
 *   match=bits        codes are bit flags in the last octet (SURBL, URIBL
 *                     multi): 127.0.0.10 = 127.0.0.2 + 127.0.0.8.
 *   severity=warn     a listing is a warning, not a failure (UCEPROTECT
 *                     levels 2-3 list whole networks).
 *
 * Values may be double-quoted to hold spaces ("Spamhaus SBL advisory").  The
 * extensions are additive: a file in the plain CONVENTIONS.md form parses.
 *
 * The parser does no I/O (it is fuzzed and unit-tested); the check reads the
 * file and hands the text over. */
#ifndef MXAUDIT_BLOCKLIST_CONF_H
#define MXAUDIT_BLOCKLIST_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounded work for hostile or mistaken files. */
#define BLOCKLIST_MAX_LISTS 200
#define BLOCKLIST_MAX_CODES 64

enum blocklist_kind { BLOCKLIST_IP = 0, BLOCKLIST_DOMAIN };

struct blocklist_code {
	uint32_t lo, hi; /* host order, inclusive */
	bool refusal;
	char *meaning;
};

struct blocklist {
	char *zone;          /* lower case, no trailing dot */
	enum blocklist_kind kind;
	char *name;          /* "Spamhaus ZEN" (the zone when the line has none) */
	char *delist;        /* URL or NULL */
	char *test_listed;   /* 127.0.0.2 / "test" */
	char *test_unlisted; /* 127.0.0.1 / "invalid" */
	bool ipv6;
	bool bits;
	bool warn_only;      /* severity=warn */
	struct blocklist_code *codes;
	size_t ncodes;
	int line;            /* line number in the file */
};

struct blocklist_set {
	struct blocklist *v;
	size_t n;
};

/* Parse text (len bytes, may contain NULs which are errors).  On failure
 * returns false, *err = "line N: why" (allocated) and out is left empty. */
bool blocklist_conf_parse(const char *text, size_t len, struct blocklist_set *out, char **err);
void blocklist_set_free(struct blocklist_set *s);

/* What one A record in a list's answer means. */
enum blocklist_answer {
	BLOCKLIST_A_LISTED = 0, /* in 127/8 and not a refusal code (known meaning or not) */
	BLOCKLIST_A_REFUSED,    /* one of the list's refusal codes */
	BLOCKLIST_A_BOGUS,      /* outside 127.0.0.0/8: the list misbehaves */
};
/* Classify the IPv4 answer a (4 bytes).  *meaning gets an allocated text:
 * the code's meaning(s), or "unknown return code" / a sentence for BOGUS. */
enum blocklist_answer blocklist_classify(const struct blocklist *bl, const unsigned char a[4], char **meaning);

/* The name to query for an address (family AF_INET/AF_INET6) on an ip list,
 * or for a domain on a domain list.  NULL when the list cannot be asked
 * (IPv6 sender on a list without ipv6=yes). */
char *blocklist_query_ip(const struct blocklist *bl, int family, const unsigned char *addr);
char *blocklist_query_domain(const struct blocklist *bl, const char *domain);
/* The names of the list's self-test entries. */
char *blocklist_query_test(const struct blocklist *bl, bool listed);

#endif
