/* fuzz_blocklist_conf.c - blocklist list files (--blocklists FILE) through
 * blocklist_conf_parse(), and every parsed list through the query-name
 * builders and the answer classifier. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "blocklist_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blocklist_set s;
	char *err = NULL;
	if (!blocklist_conf_parse((const char *)data, size, &s, &err)) {
		free(err);
		return 0;
	}
	static const unsigned char v4[4] = {192, 0, 2, 25}, v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x25};
	for (size_t i = 0; i < s.n; i++) {
		char *q[5] = {blocklist_query_ip(&s.v[i], AF_INET, v4), blocklist_query_ip(&s.v[i], AF_INET6, v6),
		              blocklist_query_domain(&s.v[i], "example.com"), blocklist_query_test(&s.v[i], true),
		              blocklist_query_test(&s.v[i], false)};
		for (size_t k = 0; k < 5; k++)
			free(q[k]);
		/* The answer bytes come from the input too (its first four). */
		unsigned char a[4] = {127, 0, 0, 2};
		for (size_t k = 0; k < 4 && k < size; k++)
			a[k] = data[k];
		char *meaning = NULL;
		blocklist_classify(&s.v[i], a, &meaning);
		free(meaning);
	}
	blocklist_set_free(&s);
	return 0;
}
