# tui/tui.mk - the ncurses front end, main(), and the themes it loads.
mxaudit_SOURCES += tui/main.c tui/tui.h tui/tui_int.h tui/tui.c tui/draw.c tui/theme.c tui/form.c \
	tui/dashboard.c tui/detail.c tui/walkthrough.c tui/help.c tui/whatif.c
dist_themes_DATA += themes/default.theme themes/light.theme themes/high-contrast.theme \
	themes/colorblind.theme themes/mono.theme

# Terminal tests: the real binary in tmux (tests/lib/testlib.sh).
TESTS += tests/tui-demo.sh tests/tui-form.sh tests/tui-watch.sh
EXTRA_DIST += tests/tui-demo.sh tests/tui-form.sh tests/tui-watch.sh

# README pictures and the script that renders them (docs/screenshots.sh).
EXTRA_DIST += docs/screenshots.sh docs/ansi2html.py docs/screenshots/dashboard.png docs/screenshots/detail.png \
	docs/screenshots/walkthrough.png docs/screenshots/high-contrast.png

# Unit test of the theme format and of every shipped theme file.
check_PROGRAMS += tui/test_theme
TESTS += tui/test_theme
tui_test_theme_SOURCES = tui/test_theme.c tui/theme.c
tui_test_theme_CFLAGS = $(TEST_CFLAGS) $(NCURSES_CFLAGS)
tui_test_theme_LDADD = $(TEST_LIBS) $(NCURSES_LIBS)
