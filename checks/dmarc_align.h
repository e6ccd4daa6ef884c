/* dmarc_align.h - DMARC identifier alignment and the result a receiver
 * would compute (RFC 7489 3.1, 4.2, 6.6.2), from what the SPF and DKIM
 * checks found.  Pure apart from libpsl's built-in list. */
#ifndef MXAUDIT_DMARC_ALIGN_H
#define MXAUDIT_DMARC_ALIGN_H

#include <stdbool.h>
#include <stddef.h>

enum tri { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };
const char *tri_name(enum tri t); /* "unknown" "no" "yes" */

struct dmarc_align_input {
	const char *from_domain;              /* RFC 5322 From domain */
	const char *spf_domain;               /* MAIL FROM (or HELO) domain SPF checked, or NULL */
	const char *spf_result;               /* "pass", ... or NULL when unknown */
	bool dkim_known;                      /* a message's signatures were verified */
	const char *const *dkim_pass_domains; /* d= of signatures that verified */
	size_t ndkim;
	char aspf, adkim; /* 'r' or 's' */
};

struct dmarc_align_result {
	enum tri spf_relaxed, spf_strict; /* identifier alignment of spf_domain */
	enum tri spf_pass;                /* SPF result is pass */
	enum tri spf_aligned_pass;        /* pass and aligned under aspf */
	enum tri dkim_relaxed, dkim_strict;
	enum tri dkim_aligned_pass; /* a verified d= aligned under adkim */
	const char *dkim_domain;    /* that d= (borrowed), or NULL */
	const char *result;         /* "pass", "fail" or "unknown" */
};

void dmarc_align_compute(const struct dmarc_align_input *in, struct dmarc_align_result *out);

#endif
