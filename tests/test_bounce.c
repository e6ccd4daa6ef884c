/* test_bounce.c - unit tests for the bounce reader: DSN and MIME parsing
 * (folded fields, quoted-printable, base64, CR / CRLF line ends), mbox,
 * the data-file parsers, and bad input (garbage, 10 MB, overlong lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bounce.h"
#include "util.h"

static struct bounce_patterns pt;

static const char table[] = "# test table\n"
                            "s3150 | sender-reputation | 4 | Microsoft block list\n"
                            "user unknown | recipient-address | 2 | no such user\n"
                            "this mail is unauthenticated | sender-authentication | 3 | Gmail unauthenticated\n";

static int setup(void **state)
{
	(void)state;
	char *err = NULL;
	memset(&pt, 0, sizeof(pt));
	return bounce_patterns_parse(&pt, table, strlen(table), &err) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	bounce_patterns_free(&pt);
	return 0;
}

static void parse(const char *s, struct bounce *b)
{
	bounce_parse(s, strlen(s), &pt, b);
}

static void test_bare_line(void **state)
{
	(void)state;
	struct bounce b;
	parse("550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent ... our block list (S3150).", &b);
	assert_true(b.found);
	assert_string_equal(b.reply_code, "550");
	assert_string_equal(b.enhanced_code, "5.7.1");
	assert_int_equal(b.category, BOUNCE_SENDER_REPUTATION);
	assert_int_equal(b.first_step, 4);
	assert_non_null(b.meaning);
	bounce_free(&b);
}

static const char dsn[] =
	"From: MAILER-DAEMON@mx.example.org\r\n"
	"Subject: Undelivered\r\n"
	"Content-Type: multipart/report; report-type=delivery-status;\r\n"
	"\tboundary=\"=_b1\"\r\n"
	"\r\n"
	"--=_b1\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Transfer-Encoding: quoted-printable\r\n"
	"\r\n"
	"The message could not be deli=\r\nvered: 550 5.1.1 us=\r\ner unknown=0D=0A\r\n"
	"--=_b1\r\n"
	"Content-Type: message/delivery-status\r\n"
	"\r\n"
	"Reporting-MTA: dns; mx.example.org\r\n"
	"\r\n"
	"Final-Recipient: rfc822;\r\n"
	"  peggy@example.com\r\n"
	"Action: failed\r\n"
	"Status: 5.1.1\r\n"
	"Remote-MTA: dns; mx.example.com\r\n"
	"Diagnostic-Code: smtp; 550 5.1.1 <peggy@example.com>:\r\n"
	"    user unknown\r\n"
	"\r\n"
	"--=_b1\r\n"
	"Content-Type: text/rfc822-headers\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"\r\n"
	/* "DKIM-Signature: v=1; d=example.net;\r\n s=k1; b=x\r\nFrom: a@example.net\r\n" */
	"REtJTS1TaWduYXR1cmU6IHY9MTsgZD1leGFtcGxlLm5ldDsNCiBzPWsxOyBiPXgNCkZyb206IGFA\r\n"
	"ZXhhbXBsZS5uZXQNCg==\r\n"
	"--=_b1--\r\n";

static void test_dsn_mime(void **state)
{
	(void)state;
	struct bounce b;
	parse(dsn, &b);
	assert_true(b.found);
	assert_true(b.is_dsn);
	assert_string_equal(b.enhanced_code, "5.1.1");
	assert_string_equal(b.reply_code, "550");
	assert_true(b.permanent);
	assert_int_equal(b.category, BOUNCE_RECIPIENT_ADDRESS);
	assert_string_equal(b.recipient, "peggy@example.com"); /* folded field */
	assert_string_equal(b.reporting_mta, "mx.example.org");
	assert_string_equal(b.remote_mta, "mx.example.com");
	assert_non_null(strstr(b.diagnostic, "user unknown")); /* folded diagnostic joined */
	assert_string_equal(b.dkim_domain, "example.net");     /* base64 part, folded header */
	assert_string_equal(b.dkim_selector, "k1");
	assert_string_equal(b.from_domain, "example.net");
	bounce_free(&b);
}

static void test_cr_line_ends(void **state)
{
	(void)state;
	char *s = xstrdup(dsn);
	/* CRLF -> CR only (old Mac mail) */
	size_t o = 0;
	for (size_t i = 0; s[i]; i++)
		if (!(s[i] == '\n' && i && s[i - 1] == '\r'))
			s[o++] = s[i];
	s[o] = '\0';
	struct bounce b;
	parse(s, &b);
	assert_string_equal(b.enhanced_code, "5.1.1");
	assert_string_equal(b.recipient, "peggy@example.com");
	bounce_free(&b);
	free(s);
}

