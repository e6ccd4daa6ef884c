/* test_propagation.c - the propagation check (checks/propagation.c) over
 * zone-file "nameservers": ns1 of prop.test serves the zone after the fix
 * (tests/zones/prop-new.zone), ns2 the zone before it (prop-old.zone); the
 * --connect-to redirects choose which by port.  Also a real timeout: a UDP
 * socket of the test's own that never answers, asked through c-ares.
 * tests/propagation-knot.sh does the same against two real Knot servers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "audit.h"
#include "evloop.h"
#include "flow.h"
#include "options.h"
#include "propagation.h"
#include "resolver.h"

static char *srcpath(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char *p;
	if (top)
		p = xasprintf("%s/%s", top, rel);
	else
		p = xasprintf("%s/../%s", MXAUDIT_SRCDATADIR, rel);
	return p;
}

struct fx {
	struct evloop *loop;
	char *newzone, *oldzone;
	int silent_port; /* servers on this port are asked through c-ares */
	int made;        /* server resolvers made */
	int calls;
};

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

/* "127.0.0.1:5301" -> the new zone, 5302 -> the old one. */
static struct resolver *make_server(void *ctx, struct evloop *loop, const char *server, int timeout_ms, int tries)
{
	struct fx *f = ctx;
	char ip[64];
	int port;
	assert_true(resolver_parse_server(server, ip, sizeof(ip), &port));
	assert_string_equal(ip, "127.0.0.1");
	f->made++;
	if (port == f->silent_port) {
		const char *servers[] = {server};
		struct resolver_config cfg = {
		    .servers = servers, .nservers = 1, .timeout_ms = timeout_ms, .tries = tries};
		char *err = NULL;
		struct resolver *r = resolver_new(loop, &cfg, &err);
		free(err);
		return r;
	}
	if (port == 5399)
		return NULL; /* cannot be made */
	return zone_resolver(loop, port == 5301 ? f->newzone : f->oldzone);
}

static int setup(void **st)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->loop = evloop_new();
	f->newzone = srcpath("tests/zones/prop-new.zone");
	f->oldzone = srcpath("tests/zones/prop-old.zone");
	*st = f;
	return 0;
}

static int teardown(void **st)
{
	struct fx *f = *st;
	evloop_free(f->loop);
	free(f->newzone);
	free(f->oldzone);
	free(f);
	return 0;
}

static void on_done(void *arg, struct propagation *p)
{
	struct fx *f = arg;
	assert_true(propagation_report(p)->done);
	f->calls++;
}

static const struct prop_report *run(struct fx *f, struct propagation *p)
{
	/* Not from inside propagation_start(). */
	assert_int_equal(f->calls, 0);
	for (int i = 0; i < 2000 && !f->calls; i++)
		evloop_run_once(f->loop, 100);
	assert_int_equal(f->calls, 1);
	return propagation_report(p);
}

static struct propagation *start(struct fx *f, const char *const *ct, size_t nct, const char *name, uint16_t type,
                                 const char *expected)
{
	struct prop_config cfg = {.connect_to = ct,
	                          .nconnect_to = nct,
	                          .timeout_ms = 300,
	                          .tries = 1,
	                          .server_resolver = make_server,
	                          .ctx = f};
	/* The ordinary resolver already sees the new zone (like a resolver
	 * whose cache expired). */
	return propagation_start(f->loop, zone_resolver(f->loop, f->newzone), &cfg, name, type, expected, on_done, f);
}

static const char *const split[] = {"ns1.prop.test:53::5301", "ns2.prop.test:53::5302"};
static const char *const both_new[] = {"ns1.prop.test:53::5301", "ns2.prop.test:53:127.0.0.1:5301"};

