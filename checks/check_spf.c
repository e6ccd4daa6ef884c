/* check_spf.c - the SPF check: RFC 7208 check_host() for the audit's IP and
 * MAIL FROM (and HELO) identities, with the evaluation trace, plus a static
 * analysis of the whole record tree that does not depend on the IP.
 *
 * Status of the check: pass -> pass; fail / softfail -> fail; permerror ->
 * fail; temperror -> error (a DNS problem is never a fail).  neutral and
 * none -> fail: since 2024 Gmail and Yahoo require every sender to publish
 * SPF, and a 550 5.7.26 means neither SPF nor DKIM passed aligned; an IP the
 * record does not authorise (neutral) or a domain without a record (none)
 * leaves the message depending on DKIM alone, which is exactly the state
 * that produces that bounce.  So for the operator's own sending IP it is
 * wrong, not merely risky. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "audit.h"
#include "report.h"
#include "spf.h"
#include "spf_eval.h"

/* Records above this size no longer fit a classic 512-byte DNS UDP answer:
 * resolvers without EDNS retry over TCP, and some just fail. */
#define SPF_RECORD_WARN_BYTES 450

struct spf_state {
	struct spf_eval *mf;   /* MAIL FROM identity (HELO when MAIL FROM is empty) */
	struct spf_eval *helo; /* HELO identity, when it is another domain and there is an IP */
	char *domain;          /* the MAIL FROM identity's domain */
	struct spf_tree_stats st;
	bool have_stats;
};

static void on_eval_done(void *arg, struct spf_eval *e)
{
	(void)e;
	struct check *c = arg;
	check_touch(c);
	check_release(c);
}

static const char *sender_domain(const char *mail_from)
{
	const char *at = mail_from ? strrchr(mail_from, '@') : NULL;
	return at ? at + 1 : mail_from;
}

static void start(struct check *c)
{
	struct audit_input *in = &c->audit->in;
	struct spf_state *s = xcalloc(1, sizeof(*s));
	c->state = s;
	bool empty = !in->mail_from || !in->mail_from[0];
	s->domain = xstrdup(empty ? (in->helo ? in->helo : in->domain) : sender_domain(in->mail_from));
	struct spf_eval_params p = {
	    .ip = in->ip,
	    .domain = s->domain,
	    .sender = empty ? NULL : in->mail_from,
	    .helo = in->helo ? in->helo : in->domain,
	};
	s->mf = spf_eval_new(c->audit->resolver, &p, on_eval_done, c);
	check_hold(c);
	spf_eval_start(s->mf);
	if (in->ip && in->helo && !empty && !ascii_strcaseeq(in->helo, s->domain)) {
		/* RFC 7208 2.3: the HELO identity is checked too; receivers that
		 * do so reject on a HELO fail before MAIL FROM is even looked at. */
		struct spf_eval_params h = {.ip = in->ip, .domain = in->helo, .sender = NULL, .helo = in->helo};
		s->helo = spf_eval_new(c->audit->resolver, &h, on_eval_done, c);
		check_hold(c);
		spf_eval_start(s->helo);
	}
	if (in->ip)
		check_set_summary(c, "evaluating SPF of %s for %s", s->domain, in->ip);
	else
		check_set_summary(c, "reading the SPF record of %s", s->domain);
}

/* The top record, as found. */
static const struct spf_node *top_node(const struct spf_state *s)
{
	return s && s->mf ? spf_eval_tree(s->mf) : NULL;
}

/* The record with ip4:/ip6:<IP> inserted before the all / redirect term
 * (or at the end): the line to publish when the sending IP is refused. */
static char *record_with_ip(const char *record, const char *ip, int family)
{
	const char *mech = family == AF_INET6 ? "ip6" : "ip4";
	if (!record)
		return xasprintf("v=spf1 %s:%s mx -all", mech, ip);
	struct strbuf b;
	strbuf_init(&b);
	const char *p = record;
	const char *insert = NULL;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *t = p;
		while (*p && *p != ' ')
			p++;
		size_t n = (size_t)(p - t);
		const char *m = t;
		if (n && strchr("+-~?", *m))
			m++;
		if (!insert && ((size_t)(p - m) == 3 && strncasecmp(m, "all", 3) == 0))
			insert = t;
		if (!insert && n > 9 && strncasecmp(t, "redirect=", 9) == 0)
			insert = t;
	}
	if (insert) {
		strbuf_add(&b, record, (size_t)(insert - record));
		strbuf_addf(&b, "%s:%s %s", mech, ip, insert);
	} else {
		strbuf_addf(&b, "%s %s:%s", record, mech, ip);
	}
	return strbuf_steal(&b);
}

