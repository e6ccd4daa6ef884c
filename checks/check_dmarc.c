/* check_dmarc.c - the DMARC policy of the From domain and the result a
 * receiver would compute for the audited mail.
 *
 * The record is looked up at _dmarc.<From domain>, then at the
 * organizational domain (Public Suffix List, libpsl) when there is none
 * (RFC 7489 6.6.3).  Report destinations in other organizational domains
 * must authorize us (RFC 7489 7.1).  Alignment needs the SPF result and the
 * verified DKIM domains, so the check holds itself until both peers are
 * done (peer_done). */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "dkim.h"
#include "dmarc_align.h"
#include "dmarc_parse.h"
#include "report.h"
#include "spf.h"

struct ext_dest {
	char *tag; /* "rua" / "ruf" */
	char *uri;
	char *domain; /* destination domain */
	char *qname;  /* <record-domain>._report._dmarc.<domain> */
	enum dns_result res;
	char *error;
	bool authorized;
};

struct dmarc_state {
	char *from, *org;
	char *qname; /* current lookup */
	char *record_domain;
	enum dns_result res;
	char *error;
	char *error_qname;
	struct strlist records;   /* DMARC candidate TXT texts at record_domain */
	struct strlist discarded; /* broken records at the From domain receivers skip */
	struct dmarc_record *rec;
	struct ext_dest *ext;
	size_t next;
	bool wait_spf, wait_dkim;
	bool tried_org;
	struct dmarc_align_result al;
	bool al_done;
	const char *applied; /* policy that applies to the From domain */
	char *mail_from_domain;
};

static void on_auth(struct check *c, void *arg, struct dns_answer *ans)
{
	struct dmarc_state *s = c->state;
	struct ext_dest *d = &s->ext[(size_t)arg];
	d->res = ans->result;
	if (!dns_result_is_answer(ans->result))
		d->error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_TXT, rr));)
		if (dmarc_text_is_record(rr->u.txt.text, rr->u.txt.len))
			d->authorized = true;
}

static void got_record(struct check *c)
{
	struct dmarc_state *s = c->state;
	s->rec = dmarc_parse(s->records.v[0], strlen(s->records.v[0]));
	char *rec_org = domain_organizational(s->record_domain);
	const struct {
		const char *tag;
		struct dmarc_uri *u;
		size_t n;
	} lists[] = {{"rua", s->rec->rua, s->rec->nrua}, {"ruf", s->rec->ruf, s->rec->nruf}};
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; i < lists[l].n; i++) {
			const struct dmarc_uri *u = &lists[l].u[i];
			if (!u->valid || !u->domain)
				continue;
			char *dorg = domain_organizational(u->domain);
			bool external = !ascii_strcaseeq(dorg, rec_org);
			free(dorg);
			if (!external)
				continue;
			s->ext = xrealloc(s->ext, (s->next + 1) * sizeof(*s->ext));
			struct ext_dest *d = &s->ext[s->next++];
			memset(d, 0, sizeof(*d));
			d->tag = xstrdup(lists[l].tag);
			d->uri = xstrdup(u->uri);
			d->domain = xstrdup(u->domain);
			/* RFC 7489 7.1: the name of the domain the policy came from. */
			d->qname = xasprintf("%s._report._dmarc.%s", s->record_domain, u->domain);
		}
	free(rec_org);
	for (size_t i = 0; i < s->next; i++)
		check_query(c, s->ext[i].qname, DNS_T_TXT, 0, on_auth, (void *)i);
}

static void on_txt(struct check *c, void *arg, struct dns_answer *ans)
{
	(void)arg;
	struct dmarc_state *s = c->state;
	if (!dns_result_is_answer(ans->result)) {
		s->res = ans->result;
		s->error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
		s->error_qname = xstrdup(ans->qname);
		return;
	}
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_TXT, rr));)
		if (dmarc_text_is_candidate(rr->u.txt.text, rr->u.txt.len))
			strlist_take(&s->records, xstrndup(rr->u.txt.text, rr->u.txt.len));
	bool any_record = false;
	for (size_t i = 0; i < s->records.n; i++)
		any_record = any_record || dmarc_text_is_record(s->records.v[i], strlen(s->records.v[i]));
	bool can_fall_back = !s->tried_org && !ascii_strcaseeq(s->org, s->from);
	if (s->records.n && !any_record && can_fall_back) {
		/* Receivers discard records that do not start with v=DMARC1 (RFC
		 * 7489 6.6.3) and go on to the organizational domain: so do we,
		 * keeping the discarded text to report it. */
		for (size_t i = 0; i < s->records.n; i++)
			strlist_add(&s->discarded, s->records.v[i]);
		strlist_free(&s->records);
	}
	if (s->records.n) {
		s->res = DNS_OK;
		s->record_domain = xstrdup(ans->qname + strlen("_dmarc."));
		got_record(c);
		return;
	}
	s->res = ans->result == DNS_OK ? DNS_NODATA : ans->result;
	if (can_fall_back) {
		s->tried_org = true;
		free(s->qname);
		s->qname = xasprintf("_dmarc.%s", s->org);
		check_query(c, s->qname, DNS_T_TXT, 0, on_txt, NULL);
	}
}

