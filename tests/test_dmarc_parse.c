/* test_dmarc_parse.c - the DMARC record parser, from the RFC 7489 appendix B
 * examples and the mistakes people make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc_parse.h"

static struct dmarc_record *parse(const char *s)
{
	return dmarc_parse(s, strlen(s));
}

static bool has(const struct dmarc_record *r, const char *id)
{
	return rec_issues_find(&r->issues, id) != NULL;
}

/* RFC 7489 B.2.1 */
static void test_rfc_monitoring(void **st)
{
	(void)st;
	struct dmarc_record *r = parse("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com");
	assert_true(r->is_dmarc);
	assert_true(r->usable);
	assert_int_equal(r->policy, DMARC_POLICY_NONE);
	assert_int_equal(r->subdomain_policy, DMARC_POLICY_NONE);
	assert_int_equal(r->pct, 100);
	assert_int_equal(r->adkim, 'r');
	assert_int_equal(r->aspf, 'r');
	assert_int_equal(r->nrua, 1);
	assert_string_equal(r->rua[0].address, "dmarc-feedback@example.com");
	assert_string_equal(r->rua[0].domain, "example.com");
	assert_true(r->rua[0].valid);
	assert_int_equal(r->issues.n, 0);
	dmarc_record_free(r);
}

/* RFC 7489 B.2.3/B.2.4: several URIs, a size limit, pct. */
static void test_rfc_per_message_and_size(void **st)
{
	(void)st;
	struct dmarc_record *r =
	    parse("v=DMARC1; p=quarantine; "
	          "rua=mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net!10m; "
	          "ruf=mailto:auth-reports@thirdparty.example.net; pct=25; sp=reject; adkim=s; aspf=S");
	assert_true(r->usable);
	assert_int_equal(r->policy, DMARC_POLICY_QUARANTINE);
	assert_int_equal(r->subdomain_policy, DMARC_POLICY_REJECT);
	assert_int_equal(r->np, DMARC_POLICY_REJECT);
	assert_int_equal(r->pct, 25);
	assert_int_equal(r->adkim, 's');
	assert_int_equal(r->aspf, 's');
	assert_int_equal(r->nrua, 2);
	assert_string_equal(r->rua[1].uri, "mailto:tld-test@thirdparty.example.net");
	assert_string_equal(r->rua[1].domain, "thirdparty.example.net");
	assert_true(r->rua[1].max_size == 10ull * 1024 * 1024);
	assert_int_equal(r->nruf, 1);
	assert_int_equal(r->issues.n, 0);
	assert_string_equal(dmarc_record_tag(r, "pct"), "25");
	dmarc_record_free(r);
}

static void test_version_not_first(void **st)
{
	(void)st;
	const char *t = "p=reject; v=DMARC1";
	assert_false(dmarc_text_is_record(t, strlen(t)));
	assert_true(dmarc_text_is_candidate(t, strlen(t)));
	struct dmarc_record *r = parse(t);
	assert_false(r->is_dmarc);
	assert_false(r->usable);
	const struct rec_issue *i = rec_issues_find(&r->issues, "dmarc.version-not-first");
	assert_non_null(i);
	assert_int_equal(i->status, STATUS_FAIL);
	assert_string_equal(i->evidence, "p=reject");
	dmarc_record_free(r);
}

static void test_bad_version_case(void **st)
{
	(void)st;
	struct dmarc_record *r = parse("v=dmarc1; p=reject");
	assert_false(r->is_dmarc);
	assert_true(has(r, "dmarc.bad-version"));
	dmarc_record_free(r);
}

static void test_missing_p(void **st)
{
	(void)st;
	struct dmarc_record *r = parse("v=DMARC1; rua=mailto:d@example.com");
	const struct rec_issue *i = rec_issues_find(&r->issues, "dmarc.missing-policy");
	assert_non_null(i);
	assert_int_equal(i->status, STATUS_WARN);
	assert_true(r->usable);
	assert_int_equal(r->policy, DMARC_POLICY_NONE);
	dmarc_record_free(r);

	r = parse("v=DMARC1; pct=50");
	i = rec_issues_find(&r->issues, "dmarc.missing-policy");
	assert_non_null(i);
	assert_int_equal(i->status, STATUS_FAIL);
	assert_false(r->usable);
	dmarc_record_free(r);
}