/* Collect the ip4/ip6 terms of a subtree; false when it has terms that
 * cannot be replaced by addresses (a, mx, exists, ptr, macros, errors). */
static bool flatten_collect(const struct spf_node *n, struct strlist *out, int depth)
{
	if (!n || !n->rec || n->rec->error || n->loop || depth > 10)
		return false;
	bool ok = true;
	for (size_t i = 0; i < n->rec->nterms; i++) {
		const struct spf_term *t = &n->rec->terms[i];
		if (t->kind == SPF_TERM_MECH && (t->mech == SPF_M_IP4 || t->mech == SPF_M_IP6)) {
			const char *txt = t->text + (strchr("+-~?", t->text[0]) ? 1 : 0);
			if (t->qualifier == '+' && !strlist_contains_ci(out, txt))
				strlist_add(out, txt);
		} else if (t->kind == SPF_TERM_MECH && t->mech == SPF_M_ALL) {
			continue;
		} else if ((t->kind == SPF_TERM_MECH && t->mech == SPF_M_INCLUDE) || t->kind == SPF_TERM_REDIRECT) {
			ok = flatten_collect(n->child ? n->child[i] : NULL, out, depth + 1) && ok;
		} else if (t->kind == SPF_TERM_MECH) {
			ok = false;
		}
	}
	return ok;
}

/* A record with every include whose tree is only address ranges replaced by
 * those ranges (the usual "flattening"), keeping the others. */
static char *collapsed_record(const struct spf_node *top, int *saved)
{
	struct strbuf b;
	strbuf_init(&b);
	strbuf_adds(&b, "v=spf1");
	*saved = 0;
	for (size_t i = 0; i < top->rec->nterms; i++) {
		const struct spf_term *t = &top->rec->terms[i];
		if (t->kind == SPF_TERM_MECH && t->mech == SPF_M_INCLUDE && t->qualifier == '+') {
			struct strlist ips = {0};
			const struct spf_node *c = top->child ? top->child[i] : NULL;
			if (flatten_collect(c, &ips, 0) && ips.n) {
				struct spf_tree_stats st;
				spf_tree_stats(c, &st);
				*saved += 1 + st.lookups;
				spf_tree_stats_free(&st);
				for (size_t j = 0; j < ips.n; j++)
					strbuf_addf(&b, " %s", ips.v[j]);
				strlist_free(&ips);
				continue;
			}
			strlist_free(&ips);
		}
		strbuf_addf(&b, " %s", t->text);
	}
	return strbuf_steal(&b);
}

/* Duplicate or overlapping ip4/ip6 ranges within one record. */
static void check_overlaps(struct check *c, const struct spf_node *n)
{
	if (!n->rec || n->rec->error)
		return;
	for (size_t i = 0; i < n->rec->nterms; i++) {
		const struct spf_term *a = &n->rec->terms[i];
		if (a->kind != SPF_TERM_MECH || (a->mech != SPF_M_IP4 && a->mech != SPF_M_IP6))
			continue;
		int bits = a->mech == SPF_M_IP4 ? 32 : 128;
		int pa = (a->mech == SPF_M_IP4 ? a->cidr4 : a->cidr6);
		pa = pa < 0 ? bits : pa;
		for (size_t j = i + 1; j < n->rec->nterms; j++) {
			const struct spf_term *b = &n->rec->terms[j];
			if (b->kind != SPF_TERM_MECH || b->mech != a->mech)
				continue;
			int pb = (b->mech == SPF_M_IP4 ? b->cidr4 : b->cidr6);
			pb = pb < 0 ? bits : pb;
			int p = pa < pb ? pa : pb;
			int full = p / 8, rem = p % 8;
			bool same = memcmp(a->addr, b->addr, (size_t)full) == 0;
			if (same && rem) {
				unsigned char m = (unsigned char)(0xff << (8 - rem));
				same = (a->addr[full] & m) == (b->addr[full] & m);
			}
			if (!same)
				continue;
			const struct spf_term *inner = pa >= pb ? a : b, *outer = pa >= pb ? b : a;
			char *ev = xasprintf("%s: %s and %s", n->domain, a->text, b->text);
			if (pa == pb)
				check_add_finding(c, STATUS_WARN, "spf.duplicate-range", ev,
				                  "Remove the duplicate term.", "The record of %s lists %s twice.",
				                  n->domain, a->text);
			else
				check_add_finding(c, STATUS_WARN, "spf.overlapping-ranges", ev,
				                  "Remove the narrower term.",
				                  "In the record of %s, %s is already covered by %s.", n->domain,
				                  inner->text, outer->text);
			free(ev);
		}
	}
}

