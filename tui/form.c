/* form.c - the input form: what to audit.
 *
 * Domain, sending IP, From domain, MAIL FROM, HELO, DKIM selectors and a
 * multi-line box to paste a bounce into.  Every field is validated as it
 * is typed, so a bad IP is flagged before Enter.  Recent domains are kept
 * in $XDG_STATE_HOME/mxaudit/history (PgUp/PgDn in the domain field). */
#include <errno.h>
#include <limits.h>
#include <wchar.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tui_int.h"
#include "util.h"

#define HISTORY_MAX 20
#define BOUNCE_ROWS 6
#define LABEL_W 16

enum field_id { F_DOMAIN, F_IP, F_FROM, F_MAILFROM, F_HELO, F_SELECTORS, F_BOUNCE, F_COUNT };

static const char *const labels[F_COUNT] = {
	"Domain", "Sending IP", "From domain", "MAIL FROM", "HELO name", "DKIM selectors", "Bounce (paste)",
};
static const char *const hints[F_COUNT] = {
	"required, e.g. example.com", "optional, IPv4 or IPv6", "default: the domain",
	"default: postmaster@domain", "default: the domain", "comma-separated, e.g. s1,mail2024",
	"optional: paste the bounce here",
};

struct form {
	struct audit_input base; /* options the form does not show (timeouts...) */
	struct strbuf f[F_COUNT];
	int cur;
	struct strlist history;
	int hist_pos; /* -1: what was typed */
	int field_y[F_COUNT];
	char *error; /* submit refused: why */
	int cur_y, cur_x; /* where the cursor goes after drawing */
};

static char *history_path(void)
{
	const char *e = getenv("XDG_STATE_HOME");
	if (e && *e)
		return xasprintf("%s/mxaudit/history", e);
	if ((e = getenv("HOME")) && *e)
		return xasprintf("%s/.local/state/mxaudit/history", e);
	return NULL;
}

static void history_load(struct strlist *l)
{
	char *p = history_path();
	FILE *f = p ? fopen(p, "r") : NULL;
	free(p);
	if (!f)
		return;
	char line[300];
	while (l->n < HISTORY_MAX && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		const char *why;
		/* the file is ours, but check anyway: it ends up on screen */
		if (*line && domain_valid(line, &why) && !strlist_contains_ci(l, line))
			strlist_add(l, line);
	}
	fclose(f);
}

static void mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(path, 0700) != 0 && errno != EEXIST) {
				*p = '/';
				return;
			}
			*p = '/';
		}
}

void history_add(const char *domain)
{
	char *p = history_path();
	if (!p)
		return;
	struct strlist l = {0};
	strlist_add(&l, domain);
	history_load(&l);
	mkdirs(p);
	char *tmp = xasprintf("%s.tmp", p);
	FILE *f = fopen(tmp, "w");
	if (f) {
		for (size_t i = 0; i < l.n && i < HISTORY_MAX; i++)
			fprintf(f, "%s\n", l.v[i]);
		if (fclose(f) == 0)
			rename(tmp, p);
		else
			remove(tmp);
	}
	free(tmp);
	free(p);
	strlist_free(&l);
}

static void set_field(struct form *f, int i, const char *s)
{
	f->f[i].len = 0;
	if (f->f[i].s)
		f->f[i].s[0] = 0;
	if (s)
		strbuf_adds(&f->f[i], s);
}

