/* test_smtp_reply.c - the SMTP reply parser: single and multi-line replies,
 * partial input, garbage, bounds, EHLO keywords. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smtp_reply.h"

static enum smtp_parse parse(const char *s, struct smtp_reply *r, size_t *used, const char **why)
{
	return smtp_reply_parse(s, strlen(s), r, used, why);
}

static void test_single_line(void **state)
{
	(void)state;
	struct smtp_reply r;
	size_t used = 0;
	const char *s = "220 mx.example.com ESMTP ready\r\nEXTRA";
	assert_int_equal(parse(s, &r, &used, NULL), SMTP_PARSE_DONE);
	assert_int_equal(r.code, 220);
	assert_int_equal(r.lines.n, 1);
	assert_string_equal(r.lines.v[0], "mx.example.com ESMTP ready");
	assert_int_equal(used, strlen("220 mx.example.com ESMTP ready\r\n"));
	smtp_reply_free(&r);
}

static void test_bare_code_and_lf(void **state)
{
	(void)state;
	struct smtp_reply r;
	size_t used = 0;
	assert_int_equal(parse("250\n", &r, &used, NULL), SMTP_PARSE_DONE);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.lines.v[0], "");
	assert_int_equal(used, 4);
	smtp_reply_free(&r);
}

static void test_multi_line_ehlo(void **state)
{
	(void)state;
	struct smtp_reply r;
	const char *s = "250-mx.example.com Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	                "250-starttls\r\n250 8BITMIME\r\n";
	assert_int_equal(parse(s, &r, NULL, NULL), SMTP_PARSE_DONE);
	assert_int_equal(r.code, 250);
	assert_int_equal(r.lines.n, 5);
	assert_true(smtp_reply_has_keyword(&r, "STARTTLS"));
	assert_true(smtp_reply_has_keyword(&r, "size"));
	assert_false(smtp_reply_has_keyword(&r, "AUTH"));
	/* The greeting line is not a keyword even if it looks like one. */
	assert_false(smtp_reply_has_keyword(&r, "mx.example.com"));
	struct strlist kw = {0};
	smtp_reply_ehlo_keywords(&r, &kw);
	assert_int_equal(kw.n, 4);
	assert_string_equal(kw.v[0], "PIPELINING");
	assert_string_equal(kw.v[2], "STARTTLS");
	strlist_free(&kw);
	smtp_reply_free(&r);
}

static void test_no_starttls(void **state)
{
	(void)state;
	struct smtp_reply r;
	assert_int_equal(parse("250-mx.example.com\r\n250 SIZE 1000\r\n", &r, NULL, NULL), SMTP_PARSE_DONE);
	assert_false(smtp_reply_has_keyword(&r, "STARTTLS"));
	smtp_reply_free(&r);
	/* A single-line EHLO reply has no keywords at all. */
	assert_int_equal(parse("250 mx.example.com STARTTLS\r\n", &r, NULL, NULL), SMTP_PARSE_DONE);
	assert_false(smtp_reply_has_keyword(&r, "STARTTLS"));
	smtp_reply_free(&r);
}

static void test_partial(void **state)
{
	(void)state;
	struct smtp_reply r;
	const char *full = "250-one\r\n250-two\r\n250 three\r\n";
	/* Every strict prefix is incomplete, never an error. */
	for (size_t n = 0; n < strlen(full); n++)
		assert_int_equal(smtp_reply_parse(full, n, &r, NULL, NULL), SMTP_PARSE_MORE);
	assert_int_equal(smtp_reply_parse(full, strlen(full), &r, NULL, NULL), SMTP_PARSE_DONE);
	smtp_reply_free(&r);
}