static void static_findings(struct check *c, struct spf_state *s, const struct spf_node *top)
{
	const struct spf_record *rec = top->rec;
	spf_tree_stats(top, &s->st);
	s->have_stats = true;
	const struct spf_tree_stats *st = &s->st;
	/* Total cost of the tree, whatever the IP: the number that silently
	 * breaks SPF for everyone when one more service is included. */
	if (st->loop) {
		struct strbuf ev;
		strbuf_init(&ev);
		for (size_t i = 0; i < st->loops.n; i++)
			strbuf_addf(&ev, "%s%s", i ? "; " : "", st->loops.v[i]);
		check_add_finding(c, STATUS_FAIL, "spf.include-loop", ev.s,
		                  "Remove the include that points back to a record already in the chain.",
		                  "The record tree includes itself (%s): evaluation runs into the 10-lookup limit and "
		                  "returns permerror.",
		                  ev.s);
		strbuf_free(&ev);
	} else if (st->lookups > SPF_MAX_LOOKUPS) {
		int saved = 0;
		char *collapsed = collapsed_record(top, &saved);
		char *how =
		    saved ? xasprintf(" Publishing the record below replaces the includes that only list addresses "
		                      "by those addresses and saves %d lookup%s (re-check it when a provider "
		                      "changes its ranges).",
		                      saved, saved == 1 ? "" : "s")
		          : xstrdup("");
		check_add_finding(c, STATUS_FAIL, "spf.too-many-lookups", top->record,
		                  saved ? collapsed
		                        : "Remove includes of services you no longer use, or replace a/mx terms by "
		                          "ip4:/ip6: ranges, until the tree needs at most 10 lookups.",
		                  "The record tree of %s needs %d DNS lookups; RFC 7208 allows 10, so receivers "
		                  "return permerror for any IP the first 10 do not match.%s",
		                  top->domain, st->lookups, how);
		free(how);
		free(collapsed);
	} else if (st->lookups >= SPF_MAX_LOOKUPS - 1) {
		check_add_finding(c, STATUS_WARN, "spf.lookups-near-limit", top->record,
		                  "Before adding another include, replace one by its ip4:/ip6: ranges.",
		                  "The record tree of %s needs %d of the 10 allowed DNS lookups.", top->domain,
		                  st->lookups);
	}
	if (st->voids > SPF_MAX_VOIDS)
		check_add_finding(c, STATUS_FAIL, "spf.void-lookups", top->record,
		                  "Remove a/mx/include/exists terms whose names do not exist or have no records.",
		                  "%d terms of the tree point at names with no records; more than 2 such void lookups "
		                  "is a permerror.",
		                  st->voids);
	else if (st->voids > 0)
		check_add_finding(c, STATUS_WARN, "spf.void-lookups", top->record,
		                  "Remove a/mx/include/exists terms whose names do not exist or have no records.",
		                  "%d term(s) of the tree point at names with no records (void lookups; 3 make a "
		                  "permerror).",
		                  st->voids);
	for (size_t i = 0; i < st->no_spf.n; i++) {
		char *fix =
		    xasprintf("Remove include:%s, or use the include name the provider documents.", st->no_spf.v[i]);
		check_add_finding(c, STATUS_FAIL, "spf.include-no-spf", st->no_spf.v[i], fix,
		                  "%s is included but has no SPF record: evaluation that reaches it is a permerror.",
		                  st->no_spf.v[i]);
		free(fix);
	}
	if (top->record_len > SPF_RECORD_WARN_BYTES)
		check_add_finding(c, STATUS_WARN, "spf.record-too-long", top->record,
		                  "Shorten it: move groups of ranges into an include of a sub-domain you control.",
		                  "The record is %zu bytes; with the rest of the answer it may not fit a 512-byte DNS "
		                  "reply, and receivers that cannot retry over TCP get no SPF at all.",
		                  top->record_len);
	bool has_all = false;
	for (size_t i = 0; i < rec->nterms; i++) {
		const struct spf_term *t = &rec->terms[i];
		if (t->kind == SPF_TERM_MECH && t->mech == SPF_M_PTR)
			check_add_finding(c, STATUS_WARN, "spf.ptr-deprecated", t->text,
			                  "Replace ptr by the ip4:/ip6: ranges or a/mx terms of your servers.",
			                  "The ptr mechanism is deprecated (RFC 7208 5.5): slow, unreliable, and some "
			                  "receivers ignore it.");
		if (t->kind != SPF_TERM_MECH || t->mech != SPF_M_ALL)
			continue;
		has_all = true;
		if (t->qualifier == '+')
			check_add_finding(
			    c, STATUS_FAIL, "spf.plus-all", top->record, "End the record with -all (or ~all).",
			    "\"%s\" authorises every IP on the internet to send as %s.", t->text, top->domain);
		else if (t->qualifier == '?')
			check_add_finding(
			    c, STATUS_WARN, "spf.neutral-all", top->record, "End the record with -all (or ~all).",
			    "\"?all\" says nothing about other IPs: receivers treat forged mail as unauthenticated "
			    "rather than failed.");
		else if (t->qualifier == '~')
			check_add_finding(
			    c, STATUS_PASS, "spf.softfail-all", top->record,
			    "Once every sender of the domain passes SPF or DKIM, consider -all.",
			    "\"~all\" marks other IPs as softfail; with DMARC enforcing, -all is stricter "
			    "but either works.");
	}
	if (!has_all && !rec->redirect)
		check_add_finding(c, STATUS_WARN, "spf.no-all", top->record, "End the record with -all or ~all.",
		                  "The record has no all term and no redirect: IPs it does not list get neutral.");
	check_overlaps(c, top);
}

