/* fuzz_smtp.c - SMTP replies from a hostile server through
 * smtp_reply_parse(), consumed reply by reply as the prober does. */
#include <stdint.h>
#include <stdlib.h>

#include "smtp_reply.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t left = size;
	for (int i = 0; i < 64 && left; i++) {
		struct smtp_reply r;
		size_t used = 0;
		const char *why = NULL;
		enum smtp_parse st = smtp_reply_parse(p, left, &r, &used, &why);
		if (st != SMTP_PARSE_DONE)
			break;
		struct strlist kw = {0};
		smtp_reply_ehlo_keywords(&r, &kw);
		smtp_reply_has_keyword(&r, "STARTTLS");
		strlist_free(&kw);
		smtp_reply_free(&r);
		if (used == 0 || used > left)
			abort(); /* the parser must always make progress */
		p += used;
		left -= used;
	}
	return 0;
}
