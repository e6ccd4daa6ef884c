/* status.h - the verdict vocabulary shared by checks, findings and steps.
 *
 * The order of the enum is the severity order used by status_worst():
 * a check's status is the worst of its findings' (fail > error > warn >
 * pass > skip).  PENDING only exists while something is still running and
 * is never written to a report. */
#ifndef MXAUDIT_STATUS_H
#define MXAUDIT_STATUS_H

enum status {
	STATUS_PENDING = 0,
	STATUS_SKIP,
	STATUS_PASS,
	STATUS_WARN,
	STATUS_ERROR,
	STATUS_FAIL,
	STATUS_COUNT
};

/* "pass", "warn", ... as used in JSON and on the command line. */
const char *status_name(enum status s);
/* Worst of two statuses; PENDING loses to everything. */
enum status status_worst(enum status a, enum status b);
/* Exit code for a non-interactive run whose overall status is s
 * (0 pass/skip, 1 warn, 2 fail, 3 error). */
int status_exit_code(enum status s);

#endif
