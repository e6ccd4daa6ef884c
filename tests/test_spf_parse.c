/* test_spf_parse.c - the SPF record parser and macro expansion (pure
 * functions): RFC 7208 section 12 syntax, errors that quote the term and its
 * column, and the macro examples of RFC 7208 section 7.4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "spf_parse.h"
#include "util.h"

static struct spf_record *parse(const char *s)
{
	return spf_record_parse(s, strlen(s));
}

static void test_is_record(void **state)
{
	(void)state;
	assert_true(spf_is_record("v=spf1", 6));
	assert_true(spf_is_record("v=spf1 -all", 11));
	assert_true(spf_is_record("V=SPF1 -all", 11));
	assert_false(spf_is_record("v=spf10 -all", 12));
	assert_false(spf_is_record("v=spf1-all", 10));
	assert_false(spf_is_record("v=spf", 5));
	assert_false(spf_is_record("spf2.0/pra -all", 15));
}

static void test_terms(void **state)
{
	(void)state;
	struct spf_record *r = parse("v=spf1 ip4:192.0.2.0/24 -ip6:2001:db8::/32 ~a:mail.example.com/28//64 "
	                             "?mx//64 include:_spf.example.net exists:%{i}.x.example.org ptr "
	                             "redirect=_spf.example.com exp=why.example.com foo=bar  ");
	assert_null(r->error);
	assert_int_equal(r->nterms, 10);
	const struct spf_term *t = r->terms;
	assert_int_equal(t[0].mech, SPF_M_IP4);
	assert_int_equal(t[0].qualifier, '+');
	assert_int_equal(t[0].cidr4, 24);
	assert_int_equal(t[0].family, AF_INET);
	assert_int_equal(t[0].addr[0], 192);
	assert_int_equal(t[0].pos, 8);
	assert_int_equal(t[1].mech, SPF_M_IP6);
	assert_int_equal(t[1].qualifier, '-');
	assert_int_equal(t[1].cidr6, 32);
	assert_int_equal(t[2].mech, SPF_M_A);
	assert_string_equal(t[2].domain_spec, "mail.example.com");
	assert_int_equal(t[2].cidr4, 28);
	assert_int_equal(t[2].cidr6, 64);
	assert_int_equal(t[3].mech, SPF_M_MX);
	assert_null(t[3].domain_spec);
	assert_int_equal(t[3].cidr4, -1);
	assert_int_equal(t[3].cidr6, 64);
	assert_int_equal(t[4].mech, SPF_M_INCLUDE);
	assert_string_equal(t[4].domain_spec, "_spf.example.net");
	assert_int_equal(t[5].mech, SPF_M_EXISTS);
	assert_string_equal(t[5].domain_spec, "%{i}.x.example.org");
	assert_int_equal(t[6].mech, SPF_M_PTR);
	assert_int_equal(t[7].kind, SPF_TERM_REDIRECT);
	assert_ptr_equal(r->redirect, &t[7]);
	assert_ptr_equal(r->exp, &t[8]);
	assert_int_equal(t[9].kind, SPF_TERM_MODIFIER);
	assert_true(spf_term_counts(&t[2]) && spf_term_counts(&t[7]) && !spf_term_counts(&t[0]) &&
	            !spf_term_counts(&t[8]));
	spf_record_free(r);
}

/* Each bad record: the error names the term and its column. */
static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *rec, *term;
		size_t col;
	} bad[] = {
	    {"v=spf1 ip4:192.0.2.1 foo:bar -all", "foo:bar", 22},
	    {"v=spf1 ip4:192.0.2.0/33", "ip4:192.0.2.0/33", 8},
	    {"v=spf1 ip4:192.0.2", "ip4:192.0.2", 8},
	    {"v=spf1 ip6:2001:db8::/129", "ip6:2001:db8::/129", 8},
	    {"v=spf1 a/024", "a/024", 8},
	    {"v=spf1 a/", "a/", 8},
	    {"v=spf1 -all:foo", "-all:foo", 8},
	    {"v=spf1 include", "include", 8},
	    {"v=spf1 include:", "include:", 8},
	    {"v=spf1 a:foo.example.123", "a:foo.example.123", 8},
	    {"v=spf1 a:localhost", "a:localhost", 8},
	    {"v=spf1 exists:%{x}.example.com", "exists:%{x}.example.com", 8},
	    {"v=spf1 exists:%{c}.example.com", "exists:%{c}.example.com", 8},
	    {"v=spf1 exists:%{d", "exists:%{d", 8},
	    {"v=spf1 a:50%.example.com", "a:50%.example.com", 8},
	    {"v=spf1 redirect=a.example.com redirect=b.example.com", "redirect=b.example.com", 31},
	    {"v=spf1 exp=", "exp=", 8},
	    {"v=spf1 -all \xc3\xa9", "\xc3\xa9", 13},
	    {"v=spf1 =foo", "=foo", 8},
	    {"v=spf1 1foo=bar", "1foo=bar", 8},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct spf_record *r = parse(bad[i].rec);
		if (!r->error)
			fail_msg("no error for \"%s\"", bad[i].rec);
		assert_string_equal(r->error_term, bad[i].term);
		assert_int_equal(r->error_pos, bad[i].col);
		assert_non_null(strstr(r->error, bad[i].term));
		spf_record_free(r);
	}
	struct spf_record *r = parse("v=spf1 -all\tip4:192.0.2.1");
	assert_non_null(r->error); /* terms are separated by spaces only */
	spf_record_free(r);
	r = parse("v=spf2 -all");
	assert_non_null(r->error);
	spf_record_free(r);
}

