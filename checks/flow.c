/* flow.c - the six-step fix flow: a view over the checks, led by the bounce.
 *
 * Step 1 decodes the pasted bounce (bounce.c) and decides where to start;
 * steps 2-5 take their status from the checks they cover and explain, in
 * plain words, what was found, why it causes this bounce and the fix; step 6
 * collects every fix, ordered by what the bounce points at.  flow_update()
 * runs after each check finishes, so the walkthrough fills in live.
 *
 * Step 2 is about the recipient: with --rcpt the MX check audits the
 * recipient's domain (mx.h recipient mode) and the flow reads its verdict. */
#include "flow.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "bounce_report.h"
#include "mx.h"
#include "report.h"

static const char *const titles[STEP_COUNT] = {
	"Read the bounce", "Verify the recipient", "Check authentication",
	"Blocklists and reputation", "DNS and transport", "Fix and resend",
};

/* Which checks each step (2..5) is made of. */
static const unsigned step_checks[STEP_COUNT] = {
	0,
	1u << CHECK_MX,
	(1u << CHECK_SPF) | (1u << CHECK_DKIM) | (1u << CHECK_DMARC),
	1u << CHECK_BLOCKLISTS,
	(1u << CHECK_PTR) | (1u << CHECK_MX) | (1u << CHECK_TLS),
	0,
};

/* Above this a message is refused by many receivers (Gmail: 25 MB, many
 * corporate gateways: 10-20 MB). */
#define FLOW_BIG_MESSAGE (10u * 1024 * 1024)

/* The data tables, loaded once per process: they do not change while it
 * runs, and every audit (batch runs many) reads the same. */
static struct bounce_patterns g_patterns;
static struct bounce_codes g_codes;
static bool g_loaded;

static void data_load(void)
{
	if (g_loaded)
		return;
	g_loaded = true;
	char *err = NULL;
	char *p = data_path("bounce-patterns.txt");
	if (!bounce_patterns_load(&g_patterns, p, &err)) {
		/* Without the wording table the codes still decode. */
		free(err);
		err = NULL;
	}
	free(p);
	p = data_path("enhanced-status-codes.txt");
	if (!bounce_codes_load(&g_codes, p, &err))
		free(err);
	free(p);
}

const struct bounce_patterns *flow_patterns(void)
{
	data_load();
	return &g_patterns;
}

const char *flow_code_meaning(const char *enhanced)
{
	data_load();
	return bounce_code_meaning(&g_codes, enhanced);
}

const char *flow_step_title(int number)
{
	return number >= 1 && number <= STEP_COUNT ? titles[number - 1] : "?";
}

void flow_init(struct audit *a)
{
	for (int i = 0; i < STEP_COUNT; i++) {
		a->steps[i].number = i + 1;
		a->steps[i].title = titles[i];
		a->steps[i].status = STATUS_PENDING;
	}
}

static void step_reset(struct step *s)
{
	free(s->summary);
	s->summary = NULL;
	textlines_free(&s->text);
	memset(&s->text, 0, sizeof(s->text));
}

/* ---------- step 1 ---------- */

void flow_decode_bounce(struct audit *a)
{
	if (a->bounce) {
		bounce_free(a->bounce);
		free(a->bounce);
		a->bounce = NULL;
	}
	a->first_step = 1;
	if (!a->in.bounce_text)
		return;
	data_load();
	a->bounce = xcalloc(1, sizeof(*a->bounce));
	bounce_parse(a->in.bounce_text, a->in.bounce_len, &g_patterns, a->bounce);
	if (a->bounce->first_step >= 1 && a->bounce->first_step <= STEP_COUNT)
		a->first_step = a->bounce->first_step;
}

void flow_start(struct audit *a)
{
	flow_decode_bounce(a);
	struct bounce *b = a->bounce;
	/* Feed the checks what the bounce knows, before they start: the DKIM
	 * selector of the original signature, when it signs for the audited
	 * domain (the only place the DKIM check looks). */
	if (b && b->dkim_selector && b->dkim_domain && a->in.domain && ascii_strcaseeq(b->dkim_domain, a->in.domain) &&
	    !strlist_contains_ci(&a->in.selectors, b->dkim_selector))
		strlist_add(&a->in.selectors, b->dkim_selector);
	flow_update(a);
}

