/* smtp_reply.c - SMTP reply parser (see smtp_reply.h). */
#include "smtp_reply.h"

#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Is the start of a line (of which n bytes are known) possibly a reply
 * line?  Lets garbage be recognised before a line end arrives. */
static bool prefix_ok(const char *p, size_t n)
{
	if (n > 0 && !(p[0] >= '2' && p[0] <= '5'))
		return false;
	if (n > 1 && !is_digit(p[1]))
		return false;
	if (n > 2 && !is_digit(p[2]))
		return false;
	if (n > 3 && p[3] != '-' && p[3] != ' ' && p[3] != '\r' && p[3] != '\n')
		return false;
	return true;
}

enum smtp_parse smtp_reply_parse(const char *buf, size_t len, struct smtp_reply *out, size_t *consumed,
                                 const char **why)
{
	struct smtp_reply r = {0};
	size_t pos = 0;
	const char *w = NULL;
	enum smtp_parse res = SMTP_PARSE_MORE;

	for (;;) {
		size_t avail = len - pos;
		const char *line = buf + pos;
		size_t look = avail < SMTP_REPLY_MAX_LINE + 2 ? avail : SMTP_REPLY_MAX_LINE + 2;
		const char *nl = memchr(line, '\n', look);
		if (!nl) {
			if (!prefix_ok(line, avail)) {
				w = "the reply does not start with a three-digit SMTP code";
				res = SMTP_PARSE_BAD;
			} else if (avail > SMTP_REPLY_MAX_LINE + 1) {
				w = "a reply line is longer than the limit";
				res = SMTP_PARSE_BAD;
			}
			break;
		}
		size_t n = (size_t)(nl - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n < 3 || !prefix_ok(line, n)) {
			w = "the reply does not start with a three-digit SMTP code";
			res = SMTP_PARSE_BAD;
			break;
		}
		int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
		if (r.lines.n && code != r.code) {
			w = "the lines of a multi-line reply carry different codes";
			res = SMTP_PARSE_BAD;
			break;
		}
		if (r.lines.n >= SMTP_REPLY_MAX_LINES) {
			w = "the multi-line reply has more lines than the limit";
			res = SMTP_PARSE_BAD;
			break;
		}
		r.code = code;
		strlist_take(&r.lines, n > 4 ? xstrndup(line + 4, n - 4) : xstrdup(""));
		pos += (size_t)(nl - line) + 1;
		if (n == 3 || line[3] == ' ') {
			res = SMTP_PARSE_DONE;
			break;
		}
	}
	if (res == SMTP_PARSE_DONE) {
		*out = r;
		if (consumed)
			*consumed = pos;
		return res;
	}
	smtp_reply_free(&r);
	if (why)
		*why = w;
	return res;
}

void smtp_reply_free(struct smtp_reply *r)
{
	strlist_free(&r->lines);
	r->code = 0;
}

void smtp_reply_ehlo_keywords(const struct smtp_reply *r, struct strlist *out)
{
	for (size_t i = 1; i < r->lines.n; i++) {
		const char *s = r->lines.v[i];
		size_t k = strcspn(s, " \t");
		if (k == 0)
			continue;
		char *kw = xstrndup(s, k);
		for (char *p = kw; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		strlist_take(out, kw);
	}
}

bool smtp_reply_has_keyword(const struct smtp_reply *r, const char *kw)
{
	struct strlist l = {0};
	smtp_reply_ehlo_keywords(r, &l);
	bool found = strlist_contains_ci(&l, kw);
	strlist_free(&l);
	return found;
}
