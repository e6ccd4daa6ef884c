/* test_spf_suite.c - run an OpenSPF test suite against the evaluator.
 *
 * Input: the JSON that tests/spf-suite.py makes from the suite's YAML.  Each
 * scenario's zone data is served through the real resolver (coalescing,
 * cache, delivery from the loop) by a custom backend that builds DNS wire
 * responses, so the evaluator is exercised exactly as in an audit; TIMEOUT
 * entries are delivered as DNS_TIMEOUT.
 *
 * Output: TAP, one line per suite test, and a summary comment
 * "<label>: N passed, N failed".  Tests listed in the exceptions file
 * ("<label> <test> <reason>") are marked TODO with the reason.
 *
 * Usage: test_spf_suite LABEL SUITE.json EXCEPTIONS [--delay MS] [--only NAME] [--verbose]
 * --delay adds latency to every answer (the bench uses it to show that the
 * wall time follows the include depth, not the number of lookups). */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "evloop.h"
#include "resolver.h"
#include "spf_eval.h"
#include "test_spf_dns.h"
#include "util.h"

static void on_done(void *arg, struct spf_eval *e)
{
	(void)e;
	*(bool *)arg = true;
}

/* "label name reason..." lines; returns the reason for (label, name) or NULL. */
static char *exception_for(const char *file, const char *label, const char *name)
{
	FILE *fp = fopen(file, "r");
	if (!fp)
		return NULL;
	char line[1024];
	char *reason = NULL;
	while (!reason && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#' || !line[0])
			continue;
		char l[64], n[128];
		int off = 0;
		if (sscanf(line, "%63s %127s %n", l, n, &off) >= 2 && strcmp(l, label) == 0 && strcmp(n, name) == 0)
			reason = xstrdup(line + off);
	}
	fclose(fp);
	return reason;
}

static void print_trace(const struct spf_eval *e)
{
	size_t n;
	const struct spf_trace *t = spf_eval_trace(e, &n);
	for (size_t i = 0; i < n; i++) {
		printf("#   %*s%s%s  [%s]\n", t[i].depth * 2, "", t[i].decisive ? "* " : "", t[i].text,
		       t[i].outcome ? t[i].outcome : "");
		for (size_t j = 0; j < t[i].queries.n; j++)
			printf("#   %*s    %s\n", t[i].depth * 2, "", t[i].queries.v[j]);
	}
	printf("#   reason: %s\n", spf_eval_reason(e) ? spf_eval_reason(e) : "");
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s LABEL SUITE.json EXCEPTIONS [--delay MS] [--only NAME] [--verbose]\n",
		        argv[0]);
		return 2;
	}
	const char *label = argv[1], *exc_file = argv[3], *only = NULL;
	long delay = 0;
	bool verbose = false;
	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--delay") == 0 && i + 1 < argc)
			delay = atol(argv[++i]);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--verbose") == 0)
			verbose = true;
	}
	struct json_object *root = json_object_from_file(argv[2]);
	if (!root) {
		printf("Bail out! cannot read %s\n", argv[2]);
		return 1;
	}
	struct json_object *scen = json_object_object_get(root, "scenarios");
	size_t total = 0;
	for (size_t s = 0; s < json_object_array_length(scen); s++)
		total += json_object_array_length(json_object_object_get(json_object_array_get_idx(scen, s), "tests"));
	if (!only)
		printf("1..%zu\n", total);
	size_t num = 0, passed = 0, failed = 0, todo = 0, queries = 0;
	int64_t t0 = now_ms();
	for (size_t s = 0; s < json_object_array_length(scen); s++) {
		struct json_object *sc = json_object_array_get_idx(scen, s);
		struct json_object *zone = json_object_object_get(sc, "zone");
		struct json_object *tests = json_object_object_get(sc, "tests");
		for (size_t i = 0; i < json_object_array_length(tests); i++) {
			struct json_object *t = json_object_array_get_idx(tests, i);
			const char *name = json_object_get_string(json_object_object_get(t, "name"));
			if (only && strcmp(only, name) != 0)
				continue;
			num++;
			struct evloop *loop = evloop_new();
			struct spf_testdns *dns = NULL;
			struct resolver *r = spf_testdns_resolver(loop, zone, delay, &dns);
			struct spf_eval_params p = {
			    .ip = json_object_get_string(json_object_object_get(t, "host")),
			    .sender = json_object_get_string(json_object_object_get(t, "mailfrom")),
			    .helo = json_object_get_string(json_object_object_get(t, "helo")),
			};
			bool done = false;
			struct spf_eval *e = spf_eval_new(r, &p, on_done, &done);
			spf_eval_start(e);
			while (!done && evloop_run_once(loop, 1000))
				;
			queries += spf_testdns_queries(dns);
			const char *got = done ? spf_result_name(spf_eval_result(e)) : "(not done)";
			struct json_object *want = json_object_object_get(t, "result");
			bool ok = false;
			struct strbuf wants;
			strbuf_init(&wants);
			for (size_t k = 0; k < json_object_array_length(want); k++) {
				const char *w = json_object_get_string(json_object_array_get_idx(want, k));
				strbuf_addf(&wants, "%s%s", k ? "/" : "", w);
				ok = ok || strcmp(w, got) == 0;
			}
			/* The explanation is checked when the result is fail (it only exists then). */
			struct json_object *jexp = json_object_object_get(t, "explanation");
			const char *want_exp = jexp ? json_object_get_string(jexp) : NULL;
			const char *got_exp = spf_eval_explanation(e);
			bool exp_ok = true;
			if (ok && want_exp && strcmp(got, "fail") == 0) {
				if (strcmp(want_exp, "DEFAULT") == 0)
					exp_ok = got_exp == NULL;
				else
					exp_ok = got_exp && strcmp(got_exp, want_exp) == 0;
			}
			char *exc = exception_for(exc_file, label, name);
			if (ok && exp_ok)
				passed++;
			else
				failed++;
			printf("%s %zu - %s: got %s, want %s", ok && exp_ok ? "ok" : "not ok", num, name, got, wants.s);
			if (!exp_ok)
				printf(" (explanation \"%s\", want \"%s\")", got_exp ? got_exp : "(none)", want_exp);
			if (exc) {
				printf(" # TODO %s", exc);
				todo++;
			}
			printf("\n");
			if (verbose || (!(ok && exp_ok) && !exc))
				print_trace(e);
			free(exc);
			strbuf_free(&wants);
			spf_eval_free(e);
			resolver_free(r);
			evloop_free(loop);
		}
	}
	printf("# %s: %zu passed, %zu failed (%zu listed as exceptions); %zu DNS queries, %lld ms\n", label, passed,
	       failed, todo, queries, (long long)(now_ms() - t0));
	json_object_put(root);
	return 0;
}
