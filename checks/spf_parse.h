/* spf_parse.h - SPF record syntax (RFC 7208 section 12) and macro expansion
 * (section 7).  Pure functions, no I/O: the evaluator (spf_eval.c), the
 * static analysis and the unit tests / fuzzers all use them directly. */
#ifndef MXAUDIT_SPF_PARSE_H
#define MXAUDIT_SPF_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum spf_mech {
	SPF_M_ALL,
	SPF_M_INCLUDE,
	SPF_M_A,
	SPF_M_MX,
	SPF_M_PTR,
	SPF_M_IP4,
	SPF_M_IP6,
	SPF_M_EXISTS,
};

enum spf_term_kind {
	SPF_TERM_MECH,
	SPF_TERM_REDIRECT,
	SPF_TERM_EXP,
	SPF_TERM_MODIFIER, /* unknown modifier: syntax-checked, then ignored */
};

struct spf_term {
	enum spf_term_kind kind;
	enum spf_mech mech;
	char qualifier;    /* '+', '-', '~', '?' (implicit '+' is stored as '+') */
	char *text;        /* the term as written */
	size_t pos;        /* 1-based column of the term in the record */
	char *domain_spec; /* macro-string target, or NULL (mechanism: the current domain) */
	char *name;        /* modifier name */
	int cidr4, cidr6;  /* prefix lengths; -1 when not given */
	int family;        /* ip4/ip6: AF_INET / AF_INET6 */
	unsigned char addr[16];
};

struct spf_record {
	struct spf_term *terms;
	size_t nterms;
	const struct spf_term *redirect; /* points into terms, or NULL */
	const struct spf_term *exp;
	char *error;      /* syntax error sentence (permerror), or NULL */
	char *error_term; /* the offending term as written */
	size_t error_pos; /* its 1-based column */
};

/* Does this TXT string select as an SPF record ("v=spf1" then space or end,
 * case-insensitive)? */
bool spf_is_record(const char *text, size_t len);
/* Parse a whole record ("v=spf1 ...").  Never NULL; on a syntax error
 * rec->error is set and the terms parsed so far are kept. */
struct spf_record *spf_record_parse(const char *text, size_t len);
void spf_record_free(struct spf_record *rec);
const char *spf_mech_name(enum spf_mech m);
/* Does the mechanism / modifier cost a DNS lookup (RFC 7208 4.6.4)? */
bool spf_term_counts(const struct spf_term *t);

/* --- macros (RFC 7208 section 7) --- */
struct spf_macro_ctx {
	const char *sender; /* s: full sender, local@domain */
	const char *domain; /* d: current domain */
	const char *helo;   /* h */
	int family;         /* i, c, v */
	const unsigned char *addr;
	const char *validated; /* p: validated name, or NULL -> "unknown" */
	const char *receiver;  /* r: or NULL -> "unknown" */
	long long now;         /* t */
};

/* Expand a macro-string.  exp allows c, r, t (explanation strings only).
 * Returns the expansion (allocated), or NULL with *err set (allocated) on a
 * syntax error (permerror). */
char *spf_macro_expand(const char *spec, const struct spf_macro_ctx *ctx, bool exp, char **err);
/* Expand a domain-spec and apply the 253-character left truncation
 * (RFC 7208 4.8 / 7.3).  NULL with *err on error. */
char *spf_macro_expand_domain(const char *spec, const struct spf_macro_ctx *ctx, char **err);
/* Does the macro-string use %{p} (which needs DNS before expansion)? */
bool spf_macro_uses_p(const char *spec);
/* Does it contain any macro at all (constant domain-specs can be prefetched
 * and analysed without an IP)? */
bool spf_macro_has_macros(const char *spec);

#endif
