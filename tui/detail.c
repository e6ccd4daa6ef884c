/* detail.c - one check in full: findings with their evidence and fixes,
 * the check's own explanation, and every query and answer it made.
 * Scrolls, searches (/, n, N) and copies the fixes (c). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui_int.h"
#include "util.h"

void detail_build(const struct check *c, struct vlines *out, int width, bool full)
{
	if (!full) {
		/* a pane: summary, the check's evidence without headings, then
		 * what is wrong */
		if (c->summary)
			vlines_add(out, M_NORMAL, 0, width, c->summary);
		if (c->cls->detail) {
			struct textlines tl = {0};
			c->cls->detail(c, &tl);
			for (size_t i = 0; i < tl.n; i++)
				if (tl.v[i].style != LINE_HEADING)
					vlines_add(out, style_meaning(tl.v[i].style), tl.v[i].indent, width, tl.v[i].text);
			textlines_free(&tl);
		}
		for (size_t i = 0; i < c->nfindings; i++) {
			const struct finding *f = &c->findings[i];
			if (f->status == STATUS_PASS)
				continue;
			char *msg = safe_text(f->message, false);
			char *line = xasprintf("%s %s", status_label(f->status, 0), msg);
			vlines_add_safe(out, status_meaning(f->status), 0, width, line);
			free(line);
			free(msg);
		}
		return;
	}
	char *head = xasprintf("%s  %s", c->cls->title, status_label(c->status, 0));
	vlines_add_safe(out, M_HEADING, 0, width, head);
	free(head);
	if (c->summary)
		vlines_add(out, M_NORMAL, 2, width, c->summary);
	if (c->done && c->done_ms >= c->started_ms && c->started) {
		char *tm = xasprintf("finished in %lld ms", (long long)(c->done_ms - c->started_ms));
		vlines_add_safe(out, M_DIM, 2, width, tm);
		free(tm);
	}
	vlines_add_safe(out, M_NORMAL, 0, width, "");
	char *fh = xasprintf("Findings (%zu)", c->nfindings);
	vlines_add_safe(out, M_HEADING, 0, width, fh);
	free(fh);
	if (!c->nfindings)
		vlines_add_safe(out, M_DIM, 2, width, c->done ? "none" : "still running");
	for (size_t i = 0; i < c->nfindings; i++) {
		const struct finding *f = &c->findings[i];
		char *msg = safe_text(f->message, false);
		char *id = safe_text(f->id, false);
		char *line = xasprintf("%s %s  [%s]", status_label(f->status, 0), msg, id);
		vlines_add_safe(out, status_meaning(f->status), 2, width, line);
		free(line);
		free(msg);
		free(id);
		if (f->evidence) {
			vlines_add_safe(out, M_DIM, 4, width, "evidence:");
			vlines_add(out, M_NORMAL, 6, width, f->evidence);
		}
		if (f->fix) {
			vlines_add_safe(out, M_DIM, 4, width, "fix (c copies):");
			vlines_add(out, M_CODE, 6, width, f->fix);
		}
	}
	if (c->cls->detail) {
		struct textlines tl = {0};
		c->cls->detail(c, &tl);
		if (tl.n) {
			vlines_add_safe(out, M_NORMAL, 0, width, "");
			vlines_add_textlines(out, &tl, 0, width);
		}
		textlines_free(&tl);
	}
	vlines_add_safe(out, M_NORMAL, 0, width, "");
	vlines_add_safe(out, M_HEADING, 0, width, "Queries and answers");
	if (!c->log.n)
		vlines_add_safe(out, M_DIM, 2, width, "none");
	vlines_add_textlines(out, &c->log, 2, width);
}

static const struct check *current(struct tui *t)
{
	return t->audit ? &t->audit->checks[t->focus] : NULL;
}

void detail_draw(struct tui *t)
{
	const struct check *c = current(t);
	if (!c)
		return;
	char what[64];
	snprintf(what, sizeof(what), "%s detail", c->cls->title);
	draw_titlebar(t, what);
	int width = t->cols - 2, top = 1, height = t->rows - 2;
	struct vlines l = {0};
	detail_build(c, &l, width, true);
	t->detail_lines = (int)l.n;
	int maxs = (int)l.n - height;
	if (t->detail_scroll > maxs)
		t->detail_scroll = maxs;
	if (t->detail_scroll < 0)
		t->detail_scroll = 0;
	const char *needle = t->last_search[0] ? t->last_search : NULL;
	for (int i = 0; i < height && (size_t)(i + t->detail_scroll) < l.n; i++)
		vline_draw(stdscr, top + i, 1, width, &l.v[i + t->detail_scroll], needle);
	vlines_free(&l);
	if (t->searching) {
		int y = t->rows - 1;
		draw_fill(stdscr, y, 0, t->cols, theme_attr(M_STATUSBAR));
		int x = draw_str(stdscr, y, 0, t->cols, theme_attr(M_STATUSBAR), "search: ");
		x += draw_str(stdscr, y, x, t->cols - x, theme_attr(M_FIELD_FOCUS), t->search);
		move(y, x < t->cols ? x : t->cols - 1);
		curs_set(1);
	} else {
		bool wi = t->focus == CHECK_SPF || t->focus == CHECK_DMARC;
		if (wi)
			draw_statusbar(t, draw_ascii ? "j/k scroll|/ search|n next|c copy fix|e what-if|Tab next pane|Esc back"
			                              : "↑↓ scroll|/ search|n next|c copy fix|e what-if|Tab next pane|Esc back");
		else
			draw_statusbar(t, draw_ascii ? "j/k scroll|/ search|n next|c copy fix|Tab next pane|Esc back"
			                              : "↑↓ scroll|/ search|n next|c copy fix|Tab next pane|Esc back");
	}
}

