/* mta_sts.c - MTA-STS / TLS-RPT parsers (see mta_sts.h). */
#include "mta_sts.h"

#include <stdlib.h>
#include <string.h>

const char *mta_sts_mode_name(enum mta_sts_mode m)
{
	switch (m) {
	case MTA_STS_MODE_ENFORCE: return "enforce";
	case MTA_STS_MODE_TESTING: return "testing";
	case MTA_STS_MODE_NONE: return "none";
	default: return NULL;
	}
}

static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* Walk "k=v; k=v" tag lists (RFC 8461 3.1 / RFC 8460 3): calls fn for each
 * pair with trimmed key and value; false if a field has no '='. */
static bool tags_walk(const char *txt, bool (*fn)(const char *k, size_t kl, const char *v, size_t vl, void *arg),
                      void *arg)
{
	const char *s = txt, *end = txt + strlen(txt);
	while (s < end) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *fe = semi ? semi : end;
		const char *a = skip_ws(s, fe);
		if (a < fe) {
			const char *eq = memchr(a, '=', (size_t)(fe - a));
			if (!eq)
				return false;
			const char *ke = eq;
			while (ke > a && (ke[-1] == ' ' || ke[-1] == '\t'))
				ke--;
			const char *v = skip_ws(eq + 1, fe), *ve = fe;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (!fn(a, (size_t)(ke - a), v, (size_t)(ve - v), arg))
				return false;
		}
		s = semi ? semi + 1 : end;
	}
	return true;
}

struct txt_ctx {
	int n;
	bool version_ok;
	char *id;
	struct strlist *rua;
	const char *version;
	const char **why;
};

static bool sts_tag(const char *k, size_t kl, const char *v, size_t vl, void *arg)
{
	struct txt_ctx *c = arg;
	if (c->n++ == 0) {
		/* The version must come first (RFC 8461 3.1). */
		if (kl == 1 && k[0] == 'v' && vl == strlen(c->version) && !memcmp(v, c->version, vl)) {
			c->version_ok = true;
			return true;
		}
		*c->why = "the record does not start with the version tag";
		return false;
	}
	if (kl == 2 && !memcmp(k, "id", 2) && !c->id) {
		/* id: 1-32 alphanumeric characters. */
		if (vl < 1 || vl > 32) {
			*c->why = "the id is not 1 to 32 characters long";
			return false;
		}
		for (size_t i = 0; i < vl; i++)
			if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z'))) {
				*c->why = "the id has characters other than letters and digits";
				return false;
			}
		c->id = xstrndup(v, vl);
	}
	if (c->rua && kl == 3 && !memcmp(k, "rua", 3)) {
		const char *s = v, *e = v + vl;
		while (s < e) {
			const char *comma = memchr(s, ',', (size_t)(e - s));
			const char *ue = comma ? comma : e;
			const char *a = skip_ws(s, ue), *b = ue;
			while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
				b--;
			if (b > a)
				strlist_take(c->rua, xstrndup(a, (size_t)(b - a)));
			s = comma ? comma + 1 : e;
		}
	}
	return true;
}

bool mta_sts_txt_parse(const char *txt, char **id, const char **why)
{
	const char *w = NULL;
	struct txt_ctx c = {.version = "STSv1", .why = &w};
	bool ok = tags_walk(txt, sts_tag, &c);
	if (ok && !c.version_ok)
		w = "the record is empty";
	else if (ok && !c.id)
		w = "the record has no id";
	else if (!ok && !w)
		w = "a field is not of the form key=value";
	if (w) {
		free(c.id);
		if (why)
			*why = w;
		return false;
	}
	*id = c.id;
	return true;
}

bool tlsrpt_txt_parse(const char *txt, struct strlist *rua, const char **why)
{
	const char *w = NULL;
	struct strlist l = {0};
	struct txt_ctx c = {.version = "TLSRPTv1", .why = &w, .rua = &l};
	bool ok = tags_walk(txt, sts_tag, &c);
	free(c.id);
	if (ok && !c.version_ok)
		w = "the record is empty";
	else if (!ok && !w)
		w = "a field is not of the form key=value";
	else if (ok && !l.n)
		w = "the record has no rua (where to send reports)";
	for (size_t i = 0; !w && i < l.n; i++)
		if (strncmp(l.v[i], "mailto:", 7) != 0 && strncmp(l.v[i], "https://", 8) != 0)
			w = "a rua is neither a mailto: nor an https: URI";
	if (w) {
		strlist_free(&l);
		if (why)
			*why = w;
		return false;
	}
	for (size_t i = 0; i < l.n; i++)
		strlist_take(rua, l.v[i]);
	free(l.v);
	return true;
}

