/* tui.c - the interactive front end: one event loop, screens, redraws.
 *
 * The terminal is one more descriptor in the audit's poll() loop
 * (evloop.h): stdin is read with wget_wch() in no-delay mode only when poll
 * says it is readable, and signals (Ctrl-C, SIGTERM, SIGWINCH) arrive
 * through a self-pipe.  Network callbacks never draw: they mark the audit
 * dirty and this loop redraws once per pass (tmux's way), with
 * wnoutrefresh()/doupdate() so only changed cells are sent - no flicker.
 * Timers run only while there is something to animate (the spinner while a
 * check is pending, watch mode), so an idle screen sleeps in poll(). */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "evloop.h"
#include "flow.h"
#include "resolver.h"
#include "tui.h"
#include "tui_int.h"
#include "util.h"

#define SPIN_MS 120
/* Watch mode re-runs the whole audit and asks every nameserver; 10 s lets
 * the operator see a fix land while still being a handful of queries a
 * second at most. */
#define WATCH_DEFAULT_SECS 10

static int sig_pipe[2] = {-1, -1};
static struct sigaction old_winch;
static volatile sig_atomic_t curses_on;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* pipe full: a signal of each kind is already queued */
	}
	if (sig == SIGWINCH && old_winch.sa_handler != SIG_DFL && old_winch.sa_handler != SIG_IGN &&
	    old_winch.sa_handler != NULL)
		old_winch.sa_handler(sig); /* ncurses' own: it turns this into KEY_RESIZE */
	errno = saved;
}

/* A crash must not leave the operator's terminal in raw mode with the
 * cursor hidden: restore it, then die the way we would have. */
static void on_crash(int sig)
{
	if (curses_on)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void signals_setup(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
}

/* After initscr(): wrap ncurses' SIGWINCH handler so a resize also wakes
 * poll() through the pipe. */
static void winch_setup(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, &old_winch);
}

static void signals_restore(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigaction(SIGWINCH, &old_winch, NULL);
}

void tui_message(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = xvasprintf(fmt, ap);
	va_end(ap);
	free(t->message);
	t->message = safe_text(raw, false);
	free(raw);
	t->dirty = true;
}

static void build_resolver_config(const struct options *o, struct resolver_config *cfg)
{
	options_resolver_config(o, cfg);
}

void tui_start_audit(struct tui *t, const struct audit_input *in)
{
	struct audit_input copy;
	audit_input_init(&copy);
	audit_input_copy(&copy, in); /* in may belong to the audit freed below */
	/* A re-run of the same domain (r, watch) keeps the operator where they
	 * are; another domain starts over. */
	bool same = t->audit && copy.domain && t->audit->in.domain && ascii_strcaseeq(copy.domain, t->audit->in.domain);
	if (t->audit) {
		/* Another domain: the watched records were the old one's. */
		if (t->fw && !same) {
			flow_watch_free(t->fw);
			t->fw = NULL;
		}
		audit_free(t->audit);
		t->audit = NULL;
	}
	t->watch_synced = false;
	if (t->watch_timer) {
		evloop_timer_cancel(t->loop, t->watch_timer);
		t->watch_timer = NULL;
	}
	struct resolver_config cfg;
	build_resolver_config(t->o, &cfg);
	char *err = NULL;
	struct resolver *res = resolver_new(t->loop, &cfg, &err);
	if (!res) {
		tui_message(t, "cannot start the resolver: %s", err ? err : "?");
		free(err);
		audit_input_free(&copy);
		return;
	}
	t->audit = audit_new(t->loop, res, &copy);
	audit_input_free(&copy);
	audit_start(t->audit);
	if (t->audit->in.domain)
		history_add(t->audit->in.domain);
	if (!same) {
		t->step = t->audit->first_step >= 1 && t->audit->first_step <= STEP_COUNT ? t->audit->first_step - 1 : 0;
		t->walk_scroll = 0;
		t->detail_scroll = 0;
	}
	t->dirty = true;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void tui_copy(struct tui *t, const char *text)
{
	/* OSC 52 reaches the clipboard of the operator's own terminal, also
	 * over SSH; base64 keeps whatever the text holds from being read as
	 * terminal commands. */
	size_t n = strlen(text);
	struct strbuf b;
	strbuf_init(&b);
	strbuf_adds(&b, "\033]52;c;");
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)text[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)text[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)text[i + 2];
		strbuf_addc(&b, b64[(v >> 18) & 63]);
		strbuf_addc(&b, b64[(v >> 12) & 63]);
		strbuf_addc(&b, i + 1 < n ? b64[(v >> 6) & 63] : '=');
		strbuf_addc(&b, i + 2 < n ? b64[v & 63] : '=');
	}
	strbuf_adds(&b, "\a");
	if (write(STDOUT_FILENO, b.s, b.len) < 0) {
		/* the popup below still shows the text */
	}
	strbuf_free(&b);
	free(t->popup);
	t->popup = safe_text(text, true);
	t->dirty = true;
}

