/* dashboard.c - the seven panes.
 *
 * The grid adapts to the window: 4 columns on wide screens, 3, then 2 down
 * to 80x24; below that (or when a pane would have no room for text) the
 * panes become a list of one-line verdicts with the focused one expanded. */
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"
#include "util.h"

#define PANE_MIN_H 5

static int grid_cols = 2; /* of the last draw, for up/down */
static bool list_mode;

/* Title row: "┌ MX ──────── ✔ PASS ┐" */
static void pane_frame(struct tui *t, const struct check *c, int y, int x, int h, int w, bool focus)
{
	draw_box(stdscr, y, x, h, w, theme_attr(focus ? M_BORDER_FOCUS : M_BORDER));
	attr_t ta = theme_attr(M_PANE_TITLE) | (focus ? A_BOLD : 0);
	int cx = x + 2;
	if (focus && w > 12)
		cx += draw_str(stdscr, y, cx, 2, theme_attr(M_BORDER_FOCUS), draw_ascii ? ">" : "▶");
	cx += draw_str(stdscr, y, cx, w - 4, ta, " ");
	cx += draw_str(stdscr, y, cx, w - (cx - x) - 2, ta, c->cls->title);
	cx += draw_str(stdscr, y, cx, w - (cx - x) - 2, ta, " ");
	const char *lbl = status_label(c->status, t->spin);
	int lw = str_width(lbl) + 2;
	int lx = x + w - 2 - lw;
	if (lx > cx) {
		attr_t sa = theme_attr(status_meaning(c->status));
		draw_str(stdscr, y, lx, 1, theme_attr(M_NORMAL), " ");
		draw_str(stdscr, y, lx + 1, lw - 2, sa, lbl);
		draw_str(stdscr, y, lx + lw - 1, 1, theme_attr(M_NORMAL), " ");
	}
}

static void pane_body(struct tui *t, const struct check *c, int y, int x, int h, int w)
{
	struct vlines l = {0};
	detail_build(c, &l, w, false);
	for (int i = 0; i < h && (size_t)i < l.n; i++) {
		if (i == h - 1 && l.n > (size_t)h) {
			char more[48];
			snprintf(more, sizeof(more), "%s %zu more (Enter)", draw_ascii ? "..." : "…", l.n - (size_t)i);
			draw_str(stdscr, y + i, x, w, theme_attr(M_DIM), more);
			break;
		}
		vline_draw(stdscr, y + i, x, w, &l.v[i], NULL);
	}
	vlines_free(&l);
}

static void draw_list(struct tui *t, int top, int height)
{
	list_mode = true;
	int y = top;
	int extra = height - CHECK_COUNT; /* rows for the focused pane's body */
	for (int i = 0; i < CHECK_COUNT && y < top + height; i++) {
		const struct check *c = &t->audit->checks[i];
		bool focus = i == t->focus;
		t->pane_y[i] = y;
		t->pane_x[i] = 0;
		t->pane_h[i] = 1;
		t->pane_w[i] = t->cols;
		attr_t base = focus ? theme_attr(M_SELECTION) : theme_attr(M_NORMAL);
		if (focus)
			draw_fill(stdscr, y, 0, t->cols, base);
		int x = draw_str(stdscr, y, 0, t->cols, base, focus ? (draw_ascii ? ">" : "▶") : " ");
		x += draw_str(stdscr, y, x, t->cols - x, base, " ");
		const char *lbl = status_label(c->status, t->spin);
		int lx = x;
		x += draw_str(stdscr, y, x, t->cols - x, theme_attr(status_meaning(c->status)), lbl);
		x = lx + 10 > x ? lx + 10 : x + 1;
		x += draw_str(stdscr, y, x, t->cols - x, base | A_BOLD, c->cls->title);
		x = x < 22 ? 22 : x + 1;
		draw_raw(stdscr, y, x, t->cols - x - 1, base, c->summary ? c->summary : "");
		y++;
		if (focus && extra > 0) {
			struct vlines l = {0};
			detail_build(c, &l, t->cols - 4, false);
			/* the summary is already on the line above */
			size_t skip = l.n && c->summary ? 1 : 0;
			for (size_t j = skip; j < l.n && extra > 0 && y < top + height; j++, extra--)
				vline_draw(stdscr, y++, 4, t->cols - 5, &l.v[j], NULL);
			vlines_free(&l);
		}
	}
}

