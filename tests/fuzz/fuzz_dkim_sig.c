/* fuzz_dkim_sig.c - one DKIM-Signature header value alone.  The tag parser
 * is private to dkim_sig.c, so the input is wrapped in a minimal message
 * (the value, then a From and a body) and reached through
 * dkim_message_parse(); fuzz_dkim covers whole pasted messages.  Each
 * signature is then verified against a fixed Ed25519 key record and a
 * missing key, which walks the checks that come before the crypto (tags,
 * algorithm, h= list, l=, body hash). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = "DKIM-Signature: ";
	static const char post[] = "\r\nFrom: user@example.com\r\nSubject: fuzz\r\n\r\nbody\r\n";
	size_t len = sizeof(pre) - 1 + size + sizeof(post) - 1;
	char *msg = malloc(len);
	memcpy(msg, pre, sizeof(pre) - 1);
	memcpy(msg + sizeof(pre) - 1, data, size);
	memcpy(msg + sizeof(pre) - 1 + size, post, sizeof(post) - 1);
	const char *why = NULL;
	struct dkim_message *m = dkim_message_parse(msg, len, &why);
	if (m) {
		/* RFC 8463 appendix A key (test vector), ed25519. */
		static const char keyrec[] = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
		const struct dkim_lookup keys[2] = {
		    {.status = DKIM_LOOKUP_FOUND, .txt = keyrec, .len = sizeof(keyrec) - 1},
		    {.status = DKIM_LOOKUP_NOKEY},
		};
		size_t n = dkim_message_sig_count(m);
		for (size_t i = 0; i < n && i < 4; i++) {
			const struct dkim_sig *s = dkim_message_sig(m, i);
			for (size_t k = 0; k < 2; k++) {
				char *reason = NULL;
				(void)dkim_sig_verify(m, s, &keys[k], 1700000000, &reason);
				free(reason);
			}
		}
		dkim_message_free(m);
	}
	free(msg);
	return 0;
}
