/* test_dmarc_align.c - organizational domains (libpsl) and DMARC alignment
 * with known and unknown SPF/DKIM inputs (RFC 7489 3.1 examples). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc_align.h"
#include "util.h"

static void test_org_domain(void **st)
{
	(void)st;
	static const char *const cases[][2] = {
	    {"example.com", "example.com"},         {"mail.Example.COM.", "example.com"},
	    {"a.b.example.co.uk", "example.co.uk"}, {"co.uk", "co.uk"},
	    {"sub.dmarc.test", "dmarc.test"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *o = domain_organizational(cases[i][0]);
		assert_string_equal(o, cases[i][1]);
		free(o);
	}
}

static struct dmarc_align_result run(const char *from, const char *spf_dom, const char *spf_res, bool dkim_known,
                                     const char *dkim_dom, char aspf, char adkim)
{
	const char *d[1] = {dkim_dom};
	struct dmarc_align_input in = {from, spf_dom, spf_res, dkim_known, d, dkim_dom ? 1 : 0, aspf, adkim};
	struct dmarc_align_result r;
	dmarc_align_compute(&in, &r);
	return r;
}

static void test_spf_alignment(void **st)
{
	(void)st;
	/* RFC 7489 3.1.2: relaxed allows a subdomain MAIL FROM, strict not. */
	struct dmarc_align_result r = run("example.com", "bounce.example.com", "pass", false, NULL, 'r', 'r');
	assert_int_equal(r.spf_relaxed, TRI_YES);
	assert_int_equal(r.spf_strict, TRI_NO);
	assert_int_equal(r.spf_aligned_pass, TRI_YES);
	assert_string_equal(r.result, "pass");
	r = run("example.com", "bounce.example.com", "pass", false, NULL, 's', 'r');
	assert_int_equal(r.spf_aligned_pass, TRI_NO);
	assert_string_equal(r.result, "unknown"); /* DKIM not known */
	r = run("example.com", "bounce.example.com", "pass", true, NULL, 's', 'r');
	assert_string_equal(r.result, "fail");
	/* SPF pass for another organization (an ESP's bounce domain) is not aligned. */
	r = run("example.com", "esp.example.net", "pass", true, NULL, 'r', 'r');
	assert_int_equal(r.spf_relaxed, TRI_NO);
	assert_string_equal(r.result, "fail");
	/* SPF unknown, DKIM known and not aligned: unknown. */
	r = run("example.com", "example.com", NULL, true, "example.net", 'r', 'r');
	assert_int_equal(r.spf_pass, TRI_UNKNOWN);
	assert_string_equal(r.result, "unknown");
	/* softfail is not pass. */
	r = run("example.com", "example.com", "softfail", true, NULL, 'r', 'r');
	assert_string_equal(r.result, "fail");
}

static void test_dkim_alignment(void **st)
{
	(void)st;
	struct dmarc_align_result r = run("news.example.com", "esp.example.net", "pass", true, "example.com", 'r', 'r');
	assert_int_equal(r.dkim_relaxed, TRI_YES);
	assert_int_equal(r.dkim_strict, TRI_NO);
	assert_int_equal(r.dkim_aligned_pass, TRI_YES);
	assert_string_equal(r.dkim_domain, "example.com");
	assert_string_equal(r.result, "pass");
	r = run("news.example.com", "esp.example.net", "pass", true, "example.com", 'r', 's');
	assert_int_equal(r.dkim_aligned_pass, TRI_NO);
	assert_string_equal(r.result, "fail");
	/* Unknown everything. */
	r = run("example.com", NULL, NULL, false, NULL, 'r', 'r');
	assert_int_equal(r.spf_relaxed, TRI_UNKNOWN);
	assert_int_equal(r.dkim_relaxed, TRI_UNKNOWN);
	assert_string_equal(r.result, "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_org_domain),
	    cmocka_unit_test(test_spf_alignment),
	    cmocka_unit_test(test_dkim_alignment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
