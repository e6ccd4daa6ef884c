/* spf.h - what the SPF check found, for other checks (DMARC alignment) and
 * the fix flow. */
#ifndef MXAUDIT_SPF_H
#define MXAUDIT_SPF_H

#include "audit.h"

/* RFC 7208 result ("pass", "fail", "softfail", "neutral", "none",
 * "permerror", "temperror") of check_host() for the audit's IP and MAIL FROM
 * identity, or NULL when there is no IP or the check is not done. */
const char *spf_check_result(const struct check *c);
/* The domain that result is for: the MAIL FROM domain, or the HELO name
 * when MAIL FROM is empty (RFC 7208 2.4). NULL when not evaluated. */
const char *spf_check_domain(const struct check *c);

#endif
