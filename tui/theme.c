/* theme.c - colour schemes as data.
 *
 * The code names meanings (enum meaning, htop's CRT.c idea); a theme file
 * maps each meaning to a foreground, a background and attributes:
 *
 *     # comment
 *     status.fail = brightred default bold
 *     border.focus = 39 default bold      # 256-colour index
 *
 * Files are NAME.theme, looked up in $XDG_CONFIG_HOME/mxaudit/themes, then
 * $MXAUDIT_THEMEDIR, then the installed data directory.  On an 8-colour
 * terminal 256-colour indexes are folded onto the nearest basic colour; with
 * NO_COLOR or no colour support only the attributes are used, which is why
 * every meaning that matters (statuses) is also carried by a word. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui_int.h"
#include "util.h"

#ifndef MXAUDIT_DATADIR
#define MXAUDIT_DATADIR "/usr/local/share/mxaudit"
#endif

static const char *const meaning_names[M_COUNT] = {
	[M_NORMAL] = "normal",
	[M_TITLE] = "title",
	[M_STATUSBAR] = "statusbar",
	[M_KEY] = "key",
	[M_BORDER] = "border",
	[M_BORDER_FOCUS] = "border.focus",
	[M_PANE_TITLE] = "pane.title",
	[M_PENDING] = "status.pending",
	[M_PASS] = "status.pass",
	[M_WARN] = "status.warn",
	[M_FAIL] = "status.fail",
	[M_ERROR] = "status.error",
	[M_SKIP] = "status.skip",
	[M_DIM] = "dim",
	[M_HEADING] = "heading",
	[M_CODE] = "code",
	[M_MATCH] = "match",
	[M_SELECTION] = "selection",
	[M_LABEL] = "form.label",
	[M_FIELD] = "form.field",
	[M_FIELD_FOCUS] = "form.field.focus",
	[M_INVALID] = "form.invalid",
	[M_SEARCH] = "search",
	[M_OVERLAY] = "overlay",
};

/* Used when no theme file can be found at all, so a broken installation
 * still shows a usable screen. */
static const char *const builtin_default[] = {
	"normal = default default",
	"title = black cyan",
	"statusbar = black white",
	"key = blue white bold",
	"border = blue default",
	"border.focus = brightcyan default bold",
	"pane.title = default default bold",
	"status.pending = cyan default",
	"status.pass = green default bold",
	"status.warn = yellow default bold",
	"status.fail = red default bold",
	"status.error = magenta default bold",
	"status.skip = default default dim",
	"dim = default default dim",
	"heading = cyan default bold",
	"code = yellow default",
	"match = brightyellow default bold",
	"selection = black cyan",
	"form.label = default default bold",
	"form.field = default default underline",
	"form.field.focus = black cyan",
	"form.invalid = red default bold",
	"search = black yellow",
	"overlay = default default",
};

static struct {
	bool colors;   /* colour pairs usable */
	char *name;
	short nfg, nbg; /* the theme's normal colours: what "default" means in it */
	attr_t attr[M_COUNT];
} theme;

const char *theme_meaning_name(enum meaning m)
{
	return (unsigned)m < M_COUNT ? meaning_names[m] : "?";
}

void theme_setup(bool no_color)
{
	theme.colors = false;
	if (!no_color && has_colors() && start_color() == OK) {
		use_default_colors();
		theme.colors = COLOR_PAIRS > M_COUNT;
	}
	for (int i = 0; i < M_COUNT; i++)
		theme.attr[i] = A_NORMAL;
}

attr_t theme_attr(enum meaning m)
{
	return (unsigned)m < M_COUNT ? theme.attr[m] : A_NORMAL;
}

const char *theme_current(void)
{
	return theme.name ? theme.name : "builtin";
}

void theme_free(void)
{
	free(theme.name);
	theme.name = NULL;
}

static const char *const color_names[8] = {"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"};

