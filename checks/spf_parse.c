/* spf_parse.c - SPF record syntax, RFC 7208 section 12.
 *
 * The whole record is parsed before anything is evaluated, because a syntax
 * error anywhere makes check_host() return permerror (4.6) even when an
 * earlier mechanism would have matched.  Errors quote the offending term and
 * its column so an operator can find it in a long record. */
#include "spf_parse.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

static const struct {
	const char *name;
	enum spf_mech mech;
} mechs[] = {
    {"all", SPF_M_ALL}, {"include", SPF_M_INCLUDE}, {"a", SPF_M_A},     {"mx", SPF_M_MX},
    {"ptr", SPF_M_PTR}, {"ip4", SPF_M_IP4},         {"ip6", SPF_M_IP6}, {"exists", SPF_M_EXISTS},
};

const char *spf_mech_name(enum spf_mech m)
{
	for (size_t i = 0; i < ARRAY_LEN(mechs); i++)
		if (mechs[i].mech == m)
			return mechs[i].name;
	return "?";
}

bool spf_term_counts(const struct spf_term *t)
{
	if (t->kind == SPF_TERM_REDIRECT)
		return true;
	if (t->kind != SPF_TERM_MECH)
		return false;
	return t->mech == SPF_M_INCLUDE || t->mech == SPF_M_A || t->mech == SPF_M_MX || t->mech == SPF_M_PTR ||
	       t->mech == SPF_M_EXISTS;
}

bool spf_is_record(const char *text, size_t len)
{
	if (len < 6)
		return false;
	for (size_t i = 0; i < 6; i++) {
		char c = text[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != "v=spf1"[i])
			return false;
	}
	return len == 6 || text[6] == ' ';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

/* toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static bool toplabel_valid(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	bool alpha = false, hyphen = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-')
			hyphen = true;
		else if (is_alpha(s[i]))
			alpha = true;
		else if (!is_digit(s[i]))
			return false;
	}
	return alpha || hyphen;
}

/* Check a macro-string; returns NULL or a static sentence.  c, r and t
 * are only allowed in explanation strings (7.2), never in a domain-spec. */
static const char *macro_string_check(const char *s, size_t n, bool domain)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e)
			return "character outside printable ASCII";
		if (c != '%')
			continue;
		if (i + 1 >= n)
			return "'%' at the end of a macro-string";
		char x = s[++i];
		if (x == '%' || x == '_' || x == '-')
			continue;
		if (x != '{')
			return "'%' must be followed by '{', '%', '_' or '-'";
		i++;
		if (i >= n)
			return "unterminated macro";
		char l = s[i];
		if (l >= 'A' && l <= 'Z')
			l += 32;
		if (!strchr("slodiphcrtv", l) || l == 0)
			return "unknown macro letter";
		if (domain && strchr("crt", l))
			return "macro %{c}, %{r} and %{t} are only allowed in explanations";
		i++;
		while (i < n && is_digit(s[i]))
			i++;
		if (i < n && (s[i] == 'r' || s[i] == 'R'))
			i++;
		while (i < n && strchr(".-+,/_=", s[i]) && s[i])
			i++;
		if (i >= n || s[i] != '}')
			return "malformed macro (expected '}')";
	}
	return NULL;
}

/* domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand */
static const char *domain_spec_problem(const char *s, size_t n)
{
	if (n == 0)
		return "empty domain-spec";
	const char *p = macro_string_check(s, n, true);
	if (p)
		return p;
	if (s[n - 1] == '}')
		return NULL; /* ends with a macro-expand (it was validated above) */
	size_t end = n;
	if (s[end - 1] == '.')
		end--;
	size_t start = end;
	while (start > 0 && s[start - 1] != '.')
		start--;
	if (start == 0)
		return "domain-spec has no dot before its last label";
	/* The last label may itself contain "%%" etc.; only a literal toplabel is valid. */
	if (!toplabel_valid(s + start, end - start))
		return "invalid top-level label in domain-spec";
	return NULL;
}

