/* test_rerun_memory.c - memory stays flat over many re-runs (issue 9).
 *
 * Watch mode re-runs the audit and the propagation checks every few
 * seconds for as long as the operator leaves it on.  This does what the
 * TUI's watch loop does - audit_new / audit_start / run to the end /
 * audit_free, then a flow_watch round over the fix targets - many times
 * over zone files (every check; the TLS probes, in every tenth run,
 * redirected to a closed loopback port), and checks that the resident set size after the
 * warm-up does not grow: a leak of even a few hundred bytes per run shows
 * as megabytes here.  (ASan's leak checker covers the exact accounting in
 * the sanitizer build; this catches what it cannot - memory held, not
 * lost, e.g. lists that only ever grow.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit.h"
#include "evloop.h"
#include "flow.h"
#include "options.h"
#include "propagation.h"
#include "resolver.h"

/* ASan keeps freed memory in quarantine, so RSS says nothing there: the
 * sanitizer build runs fewer rounds and leaves the accounting to its leak
 * checker. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifdef SANITIZED
#define WARMUP 20
#define RUNS 100
#else
#define WARMUP 200
#define RUNS 1000
#endif
/* Allowed growth after the warm-up (allocator noise is far below it). */
#define MAX_GROWTH_KB 1024

static char *newzone, *oldzone;

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	long kb = -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static struct resolver *zone_resolver(struct evloop *loop, const char *file)
{
	const char *files[] = {file};
	struct resolver_config cfg = {.zone_files = files, .nzone_files = 1};
	char *err = NULL;
	struct resolver *r = resolver_new(loop, &cfg, &err);
	assert_non_null(r);
	free(err);
	return r;
}

/* ns1 (port 5301) serves the fixed zone, ns2 the old one. */
static struct resolver *make_server(void *ctx, struct evloop *loop, const char *server, int timeout_ms, int tries)
{
	(void)ctx;
	(void)timeout_ms;
	(void)tries;
	return zone_resolver(loop, strstr(server, ":5301") ? newzone : oldzone);
}

static void test_rerun_flat(void **st)
{
	(void)st;
	const char *top = getenv("top_srcdir");
	newzone = top ? xasprintf("%s/tests/zones/prop-new.zone", top)
	              : xasprintf("%s/../tests/zones/prop-new.zone", MXAUDIT_SRCDATADIR);
	oldzone = top ? xasprintf("%s/tests/zones/prop-old.zone", top)
	              : xasprintf("%s/../tests/zones/prop-old.zone", MXAUDIT_SRCDATADIR);
	struct evloop *loop = evloop_new();
	struct audit_input in;
	audit_input_init(&in);
	char *err = NULL;
	assert_true(options_set_domain(&in, "prop.test", &err));
	assert_true(options_set_ip(&in, "192.0.2.25", &err));
	strlist_add(&in.selectors, "sel1");
	strlist_add(&in.connect_to, "mail.prop.test:25:127.0.0.1:1"); /* TLS: refused at once */
	strlist_add(&in.connect_to, "ns1.prop.test:53::5301");
	strlist_add(&in.connect_to, "ns2.prop.test:53::5302");
	in.timeout_ms = 2000;
	audit_input_finish(&in);

	const char *files[] = {oldzone};
	struct resolver_config rc = {.zone_files = files, .nzone_files = 1};
	struct prop_config pc = {.timeout_ms = 500, .tries = 1, .server_resolver = make_server};
	struct flow_watch *w = flow_watch_new(loop, &rc, &in.connect_to, &pc);

	long base = -1;
	size_t targets = 0;
	for (int i = 0; i < RUNS; i++) {
		/* The TLS probes (OpenSSL) are in every tenth run only: the
		 * refused connection costs ~0.2 s of retries each time. */
		in.enabled = i % 10 == 0 ? (1u << CHECK_COUNT) - 1 : ((1u << CHECK_COUNT) - 1) & ~(1u << CHECK_TLS);
		struct audit *a = audit_new(loop, zone_resolver(loop, oldzone), &in);
		audit_start(a);
		for (int k = 0; k < 10000 && !a->done; k++)
			evloop_run_once(loop, 100);
		assert_true(a->done);
		flow_watch_sync(w, a);
		/* As the TUI does: the audit is freed from the loop, not from
		 * one of its callbacks; the round runs while the next starts. */
		audit_free(a);
		flow_watch_check(w);
		for (int k = 0; k < 10000 && flow_watch_busy(w); k++) {
			evloop_run_once(loop, 100);
			flow_watch_poll(w);
		}
		assert_false(flow_watch_busy(w));
		if (i == 0) {
			targets = flow_watch_count(w);
			assert_true(targets >= 2); /* the SPF and DMARC fixes at least */
			size_t vis, tot;
			assert_int_equal(flow_watch_status(w, 0, &vis, &tot), STATUS_WARN);
			assert_int_equal(tot, 2);
		}
		assert_int_equal(flow_watch_count(w), targets); /* no duplicates */
		if (i == WARMUP)
			base = rss_kb();
	}
	long end = rss_kb();
	printf("# RSS after %d runs: %ld kB, after %d: %ld kB (growth %ld kB, bound %d)\n", WARMUP, base, RUNS, end,
	       end - base, MAX_GROWTH_KB);
	assert_true(base > 0 && end > 0);
#ifndef SANITIZED
	assert_true(end - base <= MAX_GROWTH_KB);
#endif
	flow_watch_free(w);
	audit_input_free(&in);
	evloop_free(loop);
	free(newzone);
	free(oldzone);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rerun_flat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
