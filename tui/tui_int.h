/* tui_int.h - what the front end's files share: the one struct tui, the
 * theme meanings and the drawing helpers.  Nothing outside tui/ includes it. */
#ifndef MXAUDIT_TUI_INT_H
#define MXAUDIT_TUI_INT_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit.h"
#include "options.h"
#include "resolver.h"
#include "textlines.h"

struct evloop;
struct evtimer;
struct form;
struct flow_watch;
struct whatif;

/* What a colour or attribute is for (htop's CRT.c idea): the themes map
 * each meaning to fg, bg and attributes; code only ever names meanings. */
enum meaning {
	M_NORMAL = 0,
	M_TITLE,        /* top bar */
	M_STATUSBAR,    /* bottom bar */
	M_KEY,          /* a key name in hints */
	M_BORDER,       /* pane frame */
	M_BORDER_FOCUS, /* the focused pane's frame */
	M_PANE_TITLE,
	M_PENDING,
	M_PASS,
	M_WARN,
	M_FAIL,
	M_ERROR,
	M_SKIP,
	M_DIM,
	M_HEADING,
	M_CODE,
	M_MATCH,
	M_SELECTION,
	M_LABEL,       /* form labels */
	M_FIELD,       /* form input */
	M_FIELD_FOCUS, /* form input with the cursor */
	M_INVALID,     /* inline validation message */
	M_SEARCH,      /* search hit */
	M_OVERLAY,     /* help / copy popups */
	M_COUNT
};

/* ---- theme.c ---- */
const char *theme_meaning_name(enum meaning m);
/* Start colours (after initscr); no_color: NO_COLOR set or a mono terminal. */
void theme_setup(bool no_color);
/* Load a theme by name from the theme directories; false + *err if none. */
bool theme_load(const char *name, char **err);
/* Parse one "meaning = fg bg attrs" line into the arguments; false + *why. */
bool theme_parse_line(const char *line, int *meaning, short *fg, short *bg, attr_t *attrs, const char **why);
const char *theme_current(void);
/* The name after cur among the themes found (wraps); allocated. */
char *theme_next(const char *cur);
attr_t theme_attr(enum meaning m);
void theme_free(void);

/* ---- draw.c ---- */
extern bool draw_ascii; /* no box drawing, no symbols */

/* Draw our own (already safe) text at y,x in at most maxw columns; wide
 * characters measured with wcwidth.  Returns the columns used. */
int draw_str(WINDOW *w, int y, int x, int maxw, attr_t a, const char *s);
/* Same for text from the model: sanitised first. */
int draw_raw(WINDOW *w, int y, int x, int maxw, attr_t a, const char *raw);
/* Columns s takes on screen. */
int str_width(const char *s);
void draw_fill(WINDOW *w, int y, int x, int n, attr_t a);
void draw_box(WINDOW *w, int y, int x, int h, int wd, attr_t a);
/* "✔ PASS" / "[PASS]"; spin animates pending. */
const char *status_label(enum status s, int spin);
enum meaning status_meaning(enum status s);
enum meaning style_meaning(enum line_style st);
/* Sanitise for display in this mode (UTF-8 or ASCII); allocated. */
char *safe_text(const char *raw, bool keep_newlines);

/* Visual lines: text wrapped to a width, ready to draw. */
struct vline {
	char *text; /* safe */
	enum meaning m;
	int indent; /* columns */
};
struct vlines {
	struct vline *v;
	size_t n, cap;
};
/* Add raw text (sanitised here), wrapped to width; continuation lines get
 * the same indent. */
void vlines_add(struct vlines *l, enum meaning m, int indent, int width, const char *raw);
/* Add our own text (no sanitising needed, still wrapped). */
void vlines_add_safe(struct vlines *l, enum meaning m, int indent, int width, const char *s);
void vlines_add_textlines(struct vlines *l, const struct textlines *t, int indent, int width);
void vlines_free(struct vlines *l);
/* Draw line i at y; highlight occurrences of needle (may be NULL). */
void vline_draw(WINDOW *w, int y, int x, int maxw, const struct vline *vl, const char *needle);

