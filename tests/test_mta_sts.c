/* test_mta_sts.c - MTA-STS TXT and policy parsing, MX patterns, the HTTP
 * response splitter, and TLS-RPT records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mta_sts.h"

static void test_txt(void **state)
{
	(void)state;
	char *id = NULL;
	const char *why = NULL;
	assert_true(mta_sts_txt_parse("v=STSv1; id=20240101T000000;", &id, &why));
	assert_string_equal(id, "20240101T000000");
	free(id);
	assert_true(mta_sts_txt_parse("v=STSv1;id=abc", &id, &why));
	free(id);
	assert_false(mta_sts_txt_parse("id=abc; v=STSv1", &id, &why)); /* version first */
	assert_false(mta_sts_txt_parse("v=STSv2; id=abc", &id, &why));
	assert_false(mta_sts_txt_parse("v=STSv1", &id, &why)); /* no id */
	assert_non_null(why);
	assert_false(mta_sts_txt_parse("v=STSv1; id=has-dash", &id, &why));
	assert_false(mta_sts_txt_parse("v=STSv1; id=012345678901234567890123456789012", &id, &why)); /* 33 */
	assert_false(mta_sts_txt_parse("v=STSv1; junk", &id, &why));
	assert_false(mta_sts_txt_parse("", &id, &why));
}

static void test_policy_good(void **state)
{
	(void)state;
	const char *b = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
	                "max_age: 604800\r\nextension: ignored\r\n";
	struct mta_sts_policy p;
	assert_true(mta_sts_policy_parse(b, strlen(b), &p));
	assert_string_equal(p.version, "STSv1");
	assert_int_equal(p.mode, MTA_STS_MODE_ENFORCE);
	assert_int_equal(p.mx.n, 2);
	assert_string_equal(p.mx.v[1], "*.example.net");
	assert_int_equal(p.max_age, 604800);
	assert_int_equal(p.problems.n, 0);
	assert_true(mta_sts_policy_allows(&p, "mail.example.com"));
	assert_true(mta_sts_policy_allows(&p, "MX1.example.net."));
	assert_false(mta_sts_policy_allows(&p, "a.b.example.net"));
	assert_false(mta_sts_policy_allows(&p, "example.net"));
	assert_false(mta_sts_policy_allows(&p, "mail.example.org"));
	mta_sts_policy_free(&p);
	/* LF line ends, no final newline, mode none needs no mx. */
	b = "version: STSv1\nmode: none\nmax_age: 86400";
	assert_true(mta_sts_policy_parse(b, strlen(b), &p));
	assert_int_equal(p.mode, MTA_STS_MODE_NONE);
	mta_sts_policy_free(&p);
}

static void test_policy_bad(void **state)
{
	(void)state;
	struct mta_sts_policy p;
	const char *b = "version: STSv1\nmode: strict\nmx: a.example.com\nmax_age: 86400\n";
	assert_false(mta_sts_policy_parse(b, strlen(b), &p));
	assert_int_equal(p.mode, MTA_STS_MODE_UNKNOWN);
	assert_int_equal(p.problems.n, 1);
	mta_sts_policy_free(&p);
	b = "version: STSv1\nmode: enforce\nmax_age: 86400\n"; /* no mx */
	assert_false(mta_sts_policy_parse(b, strlen(b), &p));
	mta_sts_policy_free(&p);
	b = "mode: testing\nmx: a.example.com\nmax_age: soon\n"; /* no version, bad max_age */
	assert_false(mta_sts_policy_parse(b, strlen(b), &p));
	assert_int_equal(p.problems.n, 2);
	assert_int_equal(p.max_age, -1);
	mta_sts_policy_free(&p);
	b = "<html><body>404</body></html>";
	assert_false(mta_sts_policy_parse(b, strlen(b), &p));
	mta_sts_policy_free(&p);
	/* Over the size limit. */
	size_t n = MTA_STS_MAX_BODY + 1;
	char *big = malloc(n);
	memset(big, '\n', n);
	assert_false(mta_sts_policy_parse(big, n, &p));
	mta_sts_policy_free(&p);
	free(big);
}

static void test_mx_match(void **state)
{
	(void)state;
	assert_true(mta_sts_mx_match("mx.example.com", "MX.Example.COM"));
	assert_true(mta_sts_mx_match("*.example.com", "mx1.example.com"));
	assert_false(mta_sts_mx_match("*.example.com", "example.com"));
	assert_false(mta_sts_mx_match("*.example.com", "a.mx.example.com"));
	assert_false(mta_sts_mx_match("mx.example.com", "mx.example.com.evil.example"));
}

static void test_http(void **state)
{
	(void)state;
	int st;
	char *ct, *body;
	size_t bl;
	const char *why;
	const char *r = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\nhelloEXTRA";
	assert_true(mta_sts_http_parse(r, strlen(r), &st, &ct, &body, &bl, &why));
	assert_int_equal(st, 200);
	assert_string_equal(ct, "text/plain; charset=utf-8");
	assert_int_equal(bl, 5);
	assert_string_equal(body, "hello");
	free(ct);
	free(body);
	r = "HTTP/1.0 404 Not Found\r\n\r\nnope";
	assert_true(mta_sts_http_parse(r, strlen(r), &st, &ct, &body, &bl, &why));
	assert_int_equal(st, 404);
	assert_null(ct);
	assert_string_equal(body, "nope");
	free(body);
	r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nversi\r\n0\r\n\r\n";
	assert_false(mta_sts_http_parse(r, strlen(r), &st, &ct, &body, &bl, &why)); /* chunk overruns its line */
	r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nversi\r\n3\r\non:\r\n0\r\n\r\n";
	assert_true(mta_sts_http_parse(r, strlen(r), &st, &ct, &body, &bl, &why));
	assert_string_equal(body, "version:");
	free(body);
	assert_false(mta_sts_http_parse("SSH-2.0-x\r\n", 11, &st, &ct, &body, &bl, &why));
	r = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n";
	assert_false(mta_sts_http_parse(r, strlen(r), &st, &ct, &body, &bl, &why)); /* headers never end */
	assert_null(ct);
}

static void test_tlsrpt(void **state)
{
	(void)state;
	struct strlist rua = {0};
	const char *why = NULL;
	assert_true(tlsrpt_txt_parse("v=TLSRPTv1; rua=mailto:tls@example.com, https://r.example.net/x", &rua, &why));
	assert_int_equal(rua.n, 2);
	assert_string_equal(rua.v[0], "mailto:tls@example.com");
	assert_string_equal(rua.v[1], "https://r.example.net/x");
	strlist_free(&rua);
	assert_false(tlsrpt_txt_parse("v=TLSRPTv1;", &rua, &why));
	assert_false(tlsrpt_txt_parse("v=TLSRPTv1; rua=ftp://x.example", &rua, &why));
	assert_false(tlsrpt_txt_parse("rua=mailto:a@example.com", &rua, &why));
	assert_int_equal(rua.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt),      cmocka_unit_test(test_policy_good), cmocka_unit_test(test_policy_bad),
		cmocka_unit_test(test_mx_match), cmocka_unit_test(test_http),        cmocka_unit_test(test_tlsrpt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