static void start(struct check *c)
{
	struct dmarc_state *s = xcalloc(1, sizeof(*s));
	c->state = s;
	const struct audit_input *in = &c->audit->in;
	s->from = domain_normalize(in->from_domain ? in->from_domain : in->domain);
	s->org = domain_organizational(s->from);
	const char *at = in->mail_from ? strrchr(in->mail_from, '@') : NULL;
	s->mail_from_domain = at && at[1] ? domain_normalize(at + 1) : xstrdup(in->helo ? in->helo : s->from);
	s->qname = xasprintf("_dmarc.%s", s->from);
	check_set_summary(c, "looking up %s", s->qname);
	check_query(c, s->qname, DNS_T_TXT, 0, on_txt, NULL);
	/* Alignment waits for the SPF result and the verified DKIM domains. */
	const struct check *spf = audit_check(c->audit, CHECK_SPF), *dkim = audit_check(c->audit, CHECK_DKIM);
	if (!spf->done) {
		s->wait_spf = true;
		check_hold(c);
	}
	if (!dkim->done) {
		s->wait_dkim = true;
		check_hold(c);
	}
}

static void peer_done(struct check *c, const struct check *peer)
{
	struct dmarc_state *s = c->state;
	if (!s)
		return;
	if (peer->id == CHECK_SPF && s->wait_spf) {
		s->wait_spf = false;
		check_release(c);
	} else if (peer->id == CHECK_DKIM && s->wait_dkim) {
		s->wait_dkim = false;
		check_release(c);
	}
}

/* A starter record at domain; the report address in the same domain so it
 * needs no authorization. */
static char *starter_record(const char *domain, const char *policy)
{
	return xasprintf("_dmarc.%s. IN TXT \"v=DMARC1; p=%s; rua=mailto:dmarc-reports@%s\"", domain, policy, domain);
}

/* The record with p changed (and pct removed): the next step. */
static char *next_record(const struct dmarc_state *s, const char *policy)
{
	struct strbuf b;
	strbuf_init(&b);
	strbuf_addf(&b, "_dmarc.%s. IN TXT \"v=DMARC1; p=%s", s->record_domain, policy);
	for (size_t i = 0; i < s->rec->ntags; i++) {
		const char *n = s->rec->tags[i].name;
		if (strcmp(n, "v") && strcmp(n, "p") && strcmp(n, "pct"))
			strbuf_addf(&b, "; %s=%s", n, s->rec->tags[i].value);
	}
	if (!s->rec->nrua)
		strbuf_addf(&b, "; rua=mailto:dmarc-reports@%s", s->record_domain);
	strbuf_adds(&b, "\"");
	return strbuf_steal(&b);
}