/* Parse "/N" at s[0..n) strictly: no leading zeros, 0..max. */
static bool cidr_parse(const char *s, size_t n, int max, int *out)
{
	if (n == 0 || n > 3)
		return false;
	if (s[0] == '0' && n > 1)
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* Strip a dual-cidr-length from the end of s[0..*n): "/24", "//64", "/24//64". */
static bool dual_cidr_strip(const char *s, size_t *n, int *c4, int *c6, const char **why)
{
	size_t len = *n;
	/* find the last '/' that is followed only by digits */
	size_t i = len;
	while (i > 0 && is_digit(s[i - 1]))
		i--;
	if (i == 0 || s[i - 1] != '/') {
		if (i == len)
			return true; /* no cidr (might still end in '/': caught below) */
		return true;
	}
	size_t slash = i - 1;
	if (slash > 0 && s[slash - 1] == '/') {
		if (!cidr_parse(s + i, len - i, 128, c6)) {
			*why = "invalid IPv6 prefix length";
			return false;
		}
		len = slash - 1;
		i = len;
		while (i > 0 && is_digit(s[i - 1]))
			i--;
		if (i == 0 || s[i - 1] != '/' || i == len) {
			*n = len;
			return true;
		}
		slash = i - 1;
	}
	if (!cidr_parse(s + i, len - i, 32, c4)) {
		*why = "invalid IPv4 prefix length";
		return false;
	}
	*n = slash;
	return true;
}

static void set_error(struct spf_record *r, const char *term, size_t tlen, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void set_error(struct spf_record *r, const char *term, size_t tlen, size_t pos, const char *fmt, ...)
{
	if (r->error)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *why = xvasprintf(fmt, ap);
	va_end(ap);
	r->error_term = xstrndup(term, tlen);
	r->error_pos = pos;
	r->error = xasprintf("%s in term \"%s\" at column %zu", why, r->error_term, pos);
	free(why);
}

/* Parse one term; returns a problem sentence (static) or NULL. */
static const char *term_parse(struct spf_term *t, const char *s, size_t n)
{
	t->cidr4 = t->cidr6 = -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return "character outside printable ASCII";
	/* modifier: name "=" macro-string, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	size_t k = 0;
	if (n && is_alpha(s[0])) {
		while (k < n && (is_alnum(s[k]) || s[k] == '-' || s[k] == '_' || s[k] == '.'))
			k++;
		if (k < n && s[k] == '=') {
			t->name = xstrndup(s, k);
			const char *v = s + k + 1;
			size_t vn = n - k - 1;
			if (ascii_strcaseeq(t->name, "redirect") || ascii_strcaseeq(t->name, "exp")) {
				t->kind = ascii_strcaseeq(t->name, "redirect") ? SPF_TERM_REDIRECT : SPF_TERM_EXP;
				const char *p = domain_spec_problem(v, vn);
				if (p)
					return p;
			} else {
				t->kind = SPF_TERM_MODIFIER;
				const char *p = macro_string_check(v, vn, false);
				if (p)
					return p;
			}
			t->domain_spec = xstrndup(v, vn);
			return NULL;
		}
	}
	t->kind = SPF_TERM_MECH;
	t->qualifier = '+';
	size_t i = 0;
	if (n && strchr("+-~?", s[0])) {
		t->qualifier = s[0];
		i = 1;
	}
	size_t ns = i;
	while (i < n && is_alnum(s[i]))
		i++;
	size_t nlen = i - ns;
	bool found = false;
	for (size_t m = 0; m < ARRAY_LEN(mechs); m++)
		if (strlen(mechs[m].name) == nlen && strncasecmp(mechs[m].name, s + ns, nlen) == 0) {
			t->mech = mechs[m].mech;
			found = true;
		}
	if (!found)
		return nlen ? "unknown mechanism" : "not a mechanism or modifier";
	const char *rest = s + i;
	size_t rn = n - i;
	const char *why = NULL;
	switch (t->mech) {
	case SPF_M_ALL:
		if (rn)
			return "\"all\" takes no arguments";
		return NULL;
	case SPF_M_INCLUDE:
	case SPF_M_EXISTS:
		if (rn == 0 || rest[0] != ':')
			return "missing ':domain'";
		why = domain_spec_problem(rest + 1, rn - 1);
		if (why)
			return why;
		t->domain_spec = xstrndup(rest + 1, rn - 1);
		return NULL;
	case SPF_M_PTR:
		if (rn == 0)
			return NULL;
		if (rest[0] != ':')
			return "unexpected text after \"ptr\"";
		why = domain_spec_problem(rest + 1, rn - 1);
		if (why)
			return why;
		t->domain_spec = xstrndup(rest + 1, rn - 1);
		return NULL;
	case SPF_M_A:
	case SPF_M_MX: {
		size_t len = rn;
		if (!dual_cidr_strip(rest, &len, &t->cidr4, &t->cidr6, &why))
			return why;
		if (len == 0)
			return NULL;
		if (rest[0] != ':')
			return "unexpected text after the mechanism name";
		why = domain_spec_problem(rest + 1, len - 1);
		if (why)
			return why;
		t->domain_spec = xstrndup(rest + 1, len - 1);
		return NULL;
	}
	case SPF_M_IP4:
	case SPF_M_IP6: {
		if (rn == 0 || rest[0] != ':')
			return "missing ':address'";
		const char *a = rest + 1;
		size_t an = rn - 1;
		const char *slash = memchr(a, '/', an);
		size_t alen = slash ? (size_t)(slash - a) : an;
		if (slash) {
			int *out = t->mech == SPF_M_IP4 ? &t->cidr4 : &t->cidr6;
			if (!cidr_parse(slash + 1, an - alen - 1, t->mech == SPF_M_IP4 ? 32 : 128, out))
				return "invalid prefix length";
		}
		char buf[64];
		if (alen == 0 || alen >= sizeof(buf))
			return "invalid address";
		memcpy(buf, a, alen);
		buf[alen] = 0;
		t->family = t->mech == SPF_M_IP4 ? AF_INET : AF_INET6;
		if (inet_pton(t->family, buf, t->addr) != 1)
			return t->mech == SPF_M_IP4 ? "invalid IPv4 address" : "invalid IPv6 address";
		return NULL;
	}
	}
	return "unknown mechanism";
}

struct spf_record *spf_record_parse(const char *text, size_t len)
{
	struct spf_record *r = xcalloc(1, sizeof(*r));
	if (!spf_is_record(text, len)) {
		set_error(r, text, len < 16 ? len : 16, 1, "the record does not start with \"v=spf1\"");
		return r;
	}
	size_t cap = 0;
	size_t i = 6;
	while (i < len) {
		if (text[i] == ' ') {
			i++;
			continue;
		}
		size_t s = i;
		while (i < len && text[i] != ' ')
			i++;
		if (r->nterms == cap) {
			cap = cap ? cap * 2 : 8;
			r->terms = xrealloc(r->terms, cap * sizeof(*r->terms));
		}
		struct spf_term *t = &r->terms[r->nterms++];
		memset(t, 0, sizeof(*t));
		t->text = xstrndup(text + s, i - s);
		t->pos = s + 1;
		const char *why = term_parse(t, text + s, i - s);
		if (why) {
			set_error(r, text + s, i - s, s + 1, "%s", why);
			continue;
		}
		if (t->kind == SPF_TERM_REDIRECT) {
			if (r->redirect)
				set_error(r, text + s, i - s, s + 1, "a second redirect= modifier");
			r->redirect = t;
		} else if (t->kind == SPF_TERM_EXP) {
			if (r->exp)
				set_error(r, text + s, i - s, s + 1, "a second exp= modifier");
			r->exp = t;
		}
	}
	/* The pointers were taken while terms could still be reallocated. */
	r->redirect = r->exp = NULL;
	for (size_t j = 0; j < r->nterms; j++) {
		if (r->terms[j].kind == SPF_TERM_REDIRECT && !r->redirect)
			r->redirect = &r->terms[j];
		if (r->terms[j].kind == SPF_TERM_EXP && !r->exp)
			r->exp = &r->terms[j];
	}
	return r;
}

void spf_record_free(struct spf_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nterms; i++) {
		free(r->terms[i].text);
		free(r->terms[i].domain_spec);
		free(r->terms[i].name);
	}
	free(r->terms);
	free(r->error);
	free(r->error_term);
	free(r);
}
