/* test_spf_dns.h - a resolver backend for the SPF tests that answers from
 * OpenSPF-suite style zone data (JSON made by tests/spf-suite.py, or written
 * inline by a test), building real DNS wire responses.
 *
 * delay_ms >= 0: answers arrive from the event loop after that delay.
 * delay_ms <  0: answers are held until spf_testdns_release(), so a test can
 * count the "waves" of dependent round trips deterministically. */
#ifndef MXAUDIT_TEST_SPF_DNS_H
#define MXAUDIT_TEST_SPF_DNS_H

#include <stddef.h>

struct evloop;
struct resolver;
struct json_object;
struct spf_testdns;

/* zone: { "name": [ ["A", "192.0.2.1"], ["TXT", ["str", ...]], ["MX", [10, "host"]], ["TIMEOUT"], ... ] } */
struct resolver *spf_testdns_resolver(struct evloop *loop, struct json_object *zone, long delay_ms,
                                      struct spf_testdns **out);
size_t spf_testdns_queries(const struct spf_testdns *t);
/* Deliver every held answer now; returns how many. */
size_t spf_testdns_release(struct spf_testdns *t);

#endif
