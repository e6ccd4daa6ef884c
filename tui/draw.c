/* draw.c - the only way text reaches the screen.
 *
 * Every string that came from DNS, SMTP or a paste goes through
 * sanitize_text() here before ncurses sees it, and every width is measured
 * in terminal columns (wcwidth), not bytes, so a wide or combining
 * character cannot push a pane's border out of place. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

#include "sanitize.h"
#include "tui_int.h"
#include "util.h"

bool draw_ascii;

/* Decode one multibyte character; returns bytes used (>= 1) and its width. */
static size_t next_char(const char *s, wchar_t *wc, int *width)
{
	mbstate_t ps;
	memset(&ps, 0, sizeof(ps));
	size_t n = mbrtowc(wc, s, MB_CUR_MAX, &ps);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		/* Cannot happen after sanitize_text(); be safe anyway. */
		*wc = L'?';
		*width = 1;
		return 1;
	}
	int cw = wcwidth(*wc);
	*width = cw < 0 ? 1 : cw;
	if (cw < 0)
		*wc = L'?';
	return n;
}

int str_width(const char *s)
{
	int w = 0;
	while (*s) {
		wchar_t wc;
		int cw;
		s += next_char(s, &wc, &cw);
		w += cw;
	}
	return w;
}

int draw_str(WINDOW *w, int y, int x, int maxw, attr_t a, const char *s)
{
	int used = 0;
	if (maxw <= 0 || !s)
		return 0;
	wmove(w, y, x);
	while (*s) {
		wchar_t wc[2] = {0, 0};
		int cw;
		size_t n = next_char(s, &wc[0], &cw);
		if (used + cw > maxw)
			break;
		if (wc[0] == L'\t')
			wc[0] = L' ';
		cchar_t cc;
		setcchar(&cc, wc, a, PAIR_NUMBER(a), NULL);
		wadd_wch(w, &cc);
		used += cw;
		s += n;
	}
	return used;
}

char *safe_text(const char *raw, bool keep_newlines)
{
	unsigned flags = (draw_ascii ? 0 : SANITIZE_UTF8) | (keep_newlines ? SANITIZE_KEEP_NEWLINES : 0);
	return sanitize_str(raw ? raw : "", flags);
}

int draw_raw(WINDOW *w, int y, int x, int maxw, attr_t a, const char *raw)
{
	char *s = safe_text(raw, false);
	int n = draw_str(w, y, x, maxw, a, s);
	free(s);
	return n;
}

void draw_fill(WINDOW *w, int y, int x, int n, attr_t a)
{
	wattrset(w, a);
	for (int i = 0; i < n; i++)
		mvwaddch(w, y, x + i, ' ');
	wattrset(w, A_NORMAL);
}

void draw_box(WINDOW *w, int y, int x, int h, int wd, attr_t a)
{
	if (h < 2 || wd < 2)
		return;
	wattrset(w, a);
	if (draw_ascii) {
		mvwhline(w, y, x + 1, '-', wd - 2);
		mvwhline(w, y + h - 1, x + 1, '-', wd - 2);
		mvwvline(w, y + 1, x, '|', h - 2);
		mvwvline(w, y + 1, x + wd - 1, '|', h - 2);
		mvwaddch(w, y, x, '+');
		mvwaddch(w, y, x + wd - 1, '+');
		mvwaddch(w, y + h - 1, x, '+');
		mvwaddch(w, y + h - 1, x + wd - 1, '+');
	} else {
		mvwhline_set(w, y, x + 1, WACS_HLINE, wd - 2);
		mvwhline_set(w, y + h - 1, x + 1, WACS_HLINE, wd - 2);
		mvwvline_set(w, y + 1, x, WACS_VLINE, h - 2);
		mvwvline_set(w, y + 1, x + wd - 1, WACS_VLINE, h - 2);
		mvwadd_wch(w, y, x, WACS_ULCORNER);
		mvwadd_wch(w, y, x + wd - 1, WACS_URCORNER);
		mvwadd_wch(w, y + h - 1, x, WACS_LLCORNER);
		mvwadd_wch(w, y + h - 1, x + wd - 1, WACS_LRCORNER);
	}
	wattrset(w, A_NORMAL);
}

/* Word and symbol, never colour alone: the colour-blind and mono themes,
 * and a screen share at low quality, still read the verdict. */
