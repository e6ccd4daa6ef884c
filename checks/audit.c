/* audit.c - one audit run: starting the checks, counting their outstanding
 * work, logging evidence, and deciding when each (and the whole) is done. */
#include "audit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "evloop.h"
#include "flow.h"
#include "resolver.h"

extern const struct check_class check_spf_class, check_dkim_class, check_dmarc_class, check_ptr_class,
	check_mx_class, check_tls_class, check_blocklists_class;

const struct check_class *const check_table[CHECK_COUNT] = {
	[CHECK_SPF] = &check_spf_class, [CHECK_DKIM] = &check_dkim_class, [CHECK_DMARC] = &check_dmarc_class,
	[CHECK_PTR] = &check_ptr_class, [CHECK_MX] = &check_mx_class,     [CHECK_TLS] = &check_tls_class,
	[CHECK_BLOCKLISTS] = &check_blocklists_class,
};

int check_id_from_name(const char *name)
{
	for (int i = 0; i < CHECK_COUNT; i++)
		if (ascii_strcaseeq(check_table[i]->name, name))
			return i;
	return -1;
}

void audit_input_init(struct audit_input *in)
{
	memset(in, 0, sizeof(*in));
	in->smtp_port = 25;
	in->enabled = (1u << CHECK_COUNT) - 1;
	in->timeout_ms = 5000;
}

void audit_input_free(struct audit_input *in)
{
	free(in->domain);
	free(in->ip);
	free(in->from_domain);
	free(in->mail_from);
	free(in->helo);
	free(in->rcpt);
	strlist_free(&in->selectors);
	free(in->bounce_text);
	free(in->blocklists_file);
	free(in->ca_file);
	strlist_free(&in->connect_to);
	audit_input_init(in);
}

