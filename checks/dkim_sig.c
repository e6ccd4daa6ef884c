/* dkim_sig.c - DKIM-Signature parsing, canonicalisation and verification. */
#include "dkim_sig.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkim_key.h"
#include "util.h"

struct msg_header {
	const char *start; /* "Name: value\r\n continuation" without the final CRLF */
	size_t len;
	size_t namelen;
};

struct dkim_message {
	char *text; /* CRLF-normalised copy */
	size_t len;
	struct msg_header *headers;
	size_t nheaders;
	const char *body;
	size_t bodylen;
	bool body_missing; /* text/rfc822-headers: the bounce kept only the header */
	struct dkim_sig *sigs;
	size_t nsigs;
};

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

const char *dkim_result_name(enum dkim_result r)
{
	static const char *const names[] = {"pass", "fail", "permerror", "temperror"};
	return (unsigned)r < ARRAY_LEN(names) ? names[r] : "permerror";
}

/* --- canonicalisation (RFC 6376 3.4) --- */

char *dkim_canon_body(const char *body, size_t len, enum dkim_canon c, size_t *outlen)
{
	struct strbuf b;
	strbuf_init(&b);
	size_t pos = 0;
	while (pos < len) {
		const char *line = body + pos;
		const char *nl = NULL;
		for (size_t i = pos; i + 1 < len; i++)
			if (body[i] == '\r' && body[i + 1] == '\n') {
				nl = body + i;
				break;
			}
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		if (c == DKIM_CANON_RELAXED) {
			size_t e = ll;
			while (e > 0 && is_wsp(line[e - 1]))
				e--;
			for (size_t i = 0; i < e; i++) {
				if (is_wsp(line[i])) {
					while (i + 1 < e && is_wsp(line[i + 1]))
						i++;
					strbuf_addc(&b, ' ');
				} else {
					strbuf_addc(&b, line[i]);
				}
			}
		} else {
			strbuf_add(&b, line, ll);
		}
		strbuf_add(&b, "\r\n", 2); /* a last line without CRLF gets one (3.4.3/3.4.4) */
		pos += ll + (nl ? 2 : 0);
	}
	/* Strip empty lines at the end. */
	while (b.len >= 4 && memcmp(b.s + b.len - 4, "\r\n\r\n", 4) == 0)
		b.len -= 2;
	if (b.len == 2 && memcmp(b.s, "\r\n", 2) == 0)
		b.len = 0;
	/* Simple: an empty body is one CRLF; relaxed: the empty string. */
	if (b.len == 0 && c == DKIM_CANON_SIMPLE)
		strbuf_add(&b, "\r\n", 2);
	if (b.s)
		b.s[b.len] = '\0'; /* the length may have shrunk */
	*outlen = b.len;
	return strbuf_steal(&b);
}

char *dkim_canon_header(const char *field, size_t len, enum dkim_canon c, size_t *outlen)
{
	struct strbuf b;
	strbuf_init(&b);
	if (c == DKIM_CANON_SIMPLE) {
		strbuf_add(&b, field, len);
		strbuf_add(&b, "\r\n", 2);
		*outlen = b.len;
		return strbuf_steal(&b);
	}
	const char *colon = memchr(field, ':', len);
	size_t nl = colon ? (size_t)(colon - field) : len;
	while (nl > 0 && is_wsp(field[nl - 1]))
		nl--;
	for (size_t i = 0; i < nl; i++)
		strbuf_addc(&b, (char)tolower((unsigned char)field[i]));
	strbuf_addc(&b, ':');
	if (colon) {
		const char *v = colon + 1, *e = field + len;
		bool pending_space = false, started = false;
		for (const char *p = v; p < e; p++) {
			if (*p == '\r' || *p == '\n' || is_wsp(*p)) { /* unfold and collapse */
				pending_space = true;
				continue;
			}
			if (pending_space && started)
				strbuf_addc(&b, ' ');
			pending_space = false;
			started = true;
			strbuf_addc(&b, *p);
		}
	}
	strbuf_add(&b, "\r\n", 2);
	*outlen = b.len;
	return strbuf_steal(&b);
}

