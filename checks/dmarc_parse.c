/* dmarc_parse.c - DMARC record parser (RFC 7489 6.3 / 6.4, DMARCbis notes). */
#include "dmarc_parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool is_wsp(char c)
{
	/* Folding whitespace may come through from zone files pasted by hand. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && is_wsp(**s))
		(*s)++;
	while (*e > *s && is_wsp((*e)[-1]))
		(*e)--;
}

static bool eq_ci(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	if (n != l)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != tolower((unsigned char)lit[i]))
			return false;
	return true;
}

bool dmarc_text_is_record(const char *text, size_t len)
{
	const char *p = text, *e = text + len;
	while (p < e && is_wsp(*p))
		p++;
	if (p >= e || *p != 'v')
		return false;
	p++;
	while (p < e && is_wsp(*p))
		p++;
	if (p >= e || *p != '=')
		return false;
	p++;
	while (p < e && is_wsp(*p))
		p++;
	if ((size_t)(e - p) < 6 || memcmp(p, "DMARC1", 6) != 0)
		return false;
	p += 6;
	while (p < e && is_wsp(*p))
		p++;
	return p == e || *p == ';';
}

bool dmarc_text_is_candidate(const char *text, size_t len)
{
	if (dmarc_text_is_record(text, len))
		return true;
	for (size_t i = 0; i + 6 <= len; i++)
		if (eq_ci(text + i, 6, "dmarc1"))
			return true;
	return false;
}

const char *dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE: return "none";
	case DMARC_POLICY_QUARANTINE: return "quarantine";
	case DMARC_POLICY_REJECT: return "reject";
	default: return NULL;
	}
}

static enum dmarc_policy policy_from(const char *v)
{
	size_t n = strlen(v);
	if (eq_ci(v, n, "none"))
		return DMARC_POLICY_NONE;
	if (eq_ci(v, n, "quarantine"))
		return DMARC_POLICY_QUARANTINE;
	if (eq_ci(v, n, "reject"))
		return DMARC_POLICY_REJECT;
	return DMARC_POLICY_INVALID;
}

const char *dmarc_record_tag(const struct dmarc_record *r, const char *name)
{
	for (size_t i = 0; i < r->ntags; i++)
		if (strcmp(r->tags[i].name, name) == 0)
			return r->tags[i].value;
	return NULL;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* One DMARC URI: URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ] (RFC 7489 6.4). */
static void parse_uri(struct dmarc_record *r, const char *tag, const char *s, size_t n, struct dmarc_uri *u)
{
	u->text = xstrndup(s, n);
	u->valid = true;
	const char *bang = memchr(s, '!', n);
	size_t ulen = bang ? (size_t)(bang - s) : n;
	u->uri = xstrndup(s, ulen);
	if (bang) {
		const char *q = bang + 1, *e = s + n;
		size_t d = 0;
		while (q + d < e && isdigit((unsigned char)q[d]))
			d++;
		uint64_t mult = 1;
		bool ok = d > 0 && d <= 15;
		if (ok && q + d < e) {
			switch (tolower((unsigned char)q[d])) {
			case 'k': mult = 1ull << 10; break;
			case 'm': mult = 1ull << 20; break;
			case 'g': mult = 1ull << 30; break;
			case 't': mult = 1ull << 40; break;
			default: ok = false;
			}
			ok = ok && q + d + 1 == e;
		}
		/* strtoull on a copy: q is not NUL-terminated */
		if (ok) {
			char *num = xstrndup(q, d);
			uint64_t v = strtoull(num, NULL, 10);
			/* 15 digits times 2^40 does not fit in 64 bits: saturate, not wrap. */
			u->max_size = v > UINT64_MAX / mult ? UINT64_MAX : v * mult;
			free(num);
		} else {
			u->valid = false;
			rec_issues_add(&r->issues, STATUS_FAIL, "dmarc.bad-size", s, n,
			               "The size limit in %s=\"%.*s\" is not a number with an optional k, m, g or t "
			               "unit (e.g. !10m); receivers may drop the whole address.",
			               tag, (int)n, s);
		}
	}
	/* scheme ":" ... */
	size_t i = 0;
	while (i < ulen && (isalnum((unsigned char)u->uri[i]) || strchr("+-.", u->uri[i])))
		i++;
	if (i == 0 || i >= ulen || u->uri[i] != ':' || !isalpha((unsigned char)u->uri[0])) {
		u->valid = false;
		if (memchr(u->uri, '@', ulen))
			rec_issues_add(&r->issues, STATUS_FAIL, "dmarc.bad-uri", s, n,
			               "%s=\"%s\" is not a URI: report addresses must start with mailto: "
			               "(write mailto:%s). Receivers ignore it, so no reports arrive.",
			               tag, u->uri, u->uri);
		else
			rec_issues_add(&r->issues, STATUS_FAIL, "dmarc.bad-uri", s, n,
			               "%s=\"%s\" is not a URI (expected mailto:address).", tag, u->uri);
		return;
	}
	if (!eq_ci(u->uri, i, "mailto")) {
		rec_issues_add(&r->issues, STATUS_WARN, "dmarc.uri-scheme", s, n,
		               "%s=\"%s\" uses the scheme \"%.*s\"; receivers only send reports to mailto: URIs.", tag,
		               u->uri, (int)i, u->uri);
		return;
	}
	const char *addr = u->uri + i + 1;
	size_t alen = strcspn(addr, "?");
	const char *at = memchr(addr, '@', alen);
	if (!at || at == addr || at + 1 >= addr + alen) {
		u->valid = false;
		rec_issues_add(&r->issues, STATUS_FAIL, "dmarc.bad-uri", s, n,
		               "%s=\"%s\": the mailto: address is not local@domain.", tag, u->uri);
		return;
	}
	u->address = xstrndup(addr, alen);
	char *dom = xstrndup(at + 1, (size_t)(addr + alen - at - 1));
	const char *why = NULL;
	if (!domain_valid(dom, &why) || !strchr(dom, '.')) {
		u->valid = false;
		rec_issues_add(&r->issues, STATUS_FAIL, "dmarc.bad-uri", s, n,
		               "%s=\"%s\": \"%s\" is not a valid domain%s%s.", tag, u->uri, dom, why ? ": " : "",
		               why ? why : "");
		free(dom);
		return;
	}
	u->domain = domain_normalize(dom);
	free(dom);
}

static void parse_uris(struct dmarc_record *r, const char *tag, const char *v, struct dmarc_uri **out, size_t *nout)
{
	if (!*v) {
		rec_issues_add(&r->issues, STATUS_WARN, "dmarc.empty-uri", tag, strlen(tag),
		               "%s= is empty: remove the tag or give a mailto: address.", tag);
		return;
	}
	const char *p = v;
	for (;;) {
		const char *c = strchr(p, ',');
		const char *e = c ? c : p + strlen(p);
		const char *s = p;
		trim(&s, &e);
		if (s < e) {
			*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
			struct dmarc_uri *u = &(*out)[(*nout)++];
			memset(u, 0, sizeof(*u));
			parse_uri(r, tag, s, (size_t)(e - s), u);
		}
		if (!c)
			break;
		p = c + 1;
	}
}

/* Colon-separated list of words, each in allowed (NULL-terminated). */
static bool word_list_ok(const char *v, const char *const *allowed)
{
	if (!*v)
		return false;
	const char *p = v;
	for (;;) {
		const char *c = strchr(p, ':');
		const char *e = c ? c : p + strlen(p);
		const char *s = p;
		trim(&s, &e);
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++)
			ok = ok || eq_ci(s, (size_t)(e - s), allowed[i]);
		if (!ok)
			return false;
		if (!c)
			return true;
		p = c + 1;
	}
}