static void test_valid_edge_cases(void **state)
{
	(void)state;
	static const char *good[] = {
	    "v=spf1",
	    "v=spf1 ",
	    "v=spf1 -all ",
	    "v=spf1 a:example.com.",
	    "v=spf1 a:%{d}",
	    "v=spf1 mx:foo-bar.example.c0m",
	    "v=spf1 ip4:0.0.0.0/0 ip6:::/0",
	    "v=spf1 a//0",
	    "v=spf1 unknown-mod=%{l}%%%_%- -all",
	    "v=spf1 exp=%{ir}.%{v}._spf.%{d2}",
	    "v=spf1 default=+",
	    "V=SPF1 IP4:192.0.2.1 -ALL",
	};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		struct spf_record *r = parse(good[i]);
		if (r->error)
			fail_msg("\"%s\": %s", good[i], r->error);
		spf_record_free(r);
	}
}

/* ---- macros ---- */

static char *expand(const char *spec, const char *sender, const char *ip, bool exp)
{
	static unsigned char addr[16];
	int family;
	assert_true(ip_parse(ip, &family, addr));
	const char *at = strrchr(sender, '@');
	struct spf_macro_ctx ctx = {
	    .sender = sender,
	    .domain = at ? at + 1 : sender,
	    .helo = "mx.example.org",
	    .family = family,
	    .addr = addr,
	    .receiver = "mx.example.net",
	    .now = 1700000000,
	};
	char *err = NULL;
	char *s = spf_macro_expand(spec, &ctx, exp, &err);
	if (!s) {
		assert_non_null(err);
		free(err);
	}
	return s;
}

