/* help.c - overlays: the key list (?) and the copy popup. */
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"
#include "util.h"

static const char *const keys[][2] = {
	{NULL, "Everywhere"},
	{"?", "this help"},
	{"q Esc", "back / quit"},
	{"Ctrl-C", "quit"},
	{"r", "re-run the audit"},
	{"w", "watch: re-run, ask each NS"},
	{"e", "what-if: edit SPF/DMARC"},
	{"t", "next colour theme"},
	{"s", "six-step walkthrough"},
	{NULL, "Dashboard"},
	{"arrows hjkl", "move between panes"},
	{"Tab S-Tab", "next / previous pane"},
	{"1-7", "go to pane n"},
	{"Enter", "open the pane"},
	{"click", "focus; again: open"},
	{"n", "new audit (the form)"},
	{NULL, "Detail view"},
	{"arrows jk wheel", "scroll"},
	{"PgUp PgDn g G", "page, top, bottom"},
	{"/ n N", "search, next, previous"},
	{"c", "copy fixes (OSC 52)"},
	{"Tab", "next pane's detail"},
	{NULL, "Walkthrough"},
	{"<- -> n p", "previous / next step"},
	{"1-6", "go to step n"},
	{"c", "copy the step's records"},
	{NULL, "Input form"},
	{"Tab Up Down", "move between fields"},
	{"Enter", "run the audit"},
	{"Ctrl-D", "run (from the bounce box)"},
	{"Ctrl-U", "clear the field"},
	{"PgUp PgDn", "recent domains"},
};

void overlay_box(struct tui *t, int h, int w, int *y, int *x)
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
	/* one column when it fits, else two side by side (80x24 needs two) */
	int ncol = n + 3 <= t->rows - 2 ? 1 : 2;
	/* break the columns at the section heading nearest the middle */
	int split = n;
	if (ncol == 2)
		for (int i = 1; i < n; i++)
			if (!keys[i][0] && (split == n || abs(i - n / 2) < abs(split - n / 2)))
				split = i;
	int per = split > n - split ? split : n - split;
	int colw = (t->cols - 4) / ncol < 46 ? (t->cols - 4) / ncol : 46;
	int h = per + 3, w = colw * ncol + 2, y, x;
	overlay_box(t, h, w, &y, &x);
	if (h > t->rows - 2)
		h = t->rows - 2;
	if (w > t->cols - 2)
		w = t->cols - 2;
	draw_str(stdscr, y, x + 2, w - 4, theme_attr(M_HEADING), " mxaudit keys ");
	for (int i = 0; i < n; i++) {
		int c = i < split ? 0 : 1, row = y + 1 + (i < split ? i : i - split);
		int cx = x + 1 + c * colw;
		if (row >= y + h - 1) {
			draw_str(stdscr, y + h - 1, x + 2, w - 4, theme_attr(M_HEADING), " more: enlarge the window ");
			continue;
		}
		if (!keys[i][0]) {
			draw_str(stdscr, row, cx + 1, colw - 2, theme_attr(M_HEADING), keys[i][1]);
			continue;
		}
		draw_str(stdscr, row, cx + 2, 15, theme_attr(M_KEY), keys[i][0]);
		draw_str(stdscr, row, cx + 18, colw - 19, theme_attr(M_OVERLAY), keys[i][1]);
	}
}

void popup_draw(struct tui *t, const char *title, const char *text)
{
	struct vlines l = {0};
	int w = t->cols - 8 > 20 ? t->cols - 8 : t->cols - 2;
	/* a trailing newline would show as an empty line */
	char *body = xstrdup(text);
	size_t bl = strlen(body);
	while (bl && body[bl - 1] == '\n')
		body[--bl] = 0;
	vlines_add_safe(&l, M_CODE, 0, w - 4, body);
	free(body);
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