static void test_garbage(void **state)
{
	(void)state;
	struct smtp_reply r;
	const char *why = NULL;
	assert_int_equal(parse("HTTP/1.1 400 Bad Request\r\n", &r, NULL, &why), SMTP_PARSE_BAD);
	assert_non_null(why);
	/* Recognised before any line end arrives. */
	assert_int_equal(parse("\x16\x03\x01", &r, NULL, &why), SMTP_PARSE_BAD);
	assert_int_equal(parse("22x", &r, NULL, &why), SMTP_PARSE_BAD);
	assert_int_equal(parse("220x hello\r\n", &r, NULL, &why), SMTP_PARSE_BAD);
	assert_int_equal(parse("12\r\n", &r, NULL, &why), SMTP_PARSE_BAD);
	assert_int_equal(parse("650 nope\r\n", &r, NULL, &why), SMTP_PARSE_BAD);
	/* Codes must agree across a multi-line reply. */
	assert_int_equal(parse("250-a\r\n251 b\r\n", &r, NULL, &why), SMTP_PARSE_BAD);
}

static void test_refusal_codes(void **state)
{
	(void)state;
	struct smtp_reply r;
	assert_int_equal(parse("421-busy\r\n421 try later\r\n", &r, NULL, NULL), SMTP_PARSE_DONE);
	assert_int_equal(r.code, 421);
	assert_int_equal(r.lines.n, 2);
	smtp_reply_free(&r);
	assert_int_equal(parse("554 go away\r\n", &r, NULL, NULL), SMTP_PARSE_DONE);
	assert_int_equal(r.code, 554);
	smtp_reply_free(&r);
}

static void test_bounds(void **state)
{
	(void)state;
	struct smtp_reply r;
	const char *why = NULL;
	/* An endless line is refused once it passes the limit. */
	size_t n = SMTP_REPLY_MAX_LINE + 10;
	char *buf = malloc(n);
	memset(buf, 'a', n);
	memcpy(buf, "220 ", 4);
	assert_int_equal(smtp_reply_parse(buf, SMTP_REPLY_MAX_LINE, &r, NULL, &why), SMTP_PARSE_MORE);
	assert_int_equal(smtp_reply_parse(buf, n, &r, NULL, &why), SMTP_PARSE_BAD);
	assert_non_null(why);
	free(buf);
	/* An endless multi-line reply too. */
	struct strbuf b;
	strbuf_init(&b);
	for (int i = 0; i < SMTP_REPLY_MAX_LINES + 5; i++)
		strbuf_adds(&b, "250-x\r\n");
	strbuf_adds(&b, "250 end\r\n");
	assert_int_equal(smtp_reply_parse(b.s, b.len, &r, NULL, &why), SMTP_PARSE_BAD);
	strbuf_free(&b);
	/* Exactly at the limit is fine. */
	strbuf_init(&b);
	for (int i = 0; i < SMTP_REPLY_MAX_LINES - 1; i++)
		strbuf_adds(&b, "250-x\r\n");
	strbuf_adds(&b, "250 end\r\n");
	assert_int_equal(smtp_reply_parse(b.s, b.len, &r, NULL, &why), SMTP_PARSE_DONE);
	assert_int_equal(r.lines.n, SMTP_REPLY_MAX_LINES);
	smtp_reply_free(&r);
	strbuf_free(&b);
}

static void test_two_replies(void **state)
{
	(void)state;
	/* Pipelined data after a reply stays for the next parse. */
	const char *s = "220 hi\r\n250 ok\r\n";
	struct smtp_reply r;
	size_t used;
	assert_int_equal(parse(s, &r, &used, NULL), SMTP_PARSE_DONE);
	assert_int_equal(r.code, 220);
	smtp_reply_free(&r);
	assert_int_equal(parse(s + used, &r, &used, NULL), SMTP_PARSE_DONE);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.lines.v[0], "ok");
	smtp_reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_line),   cmocka_unit_test(test_bare_code_and_lf),
		cmocka_unit_test(test_multi_line_ehlo), cmocka_unit_test(test_no_starttls),
		cmocka_unit_test(test_partial),       cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_refusal_codes), cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_two_replies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
