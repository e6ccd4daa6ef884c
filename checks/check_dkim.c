/* check_dkim.c - DKIM keys and signatures.
 *
 * Selectors come from --selector, from the DKIM-Signature headers of a
 * pasted message (and whatever the bounce reader adds to the same list), and
 * from a built-in list of common selectors (data/dkim-selectors.txt) probed
 * in parallel: mail admins rarely know the selector their provider uses.
 * Each key record is parsed and its key decoded (dkim_key.c).  A pasted
 * message has its signatures verified against the keys found (dkim_sig.c):
 * that is what tells an operator whether their signing actually works. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "dkim.h"
#include "dkim_key.h"
#include "dkim_sig.h"
#include "report.h"

/* Built-in selectors when the data file cannot be read. */
static const char *const fallback_selectors[] = {"google", "selector1", "selector2", "k1",   "s1",
                                                 "s2",     "default",   "dkim",      "mail", NULL};

enum sel_source { SRC_GIVEN = 0, SRC_SIGNATURE, SRC_PROBE };
static const char *const source_names[] = {"given", "signature", "probe"};

struct dkim_sel {
	char *selector, *domain, *qname;
	enum sel_source source;
	enum dns_result res;
	char *error;
	struct strlist cnames; /* the chain: each target name */
	char *txt;             /* the key record (first candidate TXT), raw */
	size_t txtlen, nstrings, nrecords;
	struct dkim_key *key;
	enum status status;
};

struct dkim_sigres {
	char *domain, *selector, *alg;
	enum dkim_result result;
	char *reason;
	enum status status;
};

struct dkim_state {
	struct dkim_sel *sels;
	size_t nsels, cap;
	size_t probed, probe_errors;
	bool have_text;
	const char *not_message; /* why the pasted text is not a message */
	struct dkim_message *msg;
	struct dkim_sigres *sigs;
	size_t nsigs;
	struct strlist pass_domains;
};

static struct dkim_sel *sel_find(struct dkim_state *s, const char *sel, const char *dom)
{
	for (size_t i = 0; i < s->nsels; i++)
		if (ascii_strcaseeq(s->sels[i].selector, sel) && ascii_strcaseeq(s->sels[i].domain, dom))
			return &s->sels[i];
	return NULL;
}

static void sel_add(struct dkim_state *s, const char *sel, const char *dom, enum sel_source src)
{
	const char *why = NULL;
	char *qname = xasprintf("%s._domainkey.%s", sel, dom);
	if (sel_find(s, sel, dom) || !domain_valid(qname, &why)) {
		free(qname);
		return;
	}
	if (s->nsels == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->sels = xrealloc(s->sels, s->cap * sizeof(*s->sels));
	}
	struct dkim_sel *e = &s->sels[s->nsels++];
	memset(e, 0, sizeof(*e));
	e->selector = xstrdup(sel);
	e->domain = domain_normalize(dom);
	e->qname = qname;
	ascii_lower(e->qname);
	e->source = src;
	e->status = STATUS_SKIP;
}

static void load_builtin(struct dkim_state *s, const char *domain)
{
	char *path = data_path("dkim-selectors.txt");
	char *err = NULL;
	size_t len = 0;
	char *text = read_file(path, 1 << 20, &len, &err);
	free(path);
	if (!text) {
		free(err);
		for (size_t i = 0; fallback_selectors[i]; i++)
			sel_add(s, fallback_selectors[i], domain, SRC_PROBE);
		return;
	}
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		line[strcspn(line, "#")] = '\0';
		char *w = line + strspn(line, " \t\r");
		w[strcspn(w, " \t\r")] = '\0';
		if (*w)
			sel_add(s, w, domain, SRC_PROBE);
	}
	free(text);
}

static bool looks_like_key(const char *t, size_t len)
{
	/* A TXT at a selector name may be something else (SPF pasted in the
	 * wrong place); a key record has p= or starts with v=DKIM1. */
	if (len >= 7 && strncmp(t, "v=DKIM1", 7) == 0)
		return true;
	for (size_t i = 0; i + 2 <= len; i++)
		if (t[i] == 'p' && t[i + 1] == '=' && (i == 0 || strchr("; \t", t[i - 1])))
			return true;
	return false;
}

