/* fuzz_dns.c - DNS responses from a hostile server through dns_parse(). */
#include <stdint.h>
#include <stdlib.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = {DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_TXT, DNS_T_PTR,
	                                 DNS_T_CNAME, DNS_T_SOA, DNS_T_TLSA, DNS_T_NS};
	/* The first byte picks the question type; the rest is the message. */
	if (size < 1)
		return 0;
	uint16_t t = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	struct dns_answer *a = dns_parse(data + 1, size - 1, "example.com", t);
	char *s = dns_answer_summary(a);
	free(s);
	dns_answer_unref(a);
	return 0;
}