static void test_bad_values(void **st)
{
	(void)st;
	struct dmarc_record *r = parse("v=DMARC1; p=rejectt; sp=maybe; pct=150; adkim=x; fo=2; rf=iodef; ri=soon; "
	                               "foo=bar; rua=dmarc@example.com; ruf=mailto:x@example.com!10q");
	assert_true(has(r, "dmarc.bad-policy"));
	assert_true(has(r, "dmarc.bad-subdomain-policy"));
	assert_true(has(r, "dmarc.bad-pct"));
	assert_true(has(r, "dmarc.bad-alignment-mode"));
	assert_true(has(r, "dmarc.bad-fo"));
	assert_true(has(r, "dmarc.bad-rf"));
	assert_true(has(r, "dmarc.bad-ri"));
	assert_true(has(r, "dmarc.bad-size"));
	const struct rec_issue *i = rec_issues_find(&r->issues, "dmarc.unknown-tag");
	assert_non_null(i);
	assert_string_equal(i->evidence, "foo=bar");
	i = rec_issues_find(&r->issues, "dmarc.bad-uri");
	assert_non_null(i);
	assert_string_equal(i->evidence, "dmarc@example.com");
	assert_non_null(strstr(i->message, "mailto:dmarc@example.com"));
	assert_string_equal(rec_issues_find(&r->issues, "dmarc.bad-policy")->evidence, "p=rejectt");
	/* No valid p and no valid rua: receivers ignore the record. */
	assert_false(r->usable);
	assert_int_equal(r->pct, 100);
	dmarc_record_free(r);
}

static void test_duplicate_and_garbage(void **st)
{
	(void)st;
	struct dmarc_record *r = parse("v=DMARC1;p=none;p=reject;;; garbage ;=x; \x1b[31m=1");
	assert_true(has(r, "dmarc.duplicate-tag"));
	assert_true(has(r, "dmarc.syntax"));
	assert_int_equal(r->policy, DMARC_POLICY_NONE);
	dmarc_record_free(r);
	/* Embedded NUL and an empty record. */
	r = dmarc_parse("v=DMARC1; p=none\0x", 18);
	assert_true(has(r, "dmarc.syntax"));
	dmarc_record_free(r);
	r = dmarc_parse("", 0);
	assert_false(r->is_dmarc);
	dmarc_record_free(r);
}

static void test_uri_scheme_and_np(void **st)
{
	(void)st;
	struct dmarc_record *r = parse("v=DMARC1 ; p = reject ; np=quarantine; rua=https://example.com/r, "
	                               "mailto:a@b ; t=y");
	assert_true(r->usable);
	assert_int_equal(r->policy, DMARC_POLICY_REJECT);
	assert_int_equal(r->np, DMARC_POLICY_QUARANTINE);
	assert_true(has(r, "dmarc.uri-scheme"));
	assert_true(has(r, "dmarc.bad-uri")); /* "b" has no dot */
	assert_false(has(r, "dmarc.unknown-tag"));
	dmarc_record_free(r);
}

static void test_sizes(void **st)
{
	(void)st;
	struct dmarc_record *r = parse("v=DMARC1; p=none; rua=mailto:a@example.com!5k,mailto:b@example.com!2,"
	                               "mailto:c@example.com!1g");
	assert_int_equal(r->issues.n, 0);
	assert_true(r->rua[0].max_size == 5 * 1024);
	assert_true(r->rua[1].max_size == 2);
	assert_true(r->rua[2].max_size == 1ull << 30);
	dmarc_record_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc_monitoring),
	    cmocka_unit_test(test_rfc_per_message_and_size),
	    cmocka_unit_test(test_version_not_first),
	    cmocka_unit_test(test_bad_version_case),
	    cmocka_unit_test(test_missing_p),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_duplicate_and_garbage),
	    cmocka_unit_test(test_uri_scheme_and_np),
	    cmocka_unit_test(test_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
