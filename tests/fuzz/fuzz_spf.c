/* fuzz_spf.c - SPF records from TXT answers through spf_record_parse(), and
 * every domain-spec it finds through the macro helpers and the domain
 * expander (as the evaluator would, with a fixed sender and IP). */
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "spf_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	(void)spf_is_record(text, size);
	struct spf_record *rec = spf_record_parse(text, size);
	static const unsigned char v4[4] = {192, 0, 2, 25};
	const struct spf_macro_ctx ctx = {
	    .sender = "user+tag@example.com",
	    .domain = "example.com",
	    .helo = "mx.example.org",
	    .family = AF_INET,
	    .addr = v4,
	    .receiver = "mx.example.net",
	    .now = 1700000000,
	};
	for (size_t i = 0; i < rec->nterms; i++) {
		const struct spf_term *t = &rec->terms[i];
		(void)spf_term_counts(t);
		if (t->kind == SPF_TERM_MECH)
			(void)spf_mech_name(t->mech);
		if (!t->domain_spec)
			continue;
		(void)spf_macro_uses_p(t->domain_spec);
		(void)spf_macro_has_macros(t->domain_spec);
		char *err = NULL;
		char *s = t->kind == SPF_TERM_EXP ? spf_macro_expand(t->domain_spec, &ctx, false, &err)
		                                  : spf_macro_expand_domain(t->domain_spec, &ctx, &err);
		free(s);
		free(err);
	}
	spf_record_free(rec);
	return 0;
}
