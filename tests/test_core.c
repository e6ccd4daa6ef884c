/* test_core.c - unit tests for the core helpers: the terminal sanitiser, the
 * JSON safety pass, name/address validation and the event loop's timers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "evloop.h"
#include "options.h"
#include "report.h"
#include "sanitize.h"
#include "status.h"
#include "util.h"

static void sanitize_escapes_controls(void **state)
{
	const char in[] = "a\033[31mred\033]52;c;ZXZpbA==\007\tz\x7f";
	char *out = sanitize_text(in, sizeof(in) - 1, SANITIZE_UTF8);
	assert_string_equal(out, "a\\x1B[31mred\\x1B]52;c;ZXZpbA==\\x07\\tz\\x7F");
	free(out);
}

static void sanitize_c1_bidi_and_invalid(void **state)
{
	/* U+009B (CSI), U+202E (RLO), U+2066 (LRI), invalid 0xFF, then é. */
	const char in[] = "x\xc2\x9b" "2J\xe2\x80\xae" "abc\xe2\x81\xa6\xff\xc3\xa9";
	char *out = sanitize_text(in, sizeof(in) - 1, SANITIZE_UTF8);
	assert_string_equal(out, "x\\u{009B}2J\\u{202E}abc\\u{2066}\\xFF\xc3\xa9");
	free(out);
	out = sanitize_text(in, sizeof(in) - 1, 0);
	assert_string_equal(out, "x\\u{009B}2J\\u{202E}abc\\u{2066}\\xFF\\u{00E9}");
	free(out);
}

static void sanitize_nul_and_newlines(void **state)
{
	const char in[] = "a\0b\nc";
	char *out = sanitize_text(in, 5, 0);
	assert_string_equal(out, "a\\x00b\\x0Ac");
	free(out);
	out = sanitize_text(in, 5, SANITIZE_KEEP_NEWLINES);
	assert_string_equal(out, "a\\x00b\nc");
	free(out);
	/* Overlong encoding of '/' and a UTF-16 surrogate are invalid UTF-8. */
	out = sanitize_str("\xc0\xaf\xed\xa0\x80", SANITIZE_UTF8);
	assert_string_equal(out, "\\xC0\\xAF\\xED\\xA0\\x80");
	free(out);
}

static void json_safe_pass(void **state)
{
	char *s = report_json_make_safe("{\"a\": \"x\x7f\xc2\x9b\xe2\x80\xae\xff\xc3\xa9\"}");
	assert_string_equal(s, "{\"a\": \"x\\u007f\\u009b\\u202e\\ufffd\xc3\xa9\"}");
	free(s);
}

static void domain_validation(void **state)
{
	const char *why = NULL;
	assert_true(domain_valid("example.com", &why));
	assert_true(domain_valid("example.com.", &why));
	assert_true(domain_valid("_dmarc.example.com", &why));
	assert_false(domain_valid("", &why));
	assert_false(domain_valid("a..b", &why));
	assert_false(domain_valid("exa mple.com", &why));
	char label[80];
	memset(label, 'a', 64);
	strcpy(label + 64, ".com");
	assert_false(domain_valid(label, &why));
	assert_non_null(strstr(why, "63"));
	char longname[310];
	for (int i = 0; i < 300; i += 2)
		memcpy(longname + i, "a.", 2);
	strcpy(longname + 300, "com");
	assert_false(domain_valid(longname, &why));
	assert_true(domain_is_within("mail.example.com", "example.com"));
	assert_false(domain_is_within("badexample.com", "example.com"));
}

