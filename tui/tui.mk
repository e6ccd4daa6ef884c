# tui/tui.mk - the ncurses front end and main().
mxaudit_SOURCES += tui/main.c tui/tui.h tui/tui.c