static void ip_findings(struct check *c, struct spf_state *s, const struct spf_node *top)
{
	const struct audit_input *in = &c->audit->in;
	struct spf_eval *e = s->mf;
	enum spf_result r = spf_eval_result(e);
	const char *reason = spf_eval_reason(e) ? spf_eval_reason(e) : "";
	const char *record = top ? top->record : NULL;
	char *fix = NULL;
	switch (r) {
	case SPF_PASS:
		check_add_finding(c, STATUS_PASS, "spf.pass", record, NULL, "SPF passes for %s: %s.", in->ip, reason);
		break;
	case SPF_FAIL:
	case SPF_SOFTFAIL:
	case SPF_NEUTRAL:
		fix = record_with_ip(record, in->ip, in->ip_family);
		check_add_finding(c, STATUS_FAIL, r == SPF_NEUTRAL ? "spf.ip-neutral" : "spf.ip-not-permitted", record,
		                  fix,
		                  "SPF %s for %s as %s: %s. Receivers requiring SPF or DKIM to pass (Gmail's "
		                  "5.7.26) reject it unless DKIM passes aligned. Publish:",
		                  spf_result_name(r), in->ip, s->domain, reason);
		break;
	case SPF_NONE:
		fix = record_with_ip(NULL, in->ip, in->ip_family);
		check_add_finding(c, STATUS_FAIL, "spf.missing", s->domain, fix,
		                  "%s has no SPF record (%s). Gmail and Yahoo require one from every sender. Publish a "
		                  "TXT record like:",
		                  s->domain, reason);
		break;
	case SPF_PERMERROR:
		check_add_finding(c, STATUS_FAIL, "spf.permerror", record,
		                  "Fix the record so it evaluates: see the trace for the term at fault.",
		                  "SPF permerror for %s: %s. Receivers treat it as a failure.", in->ip, reason);
		break;
	case SPF_TEMPERROR:
		check_add_finding(c, STATUS_ERROR, "spf.temperror", record, NULL,
		                  "SPF temperror for %s: %s. Could not decide; receivers defer the mail.", in->ip,
		                  reason);
		break;
	}
	free(fix);
	if (s->helo) {
		enum spf_result h = spf_eval_result(s->helo);
		const char *hr = spf_eval_reason(s->helo) ? spf_eval_reason(s->helo) : "";
		if (h == SPF_FAIL)
			check_add_finding(
			    c, STATUS_FAIL, "spf.helo-fail", in->helo, NULL,
			    "The HELO name %s fails SPF for %s (%s); receivers that check HELO reject before "
			    "MAIL FROM.",
			    in->helo, in->ip, hr);
		else if (h == SPF_TEMPERROR)
			check_add_finding(c, STATUS_ERROR, "spf.helo-temperror", in->helo, NULL,
			                  "Could not evaluate SPF for the HELO name %s: %s", in->helo, hr);
		else if (h == SPF_PERMERROR)
			check_add_finding(c, STATUS_WARN, "spf.helo-permerror", in->helo, NULL,
			                  "The SPF record of the HELO name %s is broken: %s", in->helo, hr);
	}
}