/* Scroll so the next line (from the current top, forward or back)
 * containing the search text is at the top. */
static void search_jump(struct tui *t, int dir)
{
	const struct check *c = current(t);
	if (!c || !t->last_search[0])
		return;
	struct vlines l = {0};
	detail_build(c, &l, t->cols - 2, true);
	int n = (int)l.n, found = -1;
	for (int k = 1; k <= n; k++) {
		int i = ((t->detail_scroll + dir * k) % n + n) % n;
		const char *s = l.v[i].text;
		size_t m = strlen(t->last_search);
		for (const char *p = s; *p; p++)
			if (!strncasecmp(p, t->last_search, m)) {
				found = i;
				break;
			}
		if (found >= 0)
			break;
	}
	vlines_free(&l);
	if (found >= 0)
		t->detail_scroll = found;
	else
		tui_message(t, "not found: %s", t->last_search);
}

static void copy_fixes(struct tui *t)
{
	const struct check *c = current(t);
	struct strbuf b;
	strbuf_init(&b);
	for (size_t i = 0; c && i < c->nfindings; i++)
		if (c->findings[i].fix) {
			strbuf_adds(&b, c->findings[i].fix);
			strbuf_addc(&b, '\n');
		}
	if (!b.len)
		tui_message(t, "nothing to copy: this check has no fix to suggest");
	else
		tui_copy(t, b.s);
	strbuf_free(&b);
}

void detail_key(struct tui *t, wint_t ch, bool is_key)
{
	int page = t->rows - 3 > 1 ? t->rows - 3 : 1;
	if (t->searching) {
		size_t n = strlen(t->search);
		if (!is_key && (ch == '\r' || ch == '\n')) {
			t->searching = false;
			snprintf(t->last_search, sizeof(t->last_search), "%s", t->search);
			t->detail_scroll--; /* a match on the top line counts */
			search_jump(t, 1);
		} else if (!is_key && ch == 27) {
			t->searching = false;
		} else if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
			if (n)
				t->search[n - 1] = 0;
		} else if (!is_key && ch >= 32 && ch < 127 && n + 1 < sizeof(t->search)) {
			/* ASCII only: the displayed text is sanitised ASCII/UTF-8 and
			 * the needle is matched byte-wise */
			t->search[n] = (char)ch;
			t->search[n + 1] = 0;
		}
		return;
	}
	if (is_key) {
		switch (ch) {
		case KEY_UP: t->detail_scroll--; break;
		case KEY_DOWN: t->detail_scroll++; break;
		case KEY_PPAGE: t->detail_scroll -= page; break;
		case KEY_NPAGE: t->detail_scroll += page; break;
		case KEY_HOME: t->detail_scroll = 0; break;
		case KEY_END: t->detail_scroll = t->detail_lines; break;
		case KEY_LEFT: t->screen = SCREEN_DASHBOARD; break;
		case KEY_BTAB:
			t->focus = (t->focus + CHECK_COUNT - 1) % CHECK_COUNT;
			t->detail_scroll = 0;
			break;
		default: break;
		}
		return;
	}
	switch (ch) {
	case 'k': t->detail_scroll--; break;
	case 'j': t->detail_scroll++; break;
	case ' ': t->detail_scroll += page; break;
	case 'b': t->detail_scroll -= page; break;
	case 'g': t->detail_scroll = 0; break;
	case 'G': t->detail_scroll = t->detail_lines; break;
	case '/':
		t->searching = true;
		t->search[0] = 0;
		break;
	case 'n': search_jump(t, 1); break;
	case 'N': search_jump(t, -1); break;
	case 'c': copy_fixes(t); break;
	case 'e':
		/* The what-if editor for the records it can evaluate. */
		if (t->focus == CHECK_SPF || t->focus == CHECK_DMARC)
			whatif_open(t, t->focus == CHECK_DMARC);
		else
			tui_message(t, "e: what-if works on SPF and DMARC");
		break;
	case '\t':
		t->focus = (t->focus + 1) % CHECK_COUNT;
		t->detail_scroll = 0;
		break;
	case 'h':
	case 'q':
	case 27: t->screen = SCREEN_DASHBOARD; break;
	default: break;
	}
}