static void test_one_of_two(void **st)
{
	struct fx *f = *st;
	const char *want = "v=DMARC1; p=none; rua=mailto:dmarc-reports@prop.test";
	struct propagation *p = start(f, split, 2, "_dmarc.prop.test", DNS_T_TXT, want);
	const struct prop_report *r = run(f, p);
	assert_null(r->error);
	assert_string_equal(r->zone, "prop.test"); /* walked up from _dmarc */
	assert_int_equal(r->nservers, 2);
	assert_string_equal(r->servers[0].host, "ns1.prop.test");
	assert_string_equal(r->servers[0].addr, "127.0.0.1:5301");
	assert_string_equal(r->servers[1].addr, "127.0.0.1:5302");
	assert_int_equal(r->servers[0].result, DNS_OK);
	assert_true(r->servers[0].visible);
	assert_string_equal(r->servers[0].values.v[0], want);
	assert_int_equal(r->servers[1].result, DNS_NXDOMAIN);
	assert_false(r->servers[1].visible);
	assert_true(r->servers[0].has_serial && r->servers[1].has_serial);
	assert_int_equal(r->servers[0].serial, 2026112302u);
	assert_int_equal(r->servers[1].serial, 2026112301u);
	assert_int_equal(r->nvisible, 1);
	assert_int_equal(r->nanswered, 2);
	assert_false(r->agree);
	assert_int_equal(f->made, 2);
	propagation_free(p);
}

static void test_all_visible(void **st)
{
	struct fx *f = *st;
	/* Spaces and case differ from what is served: still the same record. */
	struct propagation *p =
	    start(f, both_new, 2, "prop.test", DNS_T_TXT, "V=spf1  ip4:192.0.2.10 ip4:192.0.2.25 -all");
	const struct prop_report *r = run(f, p);
	assert_int_equal(r->nservers, 2);
	assert_int_equal(r->nvisible, 2);
	assert_true(r->agree);
	propagation_free(p);
}

static void test_spf_old_value(void **st)
{
	struct fx *f = *st;
	/* Both servers answer, with different records: none of them has the
	 * expected one on ns2; they disagree. */
	struct propagation *p = start(f, split, 2, "prop.test", DNS_T_TXT, "v=spf1 ip4:192.0.2.10 ip4:192.0.2.25 -all");
	const struct prop_report *r = run(f, p);
	assert_int_equal(r->nvisible, 1);
	assert_true(r->servers[0].visible);
	assert_false(r->servers[1].visible);
	assert_string_equal(r->servers[1].values.v[0], "v=spf1 ip4:192.0.2.10 -all");
	assert_false(r->agree);
	propagation_free(p);
}

static void test_no_expected(void **st)
{
	struct fx *f = *st;
	/* Without an expected value, any record counts as visible. */
	struct propagation *p = start(f, split, 2, "prop.test", DNS_T_MX, NULL);
	const struct prop_report *r = run(f, p);
	assert_int_equal(r->nvisible, 2);
	assert_true(r->agree);
	assert_string_equal(r->servers[0].values.v[0], r->servers[1].values.v[0]);
	propagation_free(p);
}

static void test_timeout_is_error(void **st)
{
	struct fx *f = *st;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	getsockname(s, (struct sockaddr *)&sa, &sl);
	f->silent_port = ntohs(sa.sin_port);
	char spec[64];
	snprintf(spec, sizeof(spec), "ns2.prop.test:53::%d", f->silent_port);
	const char *const ct[] = {"ns1.prop.test:53::5301", spec};
	struct propagation *p = start(f, ct, 2, "prop.test", DNS_T_TXT, NULL);
	const struct prop_report *r = run(f, p);
	assert_int_equal(r->servers[0].result, DNS_OK);
	assert_int_equal(r->servers[1].result, DNS_TIMEOUT);
	assert_non_null(r->servers[1].error);
	assert_false(r->servers[1].visible);
	assert_int_equal(r->nvisible, 1);
	assert_int_equal(r->nanswered, 1);
	assert_false(r->agree);
	propagation_free(p);
	close(s);
}

static void test_server_cannot_be_made(void **st)
{
	struct fx *f = *st;
	const char *const ct[] = {"ns1.prop.test:53::5301", "ns2.prop.test:53::5399"};
	struct propagation *p = start(f, ct, 2, "prop.test", DNS_T_TXT, NULL);
	const struct prop_report *r = run(f, p);
	assert_int_equal(r->servers[1].result, DNS_ERROR);
	assert_non_null(strstr(r->servers[1].error, "127.0.0.1:5399"));
	propagation_free(p);
}