static const char *reply_class_meaning(const char *reply)
{
	switch (reply[0]) {
	case '4':
		return "temporary failure: the receiver asks to try again later";
	case '5':
		return "permanent failure: the receiver will not take this message as it is";
	case '2':
		return "success";
	default:
		return "unusual reply code";
	}
}

static void step1_text(struct audit *a, struct step *s)
{
	const struct bounce *b = a->bounce;
	struct textlines *t = &s->text;
	if (!b) {
		s->status = STATUS_SKIP;
		s->summary = xstrdup("no bounce given");
		textlines_add(t, LINE_DIM, 0, "No bounce was given. Paste one (or use --bounce FILE) to be led to the step "
		                              "that matters; the other steps still check the domain.");
		return;
	}
	if (!b->found) {
		s->status = STATUS_WARN;
		s->summary = xstrdup(b->error ? b->error : "no SMTP reply code found");
		textlines_add(t, LINE_WARN, 0, "No SMTP reply code found in the pasted text.");
		textlines_add(t, LINE_NORMAL, 0,
		              "Paste the whole non-delivery report, or at least the line with the 3-digit reply code "
		              "(e.g. \"550 5.7.26 ...\"). The rest of the audit does not depend on it.");
		if (b->category != BOUNCE_UNKNOWN) {
			textlines_add(t, LINE_NORMAL, 0, "The wording suggests: %s (%s, low confidence).",
			              b->meaning ? b->meaning : "", bounce_category_name(b->category));
			if (b->diagnostic)
				textlines_add(t, LINE_CODE, 1, "%s", b->diagnostic);
		}
	} else {
		s->status = b->permanent ? STATUS_FAIL : STATUS_WARN;
		s->summary = xasprintf("%s%s%s: %s, go to step %d", b->reply_code, b->reply_code[0] && b->enhanced_code[0] ? " " : "",
		                       b->enhanced_code, bounce_category_name(b->category), a->first_step);
		textlines_add(t, LINE_HEADING, 0, "What the bounce says");
		if (b->reply_code[0])
			textlines_add(t, LINE_NORMAL, 0, "Reply code %s: %s.", b->reply_code, reply_class_meaning(b->reply_code));
		if (b->enhanced_code[0]) {
			const char *m = flow_code_meaning(b->enhanced_code);
			textlines_add(t, LINE_NORMAL, 0, "Enhanced status %s: %s.", b->enhanced_code,
			              m ? m : "not a registered code");
		}
		if (b->diagnostic) {
			textlines_add(t, LINE_NORMAL, 0, "The sentence it rests on:");
			textlines_add(t, LINE_CODE, 1, "%s", b->diagnostic);
		}
		if (b->meaning)
			textlines_add(t, LINE_MATCH, 0, "Meaning: %s.", b->meaning);
		textlines_add(t, LINE_NORMAL, 0, "Category: %s (confidence %s). Start at step %d, %s.",
		              bounce_category_name(b->category), bounce_confidence_name(b->confidence), a->first_step,
		              flow_step_title(a->first_step));
		if (b->category == BOUNCE_TEMPORARY)
			textlines_add(t, LINE_WARN, 0,
			              "A 4xx reply is temporary: do not change records in a hurry. Your server retries on its "
			              "own; look at the steps below only if the deferrals go on for hours.");
	}
	textlines_add(t, LINE_HEADING, 0, "Who and whom");
	if (b->remote_mta)
		textlines_add(t, LINE_NORMAL, 0, "Rejected by the receiving server %s%s%s.", b->remote_mta,
		              b->reporting_mta ? ", reported by " : "", b->reporting_mta ? b->reporting_mta : "");
	else if (b->reporting_mta)
		textlines_add(t, LINE_NORMAL, 0,
		              "Reported by %s, and no remote server is named: the rejection may come from your own relay "
		              "or filter, not from the receiver.",
		              b->reporting_mta);
	else
		textlines_add(t, LINE_DIM, 0, "The bounce names no reporting or remote server.");
	if (b->recipient)
		textlines_add(t, LINE_NORMAL, 0, "Recipient: %s", b->recipient);
	if (b->dkim_domain)
		textlines_add(t, LINE_NORMAL, 0, "Original DKIM signature: d=%s s=%s", b->dkim_domain,
		              b->dkim_selector ? b->dkim_selector : "?");
	if (b->envelope_domain)
		textlines_add(t, LINE_NORMAL, 0, "Envelope sender domain: %s", b->envelope_domain);
	if (b->from_domain)
		textlines_add(t, LINE_NORMAL, 0, "From domain: %s", b->from_domain);
	if (b->from_domain && a->in.domain && !domain_is_within(b->from_domain, a->in.domain))
		textlines_add(t, LINE_WARN, 0, "The bounced message's From domain (%s) is not the audited domain (%s): "
		                               "audit %s too.",
		              b->from_domain, a->in.domain, b->from_domain);
	if (b->dkim_selector && b->dkim_domain && a->in.domain && ascii_strcaseeq(b->dkim_domain, a->in.domain))
		textlines_add(t, LINE_DIM, 0, "Selector %s from the bounce is checked in step 3.", b->dkim_selector);
}

