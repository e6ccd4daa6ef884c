/* fuzz_dkim.c - DKIM key records (with OpenSSL key decoding) and pasted
 * messages with DKIM-Signature headers (header parsing, canonicalisation). */
#include <stdint.h>
#include <stdlib.h>

#include "dkim_key.h"
#include "dkim_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	if (data[0] & 1) {
		struct dkim_key *k = dkim_key_parse(text, len);
		dkim_key_free(k);
	} else {
		const char *why = NULL;
		struct dkim_message *m = dkim_message_parse(text, len, &why);
		if (m) {
			size_t n = dkim_message_sig_count(m);
			for (size_t i = 0; i < n && i < 4; i++)
				dkim_message_sig(m, i);
			free(dkim_message_header(m, "From"));
			dkim_message_free(m);
		}
		size_t outlen;
		free(dkim_canon_body(text, len, (data[0] & 2) ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE, &outlen));
	}
	return 0;
}