static void test_no_zone(void **st)
{
	struct fx *f = *st;
	/* Outside every loaded zone the zone backend refuses: an error, not
	 * a verdict. */
	struct propagation *p = start(f, split, 2, "www.example.org", DNS_T_A, NULL);
	const struct prop_report *r = run(f, p);
	assert_non_null(r->error);
	assert_int_equal(r->nservers, 0);
	assert_false(r->agree);
	propagation_free(p);
}

static void test_free_in_flight(void **st)
{
	struct fx *f = *st;
	/* Freed before the NS answer: no callback afterwards, nothing leaks
	 * (ASan). */
	struct propagation *p = start(f, split, 2, "prop.test", DNS_T_TXT, NULL);
	evloop_run_once(f->loop, 0);
	propagation_free(p);
	for (int i = 0; i < 5; i++)
		evloop_run_once(f->loop, 10);
	assert_int_equal(f->calls, 0);
}

static void test_value_matches(void **st)
{
	(void)st;
	assert_true(propagation_value_matches(DNS_T_TXT, "v=DMARC1;p=none", "v=DMARC1; p=none;"));
	assert_true(propagation_value_matches(DNS_T_TXT, " v=spf1   -all ", "v=spf1 -all"));
	assert_false(propagation_value_matches(DNS_T_TXT, "v=spf1 -all", "v=spf1 ~all"));
	assert_false(propagation_value_matches(DNS_T_TXT, "v=spf1 -all", "v=spf1 -al l"));
	assert_true(propagation_value_matches(DNS_T_AAAA, "2001:db8::1", "2001:DB8:0::1"));
	assert_false(propagation_value_matches(DNS_T_A, "192.0.2.1", "192.0.2.10"));
	assert_true(propagation_value_matches(DNS_T_MX, "10 mail.prop.test.", "10 Mail.prop.test"));
	assert_false(propagation_value_matches(DNS_T_TXT, NULL, "x"));
}

/* ---- watch mode: the fix list's records, followed over two rounds ---- */

static struct audit *audit_over(struct fx *f, const char *zone)
{
	struct audit_input in;
	audit_input_init(&in);
	char *err = NULL;
	assert_true(options_set_domain(&in, "prop.test", &err));
	assert_true(options_set_ip(&in, "192.0.2.25", &err));
	in.enabled = (1u << CHECK_SPF) | (1u << CHECK_DMARC);
	audit_input_finish(&in);
	struct audit *a = audit_new(f->loop, zone_resolver(f->loop, zone), &in);
	audit_input_free(&in);
	audit_start(a);
	for (int i = 0; i < 1000 && !a->done; i++)
		evloop_run_once(f->loop, 100);
	assert_true(a->done);
	return a;
}

static void test_fix_targets(void **st)
{
	struct fx *f = *st;
	struct audit *a = audit_over(f, f->oldzone);
	struct flow_target *t = NULL;
	size_t n = flow_fix_targets(a, &t);
	assert_int_equal(n, 2);
	assert_string_equal(t[0].check, "SPF");
	assert_string_equal(t[0].name, "prop.test");
	assert_int_equal(t[0].type, DNS_T_TXT);
	assert_string_equal(t[0].value, "v=spf1 ip4:192.0.2.10 ip4:192.0.2.25 -all");
	assert_string_equal(t[1].finding_id, "dmarc.missing");
	assert_string_equal(t[1].name, "_dmarc.prop.test");
	assert_string_equal(t[1].value, "v=DMARC1; p=none; rua=mailto:dmarc-reports@prop.test");
	flow_targets_free(t, n);
	audit_free(a);
	/* The fixed zone proposes nothing. */
	a = audit_over(f, f->newzone);
	n = flow_fix_targets(a, &t);
	assert_int_equal(n, 0);
	flow_targets_free(t, n);
	audit_free(a);
}

static void watch_round(struct fx *f, struct flow_watch *w)
{
	flow_watch_check(w);
	assert_true(flow_watch_busy(w));
	assert_false(flow_watch_poll(w));
	for (int i = 0; i < 1000 && flow_watch_busy(w); i++) {
		evloop_run_once(f->loop, 100);
		flow_watch_poll(w);
	}
	assert_false(flow_watch_busy(w));
}

