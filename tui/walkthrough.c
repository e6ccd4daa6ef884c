/* walkthrough.c - the six-step fix flow as a stepper: the steps with their
 * statuses on the left (a compact strip on narrow screens), the current
 * step's explanation and fixes on the right.  Starts at the step the bounce
 * points to (audit->first_step). */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "tui_int.h"
#include "util.h"

#define STEPPER_W 40

static void build(const struct step *s, struct vlines *l, int width, int spin)
{
	char *head = xasprintf("Step %d of %d: %s", s->number, STEP_COUNT, s->title ? s->title : "");
	vlines_add_safe(l, M_HEADING, 0, width, head);
	free(head);
	vlines_add_safe(l, status_meaning(s->status), 2, width, status_label(s->status, spin));
	if (s->summary)
		vlines_add(l, M_NORMAL, 2, width, s->summary);
	vlines_add_safe(l, M_NORMAL, 0, width, "");
	if (s->text.n)
		vlines_add_textlines(l, &s->text, 0, width);
	else
		vlines_add_safe(l, M_DIM, 2, width, s->status == STATUS_PENDING ? "waiting for the checks..." : "nothing more to say");
}

void walk_draw(struct tui *t)
{
	struct audit *a = t->audit;
	draw_titlebar(t, "walkthrough");
	draw_statusbar(t, draw_ascii ? "n/p step|j/k scroll|1-6 jump|c copy fix|e what-if|w watch|Esc back"
	                             : "←→ step|↑↓ scroll|1-6 jump|c copy fix|e what-if|w watch|Esc back");
	if (!a)
		return;
	if (t->step < 0)
		t->step = 0;
	if (t->step >= STEP_COUNT)
		t->step = STEP_COUNT - 1;
	int top = 1, height = t->rows - 2, bx, bw;
	bool wide = t->cols >= 90;
	if (wide) {
		for (int i = 0; i < STEP_COUNT; i++) {
			const struct step *s = &a->steps[i];
			int y = top + 1 + i * 2;
			if (y >= top + height)
				break;
			bool cur = i == t->step;
			attr_t base = theme_attr(cur ? M_SELECTION : M_NORMAL);
			if (cur)
				draw_fill(stdscr, y, 0, STEPPER_W, base);
			char num[16];
			snprintf(num, sizeof(num), "%s %d ", cur ? (draw_ascii ? ">" : "▶") : " ", s->number);
			int x = draw_str(stdscr, y, 0, STEPPER_W, base, num);
			int lx = x;
			x += draw_str(stdscr, y, x, STEPPER_W - x, theme_attr(status_meaning(s->status)), status_label(s->status, t->spin));
			x = lx + 10 > x ? lx + 10 : x + 1;
			draw_str(stdscr, y, x, STEPPER_W - x, base | (cur ? A_BOLD : 0), s->title ? s->title : "");
			if (a->first_step == s->number && y + 1 < top + height)
				draw_str(stdscr, y + 1, lx + 10, STEPPER_W - lx - 10, theme_attr(M_DIM), "(start here)");
		}
		wattrset(stdscr, theme_attr(M_BORDER));
		if (draw_ascii)
			mvwvline(stdscr, top, STEPPER_W, '|', height);
		else
			mvwvline_set(stdscr, top, STEPPER_W, WACS_VLINE, height);
		wattrset(stdscr, A_NORMAL);
		bx = STEPPER_W + 2;
	} else {
		/* one line: "1✔ 2✖ [3▲] 4… 5✔ 6…" */
		int x = 1;
		for (int i = 0; i < STEP_COUNT; i++) {
			const struct step *s = &a->steps[i];
			char cell[48];
			const char *lbl = status_label(s->status, t->spin);
			snprintf(cell, sizeof(cell), i == t->step ? "[%d %s]" : " %d %s ", s->number, lbl);
			x += draw_str(stdscr, top, x, t->cols - x, theme_attr(i == t->step ? M_SELECTION : status_meaning(s->status)), cell);
		}
		top++;
		height--;
		bx = 1;
	}
	bw = t->cols - bx - 1;
	struct vlines l = {0};
	build(&a->steps[t->step], &l, bw, t->spin);
	if (t->step == STEP_COUNT - 1) {
		/* Watch mode: per proposed record, how many nameservers serve it. */
		vlines_add_safe(&l, M_NORMAL, 0, bw, "");
		if (t->fw) {
			struct textlines wl = {0};
			flow_watch_lines(t->fw, &wl);
			vlines_add_textlines(&l, &wl, 0, bw);
			textlines_free(&wl);
		} else {
			vlines_add_safe(&l, M_DIM, 0, bw,
			                t->watch ? "Watch: waiting for the audit to finish..."
			                         : "w: watch - re-run every few seconds and ask each nameserver whether the "
			                           "fix is there.   e: what-if - edit the SPF / DMARC record and evaluate it "
			                           "before publishing.");
		}
	}
	vlines_add_safe(&l, M_NORMAL, 0, bw, "");
	vlines_add_safe(&l, M_DIM, 0, bw,
	                t->step + 1 < STEP_COUNT ? (draw_ascii ? "n or -> : next step   p or <- : previous" : "→ next step   ← previous")
	                                         : (draw_ascii ? "last step   p or <- : previous" : "last step   ← previous"));
	t->walk_lines = (int)l.n;
	if (t->walk_scroll > (int)l.n - height)
		t->walk_scroll = (int)l.n - height;
	if (t->walk_scroll < 0)
		t->walk_scroll = 0;
	for (int i = 0; i < height && (size_t)(i + t->walk_scroll) < l.n; i++)
		vline_draw(stdscr, top + i, bx, bw, &l.v[i + t->walk_scroll], NULL);
	vlines_free(&l);
}

static void copy_step(struct tui *t)
{
	const struct step *s = &t->audit->steps[t->step];
	struct strbuf b;
	strbuf_init(&b);
	for (size_t i = 0; i < s->text.n; i++)
		if (s->text.v[i].style == LINE_CODE) {
			strbuf_adds(&b, s->text.v[i].text);
			strbuf_addc(&b, '\n');
		}
	if (!b.len)
		tui_message(t, "nothing to copy in this step");
	else
		tui_copy(t, b.s);
	strbuf_free(&b);
}

void walk_key(struct tui *t, wint_t ch, bool is_key)
{
	int old = t->step;
	if (!t->audit)
		return;
	if (is_key) {
		switch (ch) {
		case KEY_RIGHT: t->step++; break;
		case KEY_LEFT: t->step--; break;
		case KEY_BTAB: t->step--; break;
		case KEY_UP: t->walk_scroll--; break;
		case KEY_DOWN: t->walk_scroll++; break;
		case KEY_PPAGE: t->walk_scroll -= t->rows / 2; break;
		case KEY_NPAGE: t->walk_scroll += t->rows / 2; break;
		default: break;
		}
	} else {
		switch (ch) {
		case 'l':
		case 'n':
		case '\t':
		case ' ': t->step++; break;
		case 'h':
		case 'p': t->step--; break;
		case 'k': t->walk_scroll--; break;
		case 'j': t->walk_scroll++; break;
		case 'c': copy_step(t); break;
		case 'e': whatif_open(t, false); break;
		case 'q':
		case 27: t->screen = SCREEN_DASHBOARD; break;
		default:
			if (ch >= '1' && ch <= '6')
				t->step = (int)(ch - '1');
			break;
		}
	}
	if (t->step < 0)
		t->step = 0;
	if (t->step >= STEP_COUNT)
		t->step = STEP_COUNT - 1;
	if (t->step != old)
		t->walk_scroll = 0;
}