static const char *const known_tags[] = {"v",    "p",  "sp", "np", "pct", "rua", "ruf", "adkim",
                                         "aspf", "fo", "rf", "ri", "t",   "psd", NULL};

static void check_tag(struct dmarc_record *r, const char *name, const char *v, const char *raw, size_t rawlen)
{
	size_t vn = strlen(v);
	if (strcmp(name, "p") == 0 || strcmp(name, "sp") == 0 || strcmp(name, "np") == 0) {
		enum dmarc_policy pol = policy_from(v);
		if (name[0] == 'p')
			r->p_tag = pol;
		else if (name[0] == 's')
			r->sp_tag = pol;
		else
			r->np_tag = pol;
		if (pol == DMARC_POLICY_INVALID)
			rec_issues_add(&r->issues, STATUS_FAIL,
			               name[0] == 'p' ? "dmarc.bad-policy" : "dmarc.bad-subdomain-policy", raw, rawlen,
			               "%s=\"%s\" is not a policy: use none, quarantine or reject.", name, v);
	} else if (strcmp(name, "pct") == 0) {
		r->pct_given = true;
		if (all_digits(v, vn) && vn <= 3 && atoi(v) <= 100)
			r->pct = atoi(v);
		else
			rec_issues_add(
			    &r->issues, STATUS_FAIL, "dmarc.bad-pct", raw, rawlen,
			    "pct=\"%s\" is not a whole number from 0 to 100; receivers apply the policy to all "
			    "mail (100).",
			    v);
	} else if (strcmp(name, "adkim") == 0 || strcmp(name, "aspf") == 0) {
		char *dst = name[1] == 'd' ? &r->adkim : &r->aspf;
		if (eq_ci(v, vn, "r") || eq_ci(v, vn, "s"))
			*dst = (char)tolower((unsigned char)v[0]);
		else
			rec_issues_add(&r->issues, STATUS_FAIL, "dmarc.bad-alignment-mode", raw, rawlen,
			               "%s=\"%s\" is not an alignment mode: use r (relaxed) or s (strict).", name, v);
	} else if (strcmp(name, "fo") == 0) {
		static const char *const fo[] = {"0", "1", "d", "s", NULL};
		if (word_list_ok(v, fo)) {
			free(r->fo);
			r->fo = xstrdup(v);
		} else {
			rec_issues_add(&r->issues, STATUS_WARN, "dmarc.bad-fo", raw, rawlen,
			               "fo=\"%s\" is not a colon-separated list of 0, 1, d and s.", v);
		}
	} else if (strcmp(name, "rf") == 0) {
		static const char *const rf[] = {"afrf", NULL};
		if (word_list_ok(v, rf)) {
			free(r->rf);
			r->rf = xstrdup(v);
		} else {
			rec_issues_add(&r->issues, STATUS_WARN, "dmarc.bad-rf", raw, rawlen,
			               "rf=\"%s\": the only failure report format is afrf.", v);
		}
	} else if (strcmp(name, "ri") == 0) {
		if (all_digits(v, vn) && vn <= 10 && strtoull(v, NULL, 10) <= 4294967295ull)
			r->ri = strtoul(v, NULL, 10);
		else
			rec_issues_add(&r->issues, STATUS_WARN, "dmarc.bad-ri", raw, rawlen,
			               "ri=\"%s\" is not a number of seconds.", v);
	} else if (strcmp(name, "rua") == 0) {
		parse_uris(r, "rua", v, &r->rua, &r->nrua);
	} else if (strcmp(name, "ruf") == 0) {
		parse_uris(r, "ruf", v, &r->ruf, &r->nruf);
	} else if (strcmp(name, "t") == 0 || strcmp(name, "psd") == 0) {
		bool ok = eq_ci(v, vn, "y") || eq_ci(v, vn, "n") || (name[0] == 'p' && eq_ci(v, vn, "u"));
		if (!ok)
			rec_issues_add(&r->issues, STATUS_WARN, "dmarc.bad-value", raw, rawlen,
			               "%s=\"%s\" is not a valid value (DMARCbis tag).", name, v);
	}
}