void draw_titlebar(struct tui *t, const char *what)
{
	attr_t a = theme_attr(M_TITLE);
	draw_fill(stdscr, 0, 0, t->cols, a);
	int x = 1;
	x += draw_str(stdscr, 0, x, t->cols - x, a, "mxaudit");
	if (t->audit && t->audit->in.domain) {
		x += draw_str(stdscr, 0, x, t->cols - x, a, draw_ascii ? " - " : " · ");
		x += draw_raw(stdscr, 0, x, t->cols - x, a, t->audit->in.domain);
		if (t->audit->in.ip) {
			x += draw_str(stdscr, 0, x, t->cols - x, a, " ");
			x += draw_raw(stdscr, 0, x, t->cols - x, a, t->audit->in.ip);
		}
	}
	if (what) {
		x += draw_str(stdscr, 0, x, t->cols - x, a, draw_ascii ? " - " : " · ");
		x += draw_str(stdscr, 0, x, t->cols - x, a, what);
	}
	if (t->audit) {
		enum status st = t->audit->done ? audit_status(t->audit) : STATUS_PENDING;
		const char *lbl = status_label(st, t->spin);
		char right[96];
		snprintf(right, sizeof(right), "theme %s  overall ", theme_current());
		int rw = str_width(right) + str_width(lbl) + 1;
		if (t->cols - rw > x + 1) {
			int rx = t->cols - rw;
			rx += draw_str(stdscr, 0, rx, t->cols - rx, a, right);
			draw_str(stdscr, 0, rx, t->cols - rx, a | A_BOLD, lbl);
		}
	}
}

