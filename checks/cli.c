/* cli.c - audits without a terminal: one JSON or Markdown report, or batch. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evloop.h"
#include "report.h"
#include "resolver.h"

long audit_deadline_ms(const struct audit_input *in)
{
	/* Long enough for a chain of dependent steps each taking the full
	 * per-query timeout (include -> include -> ..., MX -> A -> TLS phases),
	 * short enough that a script never waits forever. */
	return (long)in->timeout_ms * 6 + 2000;
}

static void deadline_hit(void *arg)
{
	*(bool *)arg = true;
}

struct audit *cli_audit_run(struct evloop *loop, const struct options *o, char **err)
{
	struct resolver_config cfg;
	options_resolver_config(o, &cfg);
	struct resolver *res = resolver_new(loop, &cfg, err);
	if (!res)
		return NULL;
	struct audit *a = audit_new(loop, res, &o->in);
	bool expired = false;
	struct evtimer *t = evloop_timer_add(loop, audit_deadline_ms(&o->in), deadline_hit, &expired);
	audit_start(a);
	while (!a->done && !expired)
		if (!evloop_run_once(loop, -1))
			break;
	if (!expired)
		evloop_timer_cancel(loop, t);
	else
		a->done_ms = evloop_now(loop);
	return a;
}

static int write_out(const struct options *o, const char *text)
{
	FILE *f = stdout;
	if (o->output_file && strcmp(o->output_file, "-") != 0) {
		f = fopen(o->output_file, "w");
		if (!f) {
			fprintf(stderr, "mxaudit: cannot write %s\n", o->output_file);
			return EXIT_USAGE;
		}
	}
	fputs(text, f);
	if (f != stdout)
		fclose(f);
	else
		fflush(stdout);
	return 0;
}

int cli_run(struct options *o)
{
	if (o->mode == MODE_BATCH)
		return batch_run(o);
	struct evloop *loop = evloop_new();
	char *err = NULL;
	struct audit *a = cli_audit_run(loop, o, &err);
	if (!a) {
		fprintf(stderr, "mxaudit: %s\n", err);
		free(err);
		evloop_free(loop);
		return EXIT_USAGE;
	}
	char *text = o->mode == MODE_MARKDOWN ? report_markdown(a) : report_json_string(a);
	int rc = write_out(o, text);
	free(text);
	if (!rc) {
		enum status st = audit_status(a);
		for (int i = 0; i < CHECK_COUNT; i++)
			if (a->checks[i].status == STATUS_PENDING)
				st = status_worst(st, STATUS_ERROR);
		rc = status_exit_code(st);
	}
	audit_free(a);
	evloop_free(loop);
	return rc;
}