/* ---------- steps 2-5 ---------- */

/* Findings of one check as walkthrough lines: what, evidence, fix. */
static void check_lines(const struct check *c, struct textlines *t)
{
	textlines_add(t, LINE_HEADING, 0, "%s: %s%s%s", c->cls->title, status_name(c->status), c->summary ? " - " : "",
	              c->summary ? c->summary : "");
	for (size_t i = 0; i < c->nfindings; i++) {
		const struct finding *f = &c->findings[i];
		enum line_style st = f->status == STATUS_FAIL    ? LINE_FAIL
		                     : f->status == STATUS_WARN  ? LINE_WARN
		                     : f->status == STATUS_ERROR ? LINE_ERROR
		                                                 : LINE_PASS;
		textlines_add(t, st, 1, "%s", f->message);
		if (f->evidence && f->status != STATUS_PASS)
			textlines_add(t, LINE_DIM, 2, "evidence: %s", f->evidence);
		if (f->fix && f->status != STATUS_PASS)
			textlines_add(t, LINE_CODE, 2, "fix: %s", f->fix);
	}
}

/* Why a step matters for this bounce (only for the step it points at). */
static void why_lines(const struct audit *a, int step, struct textlines *t)
{
	const struct bounce *b = a->bounce;
	if (!b || (!b->found && b->category == BOUNCE_UNKNOWN) || a->first_step != step)
		return;
	const char *why = NULL;
	switch (b->category) {
	case BOUNCE_RECIPIENT_ADDRESS:
		why = "The receiver says this address does not exist. No record of yours fixes that: check the spelling, "
		      "ask the recipient for a working address, and remove the address from your lists.";
		break;
	case BOUNCE_RECIPIENT_MAILBOX:
		why = "The address exists but its mailbox cannot take mail (full, disabled or suspended). Only the "
		      "recipient can fix it; try again later or reach them another way.";
		break;
	case BOUNCE_ROUTING:
		why = "The message could not be routed to the recipient's domain: it has no usable MX, a null MX, does "
		      "not exist, or its servers did not answer. Check the recipient domain's MX below.";
		break;
	case BOUNCE_SENDER_AUTH:
		why = "The receiver rejected the message because it could not authenticate it: SPF did not pass for the "
		      "sending IP and/or the DKIM signature was missing or broken, so DMARC failed. The checks below "
		      "show which part is wrong and the record to publish.";
		break;
	case BOUNCE_SENDER_REPUTATION:
		why = "The receiver refused the sending IP or domain on reputation or policy grounds. Public block lists "
		      "are checked here; receivers also keep their own data, so a clean result here does not end it.";
		break;
	case BOUNCE_CONTENT:
		why = "The receiver refused the message itself (size, attachment type or content), not the sender.";
		break;
	case BOUNCE_TEMPORARY:
		why = "The receiver deferred the message (4xx): wait for your server's retries before changing anything.";
		break;
	default:
		break;
	}
	if (why) {
		textlines_add(t, LINE_HEADING, 0, "Why this bounce points here");
		textlines_add(t, LINE_NORMAL, 0, "%s", why);
	}
}

