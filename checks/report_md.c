/* report_md.c - the Markdown incident report (--report md): the bounce
 * decoded, each fix-flow step with its status, evidence and fixes, and every
 * check's findings, ready to paste into a ticket.
 *
 * Everything that came from outside (DNS, SMTP, the pasted bounce) passes
 * sanitize_text() first, then Markdown escaping: a TXT record or a bounce
 * must not be able to inject HTML, links or formatting into a ticket, nor
 * escape sequences into a terminal that cats the report.  Records to copy go
 * into indented code blocks, one sanitised line each, which Markdown shows
 * literally and which no text can close.
 *
 * Below each check's findings comes its evidence (records, DKIM keys, the
 * SPF trace, the SMTP transcripts, ...), read from the check's JSON view:
 * a check's state is private to it, and its JSON writer is the one public
 * account of what it saw, so the Markdown shows the same facts as --json.
 * Multi-line evidence goes into fenced code blocks whose fence is longer
 * than any run of backticks in the text (md_fenced), so no record or SMTP
 * line can close the block early. */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "flow.h"
#include "report.h"
#include "sanitize.h"
#include "util.h"

/* Sanitised and Markdown-escaped: characters that make emphasis, code,
 * links, tables or headings get a backslash, HTML's get an entity, and a
 * leading "-", "+", ">" or "1." (a list or quote) is defused. */
static void md_text_at(struct strbuf *out, const char *s, bool line_start)
{
	char *safe = sanitize_str(s ? s : "", SANITIZE_UTF8);
	const char *p = safe;
	if (line_start && (*p == '-' || *p == '+' || *p == '>' || *p == '='))
		strbuf_addc(out, '\\');
	const char *d = p;
	while (*d >= '0' && *d <= '9')
		d++;
	bool ordered = line_start && d > p && (*d == '.' || *d == ')');
	for (; *p; p++) {
		switch (*p) {
		case '<':
			strbuf_adds(out, "&lt;");
			break;
		case '>':
			strbuf_adds(out, "&gt;");
			break;
		case '&':
			strbuf_adds(out, "&amp;");
			break;
		case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '~': case '#':
			strbuf_addc(out, '\\');
			strbuf_addc(out, *p);
			break;
		case '!':
			if (p[1] == '[')
				strbuf_addc(out, '\\');
			strbuf_addc(out, *p);
			break;
		default:
			if (ordered && p == d)
				strbuf_addc(out, '\\');
			strbuf_addc(out, *p);
		}
	}
	free(safe);
}

/* Inside a line (after a list marker or a label). */
static void md_text(struct strbuf *out, const char *s)
{
	md_text_at(out, s, false);
}

/* At the start of a line (a paragraph). */
static void md_para(struct strbuf *out, const char *s)
{
	md_text_at(out, s, true);
}

/* An indented code block line: literal in Markdown, sanitised for the
 * terminal.  Surrounded by blank lines by the caller. */
static void md_code(struct strbuf *out, const char *s)
{
	char *safe = sanitize_str(s ? s : "", SANITIZE_UTF8);
	strbuf_addf(out, "    %s\n", safe);
	free(safe);
}

static const char *status_label(enum status st)
{
	switch (st) {
	case STATUS_PASS:
		return "PASS";
	case STATUS_WARN:
		return "WARN";
	case STATUS_FAIL:
		return "FAIL";
	case STATUS_ERROR:
		return "ERROR";
	case STATUS_SKIP:
		return "SKIP";
	default:
		return "PENDING";
	}
}

static void md_field(struct strbuf *out, const char *name, const char *val)
{
	if (!val || !*val)
		return;
	strbuf_addf(out, "- **%s:** ", name);
	md_text(out, val);
	strbuf_addc(out, '\n');
}