static void on_key(struct check *c, void *arg, struct dns_answer *ans)
{
	struct dkim_state *s = c->state;
	struct dkim_sel *e = &s->sels[(size_t)arg];
	e->res = ans->result;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_CNAME, rr));)
		strlist_add(&e->cnames, rr->u.name);
	if (!dns_result_is_answer(ans->result)) {
		e->error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
		return;
	}
	const struct dns_rr *first_any = NULL;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_TXT, rr));) {
		if (!first_any)
			first_any = rr;
		if (!looks_like_key(rr->u.txt.text, rr->u.txt.len))
			continue;
		if (e->nrecords++ == 0) {
			e->txt = xstrndup(rr->u.txt.text, rr->u.txt.len);
			e->txtlen = rr->u.txt.len;
			e->nstrings = rr->u.txt.nstrings;
		}
	}
	if (!e->txt && first_any) { /* a TXT that is not a key: parse it to say why */
		e->txt = xstrndup(first_any->u.txt.text, first_any->u.txt.len);
		e->txtlen = first_any->u.txt.len;
		e->nstrings = first_any->u.txt.nstrings;
		e->nrecords = 1;
	}
	if (e->txt)
		e->key = dkim_key_parse(e->txt, e->txtlen);
}

static void start(struct check *c)
{
	struct dkim_state *s = xcalloc(1, sizeof(*s));
	c->state = s;
	const struct audit_input *in = &c->audit->in;
	/* Signatures first: the bounce reader also copies their s= into
	 * in->selectors, and the entry should say where it really came from. */
	if (in->bounce_text && in->bounce_len) {
		s->have_text = true;
		s->msg = dkim_message_parse_hint(in->bounce_text, in->bounce_len, in->from_domain, &s->not_message);
		for (size_t i = 0; s->msg && i < dkim_message_sig_count(s->msg); i++) {
			const struct dkim_sig *sig = dkim_message_sig(s->msg, i);
			if (sig->s && sig->d)
				sel_add(s, sig->s, sig->d, SRC_SIGNATURE);
		}
	}
	for (size_t i = 0; i < in->selectors.n; i++)
		sel_add(s, in->selectors.v[i], in->domain, SRC_GIVEN);
	load_builtin(s, in->domain);
	for (size_t i = 0; i < s->nsels; i++)
		s->probed += s->sels[i].source == SRC_PROBE;
	check_set_summary(c, "looking up %zu selectors", s->nsels);
	for (size_t i = 0; i < s->nsels; i++)
		check_query(c, s->sels[i].qname, DNS_T_TXT, 0, on_key, (void *)i);
}

static bool sel_exists(const struct dkim_sel *e)
{
	return e->res == DNS_OK && e->txt;
}

