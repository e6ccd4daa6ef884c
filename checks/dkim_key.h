/* dkim_key.h - parse a DKIM key record (RFC 6376 3.6.1, RFC 8301, RFC 8463)
 * and decode its public key with OpenSSL.
 *
 * Pure: no I/O.  The TXT text comes already concatenated from the resolver
 * (a 2048-bit key does not fit in one 255-byte string); nstrings says how
 * many strings it was split into, for the report.  Strength verdicts follow
 * RFC 8301: RSA below 1024 bits fail, 1024 warn (receivers such as Gmail
 * treat it as weak), 2048 and more pass; Ed25519 pass. */
#ifndef MXAUDIT_DKIM_KEY_H
#define MXAUDIT_DKIM_KEY_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "dmarc_issues.h"

struct dkim_key {
	bool has_v;
	char *k;              /* key type as written ("rsa" default) */
	char *h;              /* acceptable hashes, or NULL (all) */
	char *s;              /* service types, or NULL ("*") */
	char *t;              /* flags, or NULL */
	char *n;              /* notes */
	char *p;              /* base64 key, whitespace removed ("" when revoked) */
	bool revoked;         /* p= empty */
	bool testing;         /* t=y */
	bool strict;          /* t=s: i= must be exactly d= */
	bool sha256_ok;       /* h= allows sha256 */
	bool email_ok;        /* s= allows email */
	EVP_PKEY *pkey;       /* decoded key, or NULL */
	const char *key_type; /* "rsa", "ed25519", or NULL when not decoded */
	int key_bits;         /* 0 when not decoded */
	enum status strength; /* verdict on the key size (PASS/WARN/FAIL; SKIP when no key) */
	struct rec_issues issues;
};

struct dkim_key *dkim_key_parse(const char *text, size_t len);
void dkim_key_free(struct dkim_key *k);

/* Base64 decode (whitespace ignored).  Returns a malloc'd buffer, or NULL
 * for invalid input. */
unsigned char *dkim_base64_decode(const char *s, size_t len, size_t *outlen);

#endif
