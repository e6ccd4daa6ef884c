/* status.c - the verdict vocabulary. */
#include "status.h"

static const char *const names[STATUS_COUNT] = {
	[STATUS_PENDING] = "pending", [STATUS_SKIP] = "skip", [STATUS_PASS] = "pass",
	[STATUS_WARN] = "warn",       [STATUS_ERROR] = "error", [STATUS_FAIL] = "fail",
};

const char *status_name(enum status s)
{
	return (unsigned)s < STATUS_COUNT ? names[s] : "?";
}

enum status status_worst(enum status a, enum status b)
{
	return a > b ? a : b;
}

int status_exit_code(enum status s)
{
	switch (s) {
	case STATUS_FAIL: return 2;
	case STATUS_ERROR: return 3;
	case STATUS_WARN: return 1;
	default: return 0;
	}
}
