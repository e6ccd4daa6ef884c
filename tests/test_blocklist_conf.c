/* test_blocklist_conf.c - the blocklist list file parser, answer
 * classification and query-name building. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "blocklist_conf.h"
#include "util.h"

static struct blocklist_set parse_ok(const char *text)
{
	struct blocklist_set s;
	char *err = NULL;
	bool ok = blocklist_conf_parse(text, strlen(text), &s, &err);
	if (!ok)
		fail_msg("parse failed: %s", err);
	return s;
}

static char *parse_err(const char *text)
{
	struct blocklist_set s = {0};
	char *err = NULL;
	assert_false(blocklist_conf_parse(text, strlen(text), &s, &err));
	assert_non_null(err);
	assert_int_equal(s.n, 0);
	assert_null(s.v);
	return err;
}

static void test_plain_format(void **state)
{
	(void)state;
	struct blocklist_set s = parse_ok("# comment\n\n"
	                                  "zen.spamhaus.org ip Spamhaus ZEN 127.0.0.2=SBL 127.0.0.4=XBL\n"
	                                  "  dbl.spamhaus.org   domain  Spamhaus DBL   # trailing comment\n"
	                                  "bl.example.test ip\n");
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[0].zone, "zen.spamhaus.org");
	assert_int_equal(s.v[0].kind, BLOCKLIST_IP);
	assert_string_equal(s.v[0].name, "Spamhaus ZEN");
	assert_int_equal(s.v[0].ncodes, 2);
	assert_int_equal(s.v[0].codes[0].lo, 0x7F000002);
	assert_string_equal(s.v[0].codes[1].meaning, "XBL");
	assert_false(s.v[0].codes[1].refusal);
	assert_string_equal(s.v[0].test_listed, "127.0.0.2");
	assert_string_equal(s.v[0].test_unlisted, "127.0.0.1");
	assert_int_equal(s.v[0].line, 3);
	assert_int_equal(s.v[1].kind, BLOCKLIST_DOMAIN);
	assert_string_equal(s.v[1].name, "Spamhaus DBL");
	assert_string_equal(s.v[1].test_listed, "test");
	assert_string_equal(s.v[1].test_unlisted, "invalid");
	/* No NAME: the zone stands in. */
	assert_string_equal(s.v[2].name, "bl.example.test");
	blocklist_set_free(&s);
}

static void test_extensions(void **state)
{
	(void)state;
	struct blocklist_set s = parse_ok(
		"ZEN.Example.TEST. ip Zen \"127.0.0.10-127.0.0.11=PBL policy\" "
		"!127.255.255.254=\"public resolver\" delist=https://x.example/remove ipv6=yes\n"
		"multi.example.test domain Multi match=bits 127.0.0.2=black 127.0.0.4=grey !127.0.0.1=refused "
		"test=test.example.test untest=other.example.test\n");
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0].zone, "zen.example.test");
	assert_true(s.v[0].ipv6);
	assert_false(s.v[0].bits);
	assert_string_equal(s.v[0].codes[0].meaning, "PBL policy");
	assert_int_equal(s.v[0].codes[0].lo, 0x7F00000A);
	assert_int_equal(s.v[0].codes[0].hi, 0x7F00000B);
	assert_true(s.v[0].codes[1].refusal);
	assert_string_equal(s.v[0].codes[1].meaning, "public resolver");
	assert_string_equal(s.v[0].delist, "https://x.example/remove");
	assert_true(s.v[1].bits);
	assert_string_equal(s.v[1].test_listed, "test.example.test");
	assert_string_equal(s.v[1].test_unlisted, "other.example.test");
	blocklist_set_free(&s);
}