static void compute_alignment(struct check *c)
{
	struct dmarc_state *s = c->state;
	const struct check *spf = audit_check(c->audit, CHECK_SPF), *dkim = audit_check(c->audit, CHECK_DKIM);
	const struct strlist *pass = dkim_check_pass_domains(dkim);
	const char *spf_dom = spf_check_domain(spf);
	struct dmarc_align_input in = {
	    .from_domain = s->from,
	    .spf_domain = spf_dom ? spf_dom : s->mail_from_domain,
	    .spf_result = spf_check_result(spf),
	    .dkim_known = dkim_check_have_signatures(dkim),
	    .dkim_pass_domains = (const char *const *)pass->v,
	    .ndkim = pass->n,
	    .aspf = s->rec && s->rec->usable ? s->rec->aspf : 'r',
	    .adkim = s->rec && s->rec->usable ? s->rec->adkim : 'r',
	};
	dmarc_align_compute(&in, &s->al);
	s->al_done = true;
	if (!s->rec || !s->rec->usable)
		return;
	const char *ev = s->records.v[0];
	bool sub = !ascii_strcaseeq(s->record_domain, s->from);
	s->applied = dmarc_policy_name(sub ? s->rec->subdomain_policy : s->rec->policy);
	if (strcmp(s->al.result, "pass") == 0) {
		check_add_finding(c, STATUS_PASS, "dmarc.aligned", ev, NULL, "DMARC passes for From %s: %s.", s->from,
		                  s->al.dkim_aligned_pass == TRI_YES ? "a verified DKIM signature is aligned"
		                                                     : "SPF passes for an aligned MAIL FROM domain");
	} else if (strcmp(s->al.result, "fail") == 0) {
		check_add_finding(
		    c, STATUS_FAIL, "dmarc.not-aligned", ev,
		    "Sign with DKIM using d= your From domain (or a subdomain of it), and/or send with a "
		    "MAIL FROM (Return-Path) in your domain that your SPF record authorizes.",
		    "DMARC fails for From %s: there is neither an aligned SPF pass (SPF is %s for %s) nor an "
		    "aligned, verified DKIM signature. Receivers apply p=%s%s; Gmail, Yahoo and Microsoft "
		    "require bulk senders to pass DMARC.",
		    s->from, in.spf_result ? in.spf_result : "unknown", in.spf_domain, s->applied ? s->applied : "none",
		    s->rec->pct < 100 ? " to a share of the mail (pct)" : "");
	} else if (in.spf_domain && s->al.spf_relaxed == TRI_NO && !in.dkim_known) {
		check_add_finding(
		    c, STATUS_WARN, "dmarc.spf-not-aligned", in.spf_domain,
		    "Use a MAIL FROM (Return-Path) domain under your From domain, or rely on an aligned DKIM "
		    "signature (paste a sent message to check it).",
		    "The MAIL FROM domain %s is not aligned with From %s, so SPF cannot make DMARC pass; "
		    "only an aligned DKIM signature can.",
		    in.spf_domain, s->from);
	}
}