static void report_selector(struct check *c, struct dkim_sel *e)
{
	const struct dkim_key *k = e->key;
	e->status = STATUS_PASS;
	char *where =
	    e->cnames.n ? xasprintf("%s (CNAME -> %s)", e->qname, e->cnames.v[e->cnames.n - 1]) : xstrdup(e->qname);
	if (e->cnames.n) {
		struct strbuf chain;
		strbuf_init(&chain);
		strbuf_adds(&chain, e->qname);
		for (size_t i = 0; i < e->cnames.n; i++)
			strbuf_addf(&chain, " -> %s", e->cnames.v[i]);
		const char *target = e->cnames.v[e->cnames.n - 1];
		const char *dot = strstr(target, "._domainkey.");
		check_add_finding(c, STATUS_PASS, "dkim.cname", chain.s, NULL,
		                  "Selector %s is a CNAME to %s: the key is hosted%s%s, which rotates it for you.",
		                  e->selector, target, dot ? " by " : " elsewhere", dot ? dot + 12 : "");
		strbuf_free(&chain);
	}
	if (e->nrecords > 1)
		check_add_finding(c, STATUS_FAIL, "dkim.multiple-records", e->txt,
		                  "Publish exactly one key record per selector.",
		                  "%s has %zu key records; verifiers pick one at random or fail.", where, e->nrecords);
	for (size_t i = 0; i < k->issues.n; i++) {
		const struct rec_issue *is = &k->issues.v[i];
		enum status st = is->status;
		const char *fix = NULL;
		if (strcmp(is->id, "dkim.revoked") == 0) {
			/* A retired selector found by probing is normal hygiene; one that
			 * is in use (given or signing the message) is broken. */
			if (e->source == SRC_PROBE)
				st = STATUS_WARN;
			fix = "If this selector is still used to sign, publish its public key again (or sign with a "
			      "selector that has one); if it is retired, this is fine.";
		} else if (strcmp(is->id, "dkim.testing") == 0) {
			fix = "Remove t=y from the key record once signing works.";
		} else if (st == STATUS_FAIL) {
			fix = "Republish the key record exactly as your mail provider or signer gives it: "
			      "v=DKIM1; k=rsa; p=<base64 public key>.";
		}
		check_add_finding(c, st, is->id, is->evidence ? is->evidence : e->txt, fix, "%s: %s", where,
		                  is->message);
		e->status = status_worst(e->status, st);
	}
	if (k->pkey) {
		char *ev = xasprintf("%s: %s %d bits", where, k->key_type, k->key_bits);
		if (k->strength == STATUS_FAIL) {
			check_add_finding(
			    c, STATUS_FAIL, "dkim.key-too-short", ev,
			    "Generate a 2048-bit RSA key (openssl genrsa 2048), publish it under a new selector "
			    "and switch signing to it.",
			    "%s: the %d-bit RSA key is too short; verifiers reject keys under 1024 bits "
			    "(RFC 8301).",
			    where, k->key_bits);
		} else if (k->strength == STATUS_WARN) {
			check_add_finding(
			    c, STATUS_WARN, "dkim.key-weak", ev,
			    "Generate a 2048-bit RSA key, publish it under a new selector and switch signing to "
			    "it; keep the old selector until mail signed with it is delivered.",
			    "%s: the 1024-bit RSA key is weak; use 2048 bits (Gmail and Yahoo recommend it).", where);
		} else {
			check_add_finding(c, STATUS_PASS, "dkim.key", ev, NULL, "%s: %s key, %d bits%s%s.", where,
			                  k->key_type, k->key_bits, e->nstrings > 1 ? ", split over " : "",
			                  e->nstrings > 1 ? "several TXT strings (fine)" : "");
		}
		e->status = status_worst(e->status, k->strength);
		free(ev);
	}
	free(where);
}

static void verify_message(struct check *c)
{
	struct dkim_state *s = c->state;
	size_t n = dkim_message_sig_count(s->msg);
	s->sigs = xcalloc(n ? n : 1, sizeof(*s->sigs));
	for (size_t i = 0; i < n; i++) {
		const struct dkim_sig *sig = dkim_message_sig(s->msg, i);
		struct dkim_sigres *r = &s->sigs[s->nsigs++];
		r->domain = sig->d ? domain_normalize(sig->d) : NULL;
		r->selector = sig->s ? xstrdup(sig->s) : NULL;
		r->alg = sig->a ? xstrdup(sig->a) : NULL;
		struct dkim_lookup lk = {DKIM_LOOKUP_NOKEY, NULL, 0, NULL};
		const struct dkim_sel *e = sig->s && sig->d ? sel_find(s, sig->s, sig->d) : NULL;
		if (e && sel_exists(e)) {
			lk.status = DKIM_LOOKUP_FOUND;
			lk.txt = e->txt;
			lk.len = e->txtlen;
		} else if (e && !dns_result_is_answer(e->res)) {
			lk.status = DKIM_LOOKUP_TEMPFAIL;
			lk.error = e->error;
		}
		r->result = dkim_sig_verify(s->msg, sig, &lk, (int64_t)time(NULL), &r->reason);
		char *ev = xasprintf("DKIM-Signature d=%s s=%s a=%s", r->domain ? r->domain : "?",
		                     r->selector ? r->selector : "?", r->alg ? r->alg : "?");
		switch (r->result) {
		case DKIM_RESULT_PASS:
			r->status = STATUS_PASS;
			if (!strlist_contains_ci(&s->pass_domains, r->domain))
				strlist_add(&s->pass_domains, r->domain);
			check_add_finding(c, STATUS_PASS, "dkim.signature-pass", ev, NULL,
			                  "Signature %zu (d=%s): pass - %s.", i + 1, r->domain, r->reason);
			break;
		case DKIM_RESULT_TEMPERROR:
			r->status = STATUS_ERROR;
			check_add_finding(c, STATUS_ERROR, "dkim.signature-temperror", ev, NULL,
			                  "Signature %zu: temperror - %s.", i + 1, r->reason);
			break;
		default:
			r->status = STATUS_FAIL;
			if (dkim_message_body_missing(s->msg) && strstr(r->reason, "body hash")) {
				r->status = STATUS_WARN;
				check_add_finding(
				    c, STATUS_WARN, "dkim.signature-unverifiable", ev,
				    "Paste the whole original message (headers and body) to verify it.",
				    "Signature %zu (d=%s) cannot be checked: the bounce kept only the headers "
				    "of the message, not its body.",
				    i + 1, r->domain ? r->domain : "?");
			} else {
				check_add_finding(
				    c, STATUS_FAIL, "dkim.signature-fail", ev,
				    "Check that the signer uses the private key matching the published selector, "
				    "and that nothing (a list, a gateway, a footer) changes the message after "
				    "signing.",
				    "Signature %zu (d=%s): %s - %s.", i + 1, r->domain ? r->domain : "?",
				    dkim_result_name(r->result), r->reason);
			}
		}
		free(ev);
	}
}

