/* test_theme.c - the theme file format, and every shipped theme file.
 *
 * Runs without a terminal: with colours not started, theme_load() keeps
 * only attributes, which is enough to check that each file parses cleanly
 * and that the themes meant for screen shares and monochrome terminals
 * still set the verdicts apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui_int.h"

static void parse_ok(const char *line, int want_m, short want_fg, short want_bg, attr_t want_a)
{
	int m;
	short fg, bg;
	attr_t a;
	const char *why = NULL;
	assert_true(theme_parse_line(line, &m, &fg, &bg, &a, &why));
	assert_int_equal(m, want_m);
	assert_int_equal(fg, want_fg);
	assert_int_equal(bg, want_bg);
	assert_int_equal(a, want_a);
}

static void parse_bad(const char *line)
{
	int m;
	short fg, bg;
	attr_t a;
	const char *why = NULL;
	assert_false(theme_parse_line(line, &m, &fg, &bg, &a, &why));
	assert_non_null(why);
}

static void test_parse(void **state)
{
	(void)state;
	parse_ok("status.fail = red default bold", M_FAIL, COLOR_RED, -1, A_BOLD);
	parse_ok("  border.focus=brightcyan 236 bold underline # comment", M_BORDER_FOCUS, 14, 236, A_BOLD | A_UNDERLINE);
	parse_ok("normal = 15 0", M_NORMAL, 15, 0, A_NORMAL);
	parse_ok("title = reverse", M_TITLE, -1, -1, A_REVERSE); /* attributes only */
	parse_ok("STATUS.PASS = Green default", M_PASS, COLOR_GREEN, -1, A_NORMAL);
	parse_ok("# only a comment", -1, -1, -1, A_NORMAL);
	parse_ok("", -1, -1, -1, A_NORMAL);
	parse_bad("status.fial = red");          /* unknown meaning */
	parse_bad("status.fail = red default blinky"); /* unknown attribute */
	parse_bad("status.fail = 256");          /* out of range */
	parse_bad("status.fail red");            /* no '=' */
	parse_bad(" = red");
}

static void test_meaning_names_unique(void **state)
{
	(void)state;
	for (int i = 0; i < M_COUNT; i++) {
		assert_string_not_equal(theme_meaning_name(i), "?");
		for (int j = i + 1; j < M_COUNT; j++)
			assert_string_not_equal(theme_meaning_name(i), theme_meaning_name(j));
	}
}

static void test_shipped_themes(void **state)
{
	(void)state;
	static const char *const names[] = {"default", "light", "high-contrast", "colorblind", "mono"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *err = NULL;
		bool ok = theme_load(names[i], &err);
		if (err)
			fprintf(stderr, "# %s: %s\n", names[i], err);
		assert_true(ok);
		assert_null(err); /* every line of every shipped theme parses */
		assert_string_equal(theme_current(), names[i]);
	}
	/* mono has only attributes: the verdicts must still differ from normal
	 * text and from each other's emphasis where it matters */
	char *err = NULL;
	assert_true(theme_load("mono", &err));
	assert_true(theme_attr(M_FAIL) != theme_attr(M_NORMAL));
	assert_true(theme_attr(M_FAIL) != theme_attr(M_PASS));
	assert_true(theme_attr(M_SELECTION) != theme_attr(M_NORMAL));
	theme_free();
}

static void test_unknown_and_cycle(void **state)
{
	(void)state;
	char *err = NULL;
	assert_false(theme_load("no-such-theme", &err));
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_false(theme_load("../etc/passwd", &err)); /* names, not paths */
	free(err);
	/* cycling visits all five and comes back */
	char *n = strdup("default");
	int steps = 0;
	do {
		char *next = theme_next(n);
		free(n);
		n = next;
		steps++;
	} while (strcmp(n, "default") != 0 && steps < 20);
	free(n);
	assert_int_equal(steps, 5);
	theme_free();
}

int main(void)
{
	/* only the source tree's themes: no user directory, no installed ones */
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_meaning_names_unique),
		cmocka_unit_test(test_shipped_themes),
		cmocka_unit_test(test_unknown_and_cycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
