/* tui.h - the interactive terminal front end. */
#ifndef MXAUDIT_TUI_H
#define MXAUDIT_TUI_H

#include "options.h"

/* Run the interactive UI until the operator quits; returns the exit code. */
int tui_run(struct options *o);

#endif