static void test_status_generic_prefers_diagnostic(void **state)
{
	(void)state;
	struct bounce b;
	parse("Content-Type: message/delivery-status\n\nReporting-MTA: dns; a.example\n\n"
	      "Final-Recipient: rfc822; q@example.com\nAction: failed\nStatus: 5.0.0\n"
	      "Diagnostic-Code: smtp; 550 5.7.26 This mail is unauthenticated\n",
	      &b);
	assert_string_equal(b.enhanced_code, "5.7.26");
	assert_int_equal(b.category, BOUNCE_SENDER_AUTH);
	assert_int_equal(b.first_step, 3);
	bounce_free(&b);
}

static void test_temporary(void **state)
{
	(void)state;
	struct bounce b;
	parse("451 4.7.1 Greylisting in action, please come back later", &b);
	assert_true(b.found);
	assert_false(b.permanent);
	assert_int_equal(b.category, BOUNCE_TEMPORARY);
	bounce_free(&b);
}

static void test_mbox_first_bounce(void **state)
{
	(void)state;
	struct bounce b;
	parse("From x Tue Mar  5 10:00:00 2024\nFrom: a@example.org\nSubject: hi\n\nno codes here\n\n"
	      "From y Tue Mar  5 10:00:01 2024\nFrom: MAILER-DAEMON@example.org\n\n554 5.7.1 blocked\n",
	      &b);
	assert_string_equal(b.enhanced_code, "5.7.1");
	assert_string_equal(b.reply_code, "554");
	bounce_free(&b);
}

static void test_no_code(void **state)
{
	(void)state;
	struct bounce b;
	parse("hello, this is not a bounce at all 2024-03-05 10:00:00, version 1.2.3.4", &b);
	assert_false(b.found);
	assert_string_equal(b.error, "no SMTP reply code found");
	assert_int_equal(b.first_step, 1);
	bounce_free(&b);
	bounce_parse(NULL, 0, NULL, &b);
	assert_false(b.found);
	bounce_free(&b);
}

static void test_garbage_and_big(void **state)
{
	(void)state;
	size_t n = 10u << 20;
	char *buf = xmalloc(n);
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(x >> 24);
	}
	struct bounce b;
	bounce_parse(buf, n, &pt, &b); /* must return, whatever it finds */
	bounce_free(&b);
	/* one 10 MB line, and 10 MB of nested multipart headers */
	memset(buf, 'a', n);
	bounce_parse(buf, n, &pt, &b);
	assert_false(b.found);
	bounce_free(&b);
	const char *hdr = "Content-Type: multipart/mixed; boundary=b\n\n--b\n";
	size_t hl = strlen(hdr), o = 0;
	while (o + hl < n) {
		memcpy(buf + o, hdr, hl);
		o += hl;
	}
	bounce_parse(buf, o, &pt, &b);
	bounce_free(&b);
	free(buf);
}

static void test_tables(void **state)
{
	(void)state;
	struct bounce_patterns p = {0};
	char *err = NULL;
	assert_false(bounce_patterns_parse(&p, "x | no-such-category | 2 | m\n", 30, &err));
	assert_non_null(strstr(err, "line 1"));
	free(err);
	err = NULL;
	bounce_patterns_free(&p);
	assert_false(bounce_patterns_parse(&p, "x | content | 9 | m\n", 20, &err));
	free(err);
	bounce_patterns_free(&p);
	struct bounce_codes c = {0};
	const char codes[] = "# c\nX.7.26\tMultiple authentication checks failed\nX.1.1\tBad mailbox\n";
	assert_true(bounce_codes_parse(&c, codes, strlen(codes), &err));
	assert_string_equal(bounce_code_meaning(&c, "5.7.26"), "Multiple authentication checks failed");
	assert_string_equal(bounce_code_meaning(&c, "4.1.1"), "Bad mailbox");
	assert_null(bounce_code_meaning(&c, "5.9.99"));
	bounce_codes_free(&c);
	int step;
	assert_int_equal(bounce_code_category("5.2.2", &step), BOUNCE_RECIPIENT_MAILBOX);
	assert_int_equal(bounce_code_category("5.7.25", &step), BOUNCE_SENDER_AUTH);
	assert_int_equal(step, 5);
	assert_int_equal(bounce_code_category("4.4.1", &step), BOUNCE_TEMPORARY);
	assert_string_equal(bounce_category_name(BOUNCE_SENDER_REPUTATION), "sender-reputation");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare_line),
		cmocka_unit_test(test_dsn_mime),
		cmocka_unit_test(test_cr_line_ends),
		cmocka_unit_test(test_status_generic_prefers_diagnostic),
		cmocka_unit_test(test_temporary),
		cmocka_unit_test(test_mbox_first_bounce),
		cmocka_unit_test(test_no_code),
		cmocka_unit_test(test_garbage_and_big),
		cmocka_unit_test(test_tables),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
