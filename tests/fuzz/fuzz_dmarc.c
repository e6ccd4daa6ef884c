/* fuzz_dmarc.c - DMARC TXT records through dmarc_parse(). */
#include <stdint.h>
#include <stdlib.h>

#include "dmarc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dmarc_text_is_candidate((const char *)data, size);
	struct dmarc_record *r = dmarc_parse((const char *)data, size);
	if (r) {
		dmarc_record_tag(r, "p");
		dmarc_record_free(r);
	}
	return 0;
}
