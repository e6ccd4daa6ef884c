/* fuzz_mx_rcpt.c - recipient addresses (--rcpt, or taken from a bounce)
 * through mx_rcpt_parse(), and their domains through the typo finder and
 * the PTR generic-name heuristics (both read operator-facing text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mx.h"
#include "ptr.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mx_typos *typos;
	static struct ptr_patterns *pat;
	if (!typos) {
		static const char t[] = "gmail.com\nhotmail.com\ngamil.com = gmail.com\n";
		static const char p[] = "(^|[^a-z])dyn([^a-z]|$)\npool\n";
		char *err = NULL;
		typos = mx_typos_parse(t, sizeof(t) - 1, &err);
		pat = ptr_patterns_parse(p, sizeof(p) - 1, &err);
	}
	char *s = xstrndup((const char *)data, size); /* stops at a NUL, like a C string from argv */
	char *domain = NULL;
	bool literal;
	const char *why;
	if (mx_rcpt_parse(s, &domain, &literal, &why)) {
		mx_typos_suggest(typos, domain);
		static const unsigned char v4[4] = {192, 0, 2, 25}, v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x25};
		char *w = NULL;
		if (!literal) {
			if (ptr_name_generic(domain, AF_INET, v4, pat, &w))
				free(w);
			w = NULL;
			if (ptr_name_generic(domain, AF_INET6, v6, pat, &w))
				free(w);
			free(domain_organizational(domain));
		}
		free(domain);
	}
	free(s);
	return 0;
}