/* --- message parsing --- */

static char *to_crlf(const char *s, size_t len, size_t *outlen)
{
	struct strbuf b;
	strbuf_init(&b);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r') {
			strbuf_add(&b, "\r\n", 2);
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
		} else if (s[i] == '\n') {
			strbuf_add(&b, "\r\n", 2);
		} else {
			strbuf_addc(&b, s[i]);
		}
	}
	*outlen = b.len;
	return strbuf_steal(&b);
}

/* Length of a header field name at p (printable ASCII except ':' and
 * space, RFC 5322 2.2), followed by optional WSP and ':'; 0 if not. */
static size_t field_name_len(const char *p, const char *end)
{
	size_t n = 0;
	while (p + n < end && p[n] > 32 && p[n] < 127 && p[n] != ':')
		n++;
	if (n == 0)
		return 0;
	size_t k = n;
	while (p + k < end && is_wsp(p[k]))
		k++;
	return p + k < end && p[k] == ':' ? n : 0;
}

static const char *line_end(const char *p, const char *end)
{
	const char *q = p;
	while (q + 1 < end && !(q[0] == '\r' && q[1] == '\n'))
		q++;
	return q + 1 < end ? q : end;
}

static const char *next_line(const char *p, const char *end)
{
	const char *e = line_end(p, end);
	return e < end ? e + 2 : end;
}

static bool starts_ci(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(end - p) >= n && strncasecmp(p, lit, n) == 0;
}

static void sig_parse(struct dkim_sig *s, const char *value, size_t len);

/* The address domain of a From value ("Name <a@b.example>" -> b.example),
 * allocated, or NULL. */
static char *from_domain_of(const char *v)
{
	const char *at = strrchr(v, '@');
	if (!at)
		return NULL;
	size_t n = strcspn(at + 1, "> \t;,\"()");
	return n ? xstrndup(at + 1, n) : NULL;
}

static struct dkim_message *parse_block(char *t, size_t n, size_t off);

struct dkim_message *dkim_message_parse(const char *text, size_t len, const char **why)
{
	return dkim_message_parse_hint(text, len, NULL, why);
}

struct dkim_message *dkim_message_parse_hint(const char *text, size_t len, const char *from_hint, const char **why)
{
	size_t n = 0;
	char *t = to_crlf(text, len, &n);
	const char *end = t + n;
	/* Where does the message start?  At a header block holding a
	 * DKIM-Signature when there is one (a message inside a bounce; a bounce
	 * may carry its own signature too, so prefer the block whose From is in
	 * the hinted domain), else at the first header line. */
	struct dkim_message *first = NULL;
	const char *block = t, *last_block = NULL;
	for (const char *p = t; p < end; p = next_line(p, end)) {
		if (line_end(p, end) == p) { /* empty line: a header block may start after it */
			block = next_line(p, end);
			continue;
		}
		if (!(starts_ci(p, end, "DKIM-Signature") && field_name_len(p, end) == 14) || block == last_block)
			continue;
		last_block = block;
		struct dkim_message *m = parse_block(xstrndup(t, n), n, (size_t)(block - t));
		if (!m)
			continue;
		char *fv = dkim_message_header(m, "From");
		char *fd = fv ? from_domain_of(fv) : NULL;
		bool match = from_hint && fd && (domain_is_within(fd, from_hint) || domain_is_within(from_hint, fd));
		free(fv);
		free(fd);
		if (match || !from_hint) {
			dkim_message_free(first);
			free(t);
			return m;
		}
		if (!first)
			first = m;
		else
			dkim_message_free(m);
	}
	if (first) {
		free(t);
		return first;
	}
	const char *start = t;
	while (start < end && start[0] == '\r' && start + 1 < end && start[1] == '\n')
		start += 2;
	if (starts_ci(start, end, "From ")) /* mbox separator */
		start = next_line(start, end);
	struct dkim_message *m = parse_block(t, n, (size_t)(start - t));
	if (!m)
		*why = "the pasted text is not a message: it does not start with header lines (\"Name: value\")";
	return m;
}