static void test_errors(void **state)
{
	(void)state;
	struct {
		const char *text, *want;
	} cases[] = {
		{"zen.example.test\n", "line 1: expected ZONE KIND"},
		{"\nzen.example.test url Name\n", "line 2: KIND must be ip or domain"},
		{"not_a..zone ip X\n", "line 1: ZONE is not"},
		{"localhost ip X\n", "line 1: ZONE is not"},
		{"a.test ip X 127.0.0=foo\n", "line 1: return code is not"},
		{"a.test ip X 127.0.0.5-127.0.0.4=foo\n", "line 1: return code range is backwards"},
		{"a.test ip X 127.0.0.2=\n", "line 1: return code without"},
		{"a.test ip X colour=red\n", "line 1: unknown option"},
		{"a.test ip X !delist=http://x\n", "line 1: '!' marks"},
		{"a.test ip X \"127.0.0.2=open\n", "line 1: unterminated quote"},
		{"a.test ip X test=not-an-ip\n", "line 1: test entry of an ip list"},
		{"a.test domain X test=bad..name\n", "line 1: test entry of a domain list"},
		{"a.test ip X ipv6=maybe\n", "line 1: ipv6= takes"},
		{"a.test ip X 127.0.0.2=x Trailing\n", "line 1: a NAME word after"},
		{"a.test ip X\nA.test. ip Y\n", "line 2: the same list twice"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *err = parse_err(cases[i].text);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got '%s', want '%s...'", i, err, cases[i].want);
		free(err);
	}
	/* An ip and a domain list on the same zone are two lists (URIBL-style). */
	struct blocklist_set s = parse_ok("a.test ip X\na.test domain Y\n");
	assert_int_equal(s.n, 2);
	blocklist_set_free(&s);
	/* NUL bytes are refused, not truncated. */
	struct blocklist_set s2;
	char *err = NULL;
	assert_false(blocklist_conf_parse("a.test ip X\0 b", 14, &s2, &err));
	assert_string_equal(err, "line 1: NUL byte");
	free(err);
}

static void test_limits(void **state)
{
	(void)state;
	struct strbuf b;
	strbuf_init(&b);
	for (int i = 0; i <= BLOCKLIST_MAX_LISTS; i++)
		strbuf_addf(&b, "l%d.test ip\n", i);
	char *err = parse_err(b.s);
	assert_string_equal(err, "line 201: too many lists");
	free(err);
	strbuf_free(&b);
	strbuf_init(&b);
	strbuf_adds(&b, "a.test ip X");
	for (int i = 0; i < 200; i++)
		strbuf_addf(&b, " 127.0.0.%d=c", i % 250);
	err = parse_err(b.s);
	assert_non_null(strstr(err, "too many"));
	free(err);
	strbuf_free(&b);
}

static enum blocklist_answer classify(const struct blocklist *bl, unsigned a, unsigned b, unsigned c, unsigned d,
                                      char **meaning)
{
	const unsigned char addr[4] = {(unsigned char)a, (unsigned char)b, (unsigned char)c, (unsigned char)d};
	return blocklist_classify(bl, addr, meaning);
}

static void test_classify(void **state)
{
	(void)state;
	struct blocklist_set s = parse_ok(
		"zen.test ip ZEN 127.0.0.2=SBL 127.0.0.4-127.0.0.7=XBL 127.0.0.10-127.0.0.11=PBL "
		"!127.255.255.252-127.255.255.255=refused\n"
		"multi.test domain M match=bits 127.0.0.2=black 127.0.0.4=grey 127.0.0.8=red !127.0.0.1=refused\n");
	char *m = NULL;
	assert_int_equal(classify(&s.v[0], 127, 0, 0, 2, &m), BLOCKLIST_A_LISTED);
	assert_string_equal(m, "SBL");
	free(m);
	assert_int_equal(classify(&s.v[0], 127, 0, 0, 6, &m), BLOCKLIST_A_LISTED);
	assert_string_equal(m, "XBL");
	free(m);
	assert_int_equal(classify(&s.v[0], 127, 0, 0, 99, &m), BLOCKLIST_A_LISTED);
	assert_string_equal(m, "unknown return code");
	free(m);
	assert_int_equal(classify(&s.v[0], 127, 255, 255, 254, &m), BLOCKLIST_A_REFUSED);
	assert_string_equal(m, "refused");
	free(m);
	assert_int_equal(classify(&s.v[0], 192, 0, 2, 1, &m), BLOCKLIST_A_BOGUS);
	assert_non_null(strstr(m, "outside 127.0.0.0/8"));
	free(m);
	/* Bits: 127.0.0.10 = black + red; 127.0.0.1 is the refusal, not a bit. */
	assert_int_equal(classify(&s.v[1], 127, 0, 0, 10, &m), BLOCKLIST_A_LISTED);
	assert_string_equal(m, "black; red");
	free(m);
	assert_int_equal(classify(&s.v[1], 127, 0, 0, 1, &m), BLOCKLIST_A_REFUSED);
	free(m);
	assert_int_equal(classify(&s.v[1], 127, 0, 1, 2, &m), BLOCKLIST_A_LISTED);
	assert_string_equal(m, "unknown return code");
	free(m);
	blocklist_set_free(&s);
}

static void test_query_names(void **state)
{
	(void)state;
	struct blocklist_set s = parse_ok("v4.test ip V4\nv6.test ip V6 ipv6=yes\nd.test domain D test=dbltest.com\n");
	int fam;
	unsigned char a4[16], a6[16];
	assert_true(ip_parse("192.0.2.25", &fam, a4));
	assert_true(ip_parse("2001:db8::25", &fam, a6));
	char *q = blocklist_query_ip(&s.v[0], AF_INET, a4);
	assert_string_equal(q, "25.2.0.192.v4.test");
	free(q);
	assert_null(blocklist_query_ip(&s.v[0], AF_INET6, a6));
	q = blocklist_query_ip(&s.v[1], AF_INET6, a6);
	assert_string_equal(q, "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.v6.test");
	free(q);
	assert_null(blocklist_query_ip(&s.v[2], AF_INET, a4));
	q = blocklist_query_domain(&s.v[2], "Example.COM.");
	assert_string_equal(q, "example.com.d.test");
	free(q);
	assert_null(blocklist_query_domain(&s.v[0], "example.com"));
	q = blocklist_query_test(&s.v[0], true);
	assert_string_equal(q, "2.0.0.127.v4.test");
	free(q);
	q = blocklist_query_test(&s.v[0], false);
	assert_string_equal(q, "1.0.0.127.v4.test");
	free(q);
	q = blocklist_query_test(&s.v[2], true);
	assert_string_equal(q, "dbltest.com.d.test");
	free(q);
	q = blocklist_query_test(&s.v[2], false);
	assert_string_equal(q, "invalid.d.test");
	free(q);
	blocklist_set_free(&s);
}

/* The shipped lists must parse: a typo there would disable the check. */
static void test_shipped_files(void **state)
{
	(void)state;
	const char *files[] = {"blocklists.conf", "demo-blocklists.conf"};
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char *p = data_path(files[i]);
		size_t len;
		char *err = NULL;
		char *text = read_file(p, 1 << 20, &len, &err);
		if (!text)
			fail_msg("%s", err);
		struct blocklist_set s;
		if (!blocklist_conf_parse(text, len, &s, &err))
			fail_msg("%s: %s", p, err);
		assert_true(s.n >= (i == 0 ? 40 : 2));
		size_t ip = 0, dom = 0;
		for (size_t j = 0; j < s.n; j++)
			*(s.v[j].kind == BLOCKLIST_IP ? &ip : &dom) += 1;
		if (i == 0) {
			assert_true(ip >= 35);
			assert_true(dom >= 5);
		}
		blocklist_set_free(&s);
		free(text);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_format), cmocka_unit_test(test_extensions), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),       cmocka_unit_test(test_classify),   cmocka_unit_test(test_query_names),
		cmocka_unit_test(test_shipped_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
