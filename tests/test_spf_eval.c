/* test_spf_eval.c - the asynchronous evaluator: prefetch depth measured in
 * "waves" of round trips (answers are held and released together, so the
 * count is deterministic, not a timing), exact lookup / void counting when
 * prefetched answers are never reached, the trace's decisive path, loops,
 * the static tree cost and the no-IP mode. */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evloop.h"
#include "resolver.h"
#include "spf_eval.h"
#include "test_spf_dns.h"

static const char *zone_text =
    "{"
    "\"top.example.com\": [[\"TXT\", [\"v=spf1 a mx include:inc1.example.com exists:%{i}.ex.example.com -all\"]],"
    "                     [\"A\", \"192.0.2.1\"], [\"MX\", [10, \"mx1.example.com\"]], [\"MX\", [20, "
    "\"mx2.example.com\"]]],"
    "\"mx1.example.com\": [[\"A\", \"192.0.2.2\"]],"
    "\"mx2.example.com\": [[\"A\", \"192.0.2.3\"]],"
    "\"inc1.example.com\": [[\"TXT\", [\"v=spf1 a:h1.example.com include:inc2.example.com ~all\"]]],"
    "\"h1.example.com\": [[\"A\", \"192.0.2.4\"]],"
    "\"inc2.example.com\": [[\"TXT\", [\"v=spf1 mx:inc2.example.com ip4:198.51.100.0/24 -all\"]],"
    "                      [\"MX\", [10, \"mx3.example.com\"]]],"
    "\"mx3.example.com\": [[\"A\", \"192.0.2.5\"]],"
    "\"early.example.com\": [[\"TXT\", [\"v=spf1 ip4:198.51.100.0/24 include:inc1.example.com a:nx1.example.com "
    "                        a:nx2.example.com a:nx3.example.com include:slow.example.com -all\"]]],"
    "\"voids.example.com\": [[\"TXT\", [\"v=spf1 a:nx1.example.com mx:nx2.example.com exists:nx3.example.com -all\"]]],"
    "\"voids2.example.com\": [[\"TXT\", [\"v=spf1 a:nx1.example.com mx:nx2.example.com -all\"]]],"
    "\"slow.example.com\": [[\"TIMEOUT\"]],"
    "\"loopa.example.com\": [[\"TXT\", [\"v=spf1 include:loopb.example.com -all\"]]],"
    "\"loopb.example.com\": [[\"TXT\", [\"v=spf1 include:loopa.example.com -all\"]]]"
    "}";

struct run {
	struct evloop *loop;
	struct resolver *r;
	struct spf_testdns *dns;
	struct json_object *zone;
	struct spf_eval *e;
	bool done;
	int waves;
};

static void on_done(void *arg, struct spf_eval *e)
{
	(void)e;
	((struct run *)arg)->done = true;
}

/* Evaluate; answers are released in waves until the evaluation is done. */
static void run_eval(struct run *x, const char *ip, const char *sender, const char *helo)
{
	memset(x, 0, sizeof(*x));
	x->loop = evloop_new();
	x->zone = json_tokener_parse(zone_text);
	assert_non_null(x->zone);
	x->r = spf_testdns_resolver(x->loop, x->zone, -1, &x->dns);
	struct spf_eval_params p = {.ip = ip, .sender = sender, .helo = helo};
	x->e = spf_eval_new(x->r, &p, on_done, x);
	spf_eval_start(x->e);
	assert_false(x->done); /* never from inside start */
	for (int guard = 0; guard < 100 && !x->done; guard++) {
		while (evloop_run_once(x->loop, -1))
			;
		if (x->done)
			break;
		if (spf_testdns_release(x->dns) == 0)
			break;
		x->waves++;
	}
	assert_true(x->done);
}

static void run_free(struct run *x)
{
	spf_eval_free(x->e);
	resolver_free(x->r);
	evloop_free(x->loop);
	json_object_put(x->zone);
}

/* Ten dependent lookups one after the other would be ten round trips; the
 * prefetch makes it the depth of the tree. */
static void test_waves(void **state)
{
	(void)state;
	struct run x;
	run_eval(&x, "198.51.100.9", "user@top.example.com", "mail.example.net");
	assert_string_equal(spf_result_name(spf_eval_result(x.e)), "pass");
	assert_int_equal(spf_eval_lookups(x.e), 6); /* a mx include | a include | mx */
	assert_int_equal(spf_eval_voids(x.e), 0);
	print_message("# %d waves, %zu queries\n", x.waves, spf_testdns_queries(x.dns));
	assert_true(x.waves <= 5);
	run_free(&x);
}