static void finish(struct check *c)
{
	struct dkim_state *s = c->state;
	if (!s)
		return;
	size_t found = 0, given_missing = 0, errors = 0;
	for (size_t i = 0; i < s->nsels; i++) {
		struct dkim_sel *e = &s->sels[i];
		if (sel_exists(e)) {
			found++;
			report_selector(c, e);
		} else if (!dns_result_is_answer(e->res)) {
			errors++;
			e->status = STATUS_ERROR;
			if (e->source != SRC_PROBE)
				check_add_finding(c, STATUS_ERROR, "dkim.lookup-failed", e->qname, NULL,
				                  "Could not look up the DKIM key %s: %s", e->qname, e->error);
			else
				s->probe_errors++;
		} else if (e->source != SRC_PROBE) {
			given_missing++;
			e->status = STATUS_FAIL;
			char *fix = xasprintf("Publish the public key your signer gives you as a TXT record at %s "
			                      "(v=DKIM1; k=rsa; p=...), or check the selector name.",
			                      e->qname);
			check_add_finding(c, STATUS_FAIL, "dkim.selector-missing", e->qname, fix,
			                  "No DKIM key at %s (%s)%s.", e->qname, dns_result_name(e->res),
			                  e->source == SRC_SIGNATURE
			                      ? ": the message is signed with a selector that has no "
			                        "key, so its signature fails"
			                      : "");
			free(fix);
		}
	}
	if (found == 0 && given_missing == 0) {
		if (s->probe_errors && s->probe_errors == s->probed)
			check_add_finding(c, STATUS_ERROR, "dkim.lookup-failed", c->audit->in.domain, NULL,
			                  "None of the %zu selector lookups got an answer; DKIM could not be checked.",
			                  s->probed);
		else
			check_add_finding(
			    c, STATUS_WARN, "dkim.no-selector-found", c->audit->in.domain,
			    "Give the selector your provider uses with --selector (it is the s= of the "
			    "DKIM-Signature header of a message you sent), or set up DKIM signing.",
			    "No DKIM key found for %s under %zu common selectors%s; without the real selector "
			    "mxaudit cannot tell whether your mail is signed.",
			    c->audit->in.domain, s->probed, s->probe_errors ? " (some lookups failed)" : "");
	}
	if (s->have_text && !s->msg) {
		check_add_finding(c, STATUS_SKIP, "dkim.not-a-message", NULL,
		                  "Paste a whole message (headers and body, e.g. \"Show original\" in Gmail) to "
		                  "verify its signatures.",
		                  "No signature verified: %s.", s->not_message);
	} else if (s->msg && dkim_message_sig_count(s->msg) == 0) {
		check_add_finding(c, STATUS_SKIP, "dkim.message-unsigned", NULL, NULL,
		                  "The pasted text has no DKIM-Signature header: nothing to verify.");
	} else if (s->msg) {
		verify_message(c);
	}
	size_t pass = 0;
	for (size_t i = 0; i < s->nsigs; i++)
		pass += s->sigs[i].result == DKIM_RESULT_PASS;
	if (s->nsigs)
		check_set_summary(c, "%zu selector%s found (%zu looked up); %zu of %zu signatures verify", found,
		                  found == 1 ? "" : "s", s->nsels, pass, s->nsigs);
	else
		check_set_summary(c, "%zu selector%s found (%zu looked up)", found, found == 1 ? "" : "s", s->nsels);
	(void)errors;
}

