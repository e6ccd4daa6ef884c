/* report_md.c - the Markdown incident report (--report md): the bounce
 * decoded, each fix-flow step with its status, evidence and fixes, and every
 * check's findings, ready to paste into a ticket.
 *
 * Everything that came from outside (DNS, SMTP, the pasted bounce) passes
 * sanitize_text() first, then Markdown escaping: a TXT record or a bounce
 * must not be able to inject HTML, links or formatting into a ticket, nor
 * escape sequences into a terminal that cats the report.  Records to copy go
 * into indented code blocks, one sanitised line each, which Markdown shows
 * literally and which no text can close. */
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
	}
	return strbuf_steal(&out);
}
