/* bounce_dump.c - print what the bounce reader makes of a file, one
 * "key: value" a line (raw values sanitised).  Used by tests/bounce-corpus.sh
 * against the .expect files in tests/bounces/, and handy for debugging. */
#include <stdio.h>
#include <stdlib.h>

#include "bounce.h"
#include "sanitize.h"
#include "util.h"

static void kv(const char *k, const char *v)
{
	char *s = sanitize_str(v ? v : "", 0);
	printf("%s: %s\n", k, s);
	free(s);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bounce_dump FILE [PATTERNS]\n");
		return 64;
	}
	struct bounce_patterns pt = {0};
	char *err = NULL;
	char *pp = argc > 2 ? xstrdup(argv[2]) : data_path("bounce-patterns.txt");
	if (!bounce_patterns_load(&pt, pp, &err)) {
		fprintf(stderr, "bounce_dump: %s\n", err);
		return 1;
	}
	free(pp);
	size_t len;
	char *buf = read_file(argv[1], 64u << 20, &len, &err);
	if (!buf) {
		fprintf(stderr, "bounce_dump: %s\n", err);
		return 1;
	}
	struct bounce b;
	bounce_parse(buf, len, &pt, &b);
	kv("found", b.found ? "yes" : "no");
	kv("error", b.error);
	kv("reply_code", b.reply_code);
	kv("enhanced_code", b.enhanced_code);
	kv("permanent", b.permanent ? "yes" : "no");
	kv("category", bounce_category_name(b.category));
	kv("confidence", bounce_confidence_name(b.confidence));
	printf("first_step: %d\n", b.first_step);
	kv("diagnostic", b.diagnostic);
	kv("meaning", b.meaning);
	kv("pattern", b.matched_pattern);
	kv("reporting_mta", b.reporting_mta);
	kv("remote_mta", b.remote_mta);
	kv("recipient", b.recipient);
	kv("dkim_domain", b.dkim_domain);
	kv("dkim_selector", b.dkim_selector);
	kv("envelope_domain", b.envelope_domain);
	kv("from_domain", b.from_domain);
	kv("dsn", b.is_dsn ? "yes" : "no");
	kv("message", b.message.present ? "yes" : "no");
	kv("message_date", b.message.has_date ? "yes" : "no");
	kv("message_id", b.message.has_message_id ? "yes" : "no");
	kv("risky_attachment", b.message.risky_attachment);
	bounce_free(&b);
	bounce_patterns_free(&pt);
	free(buf);
	return 0;
}