/* --- the policy --- */

bool mta_sts_policy_parse(const char *body, size_t len, struct mta_sts_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->max_age = -1;
	if (len > MTA_STS_MAX_BODY) {
		strlist_addf(&p->problems, "the policy is larger than %d bytes", MTA_STS_MAX_BODY);
		return false;
	}
	const char *s = body, *end = body + len;
	int lineno = 0;
	bool mode_seen = false, age_seen = false;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		if (le > s && le[-1] == '\r')
			le--;
		lineno++;
		const char *a = skip_ws(s, le);
		s = next;
		if (a == le)
			continue;
		const char *colon = memchr(a, ':', (size_t)(le - a));
		if (!colon) {
			strlist_addf(&p->problems, "line %d is not \"key: value\"", lineno);
			continue;
		}
		const char *ke = colon;
		while (ke > a && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		const char *v = skip_ws(colon + 1, le), *ve = le;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		size_t kl = (size_t)(ke - a), vl = (size_t)(ve - v);
		if (kl == 7 && !memcmp(a, "version", 7)) {
			if (!p->version)
				p->version = xstrndup(v, vl);
		} else if (kl == 4 && !memcmp(a, "mode", 4)) {
			if (mode_seen)
				continue; /* the first one counts */
			mode_seen = true;
			if (vl == 7 && !memcmp(v, "enforce", 7))
				p->mode = MTA_STS_MODE_ENFORCE;
			else if (vl == 7 && !memcmp(v, "testing", 7))
				p->mode = MTA_STS_MODE_TESTING;
			else if (vl == 4 && !memcmp(v, "none", 4))
				p->mode = MTA_STS_MODE_NONE;
			else
				strlist_addf(&p->problems, "mode \"%.*s\" is not enforce, testing or none", (int)(vl > 40 ? 40 : vl), v);
		} else if (kl == 2 && !memcmp(a, "mx", 2)) {
			if (p->mx.n < MTA_STS_MAX_MX && vl)
				strlist_take(&p->mx, xstrndup(v, vl));
		} else if (kl == 7 && !memcmp(a, "max_age", 7)) {
			age_seen = true;
			char buf[16];
			bool digits = vl > 0 && vl <= 10;
			for (size_t i = 0; digits && i < vl; i++)
				digits = v[i] >= '0' && v[i] <= '9';
			if (!digits) {
				strlist_addf(&p->problems, "max_age \"%.*s\" is not a number of seconds", (int)(vl > 20 ? 20 : vl), v);
				continue;
			}
			memcpy(buf, v, vl);
			buf[vl] = '\0';
			long long age = strtoll(buf, NULL, 10);
			if (age > 31557600) {
				strlist_addf(&p->problems, "max_age %lld is more than the maximum of 31557600 (a year)", age);
				age = 31557600;
			}
			p->max_age = (long)age;
		}
		/* Unknown keys are ignored (extensions, RFC 8461 3.2). */
	}
	if (!p->version || strcmp(p->version, "STSv1") != 0)
		strlist_addf(&p->problems, "%s", p->version ? "the version is not STSv1" : "the policy has no version");
	if (!mode_seen)
		strlist_add(&p->problems, "the policy has no mode");
	if (!age_seen)
		strlist_add(&p->problems, "the policy has no max_age");
	if (p->mode != MTA_STS_MODE_NONE && p->mode != MTA_STS_MODE_UNKNOWN && !p->mx.n)
		strlist_add(&p->problems, "the policy lists no mx");
	return p->problems.n == 0;
}

void mta_sts_policy_free(struct mta_sts_policy *p)
{
	free(p->version);
	strlist_free(&p->mx);
	strlist_free(&p->problems);
	memset(p, 0, sizeof(*p));
}

bool mta_sts_mx_match(const char *pattern, const char *host)
{
	char *pt = domain_normalize(pattern), *h = domain_normalize(host);
	bool m;
	if (pt[0] == '*' && pt[1] == '.') {
		/* One label, not zero and not several. */
		const char *dot = strchr(h, '.');
		m = dot && dot != h && ascii_strcaseeq(dot + 1, pt + 2);
	} else {
		m = ascii_strcaseeq(pt, h);
	}
	free(pt);
	free(h);
	return m;
}