/* Parse the message whose header starts at offset off in t; takes t.  NULL
 * (t freed) when there is no header line there. */
static struct dkim_message *parse_block(char *t, size_t n, size_t off)
{
	const char *end = t + n;
	const char *start = t + off;
	if (start >= end || !field_name_len(start, end)) {
		free(t);
		return NULL;
	}
	struct dkim_message *m = xcalloc(1, sizeof(*m));
	m->text = t;
	m->len = n;
	const char *p = start;
	size_t cap = 0;
	while (p < end) {
		const char *le = line_end(p, end);
		if (le == p) { /* empty line: end of the header */
			p = next_line(p, end);
			break;
		}
		size_t nl = field_name_len(p, end);
		if (nl == 0 && is_wsp(*p) && m->nheaders) {
			struct msg_header *h = &m->headers[m->nheaders - 1];
			h->len = (size_t)(le - h->start);
		} else if (nl) {
			if (m->nheaders == cap) {
				cap = cap ? cap * 2 : 32;
				m->headers = xrealloc(m->headers, cap * sizeof(*m->headers));
			}
			m->headers[m->nheaders++] = (struct msg_header){p, (size_t)(le - p), nl};
		} else {
			break; /* not a header line: treat the rest as the body */
		}
		p = next_line(p, end);
	}
	m->body = p;
	const char *bend = end;
	/* Inside a multipart bounce: the body ends at the enclosing boundary. */
	for (const char *q = t; q < start; q++) {
		if (!starts_ci(q, start, "boundary="))
			continue;
		const char *b = q + 9;
		bool quoted = b < start && *b == '"';
		if (quoted)
			b++;
		size_t bl = 0;
		while (b + bl < start && (quoted ? b[bl] != '"' : !strchr(" \t;\r\n", b[bl])))
			bl++;
		if (bl == 0)
			continue;
		for (const char *l = m->body; l < bend; l = next_line(l, end))
			if ((size_t)(end - l) >= bl + 2 && l[0] == '-' && l[1] == '-' && memcmp(l + 2, b, bl) == 0) {
				bend = l;
				break;
			}
	}
	for (const char *q = t; q < start; q = next_line(q, end))
		if (starts_ci(q, start, "Content-Type:") &&
		    memmem(q, (size_t)(line_end(q, end) - q), "rfc822-headers", 14))
			m->body_missing = true;
	m->bodylen = (size_t)(bend - m->body);

	for (size_t i = 0; i < m->nheaders; i++) {
		struct msg_header *h = &m->headers[i];
		if (h->namelen != 14 || strncasecmp(h->start, "DKIM-Signature", 14) != 0)
			continue;
		m->sigs = xrealloc(m->sigs, (m->nsigs + 1) * sizeof(*m->sigs));
		struct dkim_sig *s = &m->sigs[m->nsigs++];
		memset(s, 0, sizeof(*s));
		s->header = i;
		const char *colon = memchr(h->start, ':', h->len);
		sig_parse(s, colon + 1, (size_t)(h->start + h->len - colon - 1));
	}
	return m;
}

void dkim_message_free(struct dkim_message *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nsigs; i++) {
		struct dkim_sig *s = &m->sigs[i];
		char **f[] = {&s->value, &s->v, &s->a, &s->b, &s->bh, &s->c, &s->d,
		              &s->h,     &s->i, &s->l, &s->q, &s->s,  &s->t, &s->x};
		for (size_t k = 0; k < ARRAY_LEN(f); k++)
			free(*f[k]);
		rec_issues_free(&s->issues);
	}
	free(m->sigs);
	free(m->headers);
	free(m->text);
	free(m);
}

size_t dkim_message_sig_count(const struct dkim_message *m)
{
	return m->nsigs;
}

const struct dkim_sig *dkim_message_sig(const struct dkim_message *m, size_t i)
{
	return i < m->nsigs ? &m->sigs[i] : NULL;
}

bool dkim_message_body_missing(const struct dkim_message *m)
{
	return m->body_missing;
}