static void finish(struct check *c)
{
	struct dmarc_state *s = c->state;
	if (!s || s->wait_spf || s->wait_dkim)
		return;
	for (size_t i = 0; i < s->discarded.n; i++) {
		char *fix = starter_record(s->from, "none");
		check_add_finding(
		    c, STATUS_FAIL, "dmarc.discarded-record", s->discarded.v[i], fix,
		    "_dmarc.%s holds \"%s\", which does not start with v=DMARC1: receivers discard it and "
		    "use the record of the organizational domain %s instead.",
		    s->from, s->discarded.v[i], s->org);
		free(fix);
	}
	if (s->error && !s->records.n) {
		check_add_finding(c, STATUS_ERROR, "dmarc.lookup-failed", s->error_qname, NULL,
		                  "Could not look up %s: %s", s->error_qname, s->error);
		check_set_summary(c, "DMARC lookup failed");
		compute_alignment(c);
		return;
	}
	if (!s->records.n) {
		/* At the organizational domain: it then covers every subdomain too. */
		char *fix = starter_record(s->org, "none");
		check_add_finding(c, STATUS_FAIL, "dmarc.missing", s->qname, fix,
		                  "No DMARC record for %s%s%s. Gmail and Yahoo require one (at least p=none) from bulk "
		                  "senders since 2024, and Microsoft since 2025; without it mail fails their checks.",
		                  s->from, s->tried_org ? " or its organizational domain " : "",
		                  s->tried_org ? s->org : "");
		free(fix);
		check_set_summary(c, "no DMARC record");
		compute_alignment(c);
		return;
	}
	if (s->records.n > 1) {
		struct strbuf b;
		strbuf_init(&b);
		for (size_t i = 0; i < s->records.n; i++)
			strbuf_addf(&b, "%s\"%s\"", i ? " / " : "", s->records.v[i]);
		check_add_finding(
		    c, STATUS_FAIL, "dmarc.multiple-records", b.s,
		    "Delete all but one DMARC record; merge what you need into it.",
		    "_dmarc.%s has %zu DMARC records: receivers ignore DMARC altogether when there is more "
		    "than one (RFC 7489 6.6.3).",
		    s->record_domain, s->records.n);
		strbuf_free(&b);
	}
	const struct dmarc_record *r = s->rec;
	if (!ascii_strcaseeq(s->record_domain, s->from))
		check_add_finding(c, STATUS_PASS, "dmarc.org-domain", s->record_domain, NULL,
		                  "No record at _dmarc.%s; the organizational domain %s has one, so its %s applies "
		                  "to %s.",
		                  s->from, s->record_domain, r->sp_tag ? "subdomain (sp=) policy" : "policy", s->from);
	for (size_t i = 0; i < r->issues.n; i++) {
		const struct rec_issue *is = &r->issues.v[i];
		char *fix = NULL;
		if (is->status == STATUS_FAIL)
			fix = r->usable ? next_record(s, dmarc_policy_name(r->policy))
			                : starter_record(s->record_domain, "none");
		check_add_finding(c, is->status, is->id, is->evidence, fix, "%s", is->message);
		free(fix);
	}
	for (size_t i = 0; i < s->next; i++) {
		struct ext_dest *d = &s->ext[i];
		char *fix =
		    xasprintf("Ask the operator of %s to publish: %s. IN TXT \"v=DMARC1\" (or use an address in "
		              "your own domain).",
		              d->domain, d->qname);
		if (d->authorized)
			check_add_finding(c, STATUS_PASS, "dmarc.external-authorized", d->qname, NULL,
			                  "%s=%s is in another domain and %s authorizes it.", d->tag, d->uri,
			                  d->domain);
		else if (!dns_result_is_answer(d->res))
			check_add_finding(c, STATUS_ERROR, "dmarc.external-lookup-failed", d->qname, NULL,
			                  "Could not check whether %s accepts reports for %s: %s", d->domain,
			                  s->record_domain, d->error);
		else
			check_add_finding(
			    c, STATUS_WARN, "dmarc.external-unauthorized", d->qname, fix,
			    "%s=%s is in another domain that has not authorized it (%s is %s): receivers will "
			    "not send reports there.",
			    d->tag, d->uri, d->qname, dns_result_name(d->res));
		free(fix);
	}
	if (!r->usable) {
		check_set_summary(c, "DMARC record unusable at _dmarc.%s", s->record_domain);
		compute_alignment(c);
		return;
	}
	/* Policy progression: none -> quarantine -> reject. */
	bool sub = !ascii_strcaseeq(s->record_domain, s->from);
	enum dmarc_policy eff = sub ? r->subdomain_policy : r->policy;
	if (r->policy == DMARC_POLICY_NONE) {
		char *fix = next_record(s, "quarantine");
		check_add_finding(
		    c, STATUS_WARN, "dmarc.policy-none", s->records.v[0], fix,
		    "p=none only monitors: failing mail is delivered anyway. That meets the Gmail, Yahoo and "
		    "Microsoft minimum for bulk senders, but spoofed mail is not stopped. Once the rua reports "
		    "show all your mail passing, move to p=quarantine, then p=reject.");
		free(fix);
	} else if (r->policy == DMARC_POLICY_QUARANTINE || r->pct < 100) {
		char *fix = next_record(s, "reject");
		check_add_finding(
		    c, STATUS_PASS, "dmarc.policy", s->records.v[0], fix,
		    "p=%s%s: failing mail is %s. When the reports show no legitimate mail failing, the last "
		    "step is p=reject at 100%%.",
		    dmarc_policy_name(r->policy), r->pct < 100 ? " with pct below 100" : "",
		    r->pct < 100 ? "only partly acted on (pct)" : "sent to spam");
		free(fix);
	} else {
		check_add_finding(c, STATUS_PASS, "dmarc.policy", s->records.v[0], NULL,
		                  "p=reject: receivers reject mail that fails DMARC - the strongest protection.");
	}
	if (r->pct < 100 && r->policy != DMARC_POLICY_NONE) {
		char *pct = xasprintf("pct=%d", r->pct);
		check_add_finding(
		    c, STATUS_WARN, "dmarc.pct", pct, NULL,
		    "pct=%d: the policy applies to %d%% of failing mail only (the rest is treated one step "
		    "more leniently). DMARCbis drops pct; raise it to 100.",
		    r->pct, r->pct);
		free(pct);
	}
	if (r->sp_tag == DMARC_POLICY_NONE && r->policy != DMARC_POLICY_NONE)
		check_add_finding(
		    c, STATUS_WARN, "dmarc.subdomain-policy-none", "sp=none",
		    "Remove sp=none (subdomains then inherit p) unless a subdomain is still being set up.",
		    "sp=none: mail from any subdomain of %s is not protected, a gap spoofers use.", s->record_domain);
	if (!r->nrua)
		check_add_finding(
		    c, STATUS_WARN, "dmarc.no-rua", s->records.v[0], NULL,
		    "The record has no rua=: you receive no aggregate reports, so you cannot see who sends "
		    "as your domain or whether your own mail passes. Add rua=mailto:dmarc-reports@%s.",
		    s->record_domain);
	compute_alignment(c);
	if (r->pct < 100)
		check_set_summary(c, "%s: %s (pct=%d, record at _dmarc.%s); DMARC result %s", s->from,
		                  dmarc_policy_name(eff), r->pct, s->record_domain, s->al.result);
	else
		check_set_summary(c, "%s: %s (record at _dmarc.%s); DMARC result %s", s->from, dmarc_policy_name(eff),
		                  s->record_domain, s->al.result);
}

