/* fuzz_mta_sts.c - MTA-STS policy bodies, HTTP responses and the _mta-sts /
 * _smtp._tls TXT records from hostile servers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mta_sts.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mta_sts_policy p;
	memset(&p, 0, sizeof(p));
	if (mta_sts_policy_parse((const char *)data, size, &p))
		mta_sts_policy_allows(&p, "mx1.example.com");
	mta_sts_policy_free(&p);

	int status;
	char *ctype = NULL, *body = NULL;
	size_t blen = 0;
	const char *why = NULL;
	if (mta_sts_http_parse((const char *)data, size, &status, &ctype, &body, &blen, &why)) {
		free(ctype);
		free(body);
	}

	char *s = xstrndup((const char *)data, size); /* TXT text stops at NUL */
	char *id = NULL;
	if (mta_sts_txt_parse(s, &id, &why))
		free(id);
	struct strlist rua = {0};
	tlsrpt_txt_parse(s, &rua, &why);
	strlist_free(&rua);
	mta_sts_mx_match(s, "mx1.example.com");
	free(s);
	return 0;
}