enum tui_screen { SCREEN_FORM, SCREEN_DASHBOARD, SCREEN_DETAIL, SCREEN_WALK };

struct tui {
	struct options *o;
	struct evloop *loop;
	struct audit *audit;
	enum tui_screen screen;
	bool running;
	int exit_signal;  /* SIGINT / SIGTERM that ended the run, or 0 */
	bool dirty;
	bool help;        /* help overlay shown */
	char *popup;      /* copy popup text (safe), or NULL */
	char *message;    /* one-line note in the status bar (safe), or NULL */
	int focus;        /* focused pane: enum check_id */
	int spin;         /* spinner frame */
	struct evtimer *spin_timer;
	struct evtimer *watch_timer;
	bool watch;
	int watch_secs;
	bool rerun;       /* start a new audit at the top of the next pass */
	bool mouse;
	int rows, cols;
	/* pane rectangles of the last dashboard draw (mouse hits) */
	int pane_y[CHECK_COUNT], pane_x[CHECK_COUNT], pane_h[CHECK_COUNT], pane_w[CHECK_COUNT];
	/* detail view */
	int detail_scroll;
	int detail_lines; /* lines in the last draw, for scrolling bounds */
	bool searching;
	char search[128];
	char last_search[128];
	/* walkthrough */
	int step; /* 0..5 */
	int walk_scroll;
	int walk_lines;
	struct form *form;
	/* watch mode: the fixes on every nameserver (flow.h) */
	struct flow_watch *fw;
	bool watch_synced;  /* fw has this audit's targets and a round started */
	struct resolver_config rcfg; /* from the options, for fw's resolvers */
	/* the what-if editor, when open (whatif.c) */
	struct whatif *whatif;
};

/* ---- tui.c ---- */
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Start (or restart) the audit of in. */
void tui_start_audit(struct tui *t, const struct audit_input *in);
/* Copy text to the clipboard with OSC 52 and show it in a popup. */
void tui_copy(struct tui *t, const char *text);
void draw_statusbar(struct tui *t, const char *hints);
void draw_titlebar(struct tui *t, const char *what);

/* ---- form.c ---- */
struct form *form_new(const struct audit_input *prefill);
void form_free(struct form *f);
void form_draw(struct tui *t, struct form *f);
/* Returns true when the form was submitted (in filled in). */
bool form_key(struct tui *t, struct form *f, wint_t ch, bool is_key, struct audit_input *in);
void form_mouse(struct tui *t, struct form *f, int y, int x);
/* Recent domains ($XDG_STATE_HOME/mxaudit/history). */
void history_add(const char *domain);

/* ---- dashboard.c ---- */
void dashboard_draw(struct tui *t);
void dashboard_key(struct tui *t, wint_t ch, bool is_key);
void dashboard_click(struct tui *t, int y, int x);

/* ---- detail.c ---- */
void detail_draw(struct tui *t);
void detail_key(struct tui *t, wint_t ch, bool is_key);
/* The lines of a check's detail view (also the dashboard's pane bodies). */
void detail_build(const struct check *c, struct vlines *out, int width, bool full);

/* ---- walkthrough.c ---- */
void walk_draw(struct tui *t);
void walk_key(struct tui *t, wint_t ch, bool is_key);

/* ---- whatif.c ---- */
/* Open the editor on the proposed SPF (or DMARC) record; it takes every
 * key until closed. */
void whatif_open(struct tui *t, bool dmarc);
void whatif_close(struct tui *t);
void whatif_key(struct tui *t, wint_t ch, bool is_key);
void whatif_draw(struct tui *t);

/* ---- help.c ---- */
/* A framed box of h x w centred on the screen (clipped); *y, *x its corner. */
void overlay_box(struct tui *t, int h, int w, int *y, int *x);
void help_draw(struct tui *t);
void popup_draw(struct tui *t, const char *title, const char *text);

#endif