/* Step 2's own verdict: the recipient (the MX check's recipient mode) and
 * what the bounce says about the address. */
static enum status rcpt_lines(const struct audit *a, struct textlines *t)
{
	const struct bounce *b = a->bounce;
	const struct check *mx = &a->checks[CHECK_MX];
	enum status st = STATUS_SKIP;
	if (!a->in.rcpt) {
		textlines_add(t, LINE_DIM, 0, "No recipient given (--rcpt): the MX shown is the audited domain's.");
	} else if (mx->done && mx->status != STATUS_SKIP) {
		const char *dom = mx_check_rcpt_domain(mx);
		int capable = mx_check_rcpt_capable(mx);
		const char *typo = mx_check_rcpt_typo(mx);
		if (!dom) {
			st = STATUS_FAIL;
			textlines_add(t, LINE_FAIL, 0, "The recipient address %s is malformed.", a->in.rcpt);
		} else if (capable == 0) {
			st = STATUS_FAIL;
			textlines_add(t, LINE_FAIL, 0, "The recipient domain %s cannot receive mail (see the MX findings).",
			              dom);
		} else if (capable == 1) {
			st = STATUS_PASS;
			textlines_add(t, LINE_PASS, 0, "The recipient domain %s can receive mail.", dom);
		} else {
			st = STATUS_ERROR;
			textlines_add(t, LINE_ERROR, 0, "Could not decide whether %s can receive mail.", dom);
		}
		if (typo) {
			st = status_worst(st, STATUS_WARN);
			textlines_add(t, LINE_WARN, 0, "%s looks like a typo of %s.", dom, typo);
		}
	}
	if (b && b->recipient)
		textlines_add(t, LINE_NORMAL, 0, "Address in the bounce: %s", b->recipient);
	if (b && b->found && b->category == BOUNCE_RECIPIENT_ADDRESS) {
		st = status_worst(st, STATUS_FAIL);
		textlines_add(t, LINE_FAIL, 0, "The receiver says the address does not exist (%s).",
		              b->enhanced_code[0] ? b->enhanced_code : b->reply_code);
		textlines_add(t, LINE_CODE, 1, "fix: do not resend to this address; correct or remove it from your lists");
	} else if (b && b->found && b->category == BOUNCE_RECIPIENT_MAILBOX) {
		st = status_worst(st, STATUS_WARN);
		textlines_add(t, LINE_WARN, 0, "The mailbox exists but cannot take mail now (full or disabled).");
	}
	return st;
}

/* Step 5's content note, from a pasted message or the original in the
 * bounce. */
static enum status content_lines(const struct audit *a, struct textlines *t)
{
	const struct bounce *b = a->bounce;
	if (!b || !b->message.present)
		return STATUS_SKIP;
	enum status st = STATUS_PASS;
	textlines_add(t, LINE_HEADING, 0, "Content of the message");
	if (!b->message.has_date) {
		st = STATUS_WARN;
		textlines_add(t, LINE_WARN, 1, "The message has no Date: header (RFC 5322 requires one; Gmail rejects it).");
	}
	if (!b->message.has_message_id) {
		st = STATUS_WARN;
		textlines_add(t, LINE_WARN, 1, "The message has no Message-ID: header (receivers score this as spam).");
	}
	if (b->message.size > FLOW_BIG_MESSAGE) {
		st = STATUS_WARN;
		textlines_add(t, LINE_WARN, 1, "The message is about %zu MB: many receivers refuse over 10-25 MB; send a link.",
		              b->message.size >> 20);
	}
	if (b->message.risky_attachment) {
		st = STATUS_WARN;
		textlines_add(t, LINE_WARN, 1, "Attachment \"%s\" has a type receivers block (executable / script): zip it "
		                               "with a password or share a link.",
		              b->message.risky_attachment);
	}
	if (st == STATUS_PASS)
		textlines_add(t, LINE_PASS, 1, "Date and Message-ID present, size and attachments unremarkable.");
	return st;
}

/* A finished step's one-line summary: each of its checks with its verdict
 * ("SPF fail, DKIM pass, DMARC fail"), which says more than the step's
 * own status, shown beside it anyway. */