static void json(const struct check *c, struct json_object *obj)
{
	const struct dkim_state *s = c->state;
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; s && i < s->nsels; i++) {
		const struct dkim_sel *e = &s->sels[i];
		/* Selectors that do not exist are not listed unless asked for. */
		if (!sel_exists(e) && e->source == SRC_PROBE)
			continue;
		struct json_object *o = json_object_new_object();
		report_json_add_string(o, "selector", e->selector);
		report_json_add_string(o, "domain", e->domain);
		report_json_add_string(o, "status", status_name(e->status));
		const struct dkim_key *k = e->key;
		report_json_add_string(o, "key_type", k ? k->key_type : NULL);
		if (k && k->key_bits)
			report_json_add_int(o, "key_bits", k->key_bits);
		else
			report_json_add_null(o, "key_bits");
		report_json_add_bool(o, "testing", k ? k->testing : -1);
		report_json_add_bool(o, "revoked", k ? k->revoked : -1);
		report_json_add_string(o, "record", e->txt);
		report_json_add_string(o, "source", source_names[e->source]);
		report_json_add_string(o, "dns", dns_result_name(e->res));
		struct json_object *cn = json_object_new_array();
		for (size_t j = 0; j < e->cnames.n; j++)
			json_object_array_add(cn, json_object_new_string(e->cnames.v[j]));
		json_object_object_add(o, "cname", cn);
		if (k)
			report_json_add_bool(o, "strict", k->strict);
		json_object_array_add(arr, o);
	}
	json_object_object_add(obj, "selectors", arr);
	if (s)
		report_json_add_int(obj, "probed", (long long)s->nsels);
	else
		report_json_add_null(obj, "probed");
	struct json_object *sigs = json_object_new_array();
	for (size_t i = 0; s && i < s->nsigs; i++) {
		struct json_object *o = json_object_new_object();
		report_json_add_string(o, "domain", s->sigs[i].domain);
		report_json_add_string(o, "selector", s->sigs[i].selector);
		report_json_add_string(o, "algorithm", s->sigs[i].alg);
		report_json_add_string(o, "result", dkim_result_name(s->sigs[i].result));
		report_json_add_string(o, "reason", s->sigs[i].reason);
		json_object_array_add(sigs, o);
	}
	json_object_object_add(obj, "signatures", sigs);
	report_json_add_string(obj, "message",
	                       !s || !s->have_text ? NULL
	                       : !s->msg           ? "not-a-message"
	                       : s->nsigs          ? "verified"
	                                           : "unsigned");
}