/* A match before the includes: their prefetched answers do not count. */
static void test_unreached_prefetch(void **state)
{
	(void)state;
	struct run x;
	run_eval(&x, "198.51.100.9", "user@early.example.com", "mail.example.net");
	assert_string_equal(spf_result_name(spf_eval_result(x.e)), "pass");
	assert_int_equal(spf_eval_lookups(x.e), 0);
	assert_int_equal(spf_eval_voids(x.e), 0);
	assert_true(spf_testdns_queries(x.dns) > 5); /* the tree was prefetched (a timeout among them) */
	struct spf_tree_stats st;
	spf_tree_stats(spf_eval_tree(x.e), &st);
	assert_int_equal(st.lookups, 5 + 2 + 1); /* own 5, inc1: a include, inc2: mx */
	assert_int_equal(st.voids, 3);
	spf_tree_stats_free(&st);
	run_free(&x);
}

static void test_void_limit(void **state)
{
	(void)state;
	struct run x;
	run_eval(&x, "192.0.2.99", "user@voids.example.com", "mail.example.net");
	assert_string_equal(spf_result_name(spf_eval_result(x.e)), "permerror");
	assert_int_equal(spf_eval_voids(x.e), 3);
	assert_non_null(strstr(spf_eval_reason(x.e), "void"));
	run_free(&x);
	run_eval(&x, "192.0.2.99", "user@voids2.example.com", "mail.example.net");
	assert_string_equal(spf_result_name(spf_eval_result(x.e)), "fail");
	assert_int_equal(spf_eval_voids(x.e), 2);
	run_free(&x);
}

/* The trace: every term visited in order; the decisive path runs through
 * both includes to the ip4 term; terms that did not match are not on it. */
static void test_trace(void **state)
{
	(void)state;
	struct run x;
	run_eval(&x, "198.51.100.9", "user@top.example.com", "mail.example.net");
	size_t n;
	const struct spf_trace *t = spf_eval_trace(x.e, &n);
	struct strbuf path, all;
	strbuf_init(&path);
	strbuf_init(&all);
	for (size_t i = 0; i < n; i++) {
		if (t[i].is_record)
			continue;
		strbuf_addf(&all, "%d:%s ", t[i].depth, t[i].text);
		if (t[i].decisive)
			strbuf_addf(&path, "%s ", t[i].text);
	}
	assert_string_equal(all.s, "1:a 1:mx 1:include:inc1.example.com 3:a:h1.example.com 3:include:inc2.example.com "
	                           "5:mx:inc2.example.com 5:ip4:198.51.100.0/24 ");
	assert_string_equal(path.s, "include:inc1.example.com include:inc2.example.com ip4:198.51.100.0/24 ");
	assert_true(t[0].is_record && t[0].queries.n == 1);
	strbuf_free(&path);
	strbuf_free(&all);
	run_free(&x);
}

static void test_loop(void **state)
{
	(void)state;
	struct run x;
	run_eval(&x, "192.0.2.1", "user@loopa.example.com", "mail.example.net");
	assert_string_equal(spf_result_name(spf_eval_result(x.e)), "permerror");
	assert_int_equal(spf_eval_lookups(x.e), 11);
	struct spf_tree_stats st;
	spf_tree_stats(spf_eval_tree(x.e), &st);
	assert_true(st.loop);
	assert_string_equal(st.loops.v[0], "loopa.example.com -> loopb.example.com -> loopa.example.com");
	spf_tree_stats_free(&st);
	run_free(&x);
}

/* No IP: no evaluation, but the whole tree is fetched and costed. */
static void test_no_ip(void **state)
{
	(void)state;
	struct run x;
	run_eval(&x, NULL, "user@top.example.com", "mail.example.net");
	assert_false(spf_eval_has_ip(x.e));
	assert_int_equal(spf_eval_lookups(x.e), 0);
	struct spf_tree_stats st;
	spf_tree_stats(spf_eval_tree(x.e), &st);
	/* top: a mx include exists (the exists name needs the IP: cost counted,
	 * not fetched) = 4; inc1: a include = 2; inc2: mx = 1. */
	assert_int_equal(st.lookups, 7);
	assert_false(st.loop);
	spf_tree_stats_free(&st);
	run_free(&x);
}

/* Empty MAIL FROM: the HELO name is checked, as postmaster@helo. */
static void test_empty_sender(void **state)
{
	(void)state;
	struct run x;
	run_eval(&x, "192.0.2.1", "", "top.example.com");
	assert_string_equal(spf_eval_domain(x.e), "top.example.com");
	assert_string_equal(spf_eval_sender(x.e), "postmaster@top.example.com");
	assert_string_equal(spf_result_name(spf_eval_result(x.e)), "pass"); /* the a term */
	assert_int_equal(spf_eval_lookups(x.e), 1);
	run_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_waves),        cmocka_unit_test(test_unreached_prefetch),
	    cmocka_unit_test(test_void_limit),   cmocka_unit_test(test_trace),
	    cmocka_unit_test(test_loop),         cmocka_unit_test(test_no_ip),
	    cmocka_unit_test(test_empty_sender),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
