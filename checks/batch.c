/* batch.c - `mxaudit --batch FILE`: many audits at once, one JSON line each.
 *
 * The file is read line by line as slots free up, so memory is bounded by
 * --parallel, not by the size of the file.  Each audit has its own resolver
 * (and so its own cache and c-ares channel): answers are not shared between
 * domains, which keeps one audit's failure from leaking into another. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "evloop.h"
#include "report.h"
#include "resolver.h"

/* Queries at the DNS server at once, over all audits (resolver.c). */
#define BATCH_MAX_QUERIES 128

struct slot {
	struct audit *audit;
	struct evtimer *deadline;
	bool expired;
	long line;
};

struct batch {
	const struct options *o;
	struct evloop *loop;
	FILE *in;
	long line, started, finished;
	bool eof;
	int read_errno; /* a read error ended the file early (a directory, EIO) */
	enum status worst;
	bool progress;
};

static void slot_expired(void *arg)
{
	struct slot *s = arg;
	s->expired = true;
	s->deadline = NULL;
}

static void print_line(struct json_object *o)
{
	char *s = report_json_serialize(o, false);
	fputs(s, stdout);
	free(s);
	fputc('\n', stdout);
	fflush(stdout);
}

static void input_error(struct batch *b, long line, const char *text, const char *why)
{
	struct json_object *o = json_object_new_object();
	report_json_add_int(o, "line", line);
	report_json_add_string(o, "input", text);
	report_json_add_string(o, "status", "error");
	report_json_add_string(o, "error", why);
	print_line(o);
	json_object_put(o);
	b->worst = status_worst(b->worst, STATUS_ERROR);
	b->finished++;
}

/* Read lines until one starts an audit in slot s, or the file ends. */
static void slot_fill(struct batch *b, struct slot *s)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	while (!b->eof) {
		errno = 0;
		n = getline(&buf, &cap, b->in);
		if (n < 0) {
			if (ferror(b->in))
				b->read_errno = errno ? errno : EIO;
			b->eof = true;
			break;
		}
		b->line++;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		/* The line as written (without comment and outer blanks), for the
		 * "input" of an error: the tokens below cut buf apart. */
		char *text = buf + strspn(buf, " \t");
		size_t tl = strlen(text);
		while (tl && (text[tl - 1] == ' ' || text[tl - 1] == '\t'))
			tl--;
		char *input = xstrndup(text, tl);
		char *save = NULL, *domain = strtok_r(buf, " \t", &save);
		if (!domain) {
			free(input);
			continue;
		}
		char *ip = strtok_r(NULL, " \t", &save), *extra = strtok_r(NULL, " \t", &save);
		struct audit_input in;
		char *err = NULL;
		audit_input_copy(&in, &b->o->in);
		free(in.domain);
		in.domain = NULL;
		free(in.ip);
		in.ip = NULL;
		/* --from-domain, --mail-from and --helo, when given, apply to every
		 * line (one sending server, one bounce domain); the ones not given
		 * follow each line's domain (audit_input_finish below). */
		if (extra)
			err = xasprintf("expected 'DOMAIN [IP]', got a third field '%s'", extra);
		else if (options_set_domain(&in, domain, &err) && (!ip || options_set_ip(&in, ip, &err)))
			err = NULL;
		if (err) {
			input_error(b, b->line, input, err);
			free(err);
			free(input);
			audit_input_free(&in);
			continue;
		}
		audit_input_finish(&in);
		struct resolver_config cfg;
		options_resolver_config(b->o, &cfg);
		struct resolver *res = resolver_new(b->loop, &cfg, &err);
		if (!res) {
			input_error(b, b->line, input, err);
			free(err);
			free(input);
			audit_input_free(&in);
			continue;
		}
		free(input);
		s->audit = audit_new(b->loop, res, &in);
		audit_input_free(&in);
		s->line = b->line;
		s->expired = false;
		s->deadline = evloop_timer_add(b->loop, audit_deadline_ms(&s->audit->in), slot_expired, s);
		b->started++;
		audit_start(s->audit);
		break;
	}
	free(buf);
}

static void slot_finish(struct batch *b, struct slot *s)
{
	struct json_object *o = report_json(s->audit);
	report_json_add_int(o, "line", s->line);
	print_line(o);
	enum status st = status_worst(audit_status(s->audit), s->audit->done ? STATUS_PASS : STATUS_ERROR);
	b->worst = status_worst(b->worst, st);
	json_object_put(o);
	if (s->deadline)
		evloop_timer_cancel(b->loop, s->deadline);
	s->deadline = NULL;
	audit_free(s->audit);
	s->audit = NULL;
	b->finished++;
}

static void show_progress(struct batch *b, size_t active)
{
	if (!b->progress)
		return;
	fprintf(stderr, "\r\033[Kmxaudit: %ld done, %zu running, line %ld", b->finished, active, b->line);
	fflush(stderr);
}

int batch_run(const struct options *o)
{
	struct batch b = {.o = o, .worst = STATUS_SKIP};
	b.in = strcmp(o->batch_file, "-") == 0 ? stdin : fopen(o->batch_file, "r");
	if (!b.in) {
		fprintf(stderr, "mxaudit: cannot read %s: %s\n", o->batch_file, strerror(errno));
		return EXIT_USAGE;
	}
	b.progress = isatty(STDERR_FILENO);
	b.loop = evloop_new();
	/* A burst from every slot at once overflows a DNS server's socket
	 * buffer (and then waits for retries): pace the queries instead. */
	resolver_set_max_in_flight(BATCH_MAX_QUERIES);
	size_t nslots = (size_t)(o->parallel > 0 ? o->parallel : 1);
	struct slot *slots = xcalloc(nslots, sizeof(*slots));
	for (size_t i = 0; i < nslots; i++)
		slot_fill(&b, &slots[i]);
	for (;;) {
		size_t active = 0;
		for (size_t i = 0; i < nslots; i++) {
			struct slot *s = &slots[i];
			/* Finished audits are freed here, outside their callbacks. */
			if (s->audit && (s->audit->done || s->expired)) {
				slot_finish(&b, s);
				slot_fill(&b, s);
			}
			if (s->audit)
				active++;
		}
		show_progress(&b, active);
		if (!active)
			break;
		evloop_run_once(b.loop, -1);
	}
	if (b.progress)
		fputs("\n", stderr);
	free(slots);
	evloop_free(b.loop);
	if (b.in != stdin)
		fclose(b.in);
	/* fopen() accepts a directory and getline() then fails: that is an
	 * unreadable file, not an empty one. */
	if (b.read_errno) {
		fprintf(stderr, "mxaudit: cannot read %s: %s\n", o->batch_file, strerror(b.read_errno));
		return EXIT_USAGE;
	}
	return status_exit_code(b.worst);
}
