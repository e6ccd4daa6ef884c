/* test_ptr_generic.c - generic / dynamic-looking reverse names, the host
 * part and organisational domain of a name, the pattern file, and the
 * reverse names the PTR check asks for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "ptr.h"
#include "util.h"

static struct ptr_patterns *shipped(void)
{
	char *p = data_path("generic-ptr-patterns.txt");
	size_t len;
	char *err = NULL;
	char *text = read_file(p, 1 << 20, &len, &err);
	if (!text)
		fail_msg("%s", err);
	struct ptr_patterns *pat = ptr_patterns_parse(text, len, &err);
	if (!pat)
		fail_msg("%s: %s", p, err);
	free(text);
	free(p);
	return pat;
}

static bool generic(const struct ptr_patterns *pat, const char *name, const char *ip, char **why)
{
	int family;
	unsigned char a[16];
	if (!ip_parse(ip, &family, a))
		fail_msg("bad ip %s", ip);
	*why = NULL;
	return ptr_name_generic(name, family, a, pat, why);
}

static void test_generic_names(void **state)
{
	(void)state;
	struct ptr_patterns *pat = shipped();
	assert_true(ptr_patterns_count(pat) >= 10);
	static const struct {
		const char *name, *ip, *why;
	} yes[] = {
		/* The address's digits, every common layout. */
		{"192-0-2-25.provider.example", "192.0.2.25", "contains the address 192.0.2.25"},
		{"25.2.0.192.broadband.example.net", "192.0.2.25", "(reversed)"},
		{"host192.0.2.25.example.com", "192.0.2.25", "contains the address"},
		{"c-192-000-002-025.hsd1.example.net", "192.0.2.25", "contains the address"},
		{"ip192000002025.example.org", "192.0.2.25", "as digits"},
		{"c0000219.cust.example.com", "192.0.2.25", "in hex (c0000219)"},
		{"2001-db8--66.v6.example.net", "2001:db8::66", "non-zero groups"},
		{"x20010db8000000000000000000000066.example.net", "2001:db8::66", "whole IPv6 address"},
		/* Words from the pattern file. */
		{"mail.dyn.example.com", "198.51.100.1", "dyn"},
		{"adsl-51-100.example.net", "198.51.100.1", "dsl"},
		{"pool-198-51-100-1.example.net", "198.51.100.2", "pool"},
		{"dhcp-17.example.org", "198.51.100.1", "dhcp"},
		{"cable-17-4.example.org", "198.51.100.1", "cable"},
		{"ppp-17.example.org", "198.51.100.1", "ppp"},
		{"static-ip-17.example.org", "198.51.100.1", "static"},
		{"17.static.example.org", "198.51.100.1", "static"},
		{"customer-17.example.org", "198.51.100.1", "cust"},
		{"unassigned.example.org", "198.51.100.1", "unassigned"},
	};
	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		char *why;
		if (!generic(pat, yes[i].name, yes[i].ip, &why))
			fail_msg("%s (%s) should look generic", yes[i].name, yes[i].ip);
		if (!strstr(why, yes[i].why))
			fail_msg("%s: why '%s' lacks '%s'", yes[i].name, why, yes[i].why);
		free(why);
	}
	static const struct {
		const char *name, *ip;
	} no[] = {
		{"mail.example.com", "192.0.2.25"},
		{"mx1.mx.test", "192.0.2.10"},
		{"smtp-out2.example.net", "192.0.2.25"},
		{"mail.dsl-provider.example", "192.0.2.25"}, /* the word is in the registrable domain only */
		{"example.com", "192.0.2.25"},
		{"o1.ptr1234.example.net", "192.0.2.25"},
		{"mail25.example.com", "192.0.2.25"},         /* one octet is not the address */
		{"mail-192-0-2.example.com", "192.0.2.25"},   /* three octets are not either */
		{"mailpool.example.com", "192.0.2.25"},       /* a word inside a word */
		{"v6host.mx.test", "2001:db8::25"},
		{"dynamo.example.com", "192.0.2.25"},
		{"staticfiles.example.com", "192.0.2.25"},
	};
	for (size_t i = 0; i < ARRAY_LEN(no); i++) {
		char *why;
		if (generic(pat, no[i].name, no[i].ip, &why))
			fail_msg("%s (%s) should not look generic, but: %s", no[i].name, no[i].ip, why);
	}
	/* Without patterns only embedded digits count. */
	char *why;
	int fam;
	unsigned char a[16];
	assert_true(ip_parse("198.51.100.1", &fam, a));
	assert_false(ptr_name_generic("dhcp-17.example.org", fam, a, NULL, &why));
	ptr_patterns_free(pat);
}

static void test_org_domain(void **state)
{
	(void)state;
	static const struct {
		const char *name, *org, *host;
	} cases[] = {
		{"192-0-2-25.dyn.provider.example", "provider.example", "192-0-2-25.dyn"},
		{"Mail.Example.COM.", "example.com", "mail"},
		{"a.b.example.co.uk", "example.co.uk", "a.b"},
		{"example.com", "example.com", ""},
		{"co.uk", "co.uk", ""},
		{"mx1.mx.test", "mx.test", "mx1"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *o = domain_organizational(cases[i].name), *h = ptr_host_part(cases[i].name);
		assert_string_equal(o, cases[i].org);
		assert_string_equal(h, cases[i].host);
		free(o);
		free(h);
	}
}

static void test_pattern_file(void **state)
{
	(void)state;
	char *err = NULL;
	const char good[] = "# comment\n\n  dyn  \r\npool\n";
	struct ptr_patterns *p = ptr_patterns_parse(good, strlen(good), &err);
	assert_non_null(p);
	assert_int_equal(ptr_patterns_count(p), 2);
	ptr_patterns_free(p);
	const char bad[] = "dyn\n(unclosed\n";
	assert_null(ptr_patterns_parse(bad, strlen(bad), &err));
	assert_non_null(strstr(err, "line 2: (unclosed"));
	free(err);
}

static void test_reverse_names(void **state)
{
	(void)state;
	int fam;
	unsigned char a[16];
	assert_true(ip_parse("192.0.2.25", &fam, a));
	char *r = ip_reverse_name(fam, a, NULL);
	assert_string_equal(r, "25.2.0.192.in-addr.arpa");
	free(r);
	assert_true(ip_parse("2001:db8::25", &fam, a));
	r = ip_reverse_name(fam, a, NULL);
	assert_string_equal(r, "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generic_names),
		cmocka_unit_test(test_org_domain),
		cmocka_unit_test(test_pattern_file),
		cmocka_unit_test(test_reverse_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