/* hints: "KEY label|KEY label|..." - keys drawn in the key colour. */
void draw_statusbar(struct tui *t, const char *hints)
{
	int y = t->rows - 1;
	attr_t a = theme_attr(M_STATUSBAR), k = theme_attr(M_KEY);
	draw_fill(stdscr, y, 0, t->cols, a);
	char left[160] = "";
	if (t->audit) {
		int64_t end = t->audit->done ? t->audit->done_ms : evloop_now(t->loop);
		long ms = (long)(end - t->audit->started_ms);
		size_t fl = t->audit->resolver ? resolver_in_flight(t->audit->resolver) : 0;
		char watch[64] = "";
		if (t->watch) {
			size_t n = t->fw ? flow_watch_count(t->fw) : 0, prop = 0;
			for (size_t i = 0; i < n; i++)
				prop += flow_watch_status(t->fw, i, NULL, NULL) == STATUS_PASS;
			if (n)
				snprintf(watch, sizeof(watch), " %s watch %ds, %zu/%zu propagated", draw_ascii ? "-" : "·",
				         t->watch_secs, prop, n);
			else
				snprintf(watch, sizeof(watch), " %s watch %ds", draw_ascii ? "-" : "·", t->watch_secs);
		}
		snprintf(left, sizeof(left), " %zu %s in flight %s %ld.%lds%s%s ", fl, fl == 1 ? "query" : "queries",
		         draw_ascii ? "-" : "·", ms / 1000, (ms % 1000) / 100, t->audit->done ? " done" : "", watch);
	}
	int x = draw_str(stdscr, y, 0, t->cols, a, left);
	if (t->message) {
		x += draw_str(stdscr, y, x, t->cols - x, a | A_BOLD, t->message);
		x += draw_str(stdscr, y, x, t->cols - x, a, "  ");
	}
	/* hints right-aligned when they fit, else from x */
	char *h = xstrdup(hints ? hints : "");
	int hw = str_width(h) + 1;
	int hx = t->cols - hw > x ? t->cols - hw : x;
	char *save = NULL;
	for (char *tok = strtok_r(h, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		char *sp = strchr(tok, ' ');
		if (sp)
			*sp = 0;
		hx += draw_str(stdscr, y, hx, t->cols - hx, k, tok);
		if (sp) {
			hx += draw_str(stdscr, y, hx, t->cols - hx, a, " ");
			hx += draw_str(stdscr, y, hx, t->cols - hx, a, sp + 1);
		}
		hx += draw_str(stdscr, y, hx, t->cols - hx, a, " ");
	}
	free(h);
}

static void draw(struct tui *t)
{
	getmaxyx(stdscr, t->rows, t->cols);
	werase(stdscr);
	curs_set(0);
	if (t->rows < 3 || t->cols < 20) {
		draw_str(stdscr, 0, 0, t->cols, A_BOLD, "mxaudit: window too small");
	} else {
		switch (t->screen) {
		case SCREEN_FORM: form_draw(t, t->form); break;
		case SCREEN_DASHBOARD: dashboard_draw(t); break;
		case SCREEN_DETAIL: detail_draw(t); break;
		case SCREEN_WALK: walk_draw(t); break;
		}
		if (t->help)
			help_draw(t);
		if (t->popup)
			popup_draw(t, draw_ascii ? "Copied to the clipboard (OSC 52) - also here to copy by hand"
			                         : "Copied to the clipboard (OSC 52) — also here to copy by hand",
			           t->popup);
		else if (t->whatif && !t->help)
			whatif_draw(t); /* last: it leaves the cursor in its field */
	}
	wnoutrefresh(stdscr);
	doupdate();
}

static void spin_tick(void *arg)
{
	struct tui *t = arg;
	t->spin_timer = NULL;
	t->spin++;
	t->dirty = true;
}

static void watch_tick(void *arg)
{
	struct tui *t = arg;
	t->watch_timer = NULL;
	t->rerun = true; /* not from here: this runs inside the loop's dispatch */
}

static void open_form(struct tui *t)
{
	form_free(t->form);
	t->form = form_new(t->audit ? &t->audit->in : &t->o->in);
	t->screen = SCREEN_FORM;
	t->dirty = true;
}

static void cycle_theme(struct tui *t)
{
	char *next = theme_next(theme_current());
	char *err = NULL;
	if (!theme_load(next, &err) || err)
		tui_message(t, "%s", err ? err : "theme not found");
	else
		tui_message(t, "theme: %s", next);
	free(err);
	free(next);
	/* colours of every cell change: repaint all of it */
	clearok(curscr, TRUE);
	t->dirty = true;
}

static void handle_mouse(struct tui *t)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
	if (t->help || t->popup) {
		if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)) {
			t->help = false;
			free(t->popup);
			t->popup = NULL;
			t->dirty = true;
		}
		return;
	}
	bool up = ev.bstate & BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
	bool down = ev.bstate & BUTTON5_PRESSED;
#else
	bool down = false;
#endif
	if (up || down) {
		wint_t key = up ? KEY_UP : KEY_DOWN;
		for (int i = 0; i < 3; i++) {
			if (t->screen == SCREEN_DETAIL)
				detail_key(t, key, true);
			else if (t->screen == SCREEN_WALK)
				walk_key(t, key, true);
		}
		if (t->screen == SCREEN_DASHBOARD)
			dashboard_key(t, key, true);
		/* Scrolling changed the view: without this an idle screen (no
		 * spinner, no network) would not redraw until the next key. */
		t->dirty = true;
		return;
	}
	if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)) {
		if (t->screen == SCREEN_DASHBOARD) {
			/* a click focuses; a click on the focused pane opens it
			 * (double clicks need a mouse interval, which delays keys) */
			int before = t->focus;
			dashboard_click(t, ev.y, ev.x);
			if (t->focus == before && t->pane_h[before] > 0 && ev.y >= t->pane_y[before] &&
			    ev.y < t->pane_y[before] + t->pane_h[before] && ev.x >= t->pane_x[before] &&
			    ev.x < t->pane_x[before] + t->pane_w[before])
				dashboard_key(t, '\n', false);
		} else if (t->screen == SCREEN_FORM) {
			form_mouse(t, t->form, ev.y, ev.x);
		}
	}
}