static void check(const char *spec, const char *ip, const char *want)
{
	char *got = expand(spec, "strong-bad@email.example.com", ip, false);
	if (!got)
		fail_msg("%s: expansion failed", spec);
	/* %{i} of IPv6 is upper-case nibbles (see spf_macro.c); names are compared case-insensitively. */
	if (strcasecmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", spec, got, want);
	free(got);
}

/* RFC 7208 section 7.4. */
static void test_rfc_examples(void **state)
{
	(void)state;
	const char *ip4 = "192.0.2.3", *ip6 = "2001:db8::cb01";
	check("%{s}", ip4, "strong-bad@email.example.com");
	check("%{o}", ip4, "email.example.com");
	check("%{d}", ip4, "email.example.com");
	check("%{d4}", ip4, "email.example.com");
	check("%{d3}", ip4, "email.example.com");
	check("%{d2}", ip4, "example.com");
	check("%{d1}", ip4, "com");
	check("%{dr}", ip4, "com.example.email");
	check("%{d2r}", ip4, "example.email");
	check("%{l}", ip4, "strong-bad");
	check("%{l-}", ip4, "strong.bad");
	check("%{lr}", ip4, "strong-bad");
	check("%{lr-}", ip4, "bad.strong");
	check("%{l1r-}", ip4, "strong");
	check("%{ir}.%{v}._spf.%{d2}", ip4, "3.2.0.192.in-addr._spf.example.com");
	check("%{lr-}.lp._spf.%{d2}", ip4, "bad.strong.lp._spf.example.com");
	check("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", ip4, "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	check("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", ip4, "3.2.0.192.in-addr.strong.lp._spf.example.com");
	check("%{d2}.trusted-domains.example.net", ip4, "example.com.trusted-domains.example.net");
	check("%{ir}.%{v}._spf.%{d2}", ip6,
	      "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

static void test_macro_details(void **state)
{
	(void)state;
	char *s = expand("%%%_%-", "a@example.com", "192.0.2.3", false);
	assert_string_equal(s, "% %20");
	free(s);
	/* Upper-case letters are URL-escaped (7.3); unreserved characters stay. */
	s = expand("http://example.com/why.html?l=%{L}", "~jack&jill=up-a_b3.c@example.com", "192.0.2.3", true);
	assert_string_equal(s, "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c");
	free(s);
	/* c, r, t only in explanations. */
	assert_null(expand("%{c}", "a@example.com", "192.0.2.3", false));
	s = expand("%{c} %{r} %{t}", "a@example.com", "2001:db8::1", true);
	assert_string_equal(s, "2001:db8::1 mx.example.net 1700000000");
	free(s);
	s = expand("%{h} %{v} %{p}", "a@example.com", "2001:db8::1", true);
	assert_string_equal(s, "mx.example.org ip6 unknown");
	free(s);
	/* A delimiter set and a part count larger than the parts. */
	s = expand("%{s9r.-}", "a.b-c@x.example.com", "192.0.2.3", false);
	assert_string_equal(s, "com.example.c@x.b.a");
	free(s);
	s = expand("%{s2}", "a.b-c@x.example.com", "192.0.2.3", false);
	assert_string_equal(s, "example.com");
	free(s);
	/* Errors: zero part count, unknown letter, bare %, unterminated, bad escape. */
	static const char *bad[] = {"%{d0}", "%{x}", "%", "%{d", "%a", "%{d2r+x}", "\x01", "%{s.@}"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_null(expand(bad[i], "a@example.com", "192.0.2.3", true));
	assert_true(spf_macro_uses_p("%{p}.example.com") && spf_macro_uses_p("x%{P2}"));
	assert_false(spf_macro_uses_p("%%{p}") || spf_macro_uses_p("p.example.com"));
	assert_true(spf_macro_has_macros("%{d}") && !spf_macro_has_macros("a%%b.example.com"));
}

/* 4.8: an expansion over 253 characters loses labels on the left. */
static void test_truncation(void **state)
{
	(void)state;
	struct strbuf local;
	strbuf_init(&local);
	for (int i = 0; i < 30; i++)
		strbuf_addf(&local, "%slabel%02d", i ? "." : "", i);
	char *sender = xasprintf("%s@example.com", local.s);
	struct spf_macro_ctx ctx = {.sender = sender, .domain = "example.com"};
	char *err = NULL;
	char *s = spf_macro_expand_domain("%{l}.%{d}", &ctx, &err);
	assert_non_null(s);
	assert_true(strlen(s) <= 253);
	assert_true(ascii_endswith_ci(s, ".label29.example.com"));
	assert_true(strncmp(s, "label", 5) == 0); /* whole labels dropped */
	free(s);
	free(sender);
	strbuf_free(&local);
}

/* Hostile input: random bytes and long records never crash (ASan checks). */
static void test_random(void **state)
{
	(void)state;
	unsigned seed = 12345;
	static const char alphabet[] = "v=spf1 :/%{}.-+~?aAlLsdoipthcrv0123456789_=,\x80\t";
	for (int round = 0; round < 20000; round++) {
		char buf[96];
		size_t n = 7 + (seed = seed * 1103515245 + 12345) % 80;
		memcpy(buf, "v=spf1 ", 7);
		for (size_t i = 7; i < n; i++)
			buf[i] = alphabet[((seed = seed * 1103515245 + 12345) >> 8) % (sizeof(alphabet) - 1)];
		buf[n] = 0;
		struct spf_record *r = spf_record_parse(buf, n);
		for (size_t i = 0; i < r->nterms; i++)
			if (r->terms[i].domain_spec) {
				char *e = expand(r->terms[i].domain_spec, "a@example.com", "192.0.2.3", true);
				free(e);
			}
		spf_record_free(r);
	}
	struct strbuf big;
	strbuf_init(&big);
	strbuf_adds(&big, "v=spf1");
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&big, " ip4:192.0.2.%d", i % 256);
	struct spf_record *r = spf_record_parse(big.s, big.len);
	assert_null(r->error);
	assert_int_equal(r->nterms, 5000);
	spf_record_free(r);
	strbuf_free(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_is_record),    cmocka_unit_test(test_terms),
	    cmocka_unit_test(test_errors),       cmocka_unit_test(test_valid_edge_cases),
	    cmocka_unit_test(test_rfc_examples), cmocka_unit_test(test_macro_details),
	    cmocka_unit_test(test_truncation),   cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