static bool parse_color(const char *s, short *out)
{
	if (!strcasecmp(s, "default") || !strcmp(s, "-1")) {
		*out = -1;
		return true;
	}
	for (int i = 0; i < 8; i++) {
		if (!strcasecmp(s, color_names[i])) {
			*out = (short)i;
			return true;
		}
		if (!strncasecmp(s, "bright", 6) && !strcasecmp(s + 6, color_names[i])) {
			*out = (short)(i + 8);
			return true;
		}
	}
	char *end;
	long v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0 && v <= 255) {
		*out = (short)v;
		return true;
	}
	return false;
}

static bool parse_attr(const char *s, attr_t *a)
{
	static const struct {
		const char *name;
		attr_t attr;
	} attrs[] = {
		{"none", A_NORMAL}, {"bold", A_BOLD}, {"dim", A_DIM}, {"reverse", A_REVERSE}, {"underline", A_UNDERLINE},
		{"standout", A_STANDOUT}, {"italic", A_ITALIC}, {"blink", A_BLINK},
	};
	for (size_t i = 0; i < ARRAY_LEN(attrs); i++)
		if (!strcasecmp(s, attrs[i].name)) {
			*a |= attrs[i].attr;
			return true;
		}
	return false;
}

bool theme_parse_line(const char *line, int *meaning, short *fg, short *bg, attr_t *attrs, const char **why)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", line);
	char *hash = strchr(buf, '#');
	if (hash)
		*hash = 0;
	char *eq = strchr(buf, '=');
	*meaning = -1;
	*fg = *bg = -1;
	*attrs = A_NORMAL;
	char *save = NULL;
	if (!eq) {
		if (strtok_r(buf, " \t\r\n", &save)) {
			*why = "expected 'meaning = fg bg attributes'";
			return false;
		}
		return true; /* blank or comment: *meaning stays -1 */
	}
	*eq = 0;
	char *key = strtok_r(buf, " \t", &save);
	if (!key) {
		*why = "missing meaning before '='";
		return false;
	}
	for (int i = 0; i < M_COUNT; i++)
		if (!strcasecmp(key, meaning_names[i]))
			*meaning = i;
	if (*meaning < 0) {
		*why = "unknown meaning";
		return false;
	}
	int n = 0;
	for (char *tok = strtok_r(eq + 1, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save), n++) {
		if (n == 0 && parse_color(tok, fg))
			continue;
		if (n == 1 && parse_color(tok, bg))
			continue;
		if (n < 2)
			n = 2; /* colours may be left out: attributes only */
		if (!parse_attr(tok, attrs)) {
			*why = "unknown colour or attribute";
			return false;
		}
	}
	return true;
}

/* Fold a colour index onto what the terminal has. */
static short fit_color(short c, attr_t *extra, bool is_fg)
{
	if (c < 0 || c < COLORS)
		return c;
	if (c < 16) {
		if (is_fg)
			*extra |= A_BOLD; /* bright = bold on 8-colour terminals */
		return (short)(c - 8);
	}
	if (c >= 232) /* grey ramp */
		return c >= 244 ? COLOR_WHITE : COLOR_BLACK;
	int v = c - 16, r = v / 36, g = (v / 6) % 6, b = v % 6;
	short basic = (short)((r >= 3 ? COLOR_RED : 0) | (g >= 3 ? COLOR_GREEN : 0) | (b >= 3 ? COLOR_BLUE : 0));
	if (is_fg && (r >= 4 || g >= 4 || b >= 4) && basic != COLOR_WHITE)
		*extra |= A_BOLD;
	return basic;
}

static void theme_set(int m, short fg, short bg, attr_t attrs)
{
	if (m == M_NORMAL) {
		theme.nfg = fg;
		theme.nbg = bg;
	} else {
		fg = fg < 0 ? theme.nfg : fg;
		bg = bg < 0 ? theme.nbg : bg;
	}
	if (theme.colors && (fg >= 0 || bg >= 0 || m == M_NORMAL)) {
		attr_t extra = 0;
		fg = fit_color(fg, &extra, true);
		bg = fit_color(bg, &extra, false);
		init_pair((short)(m + 1), fg, bg);
		theme.attr[m] = COLOR_PAIR(m + 1) | attrs | extra;
	} else {
		theme.attr[m] = attrs;
	}
}