static void handle_key(struct tui *t, wint_t ch, bool is_key)
{
	if (is_key && ch == KEY_MOUSE) {
		handle_mouse(t);
		return;
	}
	if (t->popup || t->help) {
		/* any key closes an overlay */
		free(t->popup);
		t->popup = NULL;
		t->help = false;
		t->dirty = true;
		return;
	}
	free(t->message);
	t->message = NULL;
	t->dirty = true;
	if (t->whatif) {
		whatif_key(t, ch, is_key);
		return;
	}
	if (t->screen == SCREEN_FORM) {
		struct audit_input in;
		audit_input_init(&in);
		if (form_key(t, t->form, ch, is_key, &in)) {
			tui_start_audit(t, &in);
			form_free(t->form);
			t->form = NULL;
			t->screen = SCREEN_DASHBOARD;
		}
		audit_input_free(&in);
		return;
	}
	if (t->screen == SCREEN_DETAIL && t->searching) {
		detail_key(t, ch, is_key);
		return;
	}
	if (!is_key) {
		switch (ch) {
		case '?': t->help = true; return;
		case 't': cycle_theme(t); return;
		case 'r':
			if (t->audit)
				t->rerun = true;
			return;
		case 'w':
			t->watch = !t->watch;
			if (!t->watch && t->watch_timer) {
				evloop_timer_cancel(t->loop, t->watch_timer);
				t->watch_timer = NULL;
			}
			if (!t->watch) {
				/* From a key, not a callback: its checks may be cancelled. */
				flow_watch_free(t->fw);
				t->fw = NULL;
			}
			t->watch_synced = false;
			tui_message(t,
			            t->watch ? "watch: re-running every %d s and asking each nameserver (step 6)" : "watch off",
			            t->watch_secs);
			return;
		case 'n':
			if (t->screen == SCREEN_DASHBOARD) {
				open_form(t);
				return;
			}
			break;
		case 's':
			if (t->audit && t->screen != SCREEN_WALK) {
				t->screen = SCREEN_WALK;
				t->step = t->audit->first_step >= 1 && t->audit->first_step <= STEP_COUNT ? t->audit->first_step - 1
				                                                                          : 0;
				t->walk_scroll = 0;
				return;
			}
			break;
		default: break;
		}
	}
	switch (t->screen) {
	case SCREEN_DASHBOARD: dashboard_key(t, ch, is_key); break;
	case SCREEN_DETAIL: detail_key(t, ch, is_key); break;
	case SCREEN_WALK: walk_key(t, ch, is_key); break;
	default: break;
	}
}

/* Drain everything the terminal has; bursts of resizes become one. */
static void read_input(struct tui *t)
{
	bool resized = false;
	wint_t ch;
	int r;
	while (t->running && (r = wget_wch(stdscr, &ch)) != ERR) {
		if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			resized = true;
			continue;
		}
		handle_key(t, ch, r == KEY_CODE_YES);
	}
	if (resized) {
		getmaxyx(stdscr, t->rows, t->cols);
		t->dirty = true;
	}
}

static void on_stdin(int fd, short revents, void *arg)
{
	struct tui *t = arg;
	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		t->running = false; /* the terminal went away */
		return;
	}
	read_input(t);
}

static void on_sigpipe(int fd, short revents, void *arg)
{
	struct tui *t = arg;
	unsigned char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf));
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == SIGWINCH) {
			read_input(t); /* ncurses queued KEY_RESIZE */
		} else {
			t->running = false;
			t->exit_signal = buf[i];
		}
	}
}

static bool locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