static void md_lines(struct strbuf *out, const struct textlines *t)
{
	bool in_code = false;
	for (size_t i = 0; i < t->n; i++) {
		const struct textline *l = &t->v[i];
		if (l->style == LINE_CODE) {
			if (!in_code)
				strbuf_addc(out, '\n');
			in_code = true;
			md_code(out, l->text);
			continue;
		}
		if (in_code)
			strbuf_addc(out, '\n');
		in_code = false;
		if (l->style == LINE_HEADING) {
			strbuf_adds(out, "\n**");
			md_text(out, l->text);
			strbuf_adds(out, "**\n\n");
			continue;
		}
		for (int k = 0; k < l->indent && k < 8; k++)
			strbuf_adds(out, "  ");
		strbuf_adds(out, "- ");
		switch (l->style) {
		case LINE_FAIL:
			strbuf_adds(out, "FAIL: ");
			break;
		case LINE_WARN:
			strbuf_adds(out, "WARN: ");
			break;
		case LINE_ERROR:
			strbuf_adds(out, "ERROR: ");
			break;
		case LINE_PASS:
			strbuf_adds(out, "ok: ");
			break;
		default:
			break;
		}
		md_text(out, l->text);
		strbuf_addc(out, '\n');
	}
	if (in_code)
		strbuf_addc(out, '\n');
}