static void json(const struct check *c, struct json_object *obj)
{
	const struct dmarc_state *s = c->state;
	const struct dmarc_record *r = s ? s->rec : NULL;
	report_json_add_string(obj, "record", s && s->records.n ? s->records.v[0] : NULL);
	report_json_add_string(obj, "policy", r && r->usable ? dmarc_policy_name(r->policy) : NULL);
	report_json_add_string(obj, "subdomain_policy", r && r->usable ? dmarc_policy_name(r->subdomain_policy) : NULL);
	if (r && r->usable)
		report_json_add_int(obj, "pct", r->pct);
	else
		report_json_add_null(obj, "pct");
	report_json_add_string(obj, "org_domain", s ? s->org : NULL);
	report_json_add_string(obj, "record_domain", s ? s->record_domain : NULL);
	if (!s) {
		report_json_add_null(obj, "alignment");
		return;
	}
	report_json_add_int(obj, "records", (long long)s->records.n);
	struct json_object *tags = json_object_new_object();
	for (size_t i = 0; r && i < r->ntags; i++)
		json_object_object_add(tags, r->tags[i].name, json_object_new_string(r->tags[i].value));
	json_object_object_add(obj, "tags", tags);
	struct json_object *ext = json_object_new_array();
	for (size_t i = 0; i < s->next; i++) {
		struct json_object *o = json_object_new_object();
		report_json_add_string(o, "tag", s->ext[i].tag);
		report_json_add_string(o, "uri", s->ext[i].uri);
		report_json_add_string(o, "domain", s->ext[i].domain);
		report_json_add_string(o, "query", s->ext[i].qname);
		report_json_add_bool(o, "authorized", dns_result_is_answer(s->ext[i].res) ? s->ext[i].authorized : -1);
		json_object_array_add(ext, o);
	}
	json_object_object_add(obj, "external_destinations", ext);
	if (!s->al_done) {
		report_json_add_null(obj, "alignment");
		return;
	}
	const struct dmarc_align_result *al = &s->al;
	const struct check *spf = audit_check(c->audit, CHECK_SPF);
	struct json_object *a = json_object_new_object();
	report_json_add_string(a, "from_domain", s->from);
	const char *sd = spf_check_domain(spf);
	report_json_add_string(a, "mail_from_domain", sd ? sd : s->mail_from_domain);
	report_json_add_string(a, "spf_result", spf_check_result(spf));
	report_json_add_string(a, "aspf", r && r->usable ? (r->aspf == 's' ? "s" : "r") : NULL);
	report_json_add_string(a, "adkim", r && r->usable ? (r->adkim == 's' ? "s" : "r") : NULL);
	struct {
		const char *k;
		enum tri v;
	} tris[] = {{"spf_relaxed", al->spf_relaxed},      {"spf_strict", al->spf_strict},
	            {"spf_aligned", al->spf_aligned_pass}, {"dkim_relaxed", al->dkim_relaxed},
	            {"dkim_strict", al->dkim_strict},      {"dkim_aligned", al->dkim_aligned_pass}};
	for (size_t i = 0; i < ARRAY_LEN(tris); i++)
		report_json_add_bool(a, tris[i].k, tris[i].v == TRI_UNKNOWN ? -1 : tris[i].v == TRI_YES);
	const struct strlist *pd = dkim_check_pass_domains(audit_check(c->audit, CHECK_DKIM));
	struct json_object *dd = json_object_new_array();
	for (size_t i = 0; i < pd->n; i++)
		json_object_array_add(dd, json_object_new_string(pd->v[i]));
	json_object_object_add(a, "dkim_domains", dd);
	report_json_add_string(a, "dkim_aligned_domain", al->dkim_domain);
	report_json_add_string(a, "result", r && r->usable ? al->result : "none");
	report_json_add_string(a, "applied_policy", s->applied);
	json_object_object_add(obj, "alignment", a);
}