struct form *form_new(const struct audit_input *prefill)
{
	struct form *f = xcalloc(1, sizeof(*f));
	audit_input_copy(&f->base, prefill);
	for (int i = 0; i < F_COUNT; i++) {
		strbuf_init(&f->f[i]);
	}
	const struct audit_input *in = prefill;
	set_field(f, F_DOMAIN, in->domain);
	set_field(f, F_IP, in->ip);
	/* show only what differs from the defaults, so changing the domain
	 * does not keep the old domain's identities */
	if (in->from_domain && (!in->domain || strcmp(in->from_domain, in->domain)))
		set_field(f, F_FROM, in->from_domain);
	char *pm = in->domain ? xasprintf("postmaster@%s", in->domain) : NULL;
	if (in->mail_from && (!pm || strcmp(in->mail_from, pm)))
		set_field(f, F_MAILFROM, in->mail_from);
	free(pm);
	if (in->helo && (!in->domain || strcmp(in->helo, in->domain)))
		set_field(f, F_HELO, in->helo);
	for (size_t i = 0; i < in->selectors.n; i++) {
		if (i)
			strbuf_adds(&f->f[F_SELECTORS], ",");
		strbuf_adds(&f->f[F_SELECTORS], in->selectors.v[i]);
	}
	if (in->bounce_text)
		strbuf_add(&f->f[F_BOUNCE], in->bounce_text, strlen(in->bounce_text));
	history_load(&f->history);
	f->hist_pos = -1;
	return f;
}

void form_free(struct form *f)
{
	if (!f)
		return;
	audit_input_free(&f->base);
	for (int i = 0; i < F_COUNT; i++)
		strbuf_free(&f->f[i]);
	strlist_free(&f->history);
	free(f->error);
	free(f);
}

/* Inline validation: NULL when the field is fine. */
static const char *field_problem(const struct form *f, int i)
{
	const char *s = f->f[i].s ? f->f[i].s : "";
	const char *why = NULL;
	int family;
	unsigned char addr[16];
	switch (i) {
	case F_DOMAIN:
		if (!*s)
			return "a domain is required";
		if (!domain_valid(s, &why))
			return why;
		if (!strchr(s, '.'))
			return "a domain has at least one dot";
		return NULL;
	case F_IP:
		return *s && !ip_parse(s, &family, addr) ? "not an IPv4 or IPv6 address" : NULL;
	case F_FROM:
		return *s && !domain_valid(s, &why) ? why : NULL;
	case F_HELO:
		if (!*s || domain_valid(s, &why))
			return NULL;
		if (s[0] == '[' && s[strlen(s) - 1] == ']') {
			char *lit = xstrndup(s + 1, strlen(s) - 2);
			bool ok = ip_parse(lit, &family, addr);
			free(lit);
			if (ok)
				return NULL;
		}
		return why ? why : "not a host name";
	case F_MAILFROM: {
		if (!*s || !strcmp(s, "<>"))
			return NULL;
		const char *at = strrchr(s, '@');
		if (!at || at == s)
			return "expected local-part@domain";
		return domain_valid(at + 1, &why) ? NULL : why;
	}
	case F_SELECTORS: {
		char *copy = xstrdup(s), *save = NULL;
		const char *bad = NULL;
		for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			if (!domain_valid(tok, &why))
				bad = "a selector is a DNS label (letters, digits, - and _)";
		free(copy);
		return bad;
	}
	default: return NULL;
	}
}

/* Multi-line text: show the last rows lines of the sanitised text. */
static void draw_bounce(struct form *f, int y, int x, int w, int rows, bool focus)
{
	attr_t a = theme_attr(focus ? M_FIELD_FOCUS : M_FIELD);
	for (int i = 0; i < rows; i++)
		draw_fill(stdscr, y + i, x, w, a);
	struct vlines l = {0};
	if (f->f[F_BOUNCE].len)
		vlines_add(&l, focus ? M_FIELD_FOCUS : M_FIELD, 0, w, f->f[F_BOUNCE].s);
	size_t first = l.n > (size_t)rows ? l.n - (size_t)rows : 0;
	int cy = y, cx = x;
	for (size_t i = first; i < l.n; i++) {
		cx = x + draw_str(stdscr, y + (int)(i - first), x, w, a, l.v[i].text);
		cy = y + (int)(i - first);
	}
	/* text ending in a newline: the cursor is on the next line */
	if (f->f[F_BOUNCE].len && f->f[F_BOUNCE].s[f->f[F_BOUNCE].len - 1] == '\n' && l.n < (size_t)rows) {
		cy = y + (int)(l.n - first);
		cx = x;
	}
	vlines_free(&l);
	if (focus) {
		f->cur_y = cy;
		f->cur_x = cx < x + w ? cx : x + w - 1;
		curs_set(1);
	}
}

