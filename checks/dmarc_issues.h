/* dmarc_issues.h - findings produced by the pure record parsers (DMARC
 * records, DKIM key records, DKIM-Signature headers).
 *
 * The parsers do no I/O and know nothing of the audit model, so they can be
 * unit-tested and fuzzed alone; the checks turn these issues into findings.
 * Every issue quotes the offending text in evidence. */
#ifndef MXAUDIT_DMARC_ISSUES_H
#define MXAUDIT_DMARC_ISSUES_H

#include <stddef.h>

#include "status.h"

struct rec_issue {
	enum status status; /* STATUS_FAIL or STATUS_WARN (STATUS_PASS for notes) */
	char *id;           /* "dmarc.unknown-tag" */
	char *message;
	char *evidence; /* the offending text, quoted raw */
};

struct rec_issues {
	struct rec_issue *v;
	size_t n, cap;
};

void rec_issues_add(struct rec_issues *l, enum status st, const char *id, const char *evidence, size_t evlen,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void rec_issues_free(struct rec_issues *l);
/* Is there an issue with this id? */
const struct rec_issue *rec_issues_find(const struct rec_issues *l, const char *id);

#endif
