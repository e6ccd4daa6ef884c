/* cli.h - running audits without a terminal (--json, --report, --batch). */
#ifndef MXAUDIT_CLI_H
#define MXAUDIT_CLI_H

#include "options.h"

/* Run the audit(s) the options describe and print the report(s); returns
 * the exit status of CONVENTIONS.md. */
int cli_run(struct options *o);

/* Run one audit to completion (or to its global deadline) on loop.
 * Returns the audit (caller frees) or NULL with *err set. */
struct audit *cli_audit_run(struct evloop *loop, const struct options *o, char **err);

/* --batch: audits from a file, one JSON object per line (batch.c). */
int batch_run(const struct options *o);

/* The global deadline of one audit, from the per-query timeout. */
long audit_deadline_ms(const struct audit_input *in);

#endif