bool mta_sts_policy_allows(const struct mta_sts_policy *p, const char *host)
{
	for (size_t i = 0; i < p->mx.n; i++)
		if (mta_sts_mx_match(p->mx.v[i], host))
			return true;
	return false;
}

/* --- HTTP --- */

static bool header_is(const char *line, size_t n, const char *name, const char **val, size_t *vlen)
{
	size_t k = strlen(name);
	if (n <= k || line[k] != ':')
		return false;
	for (size_t i = 0; i < k; i++) {
		char c = line[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != name[i])
			return false;
	}
	const char *v = line + k + 1, *e = line + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*val = v;
	*vlen = (size_t)(e - v);
	return true;
}

/* Digits of base 10 or 16 at [s, end), bounded: the response buffer is not
 * NUL-terminated, so strtol() could read past its end (found by fuzzing). */
static const char *parse_number(const char *s, const char *end, int base, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = s;
	for (; p < end; p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (v > (1ull << 40))
			return NULL; /* absurd size: no policy is that large */
		v = v * (unsigned)base + (unsigned)d;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

static bool dechunk(const char *s, const char *end, struct strbuf *out)
{
	while (s < end) {
		unsigned long long n;
		const char *ep = parse_number(s, end, 16, &n);
		if (!ep)
			return false;
		const char *nl = memchr(ep, '\n', (size_t)(end - ep));
		if (!nl)
			return false;
		s = nl + 1;
		if (n == 0)
			return true;
		if (n > (unsigned long long)(end - s) || out->len + n > MTA_STS_MAX_BODY + 1)
			return false;
		strbuf_add(out, s, n);
		s += n;
		if (s < end && *s == '\r')
			s++;
		if (s < end && *s == '\n')
			s++;
	}
	return false;
}

bool mta_sts_http_parse(const char *resp, size_t len, int *status, char **content_type, char **body,
                        size_t *body_len, const char **why)
{
	*status = 0;
	*content_type = NULL;
	*body = NULL;
	*body_len = 0;
	const char *end = resp + len;
	if (len < 12 || memcmp(resp, "HTTP/1.", 7) != 0 || resp[8] != ' ') {
		*why = "the answer is not an HTTP/1.x response";
		return false;
	}
	const char *c = resp + 9;
	if (!(c[0] >= '1' && c[0] <= '5' && c[1] >= '0' && c[1] <= '9' && c[2] >= '0' && c[2] <= '9')) {
		*why = "the HTTP status line has no status code";
		return false;
	}
	*status = (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
	const char *s = memchr(resp, '\n', len);
	long long clen = -1;
	bool chunked = false, ended = false;
	while (s && ++s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			break; /* reported below, with the Content-Type freed */
		size_t n = (size_t)(nl - s);
		if (n && s[n - 1] == '\r')
			n--;
		if (n == 0) {
			s = nl + 1;
			ended = true;
			break;
		}
		const char *v;
		size_t vl;
		if (header_is(s, n, "content-type", &v, &vl) && !*content_type)
			*content_type = xstrndup(v, vl);
		else if (header_is(s, n, "content-length", &v, &vl)) {
			unsigned long long cl;
			if (parse_number(v, v + vl, 10, &cl))
				clen = (long long)cl;
		}
		else if (header_is(s, n, "transfer-encoding", &v, &vl) && vl >= 7 && !strncmp(v, "chunked", 7))
			chunked = true;
		s = nl;
	}
	if (!ended) {
		*why = "the HTTP headers do not end";
		free(*content_type);
		*content_type = NULL;
		return false;
	}
	if (chunked) {
		struct strbuf b;
		strbuf_init(&b);
		if (!dechunk(s, end, &b)) {
			strbuf_free(&b);
			free(*content_type);
			*content_type = NULL;
			*why = "the chunked HTTP body is cut short or malformed";
			return false;
		}
		*body_len = b.len;
		*body = strbuf_steal(&b);
		return true;
	}
	size_t avail = (size_t)(end - s);
	if (clen >= 0 && (size_t)clen < avail)
		avail = (size_t)clen;
	*body = xmalloc(avail + 1);
	memcpy(*body, s, avail);
	(*body)[avail] = '\0';
	*body_len = avail;
	return true;
}
