/* flow_whatif.c - step 6's what-if: evaluate a proposed SPF or DMARC record
 * before publishing it.  Offline and synchronous, so the TUI can re-run it
 * on every keystroke of its editor: syntax, the lookup count of the record's
 * own terms, and the result for the sending IP where the record decides it
 * without DNS (the usual fix is an ip4:/ip6: term).  Terms that need DNS
 * (include, a, mx, exists, ptr) are taken to match as they do now, which the
 * live re-check then confirms once the record is published. */
#include "flow.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dmarc_parse.h"
#include "spf_parse.h"

void flow_whatif_free(struct flow_whatif *w)
{
	textlines_free(&w->text);
	free(w->ip_result);
	memset(w, 0, sizeof(*w));
}

static bool prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)bytes) != 0)
		return false;
	if (!rest)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

static const char *qualifier_result(char q)
{
	switch (q) {
	case '-':
		return "fail";
	case '~':
		return "softfail";
	case '?':
		return "neutral";
	default:
		return "pass";
	}
}

void flow_whatif_spf(const char *record, const char *ip, struct flow_whatif *w)
{
	memset(w, 0, sizeof(*w));
	struct textlines *t = &w->text;
	size_t len = record ? strlen(record) : 0;
	if (!record || !spf_is_record(record, len)) {
		w->status = STATUS_FAIL;
		textlines_add(t, LINE_FAIL, 0, "Not an SPF record: it must start with \"v=spf1\".");
		return;
	}
	struct spf_record *rec = spf_record_parse(record, len);
	if (rec->error) {
		w->status = STATUS_FAIL;
		textlines_add(t, LINE_FAIL, 0, "Syntax error (permerror for every receiver): %s", rec->error);
		if (rec->error_term)
			textlines_add(t, LINE_MATCH, 1, "at column %zu: %s", rec->error_pos, rec->error_term);
		spf_record_free(rec);
		return;
	}
	int family = 0;
	unsigned char addr[16];
	bool have_ip = ip && ip_parse(ip, &family, addr);
	const char *result = NULL;
	const char *decided_by = NULL;
	bool after_dns = false;
	for (size_t i = 0; i < rec->nterms; i++) {
		const struct spf_term *term = &rec->terms[i];
		if (spf_term_counts(term))
			w->lookups++;
		if (term->kind != SPF_TERM_MECH || !have_ip || result)
			continue;
		if (term->mech == SPF_M_ALL) {
			result = qualifier_result(term->qualifier);
			decided_by = term->text;
		} else if ((term->mech == SPF_M_IP4 && family == AF_INET) || (term->mech == SPF_M_IP6 && family == AF_INET6)) {
			int max = family == AF_INET ? 32 : 128;
			int bits = family == AF_INET ? term->cidr4 : term->cidr6;
			if (bits < 0 || bits > max)
				bits = max;
			if (prefix_match(addr, term->addr, bits)) {
				result = qualifier_result(term->qualifier);
				decided_by = term->text;
			}
		} else if (spf_term_counts(term)) {
			after_dns = true;
		}
	}
	if (have_ip && !result && !rec->redirect)
		result = "neutral", decided_by = "(no term matched: the default result)";
	w->status = STATUS_PASS;
	textlines_add(t, LINE_PASS, 0, "Syntax is valid.");
	if (w->lookups > SPF_WHATIF_MAX_LOOKUPS) {
		w->status = STATUS_FAIL;
		textlines_add(t, LINE_FAIL, 0, "%d DNS-querying terms at the top level alone: over the limit of 10 "
		                               "(permerror).", w->lookups);
	} else {
		textlines_add(t, w->lookups >= 8 ? LINE_WARN : LINE_NORMAL, 0,
		              "%d DNS-querying term%s at the top level (includes add their own; the limit is 10).",
		              w->lookups, w->lookups == 1 ? "" : "s");
		if (w->lookups >= 8)
			w->status = STATUS_WARN;
	}
	if (have_ip && result) {
		w->ip_result = xstrdup(result);
		bool good = strcmp(result, "pass") == 0;
		if (!good)
			w->status = STATUS_FAIL;
		textlines_add(t, good ? LINE_PASS : LINE_FAIL, 0, "Result for %s: %s, decided by %s%s.", ip, result,
		              decided_by, after_dns ? " (assuming the earlier DNS terms match as they do now)" : "");
	} else if (have_ip) {
		textlines_add(t, LINE_NORMAL, 0, "Result for %s depends on the redirect= target; publish and re-check.",
		              ip);
	}
	spf_record_free(rec);
}

void flow_whatif_dmarc(const char *record, struct flow_whatif *w)
{
	memset(w, 0, sizeof(*w));
	struct textlines *t = &w->text;
	size_t len = record ? strlen(record) : 0;
	if (!record || !dmarc_text_is_record(record, len)) {
		w->status = STATUS_FAIL;
		textlines_add(t, LINE_FAIL, 0, "Not a DMARC record receivers use: it must start with \"v=DMARC1\".");
		return;
	}
	struct dmarc_record *r = dmarc_parse(record, len);
	if (!r->usable) {
		w->status = STATUS_FAIL;
		textlines_add(t, LINE_FAIL, 0, "No usable policy: p= is missing or invalid.");
		dmarc_record_free(r);
		return;
	}
	const char *p = dmarc_policy_name(r->policy);
	w->status = STATUS_PASS;
	textlines_add(t, LINE_PASS, 0, "Valid. Policy p=%s, subdomains sp=%s, pct=%d.", p ? p : "?",
	              dmarc_policy_name(r->subdomain_policy) ? dmarc_policy_name(r->subdomain_policy) : "?", r->pct);
	if (p && strcmp(p, "none") == 0) {
		w->status = STATUS_WARN;
		textlines_add(t, LINE_WARN, 0, "p=none only monitors: fine to start with, move to quarantine once the "
		                               "reports show all your senders aligned.");
	}
	if (!r->nrua) {
		w->status = status_worst(w->status, STATUS_WARN);
		textlines_add(t, LINE_WARN, 0, "No rua=: you will get no aggregate reports to see who sends as you.");
	}
	dmarc_record_free(r);
}