void form_draw(struct tui *t, struct form *f)
{
	draw_titlebar(t, "new audit");
	draw_statusbar(t, "Enter run|Tab next field|PgUp/PgDn recent|Esc quit");
	int x0 = 2, fx = x0 + LABEL_W + 1;
	int fw = t->cols - fx - 2;
	if (fw > 60)
		fw = 60;
	if (fw < 10)
		fw = 10;
	int y = 2;
	f->cur_y = -1;
	draw_str(stdscr, y++, x0, t->cols - 4, theme_attr(M_HEADING), "What should mxaudit check?");
	y++;
	for (int i = 0; i < F_COUNT; i++) {
		if (y >= t->rows - 2)
			break;
		bool focus = i == f->cur;
		f->field_y[i] = y;
		draw_str(stdscr, y, x0, LABEL_W, theme_attr(M_LABEL), labels[i]);
		const char *problem = field_problem(f, i);
		if (i == F_BOUNCE) {
			int rows = t->rows - 3 - y;
			if (rows > BOUNCE_ROWS)
				rows = BOUNCE_ROWS;
			if (rows < 1)
				rows = 1;
			draw_bounce(f, y, fx, t->cols - fx - 2, rows, focus);
			y += rows;
			break;
		}
		attr_t a = theme_attr(focus ? M_FIELD_FOCUS : M_FIELD);
		draw_fill(stdscr, y, fx, fw, a);
		/* show the end of a long value: that is where one types */
		char *s = safe_text(f->f[i].s ? f->f[i].s : "", false);
		const char *show = s;
		while (str_width(show) > fw - 1)
			show++;
		while ((*show & 0xC0) == 0x80)
			show++;
		int cx = fx + draw_str(stdscr, y, fx, fw - 1, a, show);
		free(s);
		/* the line under the field: what is wrong, or a hint */
		int mx = fx + 1, mw = t->cols - mx - 1;
		if (problem && (f->f[i].len || (i == F_DOMAIN && !focus))) {
			char *m = xasprintf("%s %s", draw_ascii ? "[!]" : "✖", problem);
			draw_str(stdscr, y + 1, mx, mw, theme_attr(M_INVALID), m);
			free(m);
		} else if (!problem && f->f[i].len) {
			draw_str(stdscr, y + 1, mx, mw, theme_attr(M_PASS), draw_ascii ? "ok" : "✔ ok");
		} else {
			draw_str(stdscr, y + 1, mx, mw, theme_attr(M_DIM), hints[i]);
		}
		if (focus) {
			f->cur_y = y;
			f->cur_x = cx;
			curs_set(1);
		}
		y += 2;
	}
	int by = t->rows - 2;
	if (f->error)
		draw_str(stdscr, by, x0, t->cols - 4, theme_attr(M_INVALID), f->error);
	else if (f->history.n && f->cur == F_DOMAIN && by > y) {
		int x = x0 + draw_str(stdscr, by, x0, t->cols - 4, theme_attr(M_DIM), "recent: ");
		for (size_t i = 0; i < f->history.n && x < t->cols - 4; i++)
			x += draw_raw(stdscr, by, x, t->cols - 2 - x, theme_attr(M_DIM), f->history.v[i]) + 2;
	}
	/* the cursor ends in the focused field, whatever was drawn after it */
	if (f->cur_y >= 0)
		move(f->cur_y, f->cur_x);
}