int tui_run(struct options *o)
{
	struct tui t;
	memset(&t, 0, sizeof(t));
	t.o = o;
	t.running = true;
	t.watch_secs = WATCH_DEFAULT_SECS;
	const char *ws = getenv("MXAUDIT_WATCH_SECONDS");
	if (ws && atoi(ws) > 0)
		t.watch_secs = atoi(ws);
	draw_ascii = o->ascii || !locale_utf8();
	options_resolver_config(o, &t.rcfg);

	if (pipe(sig_pipe) != 0) {
		perror("mxaudit: pipe");
		return 1;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	/* Ours before initscr(), so ncurses leaves SIGINT/SIGTERM to us. */
	signals_setup();
	set_escdelay(25);
	if (!initscr()) {
		fputs("mxaudit: cannot initialise the terminal\n", stderr);
		return 1;
	}
	curses_on = 1;
	winch_setup();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	intrflush(stdscr, FALSE);
	const char *nc = getenv("NO_COLOR");
	bool no_color = nc && *nc;
	theme_setup(no_color && !o->theme);
	const char *want = o->theme ? o->theme : no_color ? "mono" : "default";
	char *err = NULL;
	if (!theme_load(want, &err)) {
		char *e2 = NULL;
		theme_load("default", &e2);
		free(e2);
	}
	if (err)
		tui_message(&t, "%s", err);
	free(err);
	if (!getenv("MXAUDIT_NO_MOUSE")) {
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
		                  | BUTTON5_PRESSED
#endif
		          ,
		          NULL);
		mouseinterval(0);
	}
	getmaxyx(stdscr, t.rows, t.cols);

	t.loop = evloop_new();
	evloop_io_set(t.loop, STDIN_FILENO, POLLIN, on_stdin, &t);
	evloop_io_set(t.loop, sig_pipe[0], POLLIN, on_sigpipe, &t);

	if (o->in.domain) {
		tui_start_audit(&t, &o->in);
		t.screen = SCREEN_DASHBOARD;
	} else {
		open_form(&t);
	}
	t.dirty = true;

	while (t.running) {
		if (t.rerun) {
			t.rerun = false;
			if (t.audit) {
				tui_start_audit(&t, &t.audit->in);
				if (!t.watch) /* watch says so in the status bar */
					tui_message(&t, "re-running");
			}
		}
		/* Watch mode: once the audit is done, take its fixes and ask the
		 * nameservers; a finished round is taken over here, in the main
		 * loop, never inside the resolver callbacks. */
		if (t.watch && t.audit && t.audit->done && !t.watch_synced) {
			if (!t.fw)
				t.fw = flow_watch_new(t.loop, &t.rcfg, &t.audit->in.connect_to, NULL);
			flow_watch_sync(t.fw, t.audit);
			flow_watch_check(t.fw);
			t.watch_synced = true;
			t.dirty = true;
		}
		if (t.fw && flow_watch_poll(t.fw))
			t.dirty = true;
		if (t.dirty || (t.audit && t.audit->dirty)) {
			draw(&t);
			t.dirty = false;
			if (t.audit)
				t.audit->dirty = false;
		}
		bool pending = t.audit && !t.audit->done;
		if (pending && !t.spin_timer)
			t.spin_timer = evloop_timer_add(t.loop, SPIN_MS, spin_tick, &t);
		if (t.audit && t.audit->done && t.watch && !t.watch_timer && !(t.fw && flow_watch_busy(t.fw)))
			t.watch_timer = evloop_timer_add(t.loop, (long)t.watch_secs * 1000, watch_tick, &t);
		evloop_run_once(t.loop, -1);
	}

	if (t.spin_timer)
		evloop_timer_cancel(t.loop, t.spin_timer);
	if (t.watch_timer)
		evloop_timer_cancel(t.loop, t.watch_timer);
	whatif_close(&t);
	flow_watch_free(t.fw);
	if (t.audit)
		audit_free(t.audit);
	form_free(t.form);
	evloop_io_remove(t.loop, STDIN_FILENO);
	evloop_io_remove(t.loop, sig_pipe[0]);
	evloop_free(t.loop);
	free(t.popup);
	free(t.message);
	theme_free();
	mousemask(0, NULL);
	endwin();
	curses_on = 0;
	signals_restore();
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	/* the shell convention for "ended by a signal" */
	return t.exit_signal ? 128 + t.exit_signal : 0;
}