struct dmarc_record *dmarc_parse(const char *text, size_t len)
{
	struct dmarc_record *r = xcalloc(1, sizeof(*r));
	r->pct = 100;
	r->adkim = r->aspf = 'r';
	r->fo = xstrdup("0");
	r->rf = xstrdup("afrf");
	r->ri = 86400;
	r->is_dmarc = dmarc_text_is_record(text, len);
	if (memchr(text, '\0', len))
		rec_issues_add(&r->issues, STATUS_FAIL, "dmarc.syntax", text, strlen(text),
		               "The record contains a NUL byte; receivers will not parse it.");

	const char *p = text, *end = text + len;
	size_t index = 0;
	bool saw_v = false;
	while (p <= end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *e = semi ? semi : end;
		const char *s = p;
		trim(&s, &e);
		if (s < e) {
			const char *eq = memchr(s, '=', (size_t)(e - s));
			if (!eq) {
				rec_issues_add(&r->issues, STATUS_FAIL, "dmarc.syntax", s, (size_t)(e - s),
				               "\"%.*s\" is not a tag=value pair.", (int)(e - s), s);
			} else {
				const char *ns = s, *ne = eq, *vs = eq + 1, *ve = e;
				trim(&ns, &ne);
				trim(&vs, &ve);
				char *name = xstrndup(ns, (size_t)(ne - ns));
				ascii_lower(name);
				char *value = xstrndup(vs, (size_t)(ve - vs));
				bool name_ok = ne > ns && isalpha((unsigned char)*ns);
				for (const char *q = ns; q < ne; q++)
					name_ok = name_ok && (isalnum((unsigned char)*q) || *q == '_');
				bool known = false;
				for (size_t k = 0; known_tags[k]; k++)
					known = known || strcmp(known_tags[k], name) == 0;
				if (index == 0 && strcmp(name, "v") != 0)
					rec_issues_add(
					    &r->issues, STATUS_FAIL, "dmarc.version-not-first", s, (size_t)(e - s),
					    "The record starts with \"%.*s\", not v=DMARC1: receivers discard "
					    "records whose first tag is not v=DMARC1.",
					    (int)(e - s), s);
				if (strcmp(name, "v") == 0) {
					if (index != 0 && !saw_v)
						rec_issues_add(
						    &r->issues, STATUS_FAIL, "dmarc.version-not-first", s,
						    (size_t)(e - s),
						    "\"%.*s\" is tag number %zu; it must be the very first tag or "
						    "receivers discard the record.",
						    (int)(e - s), s, index + 1);
					else if (index == 0 && strcmp(value, "DMARC1") != 0)
						rec_issues_add(
						    &r->issues, STATUS_FAIL, "dmarc.bad-version", s, (size_t)(e - s),
						    "v=\"%s\" must be exactly DMARC1 (upper case); receivers discard "
						    "the record.",
						    value);
					saw_v = true;
				}
				if (dmarc_record_tag(r, name) && name_ok) {
					rec_issues_add(
					    &r->issues, STATUS_WARN, "dmarc.duplicate-tag", s, (size_t)(e - s),
					    "The tag %s appears more than once (\"%.*s\"); receivers may use either "
					    "or reject the record.",
					    name, (int)(e - s), s);
				} else if (!name_ok) {
					rec_issues_add(&r->issues, STATUS_FAIL, "dmarc.syntax", s, (size_t)(e - s),
					               "\"%.*s\" is not a valid tag name.", (int)(ne - ns), ns);
				} else if (!known) {
					rec_issues_add(&r->issues, STATUS_WARN, "dmarc.unknown-tag", s, (size_t)(e - s),
					               "Unknown tag \"%.*s\": receivers ignore it (a typo?).",
					               (int)(e - s), s);
				} else if (strcmp(name, "v") != 0) {
					check_tag(r, name, value, s, (size_t)(e - s));
				}
				if (name_ok && !dmarc_record_tag(r, name)) {
					r->tags = xrealloc(r->tags, (r->ntags + 1) * sizeof(*r->tags));
					r->tags[r->ntags].name = name;
					r->tags[r->ntags].value = value;
					r->ntags++;
				} else {
					free(name);
					free(value);
				}
			}
			index++;
		}
		if (!semi)
			break;
		p = semi + 1;
	}

