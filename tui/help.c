/* help.c - overlays: the key list (?) and the copy popup. */
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"
#include "util.h"

static const char *const keys[][2] = {
	{NULL, "Everywhere"},
	{"?", "this help (any key closes it)"},
	{"q Esc", "back; quit from the dashboard"},
	{"Ctrl-C", "quit"},
	{"r", "re-run the audit"},
	{"w", "watch: re-run after every finished run"},
	{"t", "next colour theme"},
	{"s", "walkthrough: the six fix steps"},
	{NULL, "Dashboard"},
	{"arrows hjkl", "move between panes"},
	{"Tab S-Tab 1-7", "next / previous / n-th pane"},
	{"Enter", "open the focused pane (mouse: click focuses, double-click opens)"},
	{"n", "new audit: the input form"},
	{NULL, "Detail view"},
	{"arrows jk PgUp PgDn", "scroll (mouse wheel too); g G top / bottom"},
	{"/ n N", "search, next match, previous match"},
	{"c", "copy the fixes (OSC 52) and show them"},
	{"Tab", "next pane's detail"},
	{NULL, "Walkthrough"},
	{"<- -> n p 1-6", "previous / next / n-th step"},
	{"c", "copy the step's records (OSC 52)"},
	{NULL, "Input form"},
	{"Tab Up Down", "move between fields"},
	{"Enter", "run (in the bounce box: new line; Ctrl-D runs)"},
	{"PgUp PgDn", "recent domains (in the domain field)"},
};

static void overlay_box(struct tui *t, int h, int w, int *y, int *x)
{
	if (h > t->rows - 2)
		h = t->rows - 2;
	if (w > t->cols - 2)
		w = t->cols - 2;
	*y = (t->rows - h) / 2;
	*x = (t->cols - w) / 2;
	attr_t a = theme_attr(M_OVERLAY);
	for (int i = 0; i < h; i++)
		draw_fill(stdscr, *y + i, *x, w, a);
	draw_box(stdscr, *y, *x, h, w, theme_attr(M_BORDER_FOCUS));
}

void help_draw(struct tui *t)
{
	int n = (int)ARRAY_LEN(keys);
	int h = n + 4, w = 76, y, x;
	overlay_box(t, h, w, &y, &x);
	if (h > t->rows - 2)
		h = t->rows - 2;
	if (w > t->cols - 2)
		w = t->cols - 2;
	draw_str(stdscr, y, x + 2, w - 4, theme_attr(M_HEADING), " mxaudit keys ");
	int row = y + 1;
	for (int i = 0; i < n && row < y + h - 1; i++, row++) {
		if (!keys[i][0]) {
			draw_str(stdscr, row, x + 2, w - 4, theme_attr(M_HEADING), keys[i][1]);
			continue;
		}
		draw_str(stdscr, row, x + 3, 22, theme_attr(M_KEY), keys[i][0]);
		draw_str(stdscr, row, x + 26, w - 28, theme_attr(M_OVERLAY), keys[i][1]);
	}
}

void popup_draw(struct tui *t, const char *title, const char *text)
{
	struct vlines l = {0};
	int w = t->cols - 8 > 20 ? t->cols - 8 : t->cols - 2;
	vlines_add_safe(&l, M_CODE, 0, w - 4, text);
	vlines_add_safe(&l, M_NORMAL, 0, w - 4, "");
	vlines_add_safe(&l, M_DIM, 0, w - 4, "any key closes this");
	int h = (int)l.n + 2, y, x;
	overlay_box(t, h, w, &y, &x);
	if (h > t->rows - 2)
		h = t->rows - 2;
	draw_str(stdscr, y, x + 2, w - 4, theme_attr(M_HEADING), title);
	for (int i = 0; i < h - 2 && (size_t)i < l.n; i++)
		vline_draw(stdscr, y + 1 + i, x + 2, w - 4, &l.v[i], NULL);
	vlines_free(&l);
}
