/* test_bounce_whatif.c - step 6's what-if: proposed SPF and DMARC records
 * evaluated offline (flow_whatif_spf / flow_whatif_dmarc). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flow.h"

static void test_spf_adds_ip(void **state)
{
	(void)state;
	struct flow_whatif w;
	flow_whatif_spf("v=spf1 include:_spf.example.net mx ip4:192.0.2.0/24 ~all", "192.0.2.25", &w);
	assert_int_equal(w.status, STATUS_PASS);
	assert_int_equal(w.lookups, 2);
	assert_string_equal(w.ip_result, "pass");
	flow_whatif_free(&w);
	flow_whatif_spf("v=spf1 ip4:198.51.100.1 -all", "192.0.2.25", &w);
	assert_int_equal(w.status, STATUS_FAIL);
	assert_string_equal(w.ip_result, "fail");
	flow_whatif_free(&w);
	flow_whatif_spf("v=spf1 ip6:2001:db8::/32 ?all", "2001:db8::1", &w);
	assert_string_equal(w.ip_result, "pass");
	flow_whatif_free(&w);
}

static void test_spf_errors(void **state)
{
	(void)state;
	struct flow_whatif w;
	flow_whatif_spf("v=spf1 ip4:192.0.2.300 -all", "192.0.2.1", &w);
	assert_int_equal(w.status, STATUS_FAIL);
	assert_null(w.ip_result);
	flow_whatif_free(&w);
	flow_whatif_spf("spf1 -all", NULL, &w);
	assert_int_equal(w.status, STATUS_FAIL);
	flow_whatif_free(&w);
	flow_whatif_spf("v=spf1 a mx include:a.example include:b.example include:c.example include:d.example "
	                "include:e.example include:f.example include:g.example include:h.example exists:x.example -all",
	                NULL, &w);
	assert_int_equal(w.lookups, 11);
	assert_int_equal(w.status, STATUS_FAIL);
	flow_whatif_free(&w);
}

static void test_dmarc(void **state)
{
	(void)state;
	struct flow_whatif w;
	flow_whatif_dmarc("v=DMARC1; p=reject; rua=mailto:d@example.com", &w);
	assert_int_equal(w.status, STATUS_PASS);
	flow_whatif_free(&w);
	flow_whatif_dmarc("v=DMARC1; p=none", &w);
	assert_int_equal(w.status, STATUS_WARN);
	flow_whatif_free(&w);
	flow_whatif_dmarc("p=reject; v=DMARC1", &w);
	assert_int_equal(w.status, STATUS_FAIL);
	flow_whatif_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spf_adds_ip),
		cmocka_unit_test(test_spf_errors),
		cmocka_unit_test(test_dmarc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
