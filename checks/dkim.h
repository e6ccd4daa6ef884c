/* dkim.h - what the DKIM check found, for the DMARC check (alignment) and
 * the fix flow. */
#ifndef MXAUDIT_DKIM_H
#define MXAUDIT_DKIM_H

#include <stdbool.h>
#include <stddef.h>

#include "audit.h"

/* Was a pasted message with at least one DKIM-Signature verified?  (When
 * false, the DKIM part of DMARC alignment is unknown, not "fail".) */
bool dkim_check_have_signatures(const struct check *c);
/* Signatures in the pasted message, in header order, once the check is done:
 * their d= domain (NULL if missing), s= and result ("pass", "fail",
 * "permerror", "temperror"). */
size_t dkim_check_sig_count(const struct check *c);
const char *dkim_check_sig_domain(const struct check *c, size_t i);
const char *dkim_check_sig_selector(const struct check *c, size_t i);
const char *dkim_check_sig_result(const struct check *c, size_t i);
/* The d= domains of the signatures that verified (deduplicated, lower case). */
const struct strlist *dkim_check_pass_domains(const struct check *c);

#endif