static char *theme_dir(int i)
{
	const char *e;
	switch (i) {
	case 0:
		if ((e = getenv("XDG_CONFIG_HOME")) && *e)
			return xasprintf("%s/mxaudit/themes", e);
		if ((e = getenv("HOME")) && *e)
			return xasprintf("%s/.config/mxaudit/themes", e);
		return NULL;
	case 1:
		return (e = getenv("MXAUDIT_THEMEDIR")) && *e ? xstrdup(e) : NULL;
	case 2:
		return xstrdup(MXAUDIT_DATADIR "/themes");
	default:
		return NULL;
	}
}

static bool name_ok(const char *name)
{
	if (!*name || *name == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') && *p != '-' &&
		    *p != '_' && *p != '.')
			return false;
	return true;
}

static void apply_lines(const char *const *lines, size_t n, bool *seen)
{
	for (size_t i = 0; i < n; i++) {
		int m;
		short fg, bg;
		attr_t a;
		const char *why;
		if (theme_parse_line(lines[i], &m, &fg, &bg, &a, &why) && m >= 0) {
			theme_set(m, fg, bg, a);
			if (seen)
				seen[m] = true;
		}
	}
}

bool theme_load(const char *name, char **err)
{
	if (!name_ok(name)) {
		*err = xasprintf("'%s' is not a theme name", name);
		return false;
	}
	FILE *f = NULL;
	char *path = NULL;
	for (int i = 0; i < 3 && !f; i++) {
		char *dir = theme_dir(i);
		if (!dir)
			continue;
		free(path);
		path = xasprintf("%s/%s.theme", dir, name);
		free(dir);
		f = fopen(path, "r");
	}
	if (!f) {
		free(path);
		if (!strcmp(name, "default")) { /* nothing installed: built-in */
			theme.nfg = theme.nbg = -1;
			apply_lines(builtin_default, ARRAY_LEN(builtin_default), NULL);
			free(theme.name);
			theme.name = xstrdup("default");
			return true;
		}
		*err = xasprintf("theme '%s' not found", name);
		return false;
	}
	bool seen[M_COUNT] = {false};
	theme.nfg = theme.nbg = -1;
	char line[512];
	int lineno = 0;
	char *bad = NULL;
	short nfg = -1, nbg = -1;
	attr_t na = A_NORMAL;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		int m;
		short fg, bg;
		attr_t a;
		const char *why;
		if (!theme_parse_line(line, &m, &fg, &bg, &a, &why)) {
			if (!bad)
				bad = xasprintf("%s:%d: %s", path, lineno, why);
			continue;
		}
		if (m < 0)
			continue;
		theme_set(m, fg, bg, a);
		seen[m] = true;
		if (m == M_NORMAL)
			nfg = fg, nbg = bg, na = a;
	}
	fclose(f);
	free(path);
	/* Meanings a theme leaves out look like normal text. */
	for (int m = 0; m < M_COUNT; m++)
		if (!seen[m])
			theme_set(m, nfg, nbg, na);
	if (theme.colors)
		bkgdset(' ' | theme.attr[M_NORMAL]);
	free(theme.name);
	theme.name = xstrdup(name);
	if (bad) {
		/* The theme still loads; the operator learns which line is wrong. */
		*err = bad;
		return true;
	}
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *theme_next(const char *cur)
{
	struct strlist names = {0};
	for (int i = 0; i < 3; i++) {
		char *dir = theme_dir(i);
		DIR *d = dir ? opendir(dir) : NULL;
		free(dir);
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);
			if (n <= 6 || strcmp(e->d_name + n - 6, ".theme") != 0)
				continue;
			char *nm = xstrndup(e->d_name, n - 6);
			if (name_ok(nm) && !strlist_contains_ci(&names, nm))
				strlist_take(&names, nm);
			else
				free(nm);
		}
		closedir(d);
	}
	if (!names.n) {
		strlist_free(&names);
		return xstrdup("default");
	}
	qsort(names.v, names.n, sizeof(char *), cmp_str);
	size_t i = 0;
	while (i < names.n && strcmp(names.v[i], cur) <= 0)
		i++;
	char *r = xstrdup(names.v[i < names.n ? i : 0]);
	strlist_free(&names);
	return r;
}
