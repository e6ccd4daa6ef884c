/* spf_eval.h - asynchronous RFC 7208 check_host() over the resolver layer,
 * with a trace of every term visited and the record tree for static
 * analysis.
 *
 * Works with any struct resolver (the audit's, or a test backend).  As soon
 * as a record is parsed the evaluator prefetches what later terms will need
 * (include / redirect targets' TXT records and their trees, a/mx/exists
 * names) in parallel; the resolver coalesces and caches, so the strictly
 * left-to-right evaluation that follows asks again and gets the answer
 * without another round trip.  Lookup and void-lookup counts are kept by
 * the evaluation only, so prefetched answers it never reaches do not count.
 *
 * done() is called from the event loop once the result is known and no
 * query of this evaluation is in flight any more (never from inside
 * spf_eval_start()).  Do not free the evaluation from inside done(). */
#ifndef MXAUDIT_SPF_EVAL_H
#define MXAUDIT_SPF_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "spf_parse.h"
#include "util.h"

struct resolver;

enum spf_result {
	SPF_NONE = 0,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR,
};
const char *spf_result_name(enum spf_result r);

#define SPF_MAX_LOOKUPS 10
#define SPF_MAX_VOIDS 2
#define SPF_MAX_NAMES 10

/* One line of the trace: a record (check_host level) or a term in it, in
 * the order evaluated; depth makes it a tree (includes nested). */
struct spf_trace {
	int depth;
	bool is_record;         /* "example.com: v=spf1 ..." */
	char *text;             /* the term as written, or the domain + record */
	struct strlist queries; /* "TXT example.com -> NOERROR 1 record (3 ms)" lines */
	double ms;              /* time spent on its queries */
	char *outcome;          /* "match", "no match", "void lookup", "permerror: ..." */
	bool matched;
	bool decisive; /* on the path of the term that decided the result */
};

/* The record tree as fetched (independent of the IP's evaluation): for the
 * static analysis (total lookup cost, voids, loops, includes without SPF). */
struct spf_node {
	char *domain;
	int depth;
	bool fetched;   /* TXT answer arrived */
	int dns_result; /* enum dns_result of the TXT query */
	size_t nspf;    /* SPF records found */
	char *record;   /* the (single) record, or NULL */
	size_t record_len;
	struct spf_record *rec;
	bool loop;               /* domain is its own ancestor: not followed */
	bool truncated;          /* depth / size cap reached: not followed */
	struct spf_node **child; /* per term: include / redirect target node, or NULL */
	int *term_dns;           /* per term: enum dns_result of its first query, -1 unknown */
	bool *term_void;
};

struct spf_eval;

struct spf_eval_params {
	const char *ip;     /* literal, or NULL: no evaluation, only the tree */
	const char *domain; /* check_host <domain> */
	const char *sender; /* MAIL FROM, or "" / NULL: postmaster@helo */
	const char *helo;
	const char *receiver; /* %{r}; NULL = "unknown" */
	long long now;        /* %{t}; 0 = time(NULL) */
};

struct spf_eval *spf_eval_new(struct resolver *r, const struct spf_eval_params *p,
                              void (*done)(void *arg, struct spf_eval *e), void *arg);
void spf_eval_start(struct spf_eval *e);
void spf_eval_free(struct spf_eval *e);

bool spf_eval_done(const struct spf_eval *e);
bool spf_eval_has_ip(const struct spf_eval *e);
enum spf_result spf_eval_result(const struct spf_eval *e);
/* Why the result is what it is ("matched -all in example.com", the permerror
 * reason...). */
const char *spf_eval_reason(const struct spf_eval *e);
/* exp= explanation (expanded) when the result is fail and there is one. */
const char *spf_eval_explanation(const struct spf_eval *e);
int spf_eval_lookups(const struct spf_eval *e);
int spf_eval_voids(const struct spf_eval *e);
const char *spf_eval_domain(const struct spf_eval *e);
const char *spf_eval_sender(const struct spf_eval *e);
const struct spf_trace *spf_eval_trace(const struct spf_eval *e, size_t *n);
const struct spf_node *spf_eval_tree(const struct spf_eval *e);
double spf_eval_ms(const struct spf_eval *e); /* time until the result was known */

/* The record tree's total lookup cost (every include/redirect followed,
 * whatever the IP), voids in it, and whether it loops / was cut short. */
struct spf_tree_stats {
	int lookups;
	int voids;
	bool loop;
	bool macros; /* a target uses macros: its subtree cost is unknown */
	bool truncated;
	struct strlist no_spf; /* included domains without an SPF record */
	struct strlist loops;  /* "a.example -> b.example -> a.example" */
};
void spf_tree_stats(const struct spf_node *root, struct spf_tree_stats *st);
void spf_tree_stats_free(struct spf_tree_stats *st);

#endif