static bool submit(struct tui *t, struct form *f, struct audit_input *in)
{
	for (int i = 0; i < F_COUNT; i++) {
		const char *p = field_problem(f, i);
		if (p) {
			free(f->error);
			f->error = xasprintf("%s: %s", labels[i], p);
			f->cur = i;
			return false;
		}
	}
	char *err = NULL;
	audit_input_copy(in, &f->base);
	const char *s;
	if (!options_set_domain(in, f->f[F_DOMAIN].s, &err))
		goto bad;
	free(in->ip);
	in->ip = NULL;
	in->ip_family = 0;
	if (f->f[F_IP].len && !options_set_ip(in, f->f[F_IP].s, &err))
		goto bad;
	free(in->from_domain);
	free(in->mail_from);
	free(in->helo);
	in->from_domain = (s = f->f[F_FROM].s) && *s ? domain_normalize(s) : NULL;
	in->mail_from = (s = f->f[F_MAILFROM].s) && *s ? xstrdup(s) : NULL;
	in->helo = (s = f->f[F_HELO].s) && *s ? xstrdup(s) : NULL;
	strlist_free(&in->selectors);
	if (f->f[F_SELECTORS].len) {
		char *copy = xstrdup(f->f[F_SELECTORS].s), *save = NULL;
		for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			strlist_add(&in->selectors, tok);
		free(copy);
	}
	free(in->bounce_text);
	in->bounce_text = NULL;
	in->bounce_len = 0;
	if (f->f[F_BOUNCE].len) {
		in->bounce_text = xstrndup(f->f[F_BOUNCE].s, f->f[F_BOUNCE].len);
		in->bounce_len = f->f[F_BOUNCE].len;
	}
	audit_input_finish(in);
	return true;
bad:
	free(f->error);
	f->error = err;
	audit_input_free(in);
	audit_input_init(in);
	return false;
}

static void backspace(struct strbuf *b)
{
	if (!b->len)
		return;
	/* drop a whole UTF-8 character */
	do
		b->len--;
	while (b->len && ((unsigned char)b->s[b->len] & 0xC0) == 0x80);
	b->s[b->len] = 0;
}

bool form_key(struct tui *t, struct form *f, wint_t ch, bool is_key, struct audit_input *in)
{
	struct strbuf *b = &f->f[f->cur];
	free(f->error);
	f->error = NULL;
	if (is_key) {
		switch (ch) {
		case KEY_DOWN:
			if (f->cur != F_BOUNCE)
				f->cur++;
			break;
		case KEY_UP:
		case KEY_BTAB:
			if (f->cur > 0)
				f->cur--;
			break;
		case KEY_BACKSPACE: backspace(b); break;
		case KEY_ENTER: return submit(t, f, in);
		case KEY_PPAGE:
		case KEY_NPAGE:
			if (f->cur == F_DOMAIN && f->history.n) {
				int n = (int)f->history.n;
				f->hist_pos = ch == KEY_PPAGE ? (f->hist_pos + 1) % n : (f->hist_pos <= 0 ? n - 1 : f->hist_pos - 1);
				set_field(f, F_DOMAIN, f->history.v[f->hist_pos]);
			}
			break;
		default: break;
		}
		return false;
	}
	switch (ch) {
	case '\t': f->cur = (f->cur + 1) % F_COUNT; return false;
	case 27:
		if (t->audit) {
			t->screen = SCREEN_DASHBOARD;
		} else {
			t->running = false;
		}
		return false;
	case 127:
	case 8: backspace(b); return false;
	case 21: /* Ctrl-U: clear */ set_field(f, f->cur, ""); return false;
	case 4: /* Ctrl-D: run, also from the bounce box */ return submit(t, f, in);
	case '\r':
	case '\n':
		if (f->cur == F_BOUNCE) {
			strbuf_addc(b, '\n');
			return false;
		}
		return submit(t, f, in);
	default: break;
	}
	if (ch < 32 && ch != '\t')
		return false;
	if (f->cur != F_BOUNCE && (ch == ' ' || b->len > 250))
		return false; /* no field but the bounce takes spaces */
	if (b->len > 64 * 1024)
		return false;
	char mb[MB_LEN_MAX + 1];
	mbstate_t ps;
	memset(&ps, 0, sizeof(ps));
	size_t n = wcrtomb(mb, (wchar_t)ch, &ps);
	if (n != (size_t)-1)
		strbuf_add(b, mb, n);
	if (f->cur == F_DOMAIN)
		f->hist_pos = -1;
	return false;
}

void form_mouse(struct tui *t, struct form *f, int y, int x)
{
	for (int i = F_COUNT - 1; i >= 0; i--)
		if (f->field_y[i] && y >= f->field_y[i]) {
			f->cur = i;
			t->dirty = true;
			return;
		}
}
