/* dkim_key.c - DKIM key records: tags and the public key inside. */
#include "dkim_key.h"

#include <ctype.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

unsigned char *dkim_base64_decode(const char *s, size_t len, size_t *outlen)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char *out = xmalloc(len / 4 * 3 + 3);
	size_t n = 0, pad = 0;
	unsigned acc = 0, bits = 0, chars = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (is_wsp(c))
			continue;
		if (c == '=') {
			pad++;
			chars++;
			continue;
		}
		const char *pos = c ? strchr(alphabet, c) : NULL;
		if (!pos || pad) { /* data after padding, or not base64 */
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)(pos - alphabet);
		bits += 6;
		chars++;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (chars % 4 != 0 || pad > 2) {
		free(out);
		return NULL;
	}
	*outlen = n;
	return out;
}

static bool list_has(const char *list, const char *word)
{
	const char *p = list;
	size_t wl = strlen(word);
	for (;;) {
		while (is_wsp(*p))
			p++;
		const char *e = p + strcspn(p, ":");
		const char *te = e;
		while (te > p && is_wsp(te[-1]))
			te--;
		if ((size_t)(te - p) == wl && strncasecmp(p, word, wl) == 0)
			return true;
		if (!*e)
			return false;
		p = e + 1;
	}
}

static void decode_key(struct dkim_key *k)
{
	size_t len = 0;
	unsigned char *der = dkim_base64_decode(k->p, strlen(k->p), &len);
	if (!der) {
		rec_issues_add(&k->issues, STATUS_FAIL, "dkim.bad-key", k->p, strlen(k->p),
		               "p= is not valid base64, so no signature can verify with this key.");
		return;
	}
	bool ed = strcasecmp(k->k, "ed25519") == 0;
	if (ed) {
		if (len == 32)
			k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, len);
		if (!k->pkey) {
			rec_issues_add(&k->issues, STATUS_FAIL, "dkim.bad-key", k->p, strlen(k->p),
			               "k=ed25519 but p= is %zu bytes, not a 32-byte Ed25519 public key (RFC 8463 "
			               "publishes the raw key, not an ASN.1 structure).",
			               len);
			free(der);
			return;
		}
	} else {
		const unsigned char *q = der;
		k->pkey = d2i_PUBKEY(NULL, &q, (long)len);
		if (!k->pkey) {
			/* Some generators publish a bare PKCS#1 RSAPublicKey. */
			q = der;
			k->pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)len);
			if (k->pkey)
				rec_issues_add(&k->issues, STATUS_WARN, "dkim.key-format", k->p, strlen(k->p),
				               "p= holds a bare PKCS#1 RSAPublicKey instead of a SubjectPublicKeyInfo; "
				               "many verifiers reject it. Republish the key in the standard format "
				               "(openssl rsa -pubout).");
		}
		if (!k->pkey) {
			rec_issues_add(
			    &k->issues, STATUS_FAIL, "dkim.bad-key", k->p, strlen(k->p),
			    "p= does not decode to a public key (%zu bytes of DER that OpenSSL cannot read); "
			    "was the key cut when it was pasted?",
			    len);
			free(der);
			return;
		}
	}
	free(der);
	int base = EVP_PKEY_get_base_id(k->pkey);
	k->key_bits = EVP_PKEY_get_bits(k->pkey);
	if (base == EVP_PKEY_ED25519) {
		k->key_type = "ed25519";
		k->key_bits = 256;
		k->strength = STATUS_PASS;
	} else if (base == EVP_PKEY_RSA) {
		k->key_type = "rsa";
		k->strength = k->key_bits < 1024 ? STATUS_FAIL : k->key_bits < 2048 ? STATUS_WARN : STATUS_PASS;
	} else {
		k->key_type = OBJ_nid2sn(base);
		k->strength = STATUS_FAIL;
		rec_issues_add(&k->issues, STATUS_FAIL, "dkim.bad-key", k->p, strlen(k->p),
		               "The key is of type %s, which DKIM does not use.",
		               k->key_type ? k->key_type : "unknown");
		return;
	}
	if ((base == EVP_PKEY_RSA) != !ed)
		rec_issues_add(&k->issues, STATUS_FAIL, "dkim.key-type-mismatch", k->k, strlen(k->k),
		               "k=%s does not match the key in p= (%s).", k->k, k->key_type);
}

