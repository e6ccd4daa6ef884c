/* mx.h - what the MX check found, for other checks (TLS) and the flow. */
#ifndef MXAUDIT_MX_H
#define MXAUDIT_MX_H

#include "audit.h"

/* Number of MX hosts (sorted by preference) once the check is done. */
size_t mx_check_host_count(const struct check *c);
bool mx_check_null_mx(const struct check *c);
const char *mx_check_host_name(const struct check *c, size_t i);
const struct strlist *mx_check_host_addrs(const struct check *c, size_t i);

#endif