void dashboard_draw(struct tui *t)
{
	draw_titlebar(t, NULL);
	draw_statusbar(t, "Enter detail|s steps|r re-run|t theme|? help|q quit");
	if (!t->audit) {
		draw_str(stdscr, 2, 2, t->cols - 4, theme_attr(M_NORMAL), "No audit running: press n to enter a domain.");
		return;
	}
	int top = 1, height = t->rows - 2;
	int ncols = t->cols >= 160 ? 4 : t->cols >= 114 ? 3 : 2;
	int nrows = (CHECK_COUNT + ncols - 1) / ncols;
	if (t->cols < 60 || height / nrows < PANE_MIN_H) {
		draw_list(t, top, height);
		return;
	}
	list_mode = false;
	grid_cols = ncols;
	for (int i = 0; i < CHECK_COUNT; i++) {
		int r = i / ncols, col = i % ncols;
		/* the last row may have fewer panes: they share its width */
		int in_row = r == nrows - 1 ? CHECK_COUNT - r * ncols : ncols;
		int y0 = top + height * r / nrows, y1 = top + height * (r + 1) / nrows;
		int x0 = t->cols * col / in_row, x1 = t->cols * (col + 1) / in_row;
		const struct check *c = &t->audit->checks[i];
		t->pane_y[i] = y0;
		t->pane_x[i] = x0;
		t->pane_h[i] = y1 - y0;
		t->pane_w[i] = x1 - x0;
		pane_frame(t, c, y0, x0, y1 - y0, x1 - x0, i == t->focus);
		pane_body(t, c, y0 + 1, x0 + 2, y1 - y0 - 2, x1 - x0 - 4);
	}
}

void dashboard_click(struct tui *t, int y, int x)
{
	for (int i = 0; i < CHECK_COUNT; i++)
		if (y >= t->pane_y[i] && y < t->pane_y[i] + t->pane_h[i] && x >= t->pane_x[i] &&
		    x < t->pane_x[i] + t->pane_w[i]) {
			t->focus = i;
			t->dirty = true;
			return;
		}
}

void dashboard_key(struct tui *t, wint_t ch, bool is_key)
{
	int step = list_mode ? 1 : grid_cols;
	int f = t->focus;
	if (is_key) {
		switch (ch) {
		case KEY_LEFT: f--; break;
		case KEY_RIGHT: f++; break;
		case KEY_UP: f -= step; break;
		case KEY_DOWN: f += step; break;
		case KEY_BTAB: f = (f + CHECK_COUNT - 1) % CHECK_COUNT; break;
		case KEY_HOME: f = 0; break;
		case KEY_END: f = CHECK_COUNT - 1; break;
		case KEY_ENTER: goto open;
		default: return;
		}
	} else {
		switch (ch) {
		case 'h': f--; break;
		case 'l': f++; break;
		case 'k': f -= step; break;
		case 'j': f += step; break;
		case '\t': f = (f + 1) % CHECK_COUNT; break;
		case '\r':
		case '\n': goto open;
		case 'q':
		case 27: t->running = false; return;
		default:
			if (ch >= '1' && ch <= '7') {
				f = (int)(ch - '1');
				break;
			}
			return;
		}
	}
	if (f < 0)
		f = 0;
	if (f >= CHECK_COUNT)
		f = CHECK_COUNT - 1;
	t->focus = f;
	return;
open:
	if (t->audit) {
		t->screen = SCREEN_DETAIL;
		t->detail_scroll = 0;
	}
}
