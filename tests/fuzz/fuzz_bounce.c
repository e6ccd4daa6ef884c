/* fuzz_bounce.c - pasted bounces (DSN, MIME, QP/base64, mbox) through
 * bounce_parse(), with the shipped wording patterns loaded once. */
#include <stdint.h>
#include <stdlib.h>

#include "bounce.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bounce_patterns pt;
	static int loaded;
	if (!loaded) {
		char *err = NULL, *path = data_path("bounce-patterns.txt");
		if (!bounce_patterns_load(&pt, path, &err))
			free(err); /* fuzz the code paths without patterns then */
		free(path);
		loaded = 1;
	}
	struct bounce b;
	bounce_parse((const char *)data, size, &pt, &b);
	bounce_free(&b);
	return 0;
}
