/* mta_sts.h - pure parsers for MTA-STS (RFC 8461) and TLS-RPT (RFC 8460):
 * the _mta-sts TXT record, the HTTP response that carries the policy, the
 * policy itself, MX patterns, and the _smtp._tls TXT record.  No I/O, so
 * they can be unit-tested and fuzzed; the input is untrusted and bounded
 * by the caller (RFC 8461 3.3: policies are at most 64 KiB). */
#ifndef MXAUDIT_MTA_STS_H
#define MXAUDIT_MTA_STS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define MTA_STS_MAX_BODY (64 * 1024)
#define MTA_STS_MAX_MX 64

enum mta_sts_mode {
	MTA_STS_MODE_UNKNOWN = 0,
	MTA_STS_MODE_ENFORCE,
	MTA_STS_MODE_TESTING,
	MTA_STS_MODE_NONE,
};

const char *mta_sts_mode_name(enum mta_sts_mode m); /* "enforce", ... or NULL */

/* "v=STSv1; id=20240101T000000;" -> id (allocated).  False and *why when
 * the record is not a valid STSv1 record. */
bool mta_sts_txt_parse(const char *txt, char **id, const char **why);

struct mta_sts_policy {
	char *version;          /* "STSv1" */
	enum mta_sts_mode mode;
	struct strlist mx;      /* patterns as written ("mail.example.com", "*.example.net") */
	long max_age;           /* seconds, -1 if missing */
	struct strlist problems; /* sentences: what is wrong with it */
};

/* Parse a policy body (RFC 8461 3.2).  Returns true when it is usable
 * (version STSv1, a known mode, max_age, and mx unless mode is none);
 * problems lists every defect either way. */
bool mta_sts_policy_parse(const char *body, size_t len, struct mta_sts_policy *p);
void mta_sts_policy_free(struct mta_sts_policy *p);

/* Does MX host name match a policy mx pattern (RFC 8461 4.1: "*." matches
 * exactly one leftmost label)?  Case-insensitive, trailing dots ignored. */
bool mta_sts_mx_match(const char *pattern, const char *host);
/* Does host match any pattern of the policy? */
bool mta_sts_policy_allows(const struct mta_sts_policy *p, const char *host);

/* Split a raw HTTP/1.x response: status code, Content-Type (allocated, or
 * NULL), and the body (Content-Length or read-to-close; chunked decoded
 * into *body_buf).  False and *why for a response that is not HTTP. */
bool mta_sts_http_parse(const char *resp, size_t len, int *status, char **content_type, char **body,
                        size_t *body_len, const char **why);

/* "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example/x" -> rua URIs.
 * False and *why when not a valid TLSRPTv1 record. */
bool tlsrpt_txt_parse(const char *txt, struct strlist *rua, const char **why);

#endif
