/* tui.c - placeholder until the ncurses front end lands. */
#include <stdio.h>

#include "tui.h"

int tui_run(struct options *o)
{
	(void)o;
	fputs("mxaudit: the interactive screen is not built yet; use --json\n", stderr);
	return 1;
}