static void finish(struct check *c)
{
	struct spf_state *s = c->state;
	const struct audit_input *in = &c->audit->in;
	const struct spf_node *top = top_node(s);
	bool have_record = top && top->rec && top->nspf == 1;
	if (!top || !top->fetched) {
		check_add_finding(c, STATUS_FAIL, "spf.invalid-domain", s->domain, NULL,
		                  "\"%s\" is not a domain SPF can be checked for.", s->domain);
	} else if (!dns_result_is_answer(top->dns_result)) {
		check_add_finding(c, STATUS_ERROR, "spf.dns-error", s->domain, NULL,
		                  "Could not look up the TXT records of %s (%s).", s->domain,
		                  dns_result_name(top->dns_result));
	} else if (top->nspf == 0 && !in->ip) {
		check_add_finding(c, STATUS_FAIL, "spf.missing", s->domain, "v=spf1 mx -all",
		                  "%s has no SPF record. Gmail and Yahoo require one from every sender; publish a TXT "
		                  "record listing your servers, e.g.:",
		                  s->domain);
	} else if (top->nspf > 1) {
		check_add_finding(c, STATUS_FAIL, "spf.multiple-records", s->domain, "Merge them into one TXT record.",
		                  "%s has %zu SPF records; RFC 7208 makes that a permerror for every sender.",
		                  s->domain, top->nspf);
	} else if (have_record && top->rec->error) {
		char *ev =
		    xasprintf("%s (term \"%s\" at column %zu)", top->record, top->rec->error_term, top->rec->error_pos);
		check_add_finding(c, STATUS_FAIL, "spf.syntax", ev, "Correct or remove that term.",
		                  "The SPF record of %s is invalid: %s. Receivers return permerror.", s->domain,
		                  top->rec->error);
		free(ev);
	}
	if (have_record && !top->rec->error)
		static_findings(c, s, top);
	if (in->ip)
		ip_findings(c, s, top);
	/* The summary: the result for the IP first, then the cost. */
	int cost = s->have_stats ? s->st.lookups : 0;
	if (in->ip) {
		enum spf_result r = spf_eval_result(s->mf);
		if (s->have_stats)
			check_set_summary(c, "%s for %s as %s (%d lookups; the whole tree needs %d of 10)",
			                  spf_result_name(r), in->ip, s->domain, spf_eval_lookups(s->mf), cost);
		else
			check_set_summary(c, "%s for %s as %s (%d lookups)", spf_result_name(r), in->ip, s->domain,
			                  spf_eval_lookups(s->mf));
		enum status st = r == SPF_PASS ? STATUS_PASS : r == SPF_TEMPERROR ? STATUS_ERROR : STATUS_FAIL;
		/* The worst of the IP's result and the static findings. */
		for (size_t i = 0; i < c->nfindings; i++)
			st = status_worst(st, c->findings[i].status);
		check_set_status(c, st);
	} else if (have_record) {
		check_set_summary(c, "record found, %d of 10 lookups (no IP given)", cost);
	} else {
		check_set_summary(c, "no usable SPF record for %s", s->domain);
	}
}

