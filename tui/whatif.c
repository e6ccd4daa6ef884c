/* whatif.c - the what-if editor (step 6): edit a proposed SPF or DMARC
 * record on one line and see it evaluated before publishing it.
 *
 * Prefilled with the fix the audit proposes (else the record published
 * now); Enter evaluates it offline with flow_whatif_spf() /
 * flow_whatif_dmarc() - lookup count, result for the audited IP, findings -
 * Tab switches between SPF and DMARC, Esc closes.  The editor takes every
 * key while open, so typing "w" or "q" into a record does not toggle watch
 * mode or quit.  Only printable ASCII is accepted: TXT records for SPF and
 * DMARC are ASCII, and the line is drawn as typed. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "flow.h"
#include "tui_int.h"
#include "util.h"

#define WHATIF_MAX 1024

struct whatif {
	bool dmarc; /* editing a DMARC record (else SPF) */
	char buf[WHATIF_MAX];
	size_t len, cur; /* bytes; cursor position */
	int hscroll;     /* first column shown */
	bool evaluated;  /* res is for the text as it is now */
	bool have;       /* res is set */
	struct flow_whatif res;
	char *res_ip; /* the IP res was computed for */
};

/* The text of "NAME. IN TXT \"TEXT\"" (a DMARC fix), or NULL. */
static char *quoted_txt(const char *fix)
{
	const char *q = strstr(fix, "IN TXT \"");
	if (!q)
		return NULL;
	q += 8;
	const char *e = strchr(q, '"');
	return e ? xstrndup(q, (size_t)(e - q)) : NULL;
}

static char *prefill(const struct audit *a, bool dmarc)
{
	if (!a)
		return xstrdup(dmarc ? "v=DMARC1; p=none" : "v=spf1 -all");
	const struct check *c = &a->checks[dmarc ? CHECK_DMARC : CHECK_SPF];
	const char *tag = dmarc ? "v=DMARC1" : "v=spf1";
	size_t tl = strlen(tag);
	/* The proposed fix first, then the published record. */
	for (size_t i = 0; i < c->nfindings; i++) {
		const struct finding *f = &c->findings[i];
		if (!f->fix)
			continue;
		if (!dmarc && strncmp(f->fix, tag, tl) == 0)
			return xstrdup(f->fix);
		char *t = dmarc ? quoted_txt(f->fix) : NULL;
		if (t)
			return t;
	}
	for (size_t i = 0; i < c->nfindings; i++) {
		const struct finding *f = &c->findings[i];
		if (f->evidence && strncasecmp(f->evidence, tag, tl) == 0)
			return xstrdup(f->evidence);
	}
	if (dmarc)
		return xasprintf("v=DMARC1; p=none; rua=mailto:dmarc-reports@%s",
		                 a->in.domain ? a->in.domain : "example.com");
	return a->in.ip ? xasprintf("v=spf1 %s:%s -all", a->in.ip_family == AF_INET6 ? "ip6" : "ip4", a->in.ip)
	                : xstrdup("v=spf1 -all");
}

static void set_text(struct whatif *e, const char *s)
{
	size_t n = 0;
	/* Keep only what can be typed: printable ASCII (the fix text is ours or
	 * a record from DNS, which may hold anything). */
	for (const char *p = s; *p && n + 1 < sizeof(e->buf); p++)
		if ((unsigned char)*p >= 32 && (unsigned char)*p < 127)
			e->buf[n++] = *p;
	e->buf[n] = '\0';
	e->len = e->cur = n;
	e->hscroll = 0;
	e->evaluated = false;
}

static void evaluate(struct tui *t, struct whatif *e)
{
	if (e->have)
		flow_whatif_free(&e->res);
	free(e->res_ip);
	const char *ip = t->audit ? t->audit->in.ip : NULL;
	e->res_ip = ip ? xstrdup(ip) : NULL;
	if (e->dmarc)
		flow_whatif_dmarc(e->buf, &e->res);
	else
		flow_whatif_spf(e->buf, ip, &e->res);
	e->have = e->evaluated = true;
}

static void load(struct tui *t, struct whatif *e, bool dmarc)
{
	e->dmarc = dmarc;
	char *s = prefill(t->audit, dmarc);
	set_text(e, s);
	free(s);
	evaluate(t, e); /* the proposal as it stands, at once */
}

void whatif_open(struct tui *t, bool dmarc)
{
	whatif_close(t);
	t->whatif = xcalloc(1, sizeof(*t->whatif));
	load(t, t->whatif, dmarc);
	t->dirty = true;
}

void whatif_close(struct tui *t)
{
	struct whatif *e = t->whatif;
	if (!e)
		return;
	if (e->have)
		flow_whatif_free(&e->res);
	free(e->res_ip);
	free(e);
	t->whatif = NULL;
	t->dirty = true;
}

