/* main.c - mxaudit's entry point: parse the command line, then either run
 * the interactive UI or one audit without a terminal and print a report. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "evloop.h"
#include "options.h"
#include "report.h"
#include "resolver.h"
#include "tui.h"

int main(int argc, char **argv)
{
	struct options o;
	char *err = NULL;
	setlocale(LC_ALL, "");
	/* A probe writing to a server that hung up must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	int rc = options_parse(&o, argc, argv, &err);
	if (rc) {
		fprintf(stderr, "mxaudit: %s\n", err);
		free(err);
		options_free(&o);
		return rc;
	}
	if (o.help) {
		fputs(options_usage, stdout);
		options_free(&o);
		return 0;
	}
	if (o.version) {
		printf("mxaudit %s\n", MXAUDIT_VERSION);
		options_free(&o);
		return 0;
	}
	if (o.mode == MODE_TUI) {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			fputs("mxaudit: the interactive screen needs a terminal; use --json or --report md\n", stderr);
			options_free(&o);
			return EXIT_USAGE;
		}
		rc = tui_run(&o);
	} else {
		rc = cli_run(&o);
	}
	options_free(&o);
	return rc;
}
