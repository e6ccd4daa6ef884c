/* fuzz_sanitize.c - the terminal sanitiser: whatever comes in, what comes out
 * must contain no control character, no ESC, no C1, no bidi override. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *out, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)out;
	for (; *p; p++) {
		if (*p == '\n' && (flags & SANITIZE_KEEP_NEWLINES))
			continue;
		if (*p < 0x20 || *p == 0x7F)
			abort();
		if (!(flags & SANITIZE_UTF8) && *p >= 0x80)
			abort();
		/* U+0080..U+009F in UTF-8 is C2 80..C2 9F; U+202A..E is E2 80 AA..AE;
		 * U+2066..9 is E2 81 A6..A9. */
		if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
			abort();
		if (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE)
			abort();
		if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (unsigned flags = 0; flags < 4; flags++) {
		char *out = sanitize_text((const char *)data, size, flags);
		check(out, flags);
		free(out);
	}
	return 0;
}
