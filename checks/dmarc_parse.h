/* dmarc_parse.h - parse and validate a DMARC policy record (RFC 7489
 * section 6.3, with the DMARCbis tags np, t and psd known).
 *
 * Pure: no I/O, no audit model.  Garbage never crashes the parser; it
 * becomes an issue quoting the offending text.  Receivers' rules decide the
 * effective values: a bad p with a usable rua is treated as p=none, a bad
 * sp falls back to p, a bad pct to 100 (RFC 7489 6.6.3). */
#ifndef MXAUDIT_DMARC_PARSE_H
#define MXAUDIT_DMARC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmarc_issues.h"

enum dmarc_policy {
	DMARC_POLICY_UNSET = 0, /* tag absent */
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT,
	DMARC_POLICY_INVALID, /* present with a bad value */
};

struct dmarc_uri {
	char *text;        /* as written (with any !size suffix) */
	char *uri;         /* without the size suffix */
	char *address;     /* mailto: address (local@domain), or NULL */
	char *domain;      /* lower-cased domain of the address, or NULL */
	uint64_t max_size; /* bytes, 0 when no suffix */
	bool valid;
};

struct dmarc_tag {
	char *name; /* lower-cased */
	char *value;
};

struct dmarc_record {
	bool is_dmarc; /* starts with v=DMARC1: receivers use it */
	bool usable;   /* is_dmarc and a policy can be derived */
	struct dmarc_tag *tags;
	size_t ntags;
	enum dmarc_policy p_tag, sp_tag, np_tag; /* as written */
	enum dmarc_policy policy;                /* effective p */
	enum dmarc_policy subdomain_policy;      /* effective sp (p when absent/bad) */
	enum dmarc_policy np;                    /* effective np (sp when absent/bad) */
	int pct;                                 /* effective, 0..100 */
	bool pct_given;
	char adkim, aspf; /* 'r' or 's' (effective) */
	char *fo;         /* effective, "0" by default */
	char *rf;         /* effective, "afrf" */
	unsigned long ri; /* effective, 86400 */
	struct dmarc_uri *rua, *ruf;
	size_t nrua, nruf;
	struct rec_issues issues;
};

/* Does this TXT text look like an attempt at a DMARC record (so it counts as
 * one of "multiple records")?  True for text starting with "v=DMARC1" and for
 * text mentioning DMARC1 anywhere (a misordered record). */
bool dmarc_text_is_candidate(const char *text, size_t len);
/* Is it a record receivers would use (v=DMARC1 first, RFC 7489 6.6.3)? */
bool dmarc_text_is_record(const char *text, size_t len);

struct dmarc_record *dmarc_parse(const char *text, size_t len);
void dmarc_record_free(struct dmarc_record *r);
const char *dmarc_policy_name(enum dmarc_policy p); /* "none", ..., NULL for UNSET/INVALID */
/* Value of a tag as written, or NULL. */
const char *dmarc_record_tag(const struct dmarc_record *r, const char *name);

#endif