static void detail(const struct check *c, struct textlines *out)
{
	const struct dmarc_state *s = c->state;
	if (!s)
		return;
	textlines_add(out, LINE_HEADING, 0, "DMARC record for %s", s->from);
	textlines_add(out, LINE_DIM, 1, "organizational domain: %s", s->org);
	if (!s->records.n) {
		textlines_add(out, s->error ? LINE_ERROR : LINE_FAIL, 1, "no record at _dmarc.%s%s%s", s->from,
		              s->tried_org ? " nor _dmarc." : "", s->tried_org ? s->org : "");
	} else {
		textlines_add(out, LINE_NORMAL, 1, "found at _dmarc.%s", s->record_domain);
		for (size_t i = 0; i < s->records.n; i++)
			textlines_add(out, LINE_CODE, 2, "%s", s->records.v[i]);
	}
	const struct dmarc_record *r = s->rec;
	if (r && r->ntags) {
		static const struct {
			const char *tag, *meaning;
		} meaning[] = {{"v", "version"},
		               {"p", "policy for the domain"},
		               {"sp", "policy for subdomains"},
		               {"np", "policy for non-existent subdomains"},
		               {"pct", "share of failing mail the policy applies to"},
		               {"rua", "aggregate report addresses"},
		               {"ruf", "failure report addresses"},
		               {"adkim", "DKIM alignment (r relaxed, s strict)"},
		               {"aspf", "SPF alignment (r relaxed, s strict)"},
		               {"fo", "failure report options"},
		               {"rf", "failure report format"},
		               {"ri", "aggregate report interval (seconds)"},
		               {"t", "testing (DMARCbis)"},
		               {"psd", "public suffix domain (DMARCbis)"}};
		textlines_add(out, LINE_HEADING, 0, "Tags");
		for (size_t i = 0; i < r->ntags; i++) {
			const char *m = "";
			for (size_t j = 0; j < ARRAY_LEN(meaning); j++)
				if (strcmp(meaning[j].tag, r->tags[i].name) == 0)
					m = meaning[j].meaning;
			textlines_add(out, LINE_NORMAL, 1, "%-6s %-32s %s", r->tags[i].name, r->tags[i].value, m);
		}
	}
	if (s->al_done) {
		textlines_add(out, LINE_HEADING, 0, "Alignment with From %s", s->from);
		const struct check *spf = audit_check(c->audit, CHECK_SPF);
		const char *sd = spf_check_domain(spf), *sr = spf_check_result(spf);
		textlines_add(out, s->al.spf_aligned_pass == TRI_YES ? LINE_PASS : LINE_NORMAL, 1,
		              "SPF: %s for %s; relaxed aligned %s, strict %s", sr ? sr : "unknown",
		              sd ? sd : s->mail_from_domain, tri_name(s->al.spf_relaxed), tri_name(s->al.spf_strict));
		textlines_add(out, s->al.dkim_aligned_pass == TRI_YES ? LINE_PASS : LINE_NORMAL, 1, "DKIM: %s",
		              s->al.dkim_relaxed == TRI_UNKNOWN    ? "unknown (paste a signed message to verify)"
		              : s->al.dkim_aligned_pass == TRI_YES ? s->al.dkim_domain
		                                                   : "no verified aligned signature");
		textlines_add(out, LINE_MATCH, 1, "DMARC result a receiver computes: %s%s%s",
		              r && r->usable ? s->al.result : "none (no usable record)", s->applied ? ", policy " : "",
		              s->applied ? s->applied : "");
	}
	/* Findings with their evidence and fixes are shown by the front ends. */
}

static void free_state(struct check *c)
{
	struct dmarc_state *s = c->state;
	if (!s)
		return;
	for (size_t i = 0; i < s->next; i++) {
		free(s->ext[i].tag);
		free(s->ext[i].uri);
		free(s->ext[i].domain);
		free(s->ext[i].qname);
		free(s->ext[i].error);
	}
	free(s->ext);
	free(s->from);
	free(s->org);
	free(s->qname);
	free(s->record_domain);
	free(s->error);
	free(s->error_qname);
	free(s->mail_from_domain);
	strlist_free(&s->records);
	strlist_free(&s->discarded);
	dmarc_record_free(s->rec);
	free(s);
}

const struct check_class check_dmarc_class = {
    .name = "dmarc",
    .title = "DMARC",
    .start = start,
    .finish = finish,
    .peer_done = peer_done,
    .json = json,
    .detail = detail,
    .free_state = free_state,
};