void audit_input_finish(struct audit_input *in)
{
	if (!in->domain)
		return;
	if (!in->from_domain)
		in->from_domain = xstrdup(in->domain);
	if (!in->mail_from)
		in->mail_from = xasprintf("postmaster@%s", in->domain);
	if (!in->helo)
		in->helo = xstrdup(in->domain);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void audit_input_copy(struct audit_input *dst, const struct audit_input *src)
{
	*dst = *src;
	dst->domain = dup_or_null(src->domain);
	dst->ip = dup_or_null(src->ip);
	dst->from_domain = dup_or_null(src->from_domain);
	dst->mail_from = dup_or_null(src->mail_from);
	dst->helo = dup_or_null(src->helo);
	dst->rcpt = dup_or_null(src->rcpt);
	dst->blocklists_file = dup_or_null(src->blocklists_file);
	dst->ca_file = dup_or_null(src->ca_file);
	memset(&dst->selectors, 0, sizeof(dst->selectors));
	for (size_t i = 0; i < src->selectors.n; i++)
		strlist_add(&dst->selectors, src->selectors.v[i]);
	memset(&dst->connect_to, 0, sizeof(dst->connect_to));
	for (size_t i = 0; i < src->connect_to.n; i++)
		strlist_add(&dst->connect_to, src->connect_to.v[i]);
	if (src->bounce_text) {
		dst->bounce_text = xmalloc(src->bounce_len + 1);
		memcpy(dst->bounce_text, src->bounce_text, src->bounce_len);
		dst->bounce_text[src->bounce_len] = '\0';
	}
}

struct audit *audit_new(struct evloop *loop, struct resolver *resolver, const struct audit_input *in)
{
	struct audit *a = xcalloc(1, sizeof(*a));
	audit_input_copy(&a->in, in);
	audit_input_finish(&a->in);
	a->loop = loop;
	a->resolver = resolver;
	a->first_step = 1;
	for (int i = 0; i < CHECK_COUNT; i++) {
		struct check *c = &a->checks[i];
		c->cls = check_table[i];
		c->id = (enum check_id)i;
		c->audit = a;
		c->status = STATUS_PENDING;
	}
	flow_init(a);
	return a;
}

static void finding_free(struct finding *f)
{
	free(f->id);
	free(f->message);
	free(f->evidence);
	free(f->fix);
}

void audit_free(struct audit *a)
{
	if (!a)
		return;
	/* The resolver first: its in-flight callbacks point into the checks. */
	resolver_free(a->resolver);
	for (int i = 0; i < CHECK_COUNT; i++) {
		struct check *c = &a->checks[i];
		if (c->cls->free_state)
			c->cls->free_state(c);
		for (size_t j = 0; j < c->nfindings; j++)
			finding_free(&c->findings[j]);
		free(c->findings);
		free(c->summary);
		textlines_free(&c->log);
	}
	flow_free(a);
	audit_input_free(&a->in);
	free(a);
}

const struct check *audit_check(const struct audit *a, enum check_id id)
{
	return &a->checks[id];
}

bool audit_check_enabled(const struct audit *a, enum check_id id)
{
	return (a->in.enabled >> id) & 1u;
}

enum status audit_status(const struct audit *a)
{
	enum status st = STATUS_SKIP;
	for (int i = 0; i < CHECK_COUNT; i++)
		if (a->checks[i].status != STATUS_PENDING)
			st = status_worst(st, a->checks[i].status);
	for (int i = 0; i < STEP_COUNT; i++)
		if (a->steps[i].status != STATUS_PENDING)
			st = status_worst(st, a->steps[i].status);
	return st;
}

void check_touch(struct check *c)
{
	c->audit->dirty = true;
}

static void check_complete(struct check *c)
{
	struct audit *a = c->audit;
	if (c->status == STATUS_PENDING) {
		enum status st = STATUS_PASS;
		for (size_t i = 0; i < c->nfindings; i++)
			st = status_worst(st, c->findings[i].status);
		c->status = st;
	}
	c->done = true;
	c->done_ms = evloop_now(a->loop);
	a->dirty = true;
	for (int i = 0; i < CHECK_COUNT; i++) {
		struct check *peer = &a->checks[i];
		if (peer != c && peer->started && !peer->done && peer->cls->peer_done)
			peer->cls->peer_done(peer, c);
	}
	flow_update(a);
	for (int i = 0; i < CHECK_COUNT; i++)
		if (!a->checks[i].done)
			return;
	if (!a->done) {
		a->done = true;
		a->done_ms = evloop_now(a->loop);
		flow_update(a);
		if (a->on_done)
			a->on_done(a, a->on_done_arg);
	}
}

void check_hold(struct check *c)
{
	c->outstanding++;
}

void check_release(struct check *c)
{
	if (--c->outstanding > 0 || c->done)
		return;
	if (c->cls->finish)
		c->cls->finish(c);
	if (c->outstanding == 0 && !c->done)
		check_complete(c);
}

struct check_query_ctx {
	struct check *c;
	check_dns_cb cb;
	void *arg;
};

static void log_answer(struct check *c, const struct dns_answer *ans)
{
	char *line = dns_answer_summary(ans);
	enum line_style st = dns_result_is_answer(ans->result) ? LINE_DIM : LINE_ERROR;
	textlines_add(&c->log, st, 0, "%s", line);
	free(line);
	for (size_t i = 0; i < ans->nrrs; i++)
		textlines_add(&c->log, LINE_NORMAL, 1, "%s %u IN %s %s", ans->rrs[i].owner, ans->rrs[i].ttl,
		              dns_type_name(ans->rrs[i].type), ans->rrs[i].text ? ans->rrs[i].text : "");
}

static void check_query_done(void *arg, struct dns_answer *ans)
{
	struct check_query_ctx *q = arg;
	struct check *c = q->c;
	log_answer(c, ans);
	q->cb(c, q->arg, ans);
	free(q);
	check_touch(c);
	check_release(c);
}

void check_query(struct check *c, const char *name, uint16_t type, unsigned flags, check_dns_cb cb, void *arg)
{
	struct check_query_ctx *q = xcalloc(1, sizeof(*q));
	q->c = c;
	q->cb = cb;
	q->arg = arg;
	check_hold(c);
	resolver_query(c->audit->resolver, name, type, flags, check_query_done, q);
}

struct finding *check_add_finding(struct check *c, enum status st, const char *id, const char *evidence,
                                  const char *fix, const char *fmt, ...)
{
	if (c->nfindings == c->findings_cap) {
		c->findings_cap = c->findings_cap ? c->findings_cap * 2 : 8;
		c->findings = xrealloc(c->findings, c->findings_cap * sizeof(*c->findings));
	}
	struct finding *f = &c->findings[c->nfindings++];
	va_list ap;
	va_start(ap, fmt);
	f->message = xvasprintf(fmt, ap);
	va_end(ap);
	f->id = xstrdup(id);
	f->status = st;
	f->evidence = evidence ? xstrdup(evidence) : NULL;
	f->fix = fix ? xstrdup(fix) : NULL;
	check_touch(c);
	return f;
}

void check_set_summary(struct check *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(c->summary);
	c->summary = xvasprintf(fmt, ap);
	va_end(ap);
	check_touch(c);
}

void check_set_status(struct check *c, enum status st)
{
	c->status = st;
	check_touch(c);
}

void audit_start(struct audit *a)
{
	a->started_ms = evloop_now(a->loop);
	/* Skipped checks are done before anything starts, so checks that look at
	 * their peers at start see them settled. */
	for (int i = 0; i < CHECK_COUNT; i++) {
		struct check *c = &a->checks[i];
		if (!audit_check_enabled(a, (enum check_id)i)) {
			c->status = STATUS_SKIP;
			c->summary = xstrdup("skipped (not selected with --only / --skip)");
			c->done = true;
		}
	}
	flow_start(a);
	for (int i = 0; i < CHECK_COUNT; i++) {
		struct check *c = &a->checks[i];
		if (c->done)
			continue;
		c->started = true;
		c->started_ms = evloop_now(a->loop);
		check_hold(c); /* a check that starts no work still finishes once */
		c->cls->start(c);
		check_release(c);
	}
	a->dirty = true;
	/* Everything may have been skipped. */
	bool all = true;
	for (int i = 0; i < CHECK_COUNT; i++)
		all = all && a->checks[i].done;
	if (all && !a->done) {
		a->done = true;
		a->done_ms = evloop_now(a->loop);
		flow_update(a);
		if (a->on_done)
			a->on_done(a, a->on_done_arg);
	}
}
