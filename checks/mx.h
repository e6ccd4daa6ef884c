/* mx.h - what the MX check found, for other checks (TLS) and the flow. */
#ifndef MXAUDIT_MX_H
#define MXAUDIT_MX_H

#include "audit.h"

/* Number of MX hosts (sorted by preference) once the check is done. */
size_t mx_check_host_count(const struct check *c);
bool mx_check_null_mx(const struct check *c);
const char *mx_check_host_name(const struct check *c, size_t i);
const struct strlist *mx_check_host_addrs(const struct check *c, size_t i);

/* Recipient mode (--rcpt ADDR, step 2): the recipient's domain (lower case;
 * NULL without --rcpt or when the address is malformed), whether it can
 * receive mail (1 yes, 0 no, -1 undecided / not done / no --rcpt), and the
 * common mailbox domain it looks like a typo of (or NULL). */
const char *mx_check_rcpt_domain(const struct check *c);
int mx_check_rcpt_capable(const struct check *c);
const char *mx_check_rcpt_typo(const struct check *c);

/* Pure helpers of the recipient mode, for unit tests. */

/* Check an address's syntax (RFC 5321 Mailbox; surrounding spaces and one
 * pair of <> allowed; UTF-8 local parts as RFC 6531).  On success *domain is
 * the lower-cased domain (allocated; "[192.0.2.1]" for an address literal,
 * with *literal set).  On failure *why is a static sentence. */
bool mx_rcpt_parse(const char *addr, char **domain, bool *literal, const char **why);

/* Common mailbox domains and known misspellings (data/mailbox-domain-typos.txt:
 * "DOMAIN" or "TYPO = DOMAIN" lines, # comments). */
struct mx_typos;
struct mx_typos *mx_typos_parse(const char *text, size_t len, char **err);
void mx_typos_free(struct mx_typos *t);
/* The domain that domain is likely a typo of: a listed misspelling, or one
 * edit (insert, delete, change, swap of neighbours) from a common domain
 * whose first label has 4+ characters; NULL for a listed domain or none. */
const char *mx_typos_suggest(const struct mx_typos *t, const char *domain);

#endif
