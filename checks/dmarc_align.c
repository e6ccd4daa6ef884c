/* dmarc_align.c - identifier alignment (RFC 7489 3.1). */
#include "dmarc_align.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *tri_name(enum tri t)
{
	return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown";
}

static enum tri relaxed(const char *a, const char *b)
{
	char *oa = domain_organizational(a), *ob = domain_organizational(b);
	bool eq = ascii_strcaseeq(oa, ob);
	free(oa);
	free(ob);
	return eq ? TRI_YES : TRI_NO;
}

static enum tri strict(const char *a, const char *b)
{
	char *na = domain_normalize(a), *nb = domain_normalize(b);
	bool eq = strcmp(na, nb) == 0;
	free(na);
	free(nb);
	return eq ? TRI_YES : TRI_NO;
}

void dmarc_align_compute(const struct dmarc_align_input *in, struct dmarc_align_result *out)
{
	memset(out, 0, sizeof(*out));
	out->spf_relaxed = out->spf_strict = TRI_UNKNOWN;
	if (in->spf_domain && *in->spf_domain) {
		out->spf_relaxed = relaxed(in->spf_domain, in->from_domain);
		out->spf_strict = strict(in->spf_domain, in->from_domain);
	}
	out->spf_pass = !in->spf_result ? TRI_UNKNOWN : strcmp(in->spf_result, "pass") == 0 ? TRI_YES : TRI_NO;
	enum tri spf_al = in->aspf == 's' ? out->spf_strict : out->spf_relaxed;
	if (out->spf_pass == TRI_NO || spf_al == TRI_NO)
		out->spf_aligned_pass = TRI_NO;
	else if (out->spf_pass == TRI_YES && spf_al == TRI_YES)
		out->spf_aligned_pass = TRI_YES;
	else
		out->spf_aligned_pass = TRI_UNKNOWN;

	out->dkim_relaxed = out->dkim_strict = out->dkim_aligned_pass = TRI_UNKNOWN;
	if (in->dkim_known) {
		out->dkim_relaxed = out->dkim_strict = out->dkim_aligned_pass = TRI_NO;
		for (size_t i = 0; i < in->ndkim; i++) {
			enum tri r = relaxed(in->dkim_pass_domains[i], in->from_domain);
			enum tri s = strict(in->dkim_pass_domains[i], in->from_domain);
			if (r == TRI_YES)
				out->dkim_relaxed = TRI_YES;
			if (s == TRI_YES)
				out->dkim_strict = TRI_YES;
			if ((in->adkim == 's' ? s : r) == TRI_YES && out->dkim_aligned_pass != TRI_YES) {
				out->dkim_aligned_pass = TRI_YES;
				out->dkim_domain = in->dkim_pass_domains[i];
			}
		}
	}
	/* DMARC passes when either mechanism passes aligned; it fails only when
	 * both are known not to. */
	if (out->spf_aligned_pass == TRI_YES || out->dkim_aligned_pass == TRI_YES)
		out->result = "pass";
	else if (out->spf_aligned_pass == TRI_NO && out->dkim_aligned_pass == TRI_NO)
		out->result = "fail";
	else
		out->result = "unknown";
}