	/* Effective policy (RFC 7489 6.6.3): without a valid p (or with a bad
	 * sp), a record with a usable rua is treated as p=none; otherwise the
	 * receiver applies no DMARC processing at all. */
	bool any_rua = false;
	for (size_t i = 0; i < r->nrua; i++)
		any_rua = any_rua || r->rua[i].valid;
	bool p_ok = r->p_tag != DMARC_POLICY_UNSET && r->p_tag != DMARC_POLICY_INVALID;
	bool sp_ok = r->sp_tag != DMARC_POLICY_INVALID;
	if (r->p_tag == DMARC_POLICY_UNSET && r->is_dmarc)
		rec_issues_add(&r->issues, any_rua ? STATUS_WARN : STATUS_FAIL, "dmarc.missing-policy", text, len,
		               any_rua ? "The record has no p= tag; receivers treat it as p=none because it has a rua."
		                       : "The record has no p= tag and no usable rua=; RFC 7489 receivers ignore it.");
	if (p_ok && sp_ok) {
		r->policy = r->p_tag;
		r->subdomain_policy = r->sp_tag != DMARC_POLICY_UNSET ? r->sp_tag : r->p_tag;
		r->usable = r->is_dmarc;
	} else if (any_rua) {
		r->policy = r->subdomain_policy = DMARC_POLICY_NONE;
		r->usable = r->is_dmarc;
	} else {
		r->policy = r->subdomain_policy = DMARC_POLICY_UNSET;
		r->usable = false;
	}
	r->np =
	    (r->np_tag != DMARC_POLICY_UNSET && r->np_tag != DMARC_POLICY_INVALID) ? r->np_tag : r->subdomain_policy;
	return r;
}

static void uris_free(struct dmarc_uri *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(u[i].text);
		free(u[i].uri);
		free(u[i].address);
		free(u[i].domain);
	}
	free(u);
}

void dmarc_record_free(struct dmarc_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntags; i++) {
		free(r->tags[i].name);
		free(r->tags[i].value);
	}
	free(r->tags);
	uris_free(r->rua, r->nrua);
	uris_free(r->ruf, r->nruf);
	free(r->fo);
	free(r->rf);
	rec_issues_free(&r->issues);
	free(r);
}
