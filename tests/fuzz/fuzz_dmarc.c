/* fuzz_dmarc.c - DMARC TXT records through dmarc_parse().  Checks that every
 * valid URI size limit (!N[kmgt]) holds N times its unit, saturated at
 * UINT64_MAX rather than wrapped. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_size(const struct dmarc_uri *u)
{
	const char *bang = u->valid ? strrchr(u->text, '!') : NULL;
	if (!bang)
		return;
	unsigned __int128 v = 0;
	const char *p = bang + 1;
	while (isdigit((unsigned char)*p))
		v = v * 10 + (unsigned)(*p++ - '0');
	static const char units[] = "kmgt";
	const char *unit = *p ? strchr(units, tolower((unsigned char)*p)) : NULL;
	if (unit)
		v <<= 10 * (unit - units + 1);
	uint64_t want = v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
	if (u->max_size != want)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dmarc_text_is_candidate((const char *)data, size);
	struct dmarc_record *r = dmarc_parse((const char *)data, size);
	if (r) {
		dmarc_record_tag(r, "p");
		for (size_t i = 0; i < r->nrua; i++)
			check_size(&r->rua[i]);
		for (size_t i = 0; i < r->nruf; i++)
			check_size(&r->ruf[i]);
		dmarc_record_free(r);
	}
	return 0;
}