static char *step_summary(const struct audit *a, int i, enum status st)
{
	struct strbuf b;
	strbuf_init(&b);
	for (int c = 0; c < CHECK_COUNT; c++) {
		if (!(step_checks[i] & (1u << c)))
			continue;
		const struct check *ck = &a->checks[c];
		strbuf_addf(&b, "%s%s %s", b.len ? ", " : "", ck->cls->title, status_name(ck->status));
	}
	if (!b.len)
		strbuf_adds(&b, status_name(st));
	return strbuf_steal(&b);
}

/* ---------- step 6 ---------- */

struct fix_item {
	int rank;
	const char *check;
	const struct finding *f;
};

static int fix_cmp(const void *x, const void *y)
{
	const struct fix_item *a = x, *b = y;
	if (a->rank != b->rank)
		return a->rank - b->rank;
	return (int)b->f->status - (int)a->f->status;
}

static int check_step(int id)
{
	for (int s = 1; s < STEP_COUNT - 1; s++)
		if (step_checks[s] & (1u << id))
			return s + 1;
	return 5;
}

static void step6_text(struct audit *a, struct step *s, size_t *nfix)
{
	struct textlines *t = &s->text;
	const struct bounce *b = a->bounce;
	size_t n = 0, cap = 16;
	struct fix_item *items = xmalloc(cap * sizeof(*items));
	for (int c = 0; c < CHECK_COUNT; c++) {
		const struct check *ck = &a->checks[c];
		for (size_t i = 0; i < ck->nfindings; i++) {
			const struct finding *f = &ck->findings[i];
			if (!f->fix || (f->status != STATUS_FAIL && f->status != STATUS_WARN))
				continue;
			if (n == cap)
				items = xrealloc(items, (cap *= 2) * sizeof(*items));
			int step = check_step(c);
			/* What the bounce points at comes first, then the other
			 * failures in step order. */
			int rank = step == a->first_step ? 0 : step;
			if (a->first_step == 2 && c == CHECK_MX)
				rank = 0;
			items[n++] = (struct fix_item){rank, ck->cls->title, f};
		}
	}
	qsort(items, n, sizeof(*items), fix_cmp);
	int num = 0;
	textlines_add(t, LINE_HEADING, 0, "Fixes, most relevant to this bounce first");
	if (b && b->found && b->category == BOUNCE_TEMPORARY)
		textlines_add(t, LINE_WARN, 0, "%d. Wait: the bounce is temporary (4xx). Your server retries by itself; "
		                               "fix the items below only if they are real failures.",
		              ++num);
	if (b && b->found && b->category == BOUNCE_RECIPIENT_ADDRESS)
		textlines_add(t, LINE_FAIL, 0, "%d. Do not resend to addresses that returned %s: remove them from your "
		                               "lists (repeated sends to unknown users hurt your reputation).",
		              ++num, b->enhanced_code[0] ? b->enhanced_code : "5.1.1");
	for (size_t i = 0; i < n; i++) {
		textlines_add(t, items[i].f->status == STATUS_FAIL ? LINE_FAIL : LINE_WARN, 0, "%d. [%s] %s", ++num,
		              items[i].check, items[i].f->message);
		textlines_add(t, LINE_CODE, 1, "%s", items[i].f->fix);
	}
	if (b && b->found && b->category == BOUNCE_SENDER_REPUTATION) {
		const struct check *bl = &a->checks[CHECK_BLOCKLISTS];
		bool listed = bl->status == STATUS_FAIL || bl->status == STATUS_WARN;
		textlines_add(t, LINE_NORMAL, 0, "%d. %s", ++num,
		              listed ? "Request delisting from each list above (its removal page; fix the cause first, "
		                       "or it comes back)."
		                     : "Ask the receiver for delisting: Microsoft at sender.office.com, Yahoo through "
		                       "senders.yahooinc.com, Gmail through Postmaster Tools.");
		textlines_add(t, LINE_NORMAL, 0, "%d. Ramp up slowly: send to engaged recipients first, a few hundred a day "
		                                 "per receiver, doubling while the bounces stay away.",
		              ++num);
	}
	if (!num)
		textlines_add(t, LINE_PASS, 0, "Nothing to fix in what was checked.");
	if (b && b->found && b->category != BOUNCE_TEMPORARY && b->category != BOUNCE_RECIPIENT_ADDRESS)
		textlines_add(t, LINE_NORMAL, 0, "Then: re-run the audit (r) until the steps are green, and resend one "
		                                 "message to the same recipient.");
	free(items);
	*nfix = n;
}