static void json(const struct check *c, struct json_object *obj)
{
	const struct spf_state *s = c->state;
	const struct spf_node *top = top_node(s);
	bool evaluated = s && s->mf && spf_eval_done(s->mf) && spf_eval_has_ip(s->mf);
	report_json_add_string(obj, "record", top && top->nspf == 1 ? top->record : NULL);
	report_json_add_string(obj, "result", evaluated ? spf_result_name(spf_eval_result(s->mf)) : NULL);
	if (evaluated) {
		report_json_add_int(obj, "lookups", spf_eval_lookups(s->mf));
		report_json_add_int(obj, "void_lookups", spf_eval_voids(s->mf));
	} else if (s && s->have_stats) {
		/* No IP: the cost of the whole tree is the number that matters. */
		report_json_add_int(obj, "lookups", s->st.lookups);
		report_json_add_int(obj, "void_lookups", s->st.voids);
	} else {
		report_json_add_null(obj, "lookups");
		report_json_add_null(obj, "void_lookups");
	}
	if (s && s->have_stats)
		report_json_add_int(obj, "lookups_total", s->st.lookups);
	else
		report_json_add_null(obj, "lookups_total");
	report_json_add_string(obj, "domain", s ? s->domain : NULL);
	report_json_add_string(obj, "explanation", s && evaluated ? spf_eval_explanation(s->mf) : NULL);
	report_json_add_string(obj, "helo_result",
	                       s && s->helo && spf_eval_done(s->helo) ? spf_result_name(spf_eval_result(s->helo))
	                                                              : NULL);
	struct json_object *trace = json_object_new_array();
	size_t n = 0;
	const struct spf_trace *t = s && evaluated ? spf_eval_trace(s->mf, &n) : NULL;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		report_json_add_int(o, "depth", t[i].depth);
		report_json_add_string(o, "kind", t[i].is_record ? "record" : "term");
		report_json_add_string(o, "term", t[i].text);
		report_json_add_string(o, "outcome", t[i].outcome);
		report_json_add_bool(o, "decisive", t[i].decisive);
		struct json_object *q = json_object_new_array();
		for (size_t j = 0; j < t[i].queries.n; j++)
			json_object_array_add(q, json_object_new_string(t[i].queries.v[j]));
		json_object_object_add(o, "queries", q);
		json_object_array_add(trace, o);
	}
	json_object_object_add(obj, "trace", trace);
}

static void detail_trace(const struct spf_eval *e, struct textlines *out, int base)
{
	size_t n = 0;
	const struct spf_trace *t = spf_eval_trace(e, &n);
	for (size_t i = 0; i < n; i++) {
		enum line_style st = t[i].is_record ? LINE_NORMAL : LINE_DIM;
		if (t[i].decisive && !t[i].is_record)
			st = LINE_MATCH;
		textlines_add(out, st, base + t[i].depth, "%s%s%s%s", t[i].text, t[i].outcome ? "  => " : "",
		              t[i].outcome ? t[i].outcome : "",
		              t[i].decisive && !t[i].is_record ? "   <- decided" : "");
		for (size_t j = 0; j < t[i].queries.n; j++)
			textlines_add(out, LINE_DIM, base + t[i].depth + 1, "%s", t[i].queries.v[j]);
	}
}

