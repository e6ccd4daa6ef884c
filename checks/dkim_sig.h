/* dkim_sig.h - DKIM-Signature headers in a pasted message, and their
 * verification (RFC 6376 sections 3.4, 3.5, 3.7 and 6; RFC 8301; RFC 8463).
 *
 * Pure: no DNS.  The caller looks up <s>._domainkey.<d> and hands the result
 * in as a struct dkim_lookup, so the verifier runs the same on a test vector
 * and on a live answer.
 *
 * Operators paste messages out of mail clients and bounces: line endings are
 * normalised to CRLF, and when the message sits inside a DSN (a
 * message/rfc822 part) its body is cut at the enclosing MIME boundary. */
#ifndef MXAUDIT_DKIM_SIG_H
#define MXAUDIT_DKIM_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmarc_issues.h"

enum dkim_alg { DKIM_ALG_UNKNOWN = 0, DKIM_ALG_RSA_SHA256, DKIM_ALG_ED25519_SHA256, DKIM_ALG_RSA_SHA1 };
enum dkim_canon { DKIM_CANON_SIMPLE = 0, DKIM_CANON_RELAXED };

struct dkim_sig {
	size_t header; /* index of the DKIM-Signature field in the message */
	char *value;   /* the field value as written (unfolded lines kept) */
	char *v, *a, *b, *bh, *c, *d, *h, *i, *l, *q, *s, *t, *x;
	enum dkim_alg alg;
	enum dkim_canon hcanon, bcanon;
	bool has_l;
	uint64_t body_len;
	bool usable;              /* syntax good enough to attempt verification */
	struct rec_issues issues; /* why not usable (permerror), and warnings */
};

struct dkim_message;

/* Find and parse the message in text.  Returns NULL (with *why set to a
 * static sentence) when the text is not a message at all.  A message with
 * no DKIM-Signature header is returned with no signatures. */
struct dkim_message *dkim_message_parse(const char *text, size_t len, const char **why);
/* The same, preferring (in a bounce that carries several signed header
 * blocks) the block whose From address is in or above from_hint. */
struct dkim_message *dkim_message_parse_hint(const char *text, size_t len, const char *from_hint, const char **why);
void dkim_message_free(struct dkim_message *m);
size_t dkim_message_sig_count(const struct dkim_message *m);
const struct dkim_sig *dkim_message_sig(const struct dkim_message *m, size_t i);
/* Value of the first header field of that name, unfolded, allocated; or NULL. */
char *dkim_message_header(const struct dkim_message *m, const char *name);
/* The bounce kept only the header (text/rfc822-headers): no body to hash. */
bool dkim_message_body_missing(const struct dkim_message *m);

enum dkim_lookup_status {
	DKIM_LOOKUP_FOUND = 0, /* txt holds the key record */
	DKIM_LOOKUP_NOKEY,     /* NXDOMAIN / no TXT record */
	DKIM_LOOKUP_TEMPFAIL,  /* DNS error: timeout, SERVFAIL */
};

struct dkim_lookup {
	enum dkim_lookup_status status;
	const char *txt; /* key record text (concatenated strings) */
	size_t len;
	const char *error; /* for TEMPFAIL */
};

enum dkim_result { DKIM_RESULT_PASS = 0, DKIM_RESULT_FAIL, DKIM_RESULT_PERMERROR, DKIM_RESULT_TEMPERROR };
const char *dkim_result_name(enum dkim_result r); /* "pass", "fail", "permerror", "temperror" */

/* Verify one signature.  now: seconds since the epoch for x= (0 = do not
 * check expiry).  *reason gets an allocated sentence (always). */
enum dkim_result dkim_sig_verify(const struct dkim_message *m, const struct dkim_sig *sig,
                                 const struct dkim_lookup *key, int64_t now, char **reason);

/* Canonicalisation, exposed for tests.  Return allocated buffers. */
char *dkim_canon_body(const char *body, size_t len, enum dkim_canon c, size_t *outlen);
char *dkim_canon_header(const char *field, size_t len, enum dkim_canon c, size_t *outlen);

#endif
