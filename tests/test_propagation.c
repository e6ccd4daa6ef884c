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

#include "evloop.h"
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
		struct resolver_config cfg = {.servers = servers, .nservers = 1, .timeout_ms = timeout_ms, .tries = tries};
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
	struct prop_config cfg = {.connect_to = ct, .nconnect_to = nct, .timeout_ms = 300, .tries = 1,
	                          .server_resolver = make_server, .ctx = f};
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
