/* bounce_data.c - the bounce reader's data: the provider wording table
 * (data/bounce-patterns.txt) and the enhanced-status-code registry
 * (data/enhanced-status-codes.txt).  The parsers are pure; the two _load()
 * functions are the only I/O, kept apart so tests and the fuzzer can feed
 * tables of their own. */
#include "bounce.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Data files are small; anything bigger is not one of ours. */
#define BOUNCE_DATA_MAX (1024 * 1024)

static const char *const category_names[BOUNCE_CATEGORY_COUNT] = {
	[BOUNCE_UNKNOWN] = "unknown",
	[BOUNCE_RECIPIENT_ADDRESS] = "recipient-address",
	[BOUNCE_RECIPIENT_MAILBOX] = "recipient-mailbox",
	[BOUNCE_ROUTING] = "routing",
	[BOUNCE_SENDER_AUTH] = "sender-authentication",
	[BOUNCE_SENDER_REPUTATION] = "sender-reputation",
	[BOUNCE_CONTENT] = "content",
	[BOUNCE_TEMPORARY] = "temporary",
};

const char *bounce_category_name(enum bounce_category c)
{
	return c < BOUNCE_CATEGORY_COUNT ? category_names[c] : "unknown";
}

enum bounce_category bounce_category_from_name(const char *s)
{
	for (int i = 0; i < BOUNCE_CATEGORY_COUNT; i++)
		if (ascii_strcaseeq(s, category_names[i]))
			return (enum bounce_category)i;
	return (enum bounce_category)-1;
}

const char *bounce_confidence_name(enum bounce_confidence c)
{
	switch (c) {
	case BOUNCE_CONF_HIGH:
		return "high";
	case BOUNCE_CONF_MEDIUM:
		return "medium";
	default:
		return "low";
	}
}

/* Trimmed copy of [p, e). */
static char *trim_dup(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return xstrndup(p, (size_t)(e - p));
}

/* Calls fn for each non-comment, non-empty line; stops on false. */
static bool each_line(const char *text, size_t len, bool (*fn)(void *arg, const char *p, const char *e, int lineno, char **err),
                      void *arg, char **err)
{
	const char *p = text, *end = text + len;
	int lineno = 0;
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		lineno++;
		const char *q = p;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q < e && *q != '#' && !(e - q == 1 && *q == '\r'))
			if (!fn(arg, q, e, lineno, err))
				return false;
		p = e < end ? e + 1 : end;
	}
	return true;
}

static bool pattern_line(void *arg, const char *p, const char *e, int lineno, char **err)
{
	struct bounce_patterns *pt = arg;
	const char *f[4];
	const char *fe[4];
	int n = 0;
	const char *q = p;
	while (n < 4) {
		const char *bar = n < 3 ? memchr(q, '|', (size_t)(e - q)) : NULL;
		f[n] = q;
		fe[n] = bar ? bar : e;
		n++;
		if (!bar)
			break;
		q = bar + 1;
	}
	if (n != 4) {
		*err = xasprintf("line %d: want \"pattern | category | step | meaning\"", lineno);
		return false;
	}
	char *pat = trim_dup(f[0], fe[0]);
	char *cat = trim_dup(f[1], fe[1]);
	char *step = trim_dup(f[2], fe[2]);
	enum bounce_category c = bounce_category_from_name(cat);
	char *endp;
	long st = strtol(step, &endp, 10);
	bool ok = *pat && (int)c >= 0 && *step && !*endp && st >= 1 && st <= 6;
	if (ok) {
		if (pt->n == pt->cap) {
			pt->cap = pt->cap ? pt->cap * 2 : 64;
			pt->v = xrealloc(pt->v, pt->cap * sizeof(*pt->v));
		}
		ascii_lower(pat);
		pt->v[pt->n++] = (struct bounce_pattern){
			.pattern = pat, .meaning = trim_dup(f[3], fe[3]), .category = c, .step = (int)st};
	} else {
		*err = xasprintf("line %d: bad pattern, category \"%s\" or step \"%s\"", lineno, cat, step);
		free(pat);
	}
	free(cat);
	free(step);
	return ok;
}

bool bounce_patterns_parse(struct bounce_patterns *pt, const char *text, size_t len, char **err)
{
	return each_line(text, len, pattern_line, pt, err);
}

void bounce_patterns_free(struct bounce_patterns *pt)
{
	for (size_t i = 0; i < pt->n; i++) {
		free(pt->v[i].pattern);
		free(pt->v[i].meaning);
	}
	free(pt->v);
	memset(pt, 0, sizeof(*pt));
}

static bool code_line(void *arg, const char *p, const char *e, int lineno, char **err)
{
	struct bounce_codes *codes = arg;
	const char *sp = p;
	while (sp < e && *sp != ' ' && *sp != '\t')
		sp++;
	/* "X.<subject>.<detail>" */
	bool ok = sp - p >= 5 && p[0] == 'X' && p[1] == '.' && sp < e;
	for (const char *q = p + 2; ok && q < sp; q++)
		ok = (*q >= '0' && *q <= '9') || *q == '.';
	if (!ok) {
		*err = xasprintf("line %d: want \"X.s.d<TAB>meaning\"", lineno);
		return false;
	}
	if (codes->n == codes->cap) {
		codes->cap = codes->cap ? codes->cap * 2 : 128;
		codes->v = xrealloc(codes->v, codes->cap * sizeof(*codes->v));
	}
	codes->v[codes->n++] = (struct bounce_code){.code = xstrndup(p, (size_t)(sp - p)), .meaning = trim_dup(sp, e)};
	return true;
}

bool bounce_codes_parse(struct bounce_codes *codes, const char *text, size_t len, char **err)
{
	return each_line(text, len, code_line, codes, err);
}

void bounce_codes_free(struct bounce_codes *codes)
{
	for (size_t i = 0; i < codes->n; i++) {
		free(codes->v[i].code);
		free(codes->v[i].meaning);
	}
	free(codes->v);
	memset(codes, 0, sizeof(*codes));
}

const char *bounce_code_meaning(const struct bounce_codes *codes, const char *enhanced)
{
	if (!codes || !enhanced || !enhanced[0] || !enhanced[1])
		return NULL;
	const char *rest = enhanced + 1; /* ".7.26" */
	for (size_t i = 0; i < codes->n; i++)
		if (strcmp(codes->v[i].code + 1, rest) == 0)
			return codes->v[i].meaning;
	return NULL;
}

static char *load(const char *path, size_t *len, char **err)
{
	char *e = NULL;
	char *text = read_file(path, BOUNCE_DATA_MAX, len, &e);
	if (!text) {
		*err = xasprintf("%s: %s", path, e ? e : "cannot read");
		free(e);
	}
	return text;
}

bool bounce_patterns_load(struct bounce_patterns *pt, const char *path, char **err)
{
	size_t len;
	char *text = load(path, &len, err);
	if (!text)
		return false;
	char *e = NULL;
	bool ok = bounce_patterns_parse(pt, text, len, &e);
	if (!ok) {
		*err = xasprintf("%s: %s", path, e);
		free(e);
	}
	free(text);
	return ok;
}

bool bounce_codes_load(struct bounce_codes *codes, const char *path, char **err)
{
	size_t len;
	char *text = load(path, &len, err);
	if (!text)
		return false;
	char *e = NULL;
	bool ok = bounce_codes_parse(codes, text, len, &e);
	if (!ok) {
		*err = xasprintf("%s: %s", path, e);
		free(e);
	}
	free(text);
	return ok;
}