char *dkim_message_header(const struct dkim_message *m, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < m->nheaders; i++)
		if (m->headers[i].namelen == nl && strncasecmp(m->headers[i].start, name, nl) == 0) {
			const char *v = memchr(m->headers[i].start, ':', m->headers[i].len);
			const char *e = m->headers[i].start + m->headers[i].len;
			struct strbuf b;
			strbuf_init(&b);
			for (const char *p = v + 1; p < e; p++)
				if (*p != '\r' && *p != '\n')
					strbuf_addc(&b, *p);
			char *r = strbuf_steal(&b), *q = r;
			while (is_wsp(*q))
				q++;
			memmove(r, q, strlen(q) + 1);
			return r;
		}
	return NULL;
}

/* --- DKIM-Signature tags (RFC 6376 3.5) --- */

static char *strip_fws(const char *s, size_t n)
{
	struct strbuf b;
	strbuf_init(&b);
	for (size_t i = 0; i < n; i++)
		if (!is_wsp(s[i]) && s[i] != '\r' && s[i] != '\n')
			strbuf_addc(&b, s[i]);
	return strbuf_steal(&b);
}

static void sig_parse(struct dkim_sig *s, const char *value, size_t len)
{
	s->value = xstrndup(value, len);
	const char *p = value, *end = value + len;
	while (p <= end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *e = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(e - p));
		char *all = strip_fws(p, (size_t)(e - p));
		if (*all && !eq) {
			rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-syntax", all, strlen(all),
			               "\"%s\" in the DKIM-Signature is not a tag=value pair.", all);
		} else if (eq) {
			char *name = strip_fws(p, (size_t)(eq - p));
			char *val = strip_fws(eq + 1, (size_t)(e - eq - 1));
			struct {
				const char *n;
				char **dst;
			} tags[] = {{"v", &s->v}, {"a", &s->a}, {"b", &s->b}, {"bh", &s->bh}, {"c", &s->c},
			            {"d", &s->d}, {"h", &s->h}, {"i", &s->i}, {"l", &s->l},   {"q", &s->q},
			            {"s", &s->s}, {"t", &s->t}, {"x", &s->x}};
			bool known = false;
			for (size_t k = 0; k < ARRAY_LEN(tags); k++) {
				if (strcmp(tags[k].n, name) != 0)
					continue;
				known = true;
				if (*tags[k].dst)
					rec_issues_add(
					    &s->issues, STATUS_FAIL, "dkim.sig-duplicate-tag", all, strlen(all),
					    "The tag %s= appears twice in the DKIM-Signature (RFC 6376 3.2: invalid).",
					    name);
				else
					*tags[k].dst = xstrdup(val);
			}
			(void)known; /* unknown tags (z=, ...) are ignored, as RFC 6376 says */
			free(name);
			free(val);
		}
		free(all);
		if (!semi)
			break;
		p = semi + 1;
	}
	static const char *const required[] = {"v", "a", "b", "bh", "d", "h", "s"};
	char **vals[] = {&s->v, &s->a, &s->b, &s->bh, &s->d, &s->h, &s->s};
	for (size_t k = 0; k < ARRAY_LEN(required); k++)
		if (!*vals[k])
			rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-missing-tag", s->value, strlen(s->value),
			               "The DKIM-Signature has no %s= tag, which is required.", required[k]);
	if (s->v && strcmp(s->v, "1") != 0)
		rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-bad-version", s->v, strlen(s->v),
		               "v=%s: only DKIM-Signature version 1 exists.", s->v);
	if (s->a) {
		if (strcasecmp(s->a, "rsa-sha256") == 0)
			s->alg = DKIM_ALG_RSA_SHA256;
		else if (strcasecmp(s->a, "ed25519-sha256") == 0)
			s->alg = DKIM_ALG_ED25519_SHA256;
		else if (strcasecmp(s->a, "rsa-sha1") == 0)
			s->alg = DKIM_ALG_RSA_SHA1;
		else
			rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-bad-algorithm", s->a, strlen(s->a),
			               "a=%s is not a DKIM algorithm (rsa-sha256 or ed25519-sha256).", s->a);
	}
	if (s->c) {
		char *slash = strchr(s->c, '/');
		size_t hl = slash ? (size_t)(slash - s->c) : strlen(s->c);
		const char *bc = slash ? slash + 1 : "simple";
		bool ok = true;
		if (hl == 7 && strncasecmp(s->c, "relaxed", 7) == 0)
			s->hcanon = DKIM_CANON_RELAXED;
		else
			ok = hl == 6 && strncasecmp(s->c, "simple", 6) == 0;
		if (strcasecmp(bc, "relaxed") == 0)
			s->bcanon = DKIM_CANON_RELAXED;
		else
			ok = ok && strcasecmp(bc, "simple") == 0;
		if (!ok)
			rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-bad-canon", s->c, strlen(s->c),
			               "c=%s is not a canonicalisation (simple or relaxed, header/body).", s->c);
	}
	if (s->h) {
		bool from = false;
		for (char *q = s->h; *q;) {
			size_t n = strcspn(q, ":");
			from = from || (n == 4 && strncasecmp(q, "from", 4) == 0);
			q += n + (q[n] ? 1 : 0);
		}
		if (!from)
			rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-from-not-signed", s->h, strlen(s->h),
			               "h=%s does not include From, which RFC 6376 requires to be signed.", s->h);
	}
	const char *why = NULL;
	if (s->d && !domain_valid(s->d, &why))
		rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-bad-domain", s->d, strlen(s->d), "d=%s: %s", s->d,
		               why);
	if (s->s && !domain_valid(s->s, &why))
		rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-bad-selector", s->s, strlen(s->s), "s=%s: %s", s->s,
		               why);
	if (s->i && s->d) {
		const char *at = strrchr(s->i, '@');
		if (!at || !domain_is_within(at + 1, s->d))
			rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-bad-identity", s->i, strlen(s->i),
			               "i=%s is not in d=%s or a subdomain of it (RFC 6376 3.5).", s->i, s->d);
	}
	if (s->l) {
		bool digits = *s->l && strlen(s->l) <= 18;
		for (const char *q = s->l; *q; q++)
			digits = digits && isdigit((unsigned char)*q);
		if (digits) {
			s->has_l = true;
			s->body_len = strtoull(s->l, NULL, 10);
		} else {
			rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-bad-length", s->l, strlen(s->l),
			               "l=%s is not a number.", s->l);
		}
	}
	if (s->q && strcasecmp(s->q, "dns/txt") != 0)
		rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-bad-query", s->q, strlen(s->q),
		               "q=%s: the only key query method is dns/txt.", s->q);
	if (s->t && s->x && strtoll(s->x, NULL, 10) < strtoll(s->t, NULL, 10))
		rec_issues_add(&s->issues, STATUS_FAIL, "dkim.sig-bad-expiry", s->x, strlen(s->x),
		               "x=%s is before t=%s.", s->x, s->t);
	s->usable = true;
	for (size_t k = 0; k < s->issues.n; k++)
		s->usable = s->usable && s->issues.v[k].status != STATUS_FAIL;
}