struct dkim_key *dkim_key_parse(const char *text, size_t len)
{
	struct dkim_key *k = xcalloc(1, sizeof(*k));
	k->strength = STATUS_SKIP;
	struct strbuf pbuf;
	strbuf_init(&pbuf);
	bool have_p = false;
	size_t index = 0;
	const char *p = text, *end = text + len;
	if (memchr(text, '\0', len))
		rec_issues_add(&k->issues, STATUS_FAIL, "dkim.syntax", text, strlen(text),
		               "The key record contains a NUL byte.");
	while (p <= end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *e = semi ? semi : end, *s = p;
		while (s < e && is_wsp(*s))
			s++;
		while (e > s && is_wsp(e[-1]))
			e--;
		if (s < e) {
			const char *eq = memchr(s, '=', (size_t)(e - s));
			if (!eq) {
				rec_issues_add(
				    &k->issues, STATUS_FAIL, "dkim.syntax", s, (size_t)(e - s),
				    "\"%.*s\" is not a tag=value pair; verifiers may reject the whole record.",
				    (int)(e - s), s);
			} else {
				const char *ne = eq, *vs = eq + 1;
				while (ne > s && is_wsp(ne[-1]))
					ne--;
				while (vs < e && is_wsp(*vs))
					vs++;
				char *name = xstrndup(s, (size_t)(ne - s));
				char *val = xstrndup(vs, (size_t)(e - vs));
				char **dst = NULL;
				if (strcmp(name, "v") == 0) {
					k->has_v = true;
					if (index != 0)
						rec_issues_add(
						    &k->issues, STATUS_FAIL, "dkim.version-not-first", s,
						    (size_t)(e - s),
						    "v=DKIM1 must be the first tag when present; verifiers discard the "
						    "record otherwise.");
					if (strcmp(val, "DKIM1") != 0)
						rec_issues_add(
						    &k->issues, STATUS_FAIL, "dkim.bad-version", s, (size_t)(e - s),
						    "v=\"%s\" must be DKIM1; verifiers discard the record.", val);
				} else if (strcmp(name, "k") == 0) {
					dst = &k->k;
				} else if (strcmp(name, "h") == 0) {
					dst = &k->h;
				} else if (strcmp(name, "s") == 0) {
					dst = &k->s;
				} else if (strcmp(name, "t") == 0) {
					dst = &k->t;
				} else if (strcmp(name, "n") == 0) {
					dst = &k->n;
				} else if (strcmp(name, "p") == 0) {
					if (have_p)
						rec_issues_add(&k->issues, STATUS_FAIL, "dkim.duplicate-tag", s,
						               (size_t)(e - s),
						               "p= appears twice; verifiers reject the record.");
					have_p = true;
					if (pbuf.len == 0)
						for (const char *q = vs; q < e; q++)
							if (!is_wsp(*q))
								strbuf_addc(&pbuf, *q);
				} else if (strcmp(name, "g") == 0) {
					/* RFC 4871's granularity tag, dropped by RFC 6376: harmless. */
				} else {
					rec_issues_add(&k->issues, STATUS_WARN, "dkim.unknown-tag", s, (size_t)(e - s),
					               "Unknown tag \"%.*s\" in the key record (ignored by verifiers).",
					               (int)(e - s), s);
				}
				if (dst) {
					if (*dst)
						rec_issues_add(&k->issues, STATUS_FAIL, "dkim.duplicate-tag", s,
						               (size_t)(e - s),
						               "%s= appears twice; verifiers reject the record.", name);
					else
						*dst = xstrdup(val);
				}
				free(name);
				free(val);
			}
			index++;
		}
		if (!semi)
			break;
		p = semi + 1;
	}
	k->p = strbuf_steal(&pbuf);
	if (!k->k)
		k->k = xstrdup("rsa");
	k->sha256_ok = !k->h || list_has(k->h, "sha256");
	k->email_ok = !k->s || list_has(k->s, "*") || list_has(k->s, "email");
	k->testing = k->t && list_has(k->t, "y");
	k->strict = k->t && list_has(k->t, "s");

	if (!have_p) {
		rec_issues_add(&k->issues, STATUS_FAIL, "dkim.missing-key", text, len,
		               "The record has no p= tag: it is not a usable DKIM key record.");
	} else if (!*k->p) {
		k->revoked = true;
		rec_issues_add(&k->issues, STATUS_FAIL, "dkim.revoked", text, len,
		               "The key is revoked (p= is empty): every signature with this selector fails.");
	} else if (strcasecmp(k->k, "rsa") != 0 && strcasecmp(k->k, "ed25519") != 0) {
		rec_issues_add(&k->issues, STATUS_FAIL, "dkim.bad-key-type", k->k, strlen(k->k),
		               "k=%s is not a DKIM key type (rsa or ed25519).", k->k);
	} else {
		decode_key(k);
	}
	if (!k->sha256_ok)
		rec_issues_add(&k->issues, STATUS_FAIL, "dkim.sha1-only", k->h, strlen(k->h),
		               "h=%s allows only SHA-1, which RFC 8301 forbids: signatures with this key fail.", k->h);
	if (!k->email_ok)
		rec_issues_add(&k->issues, STATUS_FAIL, "dkim.not-email", k->s, strlen(k->s),
		               "s=%s does not include email: verifiers must not use this key for mail.", k->s);
	if (k->testing)
		rec_issues_add(&k->issues, STATUS_WARN, "dkim.testing", k->t, strlen(k->t),
		               "t=y: the domain says it is testing DKIM; some receivers treat failures leniently and "
		               "others ignore the signatures. Remove t=y once signing works.");
	return k;
}

void dkim_key_free(struct dkim_key *k)
{
	if (!k)
		return;
	free(k->k);
	free(k->h);
	free(k->s);
	free(k->t);
	free(k->n);
	free(k->p);
	EVP_PKEY_free(k->pkey);
	rec_issues_free(&k->issues);
	free(k);
}