void flow_update(struct audit *a)
{
	struct step *s1 = &a->steps[0];
	step_reset(s1);
	step1_text(a, s1);

	enum status all = STATUS_SKIP;
	bool all_done = true;
	for (int i = 1; i < STEP_COUNT - 1; i++) {
		struct step *s = &a->steps[i];
		step_reset(s);
		enum status st = STATUS_SKIP;
		bool done = true;
		why_lines(a, i + 1, &s->text);
		if (i == 1)
			st = status_worst(st, rcpt_lines(a, &s->text));
		for (int c = 0; c < CHECK_COUNT; c++) {
			if (!(step_checks[i] & (1u << c)))
				continue;
			const struct check *ck = &a->checks[c];
			if (!ck->done) {
				done = false;
				textlines_add(&s->text, LINE_DIM, 0, "%s: checking...", ck->cls->title);
			} else {
				st = status_worst(st, ck->status);
				check_lines(ck, &s->text);
			}
		}
		if (i == 4)
			st = status_worst(st, content_lines(a, &s->text));
		s->status = done ? st : STATUS_PENDING;
		s->summary = done ? step_summary(a, i, st) : xstrdup("checking...");
		all_done = all_done && done;
		all = status_worst(all, st);
	}
	struct step *fix = &a->steps[STEP_COUNT - 1];
	step_reset(fix);
	if (!all_done) {
		fix->status = STATUS_PENDING;
		fix->summary = xstrdup("waiting for the checks");
	} else {
		size_t nfix = 0;
		step6_text(a, fix, &nfix);
		fix->status = all;
		fix->summary = all <= STATUS_PASS ? xstrdup("nothing to fix")
		               : nfix           ? xasprintf("%zu fix%s to apply, then resend", nfix, nfix == 1 ? "" : "es")
		                                : xstrdup("see the failing steps");
	}
	a->dirty = true;
}

void flow_free(struct audit *a)
{
	for (int i = 0; i < STEP_COUNT; i++) {
		free(a->steps[i].summary);
		a->steps[i].summary = NULL;
		textlines_free(&a->steps[i].text);
	}
	if (a->bounce) {
		bounce_free(a->bounce);
		free(a->bounce);
		a->bounce = NULL;
	}
}

struct json_object *bounce_report_json(const struct audit *a)
{
	const struct bounce *b = a->bounce;
	if (!b)
		return NULL;
	struct json_object *o = json_object_new_object();
	report_json_add_string(o, "reply_code", b->reply_code[0] ? b->reply_code : NULL);
	report_json_add_string(o, "enhanced_code", b->enhanced_code[0] ? b->enhanced_code : NULL);
	report_json_add_bool(o, "permanent", b->found ? b->permanent : -1);
	report_json_add_string(o, "category", bounce_category_name(b->category));
	report_json_add_int(o, "first_step", a->first_step);
	report_json_add_string(o, "reporting_mta", b->reporting_mta);
	report_json_add_string(o, "remote_mta", b->remote_mta);
	report_json_add_string(o, "recipient", b->recipient);
	report_json_add_string(o, "diagnostic", b->diagnostic);
	report_json_add_string(o, "confidence", bounce_confidence_name(b->confidence));
	report_json_add_string(o, "meaning", b->meaning);
	report_json_add_string(o, "code_meaning", b->enhanced_code[0] ? flow_code_meaning(b->enhanced_code) : NULL);
	report_json_add_string(o, "dkim_domain", b->dkim_domain);
	report_json_add_string(o, "dkim_selector", b->dkim_selector);
	report_json_add_string(o, "envelope_domain", b->envelope_domain);
	report_json_add_string(o, "from_domain", b->from_domain);
	report_json_add_string(o, "error", b->error);
	return o;
}