/* --- evidence: the check-specific fields of each check's JSON view --- */

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool jint(struct json_object *o, const char *key, long long *out)
{
	struct json_object *v = jget(o, key);
	if (!v || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

/* -1 when missing or null (undecided). */
static int jbool(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);
	if (!v || !json_object_is_type(v, json_type_boolean))
		return -1;
	return json_object_get_boolean(v) ? 1 : 0;
}

static size_t jlen(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);
	return v && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

static struct json_object *jat(struct json_object *o, const char *key, size_t i)
{
	return i < jlen(o, key) ? json_object_array_get_idx(jget(o, key), i) : NULL;
}

static const char *jat_str(struct json_object *o, const char *key, size_t i)
{
	struct json_object *v = jat(o, key, i);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static const char *yes_no(int b)
{
	return b < 0 ? "-" : b ? "yes" : "no";
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* "PASS" for a JSON status name ("pass"), NULL when unknown. */
static const char *label_of(const char *name)
{
	for (int st = 0; name && st < STATUS_COUNT; st++)
		if (strcmp(name, status_name((enum status)st)) == 0)
			return status_label((enum status)st);
	return NULL;
}

/* One line of a code block, formatted and then sanitised as a whole: the
 * arguments are outside text. */
static void block_addf(struct strlist *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void block_addf(struct strlist *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *line = xvasprintf(fmt, ap);
	va_end(ap);
	strlist_take(b, sanitize_str(line, SANITIZE_UTF8));
	free(line);
}

/* A fenced code block at the start of a line, preceded and followed by a
 * blank line.  The lines are already sanitised (block_addf): one line each,
 * no control character.  A fence only closes on a line of at least as many
 * backticks as opened it (CommonMark 4.5), so it is one longer than the
 * longest run of backticks in the text: a TXT record or an SMTP banner of
 * ``` stays inside.  Inside the block nothing is Markdown, so no escaping. */
static void md_fenced(struct strbuf *out, const struct strlist *lines)
{
	size_t longest = 0;
	for (size_t i = 0; i < lines->n; i++) {
		size_t run = 0;
		for (const char *p = lines->v[i]; *p; p++) {
			run = *p == '`' ? run + 1 : 0;
			if (run > longest)
				longest = run;
		}
	}
	size_t n = longest >= 3 ? longest + 1 : 3;
	strbuf_addc(out, '\n');
	for (size_t i = 0; i < n; i++)
		strbuf_addc(out, '`');
	strbuf_adds(out, "text\n");
	for (size_t i = 0; i < lines->n; i++)
		strbuf_addf(out, "%s\n", lines->v[i]);
	for (size_t i = 0; i < n; i++)
		strbuf_addc(out, '`');
	strbuf_adds(out, "\n\n");
}

/* The same block folded away (GitHub, GitLab, Gitea): the summary is our
 * own text, never outside text, since HTML is not Markdown-escaped. */
static void md_details(struct strbuf *out, const char *summary, const struct strlist *lines)
{
	strbuf_addf(out, "<details>\n<summary>%s</summary>\n", summary);
	md_fenced(out, lines);
	strbuf_adds(out, "</details>\n\n");
}

/* md_field with a formatted value (the whole value is escaped). */
static void md_fieldf(struct strbuf *out, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void md_fieldf(struct strbuf *out, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *val = xvasprintf(fmt, ap);
	va_end(ap);
	md_field(out, name, val);
	free(val);
}

/* A table row: each cell escaped (md_text escapes "|"). */
static void md_row(struct strbuf *out, const char *const *cells, size_t n)
{
	strbuf_adds(out, "|");
	for (size_t i = 0; i < n; i++) {
		strbuf_addc(out, ' ');
		md_text(out, or_dash(cells[i]));
		strbuf_adds(out, " |");
	}
	strbuf_addc(out, '\n');
}

/* A header row and its delimiter row: our own text only. */
static void md_table_head(struct strbuf *out, const char *const *cells, size_t n)
{
	strbuf_adds(out, "|");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(out, " %s |", cells[i]);
	strbuf_adds(out, "\n|");
	for (size_t i = 0; i < n; i++)
		strbuf_adds(out, " --- |");
	strbuf_addc(out, '\n');
}

static void ev_spf(struct strbuf *out, struct json_object *o)
{
	const char *dom = jstr(o, "domain");
	strbuf_adds(out, "#### SPF evidence\n\n");
	const char *rec = jstr(o, "record");
	if (rec)
		md_fieldf(out, "Record", "%s (TXT at %s)", rec, or_dash(dom));
	else
		md_fieldf(out, "Record", "none usable at %s (see the findings)", or_dash(dom));
	const char *res = jstr(o, "result");
	if (res)
		md_fieldf(out, "Result for the MAIL FROM identity", "%s", res);
	md_field(out, "Result for the HELO identity", jstr(o, "helo_result"));
	long long lookups, voids, total;
	if (jint(o, "lookups", &lookups))
		md_fieldf(out, "DNS lookups", "%lld of 10 counted%s", lookups, res ? " by this evaluation" : "");
	if (jint(o, "void_lookups", &voids))
		md_fieldf(out, "Void lookups", "%lld of 2", voids);
	if (jint(o, "lookups_total", &total))
		md_fieldf(out, "Lookups the whole include tree needs", "%lld", total);
	md_field(out, "Explanation (exp=)", jstr(o, "explanation"));
	strbuf_addc(out, '\n');
	size_t n = jlen(o, "trace");
	if (!n)
		return;
	struct strlist b = {0};
	for (size_t i = 0; i < n; i++) {
		struct json_object *t = jat(o, "trace", i);
		long long depth = 0;
		jint(t, "depth", &depth);
		int ind = (int)(depth < 0 ? 0 : depth > 20 ? 20 : depth) * 2;
		const char *outcome = jstr(t, "outcome");
		bool decisive = jbool(t, "decisive") == 1 && strcmp(or_dash(jstr(t, "kind")), "term") == 0;
		/* Records' outcomes read "-> fail" already. */
		const char *sep = !outcome ? "" : strncmp(outcome, "->", 2) == 0 ? "  " : "  => ";
		block_addf(&b, "%*s%s%s%s%s", ind, "", or_dash(jstr(t, "term")), sep, outcome ? outcome : "",
		           decisive ? "   <- decided" : "");
		for (size_t j = 0; j < jlen(t, "queries"); j++)
			block_addf(&b, "%*s  %s", ind, "", or_dash(jat_str(t, "queries", j)));
	}
	char summary[64];
	snprintf(summary, sizeof(summary), "SPF evaluation trace (%zu steps)", n);
	md_details(out, summary, &b);
	strlist_free(&b);
}

/* Why a selector has no record, from the DNS result. */
static const char *dkim_none_reason(const char *dns)
{
	if (!dns)
		return "not looked up";
	if (strcmp(dns, "NXDOMAIN") == 0)
		return "no record: the name does not exist (NXDOMAIN)";
	if (strcmp(dns, "NOERROR") == 0 || strcmp(dns, "NODATA") == 0)
		return "no record: the name has no TXT record";
	return NULL;
}

/* The Key column: "rsa, 2048 bits", or why there is no key. */
static char *dkim_key_text(struct json_object *e)
{
	const char *kt = jstr(e, "key_type");
	long long bits = 0;
	if (kt && jint(e, "key_bits", &bits))
		return xasprintf("%s, %lld bits", kt, bits);
	if (kt)
		return xstrdup(kt);
	if (!jstr(e, "record"))
		return xstrdup("no record");
	return xstrdup(jbool(e, "revoked") == 1 ? "none (revoked)" : "no usable key");
}

static void ev_dkim(struct strbuf *out, struct json_object *o)
{
	size_t n = jlen(o, "selectors");
	long long probed = 0;
	bool have_probed = jint(o, "probed", &probed);
	strbuf_adds(out, "#### DKIM selectors\n\n");
	if (!n)
		strbuf_adds(out, "No selector with a key record was found.\n\n");
	if (n) {
		static const char *const head[] = {"Selector",      "Found via",         "Status", "DNS", "Key",
		                                   "Testing (t=y)", "Revoked (p= empty)"};
		md_table_head(out, head, ARRAY_LEN(head));
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = jat(o, "selectors", i);
			char *name =
			    xasprintf("%s._domainkey.%s", or_dash(jstr(e, "selector")), or_dash(jstr(e, "domain")));
			char *key = dkim_key_text(e);
			const char *cells[] = {
			    name, jstr(e, "source"),           label_of(jstr(e, "status")), jstr(e, "dns"),
			    key,  yes_no(jbool(e, "testing")), yes_no(jbool(e, "revoked"))};
			md_row(out, cells, ARRAY_LEN(cells));
			free(name);
			free(key);
		}
		strbuf_addc(out, '\n');
	}
	if (have_probed && probed)
		strbuf_addf(out,
		            "%lld selector names looked up (given, from signatures and common ones); common selectors "
		            "that do not exist are not listed.\n\n",
		            probed);
	if (n) {
		strbuf_adds(out, "Key records as published:\n");
		struct strlist b = {0};
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = jat(o, "selectors", i);
			block_addf(&b, "%s._domainkey.%s", or_dash(jstr(e, "selector")), or_dash(jstr(e, "domain")));
			for (size_t j = 0; j < jlen(e, "cname"); j++)
				block_addf(&b, "  CNAME -> %s", or_dash(jat_str(e, "cname", j)));
			const char *rec = jstr(e, "record");
			if (rec) {
				block_addf(&b, "  %s", rec);
			} else {
				const char *why = dkim_none_reason(jstr(e, "dns"));
				if (why)
					block_addf(&b, "  (%s)", why);
				else
					block_addf(&b, "  (no record: the lookup failed: %s)", or_dash(jstr(e, "dns")));
			}
		}
		md_fenced(out, &b);
		strlist_free(&b);
	}
	size_t ns = jlen(o, "signatures");
	if (ns) {
		strbuf_adds(out, "Signatures of the pasted message:\n\n");
		static const char *const head[] = {"#", "d=", "s=", "a=", "Result", "Reason"};
		md_table_head(out, head, ARRAY_LEN(head));
		for (size_t i = 0; i < ns; i++) {
			struct json_object *g = jat(o, "signatures", i);
			char num[24];
			snprintf(num, sizeof(num), "%zu", i + 1);
			const char *cells[] = {num,
			                       jstr(g, "domain"),
			                       jstr(g, "selector"),
			                       jstr(g, "algorithm"),
			                       jstr(g, "result"),
			                       jstr(g, "reason")};
			md_row(out, cells, ARRAY_LEN(cells));
		}
		strbuf_addc(out, '\n');
	}
}

static void ev_dmarc(struct strbuf *out, struct json_object *o)
{
	strbuf_adds(out, "#### DMARC evidence\n\n");
	const char *rd = jstr(o, "record_domain");
	if (rd)
		md_fieldf(out, "Record found at", "_dmarc.%s", rd);
	else
		md_field(out, "Record found at", "nowhere (no DMARC record)");
	md_field(out, "Organizational domain", jstr(o, "org_domain"));
	long long nrec = 0;
	if (jint(o, "records", &nrec) && nrec > 1)
		md_fieldf(out, "DMARC records at that name", "%lld (receivers ignore them all)", nrec);
	md_field(out, "Record", jstr(o, "record"));
	const char *p = jstr(o, "policy");
	long long pct = 100;
	if (p) {
		jint(o, "pct", &pct);
		md_fieldf(out, "Policy", "p=%s, sp=%s, pct=%lld", p, or_dash(jstr(o, "subdomain_policy")), pct);
	}
	struct json_object *al = jget(o, "alignment");
	if (al && json_object_is_type(al, json_type_object)) {
		md_fieldf(out, "SPF alignment", "MAIL FROM domain %s, SPF %s, aspf=%s: aligned pass %s",
		          or_dash(jstr(al, "mail_from_domain")), or_dash(jstr(al, "spf_result")),
		          or_dash(jstr(al, "aspf")), yes_no(jbool(al, "spf_aligned")));
		struct strbuf dd;
		strbuf_init(&dd);
		for (size_t i = 0; i < jlen(al, "dkim_domains"); i++)
			strbuf_addf(&dd, "%s%s", i ? ", " : "", or_dash(jat_str(al, "dkim_domains", i)));
		md_fieldf(out, "DKIM alignment", "verified d= %s, adkim=%s: aligned pass %s", dd.len ? dd.s : "none",
		          or_dash(jstr(al, "adkim")), yes_no(jbool(al, "dkim_aligned")));
		strbuf_free(&dd);
		md_fieldf(out, "DMARC result", "%s for From %s (policy applied: %s)", or_dash(jstr(al, "result")),
		          or_dash(jstr(al, "from_domain")), or_dash(jstr(al, "applied_policy")));
	}
	for (size_t i = 0; i < jlen(o, "external_destinations"); i++) {
		struct json_object *e = jat(o, "external_destinations", i);
		int auth = jbool(e, "authorized");
		md_fieldf(out, "External report address", "%s=%s: %s (%s)", or_dash(jstr(e, "tag")),
		          or_dash(jstr(e, "uri")),
		          auth < 0 ? "could not be checked"
		          : auth   ? "authorized"
		                   : "not authorized",
		          or_dash(jstr(e, "query")));
	}
	strbuf_addc(out, '\n');
}

static void ev_ptr(struct strbuf *out, struct json_object *o)
{
	strbuf_adds(out, "#### PTR evidence\n\n");
	size_t n = jlen(o, "names");
	if (!n)
		md_field(out, "PTR names", "none");
	for (size_t i = 0; i < n; i++)
		md_field(out, "PTR name", jat_str(o, "names", i));
	md_field(out, "Forward-confirmed (FCrDNS)", yes_no(jbool(o, "fcrdns")));
	md_field(out, "Generic-looking name", yes_no(jbool(o, "generic")));
	strbuf_addc(out, '\n');
}

static void mx_hosts_table(struct strbuf *out, struct json_object *o)
{
	size_t n = jlen(o, "hosts");
	if (!n)
		return;
	static const char *const head[] = {"Preference", "Host", "Addresses"};
	md_table_head(out, head, ARRAY_LEN(head));
	for (size_t i = 0; i < n; i++) {
		struct json_object *h = jat(o, "hosts", i);
		long long pref = 0;
		char num[24] = "-";
		if (jint(h, "preference", &pref))
			snprintf(num, sizeof(num), "%lld", pref);
		struct strbuf ad;
		strbuf_init(&ad);
		for (size_t j = 0; j < jlen(h, "addresses"); j++)
			strbuf_addf(&ad, "%s%s", j ? ", " : "", or_dash(jat_str(h, "addresses", j)));
		const char *cells[] = {num, jstr(h, "host"), ad.len ? ad.s : "none"};
		md_row(out, cells, ARRAY_LEN(cells));
		strbuf_free(&ad);
	}
	strbuf_addc(out, '\n');
}

static void ev_mx(struct strbuf *out, struct json_object *o)
{
	strbuf_adds(out, "#### MX evidence\n\n");
	if (jbool(o, "null_mx") == 1)
		strbuf_adds(out, "Null MX (\"MX 0 .\"): the domain says it receives no mail.\n\n");
	else if (jbool(o, "implicit") == 1)
		strbuf_adds(out, "No MX record: senders use the domain's own address (implicit MX).\n\n");
	mx_hosts_table(out, o);
	struct json_object *r = jget(o, "recipient");
	if (r && json_object_is_type(r, json_type_object)) {
		md_field(out, "Recipient", jstr(r, "address"));
		md_field(out, "Recipient syntax error", jstr(r, "syntax_error"));
		md_field(out, "Recipient domain exists", yes_no(jbool(r, "exists")));
		md_field(out, "Recipient domain accepts mail", yes_no(jbool(r, "mail_capable")));
		md_field(out, "Possible typo of", jstr(r, "typo_of"));
		strbuf_addc(out, '\n');
		mx_hosts_table(out, r);
	}
}

/* The one-line verdict of a probe, as the TUI's detail view says it. */
static char *tls_verdict(struct json_object *h)
{
	const char *res = or_dash(jstr(h, "result"));
	if (strcmp(res, "tls") == 0) {
		struct strbuf b;
		strbuf_init(&b);
		strbuf_addf(&b, "STARTTLS works: %s, %s", or_dash(jstr(h, "tls_version")), or_dash(jstr(h, "cipher")));
		int valid = jbool(h, "cert_valid"), match = jbool(h, "hostname_match");
		if (valid == 1 && match == 1)
			strbuf_adds(&b, "; the certificate is valid for the host name");
		if (valid == 0)
			strbuf_addf(&b, "; the certificate does not verify (%s)", or_dash(jstr(h, "verify_error")));
		if (match == 0)
			strbuf_adds(&b, "; the certificate does not name the host");
		return strbuf_steal(&b);
	}
	if (strcmp(res, "no-starttls") == 0)
		return xstrdup("no STARTTLS: the server does not offer it, so mail to it travels in clear text");
	if (strcmp(res, "error") == 0) {
		const char *phase = jstr(h, "phase");
		return phase ? xasprintf("could not be checked (during %s): %s", phase, or_dash(jstr(h, "error")))
		             : xasprintf("could not be checked: %s", or_dash(jstr(h, "error")));
	}
	return xstrdup("not finished (the audit ran out of time)");
}

static void ev_tls_host(struct strbuf *out, struct json_object *h)
{
	long long port = 0, pref = 0;
	jint(h, "port", &port);
	strbuf_adds(out, "**");
	char *where = xasprintf("%s [%s] port %lld", or_dash(jstr(h, "host")), or_dash(jstr(h, "address")), port);
	md_text(out, where);
	free(where);
	strbuf_adds(out, "**");
	if (jint(h, "preference", &pref))
		strbuf_addf(out, " (MX preference %lld)", pref);
	strbuf_adds(out, "\n\n");
	char *verdict = tls_verdict(h);
	md_field(out, "Verdict", verdict);
	free(verdict);
	if (jstr(h, "dns_address"))
		md_fieldf(out, "Address in DNS", "%s (the probe went elsewhere: --connect-to)", jstr(h, "dns_address"));
	if (jbool(h, "refused") == 1)
		md_field(out, "Refused", "the server refused the probe (4xx/5xx greeting or throttling)");
	if (jstr(h, "subject") || jstr(h, "issuer")) {
		md_field(out, "Certificate subject", jstr(h, "subject"));
		md_field(out, "Certificate issuer", jstr(h, "issuer"));
		long long days = 0, bits = 0;
		if (jint(h, "days_left", &days))
			md_fieldf(out, "Certificate expires", "%s (%lld days left)", or_dash(jstr(h, "not_after")),
			          days);
		if (jint(h, "key_bits", &bits))
			md_fieldf(out, "Certificate key", "%s, %lld bits", or_dash(jstr(h, "key_type")), bits);
		else
			md_field(out, "Certificate key", jstr(h, "key_type"));
		md_fieldf(out, "Chain verifies / name matches / self-signed", "%s / %s / %s",
		          yes_no(jbool(h, "cert_valid")), yes_no(jbool(h, "hostname_match")),
		          yes_no(jbool(h, "self_signed")));
	}
	struct json_object *d = jget(h, "dane");
	if (d && json_object_is_type(d, json_type_object)) {
		long long recs = 0, usable = 0;
		jint(d, "records", &recs);
		jint(d, "usable", &usable);
		md_fieldf(out, "DANE", "%lld TLSA record%s, DNSSEC-validated %s, %lld usable, matched %s", recs,
		          recs == 1 ? "" : "s", yes_no(jbool(d, "authenticated")), usable, yes_no(jbool(d, "matched")));
		md_field(out, "DANE detail", jstr(d, "detail"));
		md_field(out, "TLSA lookup error", jstr(d, "error"));
		for (size_t i = 0; i < jlen(d, "tlsa"); i++)
			md_field(out, "TLSA", jat_str(d, "tlsa", i));
	}
	strbuf_addc(out, '\n');
	size_t n = jlen(h, "transcript");
	if (n) {
		struct strlist b = {0};
		for (size_t i = 0; i < n; i++)
			block_addf(&b, "%s", or_dash(jat_str(h, "transcript", i)));
		char summary[64];
		snprintf(summary, sizeof(summary), "SMTP transcript (%zu lines)", n);
		md_details(out, summary, &b);
		strlist_free(&b);
	}
}

static void ev_tls(struct strbuf *out, struct json_object *o)
{
	size_t n = jlen(o, "hosts");
	strbuf_adds(out, "#### SMTP STARTTLS probes\n\n");
	if (!n)
		strbuf_adds(out, "No address was probed.\n\n");
	for (size_t i = 0; i < n; i++)
		ev_tls_host(out, jat(o, "hosts", i));
	struct json_object *m = jget(o, "mta_sts");
	struct json_object *r = jget(o, "tls_rpt");
	if (!jstr(m, "record") && !jstr(r, "record"))
		return;
	strbuf_adds(out, "#### MTA-STS and TLS-RPT\n\n");
	md_field(out, "MTA-STS record", jstr(m, "record") ? jstr(m, "record") : "none");
	if (jstr(m, "record")) {
		md_field(out, "Policy host", jstr(m, "policy_host"));
		md_field(out, "Policy host address", jstr(m, "address"));
		long long code = 0, age = 0;
		if (jint(m, "http_status", &code))
			md_fieldf(out, "HTTP status", "%lld", code);
		md_field(out, "Policy fetch error", jstr(m, "error"));
		md_field(out, "Policy mode", jstr(m, "mode"));
		if (jint(m, "max_age", &age))
			md_fieldf(out, "Policy max age", "%lld s", age);
		for (size_t i = 0; i < jlen(m, "mx"); i++)
			md_field(out, "Policy mx", jat_str(m, "mx", i));
	}
	md_field(out, "TLS-RPT record", jstr(r, "record") ? jstr(r, "record") : "none");
	strbuf_addc(out, '\n');
}

static void ev_blocklists(struct strbuf *out, struct json_object *o)
{
	size_t n = jlen(o, "lists");
	strbuf_adds(out, "#### Blocklist queries\n\n");
	md_field(out, "Warning", jstr(o, "public_resolver"));
	if (n) {
		static const char *const head[] = {"List", "Zone", "Query", "Verdict", "TXT", "Delisting"};
		md_table_head(out, head, ARRAY_LEN(head));
		for (size_t i = 0; i < n; i++) {
			struct json_object *l = jat(o, "lists", i);
			const char *cells[] = {jstr(l, "name"),    jstr(l, "zone"), jstr(l, "query"),
			                       jstr(l, "verdict"), jstr(l, "txt"),  jstr(l, "delist")};
			md_row(out, cells, ARRAY_LEN(cells));
		}
		strbuf_addc(out, '\n');
	}
	for (size_t i = 0; i < jlen(o, "errors"); i++) {
		struct json_object *e = jat(o, "errors", i);
		md_fieldf(out, "Not decided", "%s: %s", or_dash(jstr(e, "zone")), or_dash(jstr(e, "reason")));
	}
	if (jlen(o, "errors"))
		strbuf_addc(out, '\n');
}

/* The evidence of one check, after its findings. */
static void md_evidence(struct strbuf *out, const struct check *c)
{
	if (c->status == STATUS_SKIP || !c->started || !c->cls->json)
		return;
	struct json_object *o = json_object_new_object();
	c->cls->json(c, o);
	switch (c->id) {
	case CHECK_SPF: ev_spf(out, o); break;
	case CHECK_DKIM: ev_dkim(out, o); break;
	case CHECK_DMARC: ev_dmarc(out, o); break;
	case CHECK_PTR: ev_ptr(out, o); break;
	case CHECK_MX: ev_mx(out, o); break;
	case CHECK_TLS: ev_tls(out, o); break;
	case CHECK_BLOCKLISTS: ev_blocklists(out, o); break;
	default: break;
	}
	json_object_put(o);
}

static void md_bounce(struct strbuf *out, const struct audit *a)
{
	const struct bounce *b = a->bounce;
	strbuf_adds(out, "## The bounce\n\n");
	if (!b) {
		strbuf_adds(out, "No bounce was given.\n\n");
		return;
	}
	if (!b->found) {
		strbuf_adds(out, "No SMTP reply code found in the pasted text.\n\n");
	} else {
		md_field(out, "Reply code", b->reply_code);
		md_field(out, "Enhanced status code", b->enhanced_code);
		md_field(out, "Registry meaning", b->enhanced_code[0] ? flow_code_meaning(b->enhanced_code) : NULL);
		md_field(out, "Permanent", b->permanent ? "yes (5xx)" : "no (4xx: temporary)");
	}
	md_field(out, "Category", bounce_category_name(b->category));
	md_field(out, "Confidence", bounce_confidence_name(b->confidence));
	char step[64];
	snprintf(step, sizeof(step), "%d (%s)", a->first_step, flow_step_title(a->first_step));
	md_field(out, "Go first to step", step);
	md_field(out, "Meaning", b->meaning);
	md_field(out, "Reporting MTA", b->reporting_mta);
	md_field(out, "Remote MTA (who rejected)", b->remote_mta);
	md_field(out, "Recipient", b->recipient);
	md_field(out, "Original DKIM d=", b->dkim_domain);
	md_field(out, "Original DKIM s=", b->dkim_selector);
	md_field(out, "Envelope sender domain", b->envelope_domain);
	md_field(out, "From domain", b->from_domain);
	if (b->diagnostic) {
		strbuf_adds(out, "\nDiagnostic:\n\n");
		md_code(out, b->diagnostic);
	}
	strbuf_addc(out, '\n');
}

char *report_markdown(const struct audit *a)
{
	struct strbuf out;
	strbuf_init(&out);
	strbuf_adds(&out, "# mxaudit incident report: ");
	md_text(&out, a->in.domain ? a->in.domain : "?");
	strbuf_adds(&out, "\n\n");
	md_field(&out, "Domain", a->in.domain);
	md_field(&out, "Sending IP", a->in.ip ? a->in.ip : "not given");
	if (a->in.rcpt)
		md_field(&out, "Recipient (--rcpt)", a->in.rcpt);
	md_field(&out, "Overall status", status_label(audit_status(a)));
	md_field(&out, "mxaudit version", MXAUDIT_VERSION);
	strbuf_addc(&out, '\n');

	md_bounce(&out, a);

	strbuf_adds(&out, "## Fix flow\n\n");
	for (int i = 0; i < STEP_COUNT; i++) {
		const struct step *s = &a->steps[i];
		strbuf_addf(&out, "### Step %d: %s - %s%s\n\n", s->number, s->title, status_label(s->status),
		            s->number == a->first_step && a->bounce ? " (start here)" : "");
		if (s->summary) {
			md_para(&out, s->summary);
			strbuf_adds(&out, "\n\n");
		}
		md_lines(&out, &s->text);
		strbuf_addc(&out, '\n');
	}

	strbuf_adds(&out, "## Checks\n\n");
	for (int i = 0; i < CHECK_COUNT; i++) {
		const struct check *c = &a->checks[i];
		strbuf_addf(&out, "### %s - %s\n\n", c->cls->title, status_label(c->status));
		if (c->summary) {
			md_para(&out, c->summary);
			strbuf_adds(&out, "\n\n");
		}
		for (size_t j = 0; j < c->nfindings; j++) {
			const struct finding *f = &c->findings[j];
			strbuf_addf(&out, "- **%s** `%s`: ", status_label(f->status), f->id);
			md_text(&out, f->message);
			strbuf_addc(&out, '\n');
			if (f->evidence) {
				strbuf_adds(&out, "  - evidence: ");
				md_text(&out, f->evidence);
				strbuf_addc(&out, '\n');
			}
			if (f->fix) {
				strbuf_adds(&out, "\n  Fix:\n\n");
				char *safe = sanitize_str(f->fix, SANITIZE_UTF8);
				strbuf_addf(&out, "        %s\n\n", safe);
				free(safe);
			}
		}
		strbuf_addc(&out, '\n');
		md_evidence(&out, c);
	}
	return strbuf_steal(&out);
}