static void ip_forms(void **state)
{
	int family;
	unsigned char addr[16];
	char buf[64];
	const char *v6[] = {"2001:db8::1", "2001:DB8:0:0:0:0:0:1", "2001:db8:0::1", "::ffff:192.0.2.1", "::1"};
	for (size_t i = 0; i < 3; i++) {
		assert_true(ip_parse(v6[i], &family, addr));
		assert_int_equal(family, AF_INET6);
		ip_format(family, addr, buf, sizeof(buf));
		assert_string_equal(buf, "2001:db8::1");
	}
	assert_true(ip_parse(v6[3], &family, addr));
	assert_true(ip_parse(v6[4], &family, addr));
	assert_false(ip_parse("192.0.2", &family, addr));
	assert_false(ip_parse("192.0.2.256", &family, addr));
	assert_false(ip_parse("2001:db8::1::2", &family, addr));
	assert_true(ip_parse("192.0.2.10", &family, addr));
	char *r = ip_reverse_name(family, addr, NULL);
	assert_string_equal(r, "10.2.0.192.in-addr.arpa");
	free(r);
	assert_true(ip_parse("2001:db8::1", &family, addr));
	r = ip_reverse_name(family, addr, "bl.example");
	assert_string_equal(r, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example");
	free(r);
}

static void option_errors(void **state)
{
	struct options o;
	char *err = NULL;
	char *bad_ip[] = {"mxaudit", "--json", "example.com", "300.1.1.1", NULL};
	assert_int_equal(options_parse(&o, 4, bad_ip, &err), EXIT_USAGE);
	assert_non_null(strstr(err, "not an IP"));
	free(err);
	options_free(&o);
	char *good[] = {"mxaudit", "--json", "--only", "mx,ptr", "--skip", "ptr", "Example.COM.", "2001:DB8::1", NULL};
	err = NULL;
	assert_int_equal(options_parse(&o, 8, good, &err), 0);
	assert_string_equal(o.in.domain, "example.com");
	assert_string_equal(o.in.ip, "2001:db8::1");
	assert_int_equal(o.in.enabled, 1u << 4); /* mx only */
	assert_string_equal(o.in.mail_from, "postmaster@example.com");
	options_free(&o);
	char *bad_check[] = {"mxaudit", "--only", "spf,bogus", "example.com", NULL};
	assert_int_equal(options_parse(&o, 4, bad_check, &err), EXIT_USAGE);
	assert_non_null(strstr(err, "bogus"));
	free(err);
	options_free(&o);
}

static void status_order(void **state)
{
	assert_int_equal(status_worst(STATUS_PASS, STATUS_FAIL), STATUS_FAIL);
	assert_int_equal(status_worst(STATUS_ERROR, STATUS_WARN), STATUS_ERROR);
	assert_int_equal(status_worst(STATUS_FAIL, STATUS_ERROR), STATUS_FAIL);
	assert_int_equal(status_exit_code(STATUS_SKIP), 0);
	assert_int_equal(status_exit_code(STATUS_WARN), 1);
	assert_int_equal(status_exit_code(STATUS_FAIL), 2);
	assert_int_equal(status_exit_code(STATUS_ERROR), 3);
}

static int order[8], norder;
static void record(void *arg)
{
	order[norder++] = (int)(intptr_t)arg;
}

static void evloop_timer_order(void **state)
{
	struct evloop *loop = evloop_new();
	norder = 0;
	evloop_timer_add(loop, 30, record, (void *)3);
	evloop_timer_add(loop, 0, record, (void *)1);
	struct evtimer *t = evloop_timer_add(loop, 10, record, (void *)99);
	evloop_timer_add(loop, 10, record, (void *)2);
	evloop_timer_cancel(loop, t);
	int64_t start = now_ms();
	while (norder < 3 && now_ms() - start < 2000)
		assert_true(evloop_run_once(loop, -1));
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 3);
	/* Nothing left to wait for: the loop says so instead of sleeping forever. */
	assert_false(evloop_run_once(loop, -1));
	evloop_free(loop);
}

/* xasprintf: one pass into a stack buffer below 256 bytes, a second pass
 * into the allocation above; both sides of the edge must come out whole. */
static void asprintf_lengths(void **state)
{
	(void)state;
	static const int lens[] = {0, 1, 254, 255, 256, 257, 1000, 70000};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char *s = xasprintf("%s%0*d|", "x", lens[i], 7);
		size_t want = 1 + (size_t)(lens[i] ? lens[i] : 1) + 1;
		assert_int_equal(strlen(s), want);
		assert_int_equal(s[0], 'x');
		assert_int_equal(s[want - 2], '7');
		assert_int_equal(s[want - 1], '|');
		free(s);
	}
	char *e = xasprintf("%s", "");
	assert_string_equal(e, "");
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sanitize_escapes_controls), cmocka_unit_test(sanitize_c1_bidi_and_invalid),
		cmocka_unit_test(sanitize_nul_and_newlines), cmocka_unit_test(json_safe_pass),
		cmocka_unit_test(domain_validation),         cmocka_unit_test(ip_forms),
		cmocka_unit_test(option_errors),             cmocka_unit_test(status_order),
		cmocka_unit_test(evloop_timer_order),         cmocka_unit_test(asprintf_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