static void insert(struct whatif *e, char c)
{
	if (e->len + 1 >= sizeof(e->buf))
		return;
	memmove(e->buf + e->cur + 1, e->buf + e->cur, e->len - e->cur + 1);
	e->buf[e->cur++] = c;
	e->len++;
	e->evaluated = false;
}

static void erase_at(struct whatif *e, size_t pos)
{
	if (pos >= e->len)
		return;
	memmove(e->buf + pos, e->buf + pos + 1, e->len - pos);
	e->len--;
	e->evaluated = false;
}

void whatif_key(struct tui *t, wint_t ch, bool is_key)
{
	struct whatif *e = t->whatif;
	t->dirty = true;
	if (is_key) {
		switch (ch) {
		case KEY_LEFT:
			if (e->cur)
				e->cur--;
			break;
		case KEY_RIGHT:
			if (e->cur < e->len)
				e->cur++;
			break;
		case KEY_HOME: e->cur = 0; break;
		case KEY_END: e->cur = e->len; break;
		case KEY_BACKSPACE:
			if (e->cur)
				erase_at(e, --e->cur);
			break;
		case KEY_DC: erase_at(e, e->cur); break;
		case KEY_ENTER: evaluate(t, e); break;
		case KEY_BTAB: load(t, e, !e->dmarc); break;
		default: break;
		}
		return;
	}
	switch (ch) {
	case 27: whatif_close(t); return;
	case '\r':
	case '\n': evaluate(t, e); return;
	case '\t': load(t, e, !e->dmarc); return;
	case 127:
	case 8:
		if (e->cur)
			erase_at(e, --e->cur);
		return;
	case 1: e->cur = 0; return;      /* Ctrl-A */
	case 5: e->cur = e->len; return; /* Ctrl-E */
	case 21: /* Ctrl-U */ set_text(e, ""); return;
	default:
		if (ch >= 32 && ch < 127)
			insert(e, (char)ch);
		else if (ch >= 128)
			tui_message(t, "records are ASCII: character ignored");
		return;
	}
}

void whatif_draw(struct tui *t)
{
	struct whatif *e = t->whatif;
	int w = t->cols - 4 > 30 ? t->cols - 4 : t->cols - 2;
	int iw = w - 4; /* input width */
	if (iw < 4)
		return;
	struct vlines l = {0};
	if (e->have) {
		if (!e->evaluated)
			vlines_add_safe(&l, M_DIM, 0, iw,
			                "Edited - press Enter to evaluate. Below: the previous text.");
		char *head;
		if (e->dmarc)
			head = xasprintf("DMARC proposal: %s", status_name(e->res.status));
		else
			head = xasprintf("SPF proposal: %s - %d DNS-querying term%s, result for %s: %s",
			                 status_name(e->res.status), e->res.lookups, e->res.lookups == 1 ? "" : "s",
			                 e->res_ip ? e->res_ip : "(no IP given)",
			                 e->res.ip_result ? e->res.ip_result : "-");
		vlines_add(&l, status_meaning(e->res.status), 0, iw, head);
		free(head);
		vlines_add_textlines(&l, &e->res.text, 0, iw);
	}
	int body = (int)l.n;
	int h = body + 4; /* frame with title, input, hint, body, frame */
	if (h > t->rows - 2)
		h = t->rows - 2;
	int y, x;
	overlay_box(t, h, w, &y, &x);
	draw_str(stdscr, y, x + 2, w - 4, theme_attr(M_HEADING),
	         e->dmarc ? " What-if: DMARC record (Tab: SPF) " : " What-if: SPF record (Tab: DMARC) ");
	/* The input line, scrolled so the cursor stays visible. */
	int cur = (int)e->cur;
	if (cur < e->hscroll)
		e->hscroll = cur;
	if (cur >= e->hscroll + iw)
		e->hscroll = cur - iw + 1;
	attr_t fa = theme_attr(M_FIELD_FOCUS);
	draw_fill(stdscr, y + 1, x + 2, iw, fa);
	char *vis = xstrndup(e->buf + e->hscroll, (size_t)iw);
	draw_raw(stdscr, y + 1, x + 2, iw, fa, vis);
	free(vis);
	draw_str(stdscr, y + 2, x + 2, iw, theme_attr(M_DIM),
	         draw_ascii ? "Enter evaluate - Tab SPF/DMARC - Ctrl-U clear - Esc close"
	                    : "Enter evaluate · Tab SPF/DMARC · Ctrl-U clear · Esc close");
	for (int i = 0; i < h - 4 && i < body; i++) /* clipped on short screens */
		vline_draw(stdscr, y + 3 + i, x + 2, iw, &l.v[i], NULL);
	vlines_free(&l);
	/* Last thing drawn: the terminal cursor sits in the field. */
	curs_set(1);
	wmove(stdscr, y + 1, x + 2 + cur - e->hscroll);
}