static void detail(const struct check *c, struct textlines *out)
{
	const struct dkim_state *s = c->state;
	if (!s)
		return;
	textlines_add(out, LINE_HEADING, 0, "DKIM selectors (%zu looked up)", s->nsels);
	for (size_t i = 0; i < s->nsels; i++) {
		const struct dkim_sel *e = &s->sels[i];
		if (!sel_exists(e)) {
			if (e->source != SRC_PROBE)
				textlines_add(out, dns_result_is_answer(e->res) ? LINE_FAIL : LINE_ERROR, 1, "%s: %s",
				              e->qname, e->error ? e->error : dns_result_name(e->res));
			continue;
		}
		const struct dkim_key *k = e->key;
		enum line_style st = e->status == STATUS_PASS   ? LINE_PASS
		                     : e->status == STATUS_WARN ? LINE_WARN
		                                                : LINE_FAIL;
		textlines_add(out, st, 1, "%s (%s)", e->qname, source_names[e->source]);
		for (size_t j = 0; j < e->cnames.n; j++)
			textlines_add(out, LINE_DIM, 2, "CNAME -> %s", e->cnames.v[j]);
		textlines_add(out, LINE_CODE, 2, "%s", e->txt);
		if (e->nstrings > 1)
			textlines_add(out, LINE_DIM, 2, "(published as %zu TXT strings, joined)", e->nstrings);
		const struct {
			const char *tag, *val, *meaning;
		} rows[] = {
		    {"v", k->has_v ? "DKIM1" : NULL, "version"},
		    {"k", k->k, "key type"},
		    {"h", k->h, "hash algorithms allowed"},
		    {"s", k->s, "service types"},
		    {"t", k->t, "flags (y = testing, s = no subdomains in i=)"},
		    {"n", k->n, "notes"},
		};
		for (size_t j = 0; j < ARRAY_LEN(rows); j++)
			if (rows[j].val)
				textlines_add(out, LINE_NORMAL, 2, "%-2s = %-12s %s", rows[j].tag, rows[j].val,
				              rows[j].meaning);
		if (k->pkey)
			textlines_add(out, LINE_NORMAL, 2, "p  = %s key, %d bits", k->key_type, k->key_bits);
		else
			textlines_add(out, LINE_FAIL, 2, "p  = %s",
			              k->revoked ? "(empty: revoked)" : "(no usable key)");
	}
	if (s->probed)
		textlines_add(out, LINE_DIM, 1, "%zu common selectors probed; those that do not exist are not listed.",
		              s->probed);
	if (s->have_text) {
		textlines_add(out, LINE_HEADING, 0, "Pasted message");
		if (!s->msg)
			textlines_add(out, LINE_WARN, 1, "%s", s->not_message);
		else if (!s->nsigs)
			textlines_add(out, LINE_WARN, 1, "no DKIM-Signature header");
		for (size_t i = 0; i < s->nsigs; i++) {
			const struct dkim_sigres *r = &s->sigs[i];
			textlines_add(out,
			              r->status == STATUS_PASS    ? LINE_PASS
			              : r->status == STATUS_ERROR ? LINE_ERROR
			              : r->status == STATUS_WARN  ? LINE_WARN
			                                          : LINE_FAIL,
			              1, "d=%s s=%s a=%s: %s", r->domain ? r->domain : "?",
			              r->selector ? r->selector : "?", r->alg ? r->alg : "?",
			              dkim_result_name(r->result));
			textlines_add(out, LINE_DIM, 2, "%s", r->reason);
		}
	}
	/* Findings with their evidence and fixes are shown by the front ends. */
}

static void free_state(struct check *c)
{
	struct dkim_state *s = c->state;
	if (!s)
		return;
	for (size_t i = 0; i < s->nsels; i++) {
		struct dkim_sel *e = &s->sels[i];
		free(e->selector);
		free(e->domain);
		free(e->qname);
		free(e->error);
		free(e->txt);
		strlist_free(&e->cnames);
		dkim_key_free(e->key);
	}
	free(s->sels);
	for (size_t i = 0; i < s->nsigs; i++) {
		free(s->sigs[i].domain);
		free(s->sigs[i].selector);
		free(s->sigs[i].alg);
		free(s->sigs[i].reason);
	}
	free(s->sigs);
	dkim_message_free(s->msg);
	strlist_free(&s->pass_domains);
	free(s);
}

bool dkim_check_have_signatures(const struct check *c)
{
	const struct dkim_state *s = c->state;
	return c->done && s && s->nsigs > 0;
}

size_t dkim_check_sig_count(const struct check *c)
{
	const struct dkim_state *s = c->state;
	return c->done && s ? s->nsigs : 0;
}

const char *dkim_check_sig_domain(const struct check *c, size_t i)
{
	const struct dkim_state *s = c->state;
	return i < dkim_check_sig_count(c) ? s->sigs[i].domain : NULL;
}

const char *dkim_check_sig_selector(const struct check *c, size_t i)
{
	const struct dkim_state *s = c->state;
	return i < dkim_check_sig_count(c) ? s->sigs[i].selector : NULL;
}

const char *dkim_check_sig_result(const struct check *c, size_t i)
{
	const struct dkim_state *s = c->state;
	return i < dkim_check_sig_count(c) ? dkim_result_name(s->sigs[i].result) : NULL;
}

const struct strlist *dkim_check_pass_domains(const struct check *c)
{
	static const struct strlist empty;
	const struct dkim_state *s = c->state;
	return c->done && s ? &s->pass_domains : &empty;
}

const struct check_class check_dkim_class = {
    .name = "dkim",
    .title = "DKIM",
    .start = start,
    .finish = finish,
    .json = json,
    .detail = detail,
    .free_state = free_state,
};