static bool lines_contain(const struct flow_watch *w, const char *needle)
{
	struct textlines t = {0};
	flow_watch_lines(w, &t);
	bool found = false;
	for (size_t i = 0; i < t.n; i++)
		if (strstr(t.v[i].text, needle))
			found = true;
	textlines_free(&t);
	return found;
}

static void test_watch(void **st)
{
	struct fx *f = *st;
	const char *files[] = {f->newzone};
	struct resolver_config rc = {.zone_files = files, .nzone_files = 1};
	struct strlist ct = {0};
	strlist_add(&ct, split[0]);
	strlist_add(&ct, split[1]);
	struct prop_config pc = {.timeout_ms = 300, .tries = 1, .server_resolver = make_server, .ctx = f};
	struct flow_watch *w = flow_watch_new(f->loop, &rc, &ct, &pc);
	strlist_free(&ct); /* copied */
	assert_true(lines_contain(w, "proposes none"));

	struct audit *a = audit_over(f, f->oldzone);
	flow_watch_sync(w, a);
	audit_free(a);
	assert_int_equal(flow_watch_count(w), 2);
	assert_int_equal(flow_watch_status(w, 0, NULL, NULL), STATUS_PENDING);
	watch_round(f, w);
	size_t vis, tot;
	/* ns1 has the new zone, ns2 the old one. */
	assert_int_equal(flow_watch_status(w, 0, &vis, &tot), STATUS_WARN);
	assert_int_equal(vis, 1);
	assert_int_equal(tot, 2);
	assert_int_equal(flow_watch_status(w, 1, &vis, &tot), STATUS_WARN);
	assert_true(lines_contain(w, "visible on 1 of 2 nameservers"));
	assert_true(lines_contain(w, "serial 2026112301"));
	assert_true(lines_contain(w, "serves something else"));

	/* The audit now passes: the targets stay, marked fixed; ns2 still
	 * serves the old records, so they are not green yet. */
	a = audit_over(f, f->newzone);
	flow_watch_sync(w, a);
	audit_free(a);
	assert_int_equal(flow_watch_count(w), 2);
	watch_round(f, w);
	assert_int_equal(flow_watch_status(w, 0, NULL, NULL), STATUS_WARN);
	assert_true(lines_contain(w, "no longer reports"));
	flow_watch_free(w);

	/* Both servers serve the new zone: propagated. */
	ct = (struct strlist){0};
	strlist_add(&ct, both_new[0]);
	strlist_add(&ct, both_new[1]);
	w = flow_watch_new(f->loop, &rc, &ct, &pc);
	strlist_free(&ct);
	a = audit_over(f, f->oldzone);
	flow_watch_sync(w, a);
	audit_free(a);
	watch_round(f, w);
	assert_int_equal(flow_watch_status(w, 0, &vis, &tot), STATUS_PASS);
	assert_int_equal(vis, 2);
	assert_int_equal(flow_watch_status(w, 1, &vis, &tot), STATUS_PASS);
	assert_true(lines_contain(w, "visible on 2 of 2 nameservers (propagated)"));
	/* A round freed while running: no leak, no late callback. */
	flow_watch_check(w);
	evloop_run_once(f->loop, 0);
	flow_watch_free(w);
	for (int i = 0; i < 5; i++)
		evloop_run_once(f->loop, 10);
}

static void test_watch_offline(void **st)
{
	struct fx *f = *st;
	const char *files[] = {f->newzone};
	struct resolver_config rc = {.zone_files = files, .nzone_files = 1};
	struct flow_watch *w = flow_watch_new(f->loop, &rc, NULL, NULL);
	struct audit *a = audit_over(f, f->oldzone);
	flow_watch_sync(w, a);
	audit_free(a);
	flow_watch_check(w);
	assert_false(flow_watch_busy(w));
	assert_int_equal(flow_watch_status(w, 0, NULL, NULL), STATUS_SKIP);
	assert_true(lines_contain(w, "Offline"));
	flow_watch_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_of_two, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_all_visible, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_spf_old_value, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_expected, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout_is_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server_cannot_be_made, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_zone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_free_in_flight, setup, teardown),
	    cmocka_unit_test(test_value_matches),
	    cmocka_unit_test_setup_teardown(test_fix_targets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_watch_offline, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