static void detail_tree(const struct spf_node *n, struct textlines *out, int indent)
{
	if (!n)
		return;
	struct spf_tree_stats st;
	spf_tree_stats(n, &st);
	if (n->loop)
		textlines_add(out, LINE_FAIL, indent, "%s (loop: already in the chain)", n->domain);
	else if (n->truncated)
		textlines_add(out, LINE_WARN, indent, "%s (not followed: too deep)", n->domain);
	else if (!n->record)
		textlines_add(out, n->fetched && n->nspf == 0 ? LINE_FAIL : LINE_ERROR, indent, "%s: %s", n->domain,
		              !n->fetched   ? "not fetched"
		              : n->nspf > 1 ? "several SPF records"
		                            : "no SPF record");
	else
		textlines_add(out, n->rec && n->rec->error ? LINE_FAIL : LINE_NORMAL, indent, "%s (%d lookup%s): %s",
		              n->domain, st.lookups, st.lookups == 1 ? "" : "s", n->record);
	spf_tree_stats_free(&st);
	for (size_t i = 0; n->rec && n->child && i < n->rec->nterms; i++)
		if (n->child[i])
			detail_tree(n->child[i], out, indent + 1);
}

static void detail(const struct check *c, struct textlines *out)
{
	const struct spf_state *s = c->state;
	if (!s || !s->mf)
		return;
	const struct audit_input *in = &c->audit->in;
	if (in->ip && spf_eval_done(s->mf)) {
		enum spf_result r = spf_eval_result(s->mf);
		enum line_style st = r == SPF_PASS ? LINE_PASS : r == SPF_TEMPERROR ? LINE_ERROR : LINE_FAIL;
		textlines_add(out, LINE_HEADING, 0, "check_host(%s, %s, %s)", in->ip, s->domain,
		              spf_eval_sender(s->mf));
		textlines_add(out, st, 1, "%s: %s (%d lookups, %d void, %.0f ms)", spf_result_name(r),
		              spf_eval_reason(s->mf) ? spf_eval_reason(s->mf) : "", spf_eval_lookups(s->mf),
		              spf_eval_voids(s->mf), spf_eval_ms(s->mf));
		if (spf_eval_explanation(s->mf))
			textlines_add(out, LINE_DIM, 1, "explanation: %s", spf_eval_explanation(s->mf));
		textlines_add(out, LINE_HEADING, 0, "Trace");
		detail_trace(s->mf, out, 1);
		if (s->helo && spf_eval_done(s->helo)) {
			textlines_add(out, LINE_HEADING, 0, "HELO identity: check_host(%s, %s) = %s", in->ip, in->helo,
			              spf_result_name(spf_eval_result(s->helo)));
			detail_trace(s->helo, out, 1);
		}
	}
	const struct spf_node *top = top_node(s);
	if (top) {
		textlines_add(out, LINE_HEADING, 0, "Record tree (%d of 10 lookups, whatever the IP)",
		              s->have_stats ? s->st.lookups : 0);
		detail_tree(top, out, 1);
	}
	for (size_t i = 0; i < c->nfindings; i++)
		if (c->findings[i].fix && strncmp(c->findings[i].fix, "v=spf1", 6) == 0) {
			textlines_add(out, LINE_HEADING, 0, "Record to publish (TXT at %s)", s->domain);
			textlines_add(out, LINE_CODE, 1, "%s", c->findings[i].fix);
			break;
		}
}

static void free_state(struct check *c)
{
	struct spf_state *s = c->state;
	if (!s)
		return;
	spf_eval_free(s->mf);
	spf_eval_free(s->helo);
	spf_tree_stats_free(&s->st);
	free(s->domain);
	free(s);
	c->state = NULL;
}

const struct check_class check_spf_class = {
    .name = "spf",
    .title = "SPF",
    .start = start,
    .finish = finish,
    .json = json,
    .detail = detail,
    .free_state = free_state,
};

const char *spf_check_result(const struct check *c)
{
	const struct spf_state *s = c ? c->state : NULL;
	if (!s || !s->mf || !spf_eval_has_ip(s->mf) || !spf_eval_done(s->mf))
		return NULL;
	return spf_result_name(spf_eval_result(s->mf));
}

const char *spf_check_domain(const struct check *c)
{
	const struct spf_state *s = c ? c->state : NULL;
	if (!s || !s->mf || !spf_eval_has_ip(s->mf) || !spf_eval_done(s->mf))
		return NULL;
	return s->domain;
}
