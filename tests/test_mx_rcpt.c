/* test_mx_rcpt.c - the MX check's recipient mode, pure parts: address
 * syntax and typos of common mailbox domains. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mx.h"
#include "util.h"

static void test_syntax_ok(void **state)
{
	(void)state;
	static const struct {
		const char *addr, *domain;
		bool literal;
	} ok[] = {
		{"someone@example.com", "example.com", false},
		{"  <Some.One+tag@Example.COM.>  ", "example.com", false},
		{"o'brien@example.org", "example.org", false},
		{"\"john smith\"@example.net", "example.net", false},
		{"\"a@b\\\"c\"@example.net", "example.net", false},
		{"user@[192.0.2.1]", "[192.0.2.1]", true},
		{"user@[IPv6:2001:db8::1]", "[ipv6:2001:db8::1]", true},
		{"j\xc3\xbcrgen@example.de", "example.de", false}, /* RFC 6531 UTF-8 local part */
	};
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		char *d = NULL;
		bool lit = false;
		const char *why = NULL;
		if (!mx_rcpt_parse(ok[i].addr, &d, &lit, &why))
			fail_msg("'%s' rejected: %s", ok[i].addr, why);
		assert_string_equal(d, ok[i].domain);
		assert_int_equal(lit, ok[i].literal);
		free(d);
	}
}

static void test_syntax_bad(void **state)
{
	(void)state;
	char local65[80];
	memset(local65, 'a', 65);
	strcpy(local65 + 65, "@example.com");
	static const struct {
		const char *addr, *why;
	} bad[] = {
		{"", "empty"},
		{"   ", "empty"},
		{"someone.example.com", "no @"},
		{"@example.com", "before the @ is empty"},
		{"someone@", "after the @ is empty"},
		{"some one@example.com", "space"},
		{"a,b@example.com", "needs quoting"},
		{".a@example.com", "leading or double dot"},
		{"a..b@example.com", "leading or double dot"},
		{"a.@example.com", "ends with a dot"},
		{"a@b@example.com", "more than one @"},
		{"someone@localhost", "single label"},
		{"someone@example..com", "empty label"},
		{"someone@192.0.2.1", "ends in a number"},
		{"someone@[192.0.2.300]", "address literal"},
		{"someone@[2001:db8::1]", "address literal"}, /* IPv6 needs the IPv6: tag */
		{"\"unclosed@example.com", "not closed"},
		{"\"a\"b@example.com", "followed by @"},
		{"someone@exa_mple!.com", "may contain only"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char *d = NULL;
		bool lit = false;
		const char *why = NULL;
		if (mx_rcpt_parse(bad[i].addr, &d, &lit, &why))
			fail_msg("'%s' accepted (domain %s)", bad[i].addr, d);
		assert_null(d);
		if (!strstr(why, bad[i].why))
			fail_msg("'%s': why '%s' lacks '%s'", bad[i].addr, why, bad[i].why);
	}
	char *d = NULL;
	bool lit;
	const char *why;
	assert_false(mx_rcpt_parse(local65, &d, &lit, &why));
	assert_non_null(strstr(why, "64 characters"));
}

static struct mx_typos *shipped(void)
{
	char *p = data_path("mailbox-domain-typos.txt");
	size_t len;
	char *err = NULL;
	char *text = read_file(p, 1 << 20, &len, &err);
	if (!text)
		fail_msg("%s", err);
	struct mx_typos *t = mx_typos_parse(text, len, &err);
	if (!t)
		fail_msg("%s: %s", p, err);
	free(text);
	free(p);
	return t;
}

static void test_typos(void **state)
{
	(void)state;
	struct mx_typos *t = shipped();
	static const struct {
		const char *domain, *want;
	} cases[] = {
		{"gmial.com", "gmail.com"},     /* swap */
		{"gmal.com", "gmail.com"},      /* deletion */
		{"gmaill.com", "gmail.com"},    /* listed */
		{"gmail.con", "gmail.com"},     /* substitution in the TLD */
		{"GMAIL.CPM", "gmail.com"},     /* case */
		{"hotmial.com", "hotmail.com"},
		{"yahooo.com", "yahoo.com"},
		{"outlok.com", "outlook.com"},
		{"gamil.com", "gmail.com"},     /* two edits, listed */
		{"gmail.com", NULL},            /* itself */
		{"mail.com", NULL},             /* listed: not a typo of gmail.com */
		{"email.com", NULL},
		{"example.com", NULL},
		{"mx.com", NULL},               /* one edit from me.com, but me is too short */
		{"gmx.com", NULL},
		{"totally-different.example", NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const char *got = mx_typos_suggest(t, cases[i].domain);
		if (!cases[i].want) {
			if (got)
				fail_msg("%s: unexpected suggestion %s", cases[i].domain, got);
		} else if (!got || strcmp(got, cases[i].want) != 0) {
			fail_msg("%s: got %s, want %s", cases[i].domain, got ? got : "(none)", cases[i].want);
		}
	}
	assert_null(mx_typos_suggest(NULL, "gmial.com"));
	mx_typos_free(t);
	char *err = NULL;
	const char bad[] = "gmail.com\nfoo = \n";
	assert_null(mx_typos_parse(bad, strlen(bad), &err));
	assert_string_equal(err, "line 2: not a domain (expected DOMAIN or TYPO = DOMAIN)");
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_ok),
		cmocka_unit_test(test_syntax_bad),
		cmocka_unit_test(test_typos),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