/* --- verification (RFC 6376 6.1) --- */

/* The DKIM-Signature field with the value of b= emptied (3.5, 3.7). */
static char *sig_field_without_b(const char *field, size_t len, size_t *outlen)
{
	struct strbuf b;
	strbuf_init(&b);
	const char *colon = memchr(field, ':', len), *end = field + len;
	strbuf_add(&b, field, (size_t)(colon + 1 - field));
	const char *p = colon + 1;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *e = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(e - p));
		bool is_b = false;
		if (eq) {
			char *name = strip_fws(p, (size_t)(eq - p));
			is_b = strcmp(name, "b") == 0;
			free(name);
		}
		strbuf_add(&b, p, is_b ? (size_t)(eq + 1 - p) : (size_t)(e - p));
		if (semi)
			strbuf_addc(&b, ';');
		p = semi ? semi + 1 : end;
	}
	*outlen = b.len;
	return strbuf_steal(&b);
}

static enum dkim_result done(char **reason, enum dkim_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum dkim_result done(char **reason, enum dkim_result r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	*reason = xvasprintf(fmt, ap);
	va_end(ap);
	return r;
}

enum dkim_result dkim_sig_verify(const struct dkim_message *m, const struct dkim_sig *sig, const struct dkim_lookup *lk,
                                 int64_t now, char **reason)
{
	if (!sig->usable) {
		for (size_t k = 0; k < sig->issues.n; k++)
			if (sig->issues.v[k].status == STATUS_FAIL)
				return done(reason, DKIM_RESULT_PERMERROR, "%s", sig->issues.v[k].message);
	}
	if (sig->x && now > 0 && strtoll(sig->x, NULL, 10) < now)
		return done(reason, DKIM_RESULT_FAIL, "the signature expired (x=%s)", sig->x);
	if (lk->status == DKIM_LOOKUP_TEMPFAIL)
		return done(reason, DKIM_RESULT_TEMPERROR, "could not look up the key %s._domainkey.%s: %s", sig->s,
		            sig->d, lk->error ? lk->error : "DNS error");
	if (lk->status == DKIM_LOOKUP_NOKEY)
		return done(reason, DKIM_RESULT_PERMERROR, "no key published at %s._domainkey.%s", sig->s, sig->d);
	struct dkim_key *key = dkim_key_parse(lk->txt, lk->len);
	enum dkim_result r = DKIM_RESULT_PASS;
	unsigned char *bsig = NULL, *bh = NULL;
	char *bodyc = NULL, *data = NULL;
	EVP_MD_CTX *ctx = NULL;
	if (key->revoked) {
		r = done(reason, DKIM_RESULT_PERMERROR, "the key %s._domainkey.%s is revoked (empty p=)", sig->s,
		         sig->d);
		goto out;
	}
	if (!key->pkey) {
		const char *msg = "the key record has no usable key";
		for (size_t k = 0; k < key->issues.n; k++)
			if (key->issues.v[k].status == STATUS_FAIL) {
				msg = key->issues.v[k].message;
				break;
			}
		r = done(reason, DKIM_RESULT_PERMERROR, "key record at %s._domainkey.%s: %s", sig->s, sig->d, msg);
		goto out;
	}
	bool ed = sig->alg == DKIM_ALG_ED25519_SHA256;
	if (ed != (EVP_PKEY_get_base_id(key->pkey) == EVP_PKEY_ED25519)) {
		r = done(reason, DKIM_RESULT_PERMERROR, "a=%s does not match the published %s key", sig->a,
		         key->key_type);
		goto out;
	}
	if (!key->email_ok || (sig->alg != DKIM_ALG_RSA_SHA1 && !key->sha256_ok)) {
		r = done(reason, DKIM_RESULT_FAIL, "the key record does not allow this use (h=%s s=%s)",
		         key->h ? key->h : "", key->s ? key->s : "");
		goto out;
	}
	if (key->strict && sig->i) {
		const char *at = strrchr(sig->i, '@');
		if (!at || !ascii_strcaseeq(at + 1, sig->d)) {
			r = done(reason, DKIM_RESULT_FAIL, "the key has t=s but i=%s is a subdomain of d=%s", sig->i,
			         sig->d);
			goto out;
		}
	}
	const EVP_MD *md = sig->alg == DKIM_ALG_RSA_SHA1 ? EVP_sha1() : EVP_sha256();
	/* Body hash. */
	size_t blen = 0, bhlen = 0, bsiglen = 0;
	bodyc = dkim_canon_body(m->body, m->bodylen, sig->bcanon, &blen);
	if (sig->has_l) {
		if (sig->body_len > blen) {
			r = done(reason, DKIM_RESULT_FAIL,
			         "l=%s is longer than the body (%zu octets after "
			         "canonicalisation): the body was cut",
			         sig->l, blen);
			goto out;
		}
		blen = (size_t)sig->body_len;
	}
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	EVP_Digest(bodyc, blen, digest, &dlen, md, NULL);
	bh = dkim_base64_decode(sig->bh, strlen(sig->bh), &bhlen);
	if (!bh || bhlen != dlen) {
		r = done(reason, DKIM_RESULT_PERMERROR, "bh= is not a valid base64 %s hash", EVP_MD_get0_name(md));
		goto out;
	}
	if (memcmp(bh, digest, dlen) != 0) {
		r = done(reason, DKIM_RESULT_FAIL, "body hash mismatch: the body was changed after signing%s",
		         m->body_missing
		             ? " (or the paste holds only part of it, as in a bounce)"
		             : " (a footer added by a list or gateway, re-encoding, or an incomplete paste)");
		goto out;
	}
	/* Header hash input. */
	struct strbuf hb;
	strbuf_init(&hb);
	bool *used = xcalloc(m->nheaders ? m->nheaders : 1, sizeof(bool));
	for (const char *q = sig->h; *q;) {
		size_t n = strcspn(q, ":");
		for (size_t j = m->nheaders; j-- > 0;) {
			const struct msg_header *h = &m->headers[j];
			if (used[j] || h->namelen != n || strncasecmp(h->start, q, n) != 0)
				continue;
			used[j] = true;
			size_t cl = 0;
			char *c = dkim_canon_header(h->start, h->len, sig->hcanon, &cl);
			strbuf_add(&hb, c, cl);
			free(c);
			break;
		}
		q += n + (q[n] ? 1 : 0);
	}
	free(used);
	const struct msg_header *sh = &m->headers[sig->header];
	size_t wl = 0, cl = 0;
	char *w = sig_field_without_b(sh->start, sh->len, &wl);
	char *c = dkim_canon_header(w, wl, sig->hcanon, &cl);
	strbuf_add(&hb, c, cl - 2); /* without the trailing CRLF (3.7) */
	free(c);
	free(w);
	size_t datalen = hb.len;
	data = strbuf_steal(&hb);

	bsig = dkim_base64_decode(sig->b, strlen(sig->b), &bsiglen);
	if (!bsig || !bsiglen) {
		r = done(reason, DKIM_RESULT_PERMERROR, "b= is not valid base64");
		goto out;
	}
	ctx = EVP_MD_CTX_new();
	int ok;
	if (ed) {
		/* RFC 8463: Ed25519 (pure) over the SHA-256 hash of the data. */
		unsigned char hd[32];
		SHA256((const unsigned char *)data, datalen, hd);
		ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) == 1 &&
		     EVP_DigestVerify(ctx, bsig, bsiglen, hd, sizeof(hd)) == 1;
	} else {
		ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, key->pkey) == 1 &&
		     EVP_DigestVerify(ctx, bsig, bsiglen, (const unsigned char *)data, datalen) == 1;
	}
	if (!ok) {
		r = done(reason, DKIM_RESULT_FAIL,
		         "signature mismatch: a signed header (%s) was changed after signing, "
		         "or the key does not belong to the signer",
		         sig->h);
		goto out;
	}
	if (sig->alg == DKIM_ALG_RSA_SHA1)
		r = done(reason, DKIM_RESULT_FAIL,
		         "the rsa-sha1 signature is correct, but RFC 8301 verifiers treat "
		         "SHA-1 signatures as invalid: sign with rsa-sha256");
	else if (!ed && key->key_bits < 1024)
		r = done(reason, DKIM_RESULT_FAIL,
		         "the signature is correct, but the key has only %d bits; verifiers "
		         "reject RSA keys shorter than 1024 bits (RFC 8301)",
		         key->key_bits);
	else
		r = done(reason, DKIM_RESULT_PASS, "verified with the %d-bit %s key %s._domainkey.%s%s", key->key_bits,
		         key->key_type, sig->s, sig->d,
		         sig->has_l ? " (only the first l= octets of the body are signed)" : "");
out:
	EVP_MD_CTX_free(ctx);
	free(bsig);
	free(bh);
	free(bodyc);
	free(data);
	dkim_key_free(key);
	return r;
}