const char *status_label(enum status s, int spin)
{
	static const char *const utf8_spin[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
	static const char ascii_spin[] = "|/-\\";
	static char buf[32];
	switch (s) {
	case STATUS_PASS: return draw_ascii ? "[PASS]" : "✔ PASS";
	case STATUS_FAIL: return draw_ascii ? "[FAIL]" : "✖ FAIL";
	case STATUS_WARN: return draw_ascii ? "[WARN]" : "▲ WARN";
	case STATUS_ERROR: return draw_ascii ? "[ERR ]" : "! ERROR";
	case STATUS_SKIP: return draw_ascii ? "[SKIP]" : "– SKIP";
	default:
		if (draw_ascii)
			snprintf(buf, sizeof(buf), "[%c...]", ascii_spin[spin % 4]);
		else
			snprintf(buf, sizeof(buf), "%s PENDING", utf8_spin[spin % 10]);
		return buf;
	}
}

enum meaning status_meaning(enum status s)
{
	switch (s) {
	case STATUS_PASS: return M_PASS;
	case STATUS_FAIL: return M_FAIL;
	case STATUS_WARN: return M_WARN;
	case STATUS_ERROR: return M_ERROR;
	case STATUS_SKIP: return M_SKIP;
	default: return M_PENDING;
	}
}

enum meaning style_meaning(enum line_style st)
{
	switch (st) {
	case LINE_HEADING: return M_HEADING;
	case LINE_PASS: return M_PASS;
	case LINE_WARN: return M_WARN;
	case LINE_FAIL: return M_FAIL;
	case LINE_ERROR: return M_ERROR;
	case LINE_DIM: return M_DIM;
	case LINE_CODE: return M_CODE;
	case LINE_MATCH: return M_MATCH;
	default: return M_NORMAL;
	}
}

static void vlines_push(struct vlines *l, enum meaning m, int indent, char *text)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = (struct vline){.text = text, .m = m, .indent = indent};
}

/* Wrap one safe line (no newlines) to width columns: break after the last
 * space that fits, or hard when a word is longer than the line (a DKIM key). */
static void wrap_one(struct vlines *l, enum meaning m, int indent, int width, const char *s)
{
	int avail = width - indent;
	if (avail < 8)
		avail = 8;
	if (!*s) {
		vlines_push(l, m, indent, xstrdup(""));
		return;
	}
	while (*s) {
		const char *p = s, *brk = NULL;
		int w = 0;
		while (*p) {
			wchar_t wc;
			int cw;
			size_t n = next_char(p, &wc, &cw);
			if (w + cw > avail)
				break;
			w += cw;
			p += n;
			if (wc == L' ')
				brk = p;
		}
		const char *end = (*p && brk && brk > s) ? brk : p;
		if (end == s) /* a single character wider than the line */
			end = s + 1;
		vlines_push(l, m, indent, xstrndup(s, (size_t)(end - s)));
		s = end;
		/* continuation lines start at the next word */
		while (*s == ' ' && end == brk)
			s++;
	}
}

void vlines_add_safe(struct vlines *l, enum meaning m, int indent, int width, const char *s)
{
	for (;;) {
		const char *nl = strchr(s, '\n');
		char *line = xstrndup(s, nl ? (size_t)(nl - s) : strlen(s));
		wrap_one(l, m, indent, width, line);
		free(line);
		if (!nl)
			break;
		s = nl + 1;
	}
}

void vlines_add(struct vlines *l, enum meaning m, int indent, int width, const char *raw)
{
	char *s = safe_text(raw, true);
	vlines_add_safe(l, m, indent, width, s);
	free(s);
}

void vlines_add_textlines(struct vlines *l, const struct textlines *t, int indent, int width)
{
	for (size_t i = 0; i < t->n; i++)
		vlines_add(l, style_meaning(t->v[i].style), indent + 2 * t->v[i].indent, width, t->v[i].text);
}

void vlines_free(struct vlines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Case-insensitive ASCII search (the needle is typed by the operator). */
static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!n)
		return NULL;
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return p;
	return NULL;
}

void vline_draw(WINDOW *w, int y, int x, int maxw, const struct vline *vl, const char *needle)
{
	attr_t a = theme_attr(vl->m);
	int col = vl->indent < maxw ? vl->indent : maxw;
	const char *s = vl->text;
	const char *hit;
	while (needle && *needle && (hit = find_ci(s, needle))) {
		char *pre = xstrndup(s, (size_t)(hit - s));
		col += draw_str(w, y, x + col, maxw - col, a, pre);
		free(pre);
		char *m = xstrndup(hit, strlen(needle));
		col += draw_str(w, y, x + col, maxw - col, theme_attr(M_SEARCH), m);
		free(m);
		s = hit + strlen(needle);
	}
	draw_str(w, y, x + col, maxw - col, a, s);
}
