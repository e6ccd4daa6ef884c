/* spf_eval.c - asynchronous check_host() (RFC 7208 sections 4 and 5).
 *
 * Two walks share one resolver:
 *   - the record tree walk (prefetch): starts at the domain's TXT record and,
 *     as soon as each record is parsed, asks in parallel for every include /
 *     redirect target's TXT (recursively), every a/exists name, every MX and
 *     its exchanges' addresses, and the PTR names.  Its answers are only
 *     kept as the static picture of the tree; they never count.
 *   - the evaluation: strictly left to right as the RFC defines it, counting
 *     lookups and void lookups.  Its queries join the prefetched ones in
 *     flight or hit the cache, so the wall time approaches the depth of the
 *     include chain in round trips instead of the number of lookups.
 *
 * The evaluation is a chain of frames (one per check_host() level: the top,
 * includes and redirects); each frame walks its terms and suspends on a
 * query, continuing from the resolver callback. */
#include "spf_eval.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dns.h"
#include "resolver.h"

/* The tree walk stops following includes beyond this depth / node count:
 * a legitimate tree never needs more (10 lookups), a loop would never end. */
#define TREE_MAX_DEPTH 12
#define TREE_MAX_NODES 64

enum frame_how { FR_TOP, FR_INCLUDE, FR_REDIRECT };

struct frame {
	struct spf_eval *e;
	struct frame *parent;
	enum frame_how how;
	char *domain;
	struct spf_record *rec;
	size_t idx;        /* next term */
	size_t trace_rec;  /* trace line of the record */
	size_t trace_term; /* trace line of the term being evaluated */
	int depth;
	const struct spf_term *term; /* term being evaluated */
	char *target;                /* its expanded target */
	struct strlist names;        /* mx exchanges / ptr names to try */
	size_t name_i;
	long decider;                /* trace line of the term that decided, -1 */
	struct frame *decider_child; /* include / redirect frame that decided */
	struct frame *exp_src;       /* frame whose exp= applies */
	struct frame *next_all;
};

struct spf_eval {
	struct resolver *r;
	void (*done)(void *arg, struct spf_eval *e);
	void *done_arg;
	bool has_ip;
	int family;
	unsigned char addr[16];
	char *ip;
	char *domain, *sender, *helo, *receiver;
	long long now;
	int lookups, voids;
	enum spf_result result;
	char *reason;
	char *explanation;
	bool decided, finished, done_called;
	int inflight;
	struct q *queries; /* in flight */
	int64_t t0;
	double ms;
	struct spf_trace *trace;
	size_t ntrace, trace_cap;
	struct frame *frames; /* every frame, for freeing */
	struct frame *top;
	/* %{p}: validated names of the IP, resolved once on demand */
	bool p_ready, p_busy;
	struct strlist p_names; /* PTR names */
	struct strlist p_valid;
	size_t p_pending;
	struct frame *p_waiter;
	bool p_for_exp;
	/* the record tree */
	struct spf_node *tree;
	struct spf_node **nodes;
	size_t nnodes;
	struct spf_node **node_parent; /* parallel to nodes */
};

const char *spf_result_name(enum spf_result r)
{
	static const char *names[] = {"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"};
	return (unsigned)r < ARRAY_LEN(names) ? names[r] : "?";
}

/* ---------- queries ---------- */

typedef void (*frame_cb)(struct frame *f, struct dns_answer *a);

struct q {
	struct spf_eval *e;
	struct frame *f; /* evaluation query, or NULL */
	frame_cb fcb;
	void (*pcb)(struct spf_eval *e, void *arg, struct dns_answer *a); /* prefetch / helper */
	void *arg;
	long trace;            /* trace line to log the answer on, or -1 */
	struct q *prev, *next; /* in flight, so spf_eval_free can free them */
};

static void eval_check_done(struct spf_eval *e);

static void trace_log_answer(struct spf_eval *e, long idx, const struct dns_answer *a)
{
	if (idx < 0 || (size_t)idx >= e->ntrace)
		return;
	struct spf_trace *t = &e->trace[idx];
	char *s = dns_answer_summary(a);
	strlist_take(&t->queries, s);
	t->ms += a->elapsed_ms;
}

static void q_unlink(struct q *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		q->e->queries = q->next;
	if (q->next)
		q->next->prev = q->prev;
}

static void q_send(struct q *q, const char *name, uint16_t type);

static void q_done(void *arg, struct dns_answer *a)
{
	struct q *q = arg;
	struct spf_eval *e = q->e;
	e->inflight--;
	q_unlink(q);
	if (q->fcb) {
		if (!e->decided) {
			trace_log_answer(e, q->trace, a);
			q->fcb(q->f, a);
		}
	} else if (q->pcb) {
		q->pcb(e, q->arg, a);
	}
	free(q);
	eval_check_done(e);
}

static void eval_query(struct frame *f, const char *name, uint16_t type, frame_cb cb)
{
	struct q *q = xcalloc(1, sizeof(*q));
	q->e = f->e;
	q->f = f;
	q->fcb = cb;
	q->trace = (long)f->trace_term;
	q_send(q, name, type);
}

static void aux_query(struct spf_eval *e, const char *name, uint16_t type,
                      void (*cb)(struct spf_eval *e, void *arg, struct dns_answer *a), void *arg)
{
	struct q *q = xcalloc(1, sizeof(*q));
	q->e = e;
	q->pcb = cb;
	q->arg = arg;
	q->trace = -1;
	q_send(q, name, type);
}

static void q_send(struct q *q, const char *name, uint16_t type)
{
	struct spf_eval *e = q->e;
	e->inflight++;
	q->next = e->queries;
	if (q->next)
		q->next->prev = q;
	e->queries = q;
	resolver_query(e->r, name, type, 0, q_done, q);
}

/* ---------- helpers ---------- */

static size_t trace_add(struct spf_eval *e, int depth, bool is_record, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t trace_add(struct spf_eval *e, int depth, bool is_record, const char *fmt, ...)
{
	if (e->ntrace == e->trace_cap) {
		e->trace_cap = e->trace_cap ? e->trace_cap * 2 : 16;
		e->trace = xrealloc(e->trace, e->trace_cap * sizeof(*e->trace));
	}
	struct spf_trace *t = &e->trace[e->ntrace];
	memset(t, 0, sizeof(*t));
	t->depth = depth;
	t->is_record = is_record;
	va_list ap;
	va_start(ap, fmt);
	t->text = xvasprintf(fmt, ap);
	va_end(ap);
	return e->ntrace++;
}

static void trace_outcome(struct spf_eval *e, size_t idx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void trace_outcome(struct spf_eval *e, size_t idx, const char *fmt, ...)
{
	if (idx >= e->ntrace)
		return;
	va_list ap;
	va_start(ap, fmt);
	free(e->trace[idx].outcome);
	e->trace[idx].outcome = xvasprintf(fmt, ap);
	va_end(ap);
}

/* A name check_host() can work with (4.3): labels of 1..63, <= 253, at
 * least two labels, no domain literal. */
static bool chk_domain_ok(const char *d)
{
	size_t len = strlen(d);
	if (len && d[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	size_t label = 0, labels = 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];
		if (c <= 0x20 || c >= 0x7f || c == '[' || c == ']')
			return false;
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			labels++;
		} else if (++label > 63) {
			return false;
		}
	}
	return label > 0 && labels >= 2;
}

/* A name a mechanism may query: only the lengths matter (macros can put
 * any character in it, and the suite expects such names to be asked). */
static bool target_ok(const char *d)
{
	size_t len = strlen(d), label = 0;
	if (len && d[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (d[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > 63) {
			return false;
		}
	}
	return label > 0;
}

static bool addr_match(int family, const unsigned char *ip, const unsigned char *net, int cidr)
{
	int bits = family == AF_INET ? 32 : 128;
	if (cidr < 0 || cidr > bits)
		cidr = bits;
	int full = cidr / 8, rem = cidr % 8;
	if (memcmp(ip, net, (size_t)full) != 0)
		return false;
	if (rem == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rem));
	return (ip[full] & mask) == (net[full] & mask);
}

static void macro_ctx(const struct spf_eval *e, const char *domain, struct spf_macro_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->sender = e->sender;
	ctx->domain = domain;
	ctx->helo = e->helo;
	ctx->family = e->family;
	ctx->addr = e->has_ip ? e->addr : NULL;
	ctx->receiver = e->receiver;
	ctx->now = e->now;
	ctx->validated = NULL;
	if (e->p_ready) {
		/* Prefer a validated name within the domain (RFC 7208 7.3). */
		for (size_t i = 0; i < e->p_valid.n; i++)
			if (domain_is_within(e->p_valid.v[i], domain)) {
				ctx->validated = e->p_valid.v[i];
				break;
			}
		if (!ctx->validated && e->p_valid.n)
			ctx->validated = e->p_valid.v[0];
	}
}

static bool dns_is_void(enum dns_result r)
{
	return r == DNS_NXDOMAIN || r == DNS_NODATA;
}

/* Failures that make a mechanism temperror (a definite "no such name" is not one). */
static bool dns_is_temp(enum dns_result r)
{
	return !dns_result_is_answer(r) && r != DNS_ERROR;
}

/* ---------- evaluation ---------- */

static void frame_next(struct frame *f);
static void frame_finish(struct frame *f, enum spf_result res, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void exp_start(struct spf_eval *e);
static void p_resolve(struct spf_eval *e, struct frame *waiter, bool for_exp);
static void tree_fetch(struct spf_eval *e, struct spf_node *parent, const char *domain, struct spf_node **slot);

static struct frame *frame_new(struct spf_eval *e, struct frame *parent, enum frame_how how, const char *domain)
{
	struct frame *f = xcalloc(1, sizeof(*f));
	f->e = e;
	f->parent = parent;
	f->how = how;
	f->domain = xstrdup(domain);
	f->depth = parent ? parent->depth + 2 : 0; /* under the include / redirect term */
	f->decider = -1;
	f->next_all = e->frames;
	e->frames = f;
	return f;
}

static void on_txt(struct frame *f, struct dns_answer *a)
{
	struct spf_eval *e = f->e;
	if (!dns_result_is_answer(a->result)) {
		frame_finish(f, SPF_TEMPERROR, "DNS error looking up the SPF record of %s: %s", f->domain,
		             a->error ? a->error : dns_result_name(a->result));
		return;
	}
	const struct dns_rr *found = NULL;
	size_t n = 0;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, DNS_T_TXT, rr));)
		if (spf_is_record(rr->u.txt.text, rr->u.txt.len)) {
			found = rr;
			n++;
		}
	if (n == 0) {
		frame_finish(f, SPF_NONE, "%s has no SPF record", f->domain);
		return;
	}
	if (n > 1) {
		frame_finish(f, SPF_PERMERROR, "%s has %zu SPF records (there must be exactly one)", f->domain, n);
		return;
	}
	free(e->trace[f->trace_rec].text);
	e->trace[f->trace_rec].text = xasprintf("%s: %.*s", f->domain, (int)found->u.txt.len, found->u.txt.text);
	f->rec = spf_record_parse(found->u.txt.text, found->u.txt.len);
	if (f->rec->error) {
		frame_finish(f, SPF_PERMERROR, "syntax error in the SPF record of %s: %s", f->domain, f->rec->error);
		return;
	}
	for (size_t i = 0; i < f->rec->nterms; i++)
		if (spf_macro_uses_p(f->rec->terms[i].domain_spec) && f->rec->terms[i].kind != SPF_TERM_EXP &&
		    !e->p_ready) {
			p_resolve(e, f, false);
			return;
		}
	frame_next(f);
}

static void frame_begin(struct frame *f)
{
	struct spf_eval *e = f->e;
	f->trace_rec = trace_add(e, f->depth, true, "%s", f->domain);
	f->trace_term = f->trace_rec;
	if (!chk_domain_ok(f->domain)) {
		frame_finish(f, SPF_NONE, "\"%s\" is not a valid domain name for SPF", f->domain);
		return;
	}
	eval_query(f, f->domain, DNS_T_TXT, on_txt);
}

static void term_match(struct frame *f)
{
	static const struct {
		char q;
		enum spf_result r;
	} map[] = {{'+', SPF_PASS}, {'-', SPF_FAIL}, {'~', SPF_SOFTFAIL}, {'?', SPF_NEUTRAL}};
	enum spf_result res = SPF_PASS;
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (map[i].q == f->term->qualifier)
			res = map[i].r;
	f->e->trace[f->trace_term].matched = true;
	trace_outcome(f->e, f->trace_term, "match -> %s", spf_result_name(res));
	f->decider = (long)f->trace_term;
	if (!f->exp_src)
		f->exp_src = f;
	frame_finish(f, res, "%s matched %s in the record of %s", f->e->has_ip ? f->e->ip : "the IP", f->term->text,
	             f->domain);
}

static void term_nomatch(struct frame *f, const char *why)
{
	trace_outcome(f->e, f->trace_term, "%s", why ? why : "no match");
	frame_next(f);
}

/* Count a void lookup; true when that went over the limit (frame finished). */
static bool count_void(struct frame *f)
{
	struct spf_eval *e = f->e;
	e->voids++;
	if (e->voids > SPF_MAX_VOIDS) {
		trace_outcome(e, f->trace_term, "void lookup %d: over the limit", e->voids);
		frame_finish(f, SPF_PERMERROR,
		             "more than %d void lookups (the limit of RFC 7208 4.6.4), the last at %s", SPF_MAX_VOIDS,
		             f->term->text);
		return true;
	}
	return false;
}

static bool answer_has_ip(const struct spf_eval *e, const struct dns_answer *a, const struct spf_term *t)
{
	uint16_t type = e->family == AF_INET ? DNS_T_A : DNS_T_AAAA;
	int cidr = e->family == AF_INET ? t->cidr4 : t->cidr6;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, type, rr));)
		if (rr->u.addr.family == e->family && addr_match(e->family, e->addr, rr->u.addr.bytes, cidr))
			return true;
	return false;
}

static void on_a(struct frame *f, struct dns_answer *a)
{
	if (dns_is_temp(a->result)) {
		trace_outcome(f->e, f->trace_term, "DNS error");
		frame_finish(f, SPF_TEMPERROR, "DNS error looking up %s for %s: %s", f->target, f->term->text,
		             a->error ? a->error : dns_result_name(a->result));
		return;
	}
	if (dns_is_void(a->result) || (a->result == DNS_OK && dns_answer_count(a, a->qtype) == 0)) {
		if (count_void(f))
			return;
		term_nomatch(f, "void lookup");
		return;
	}
	if (answer_has_ip(f->e, a, f->term))
		term_match(f);
	else
		term_nomatch(f, NULL);
}

static void on_exists(struct frame *f, struct dns_answer *a)
{
	if (dns_is_temp(a->result)) {
		trace_outcome(f->e, f->trace_term, "DNS error");
		frame_finish(f, SPF_TEMPERROR, "DNS error looking up %s for %s: %s", f->target, f->term->text,
		             a->error ? a->error : dns_result_name(a->result));
		return;
	}
	if (dns_answer_count(a, DNS_T_A) == 0) {
		if (dns_is_void(a->result) && count_void(f))
			return;
		term_nomatch(f, dns_is_void(a->result) ? "void lookup" : NULL);
		return;
	}
	term_match(f);
}

static void mx_next(struct frame *f);

static void on_mx_addr(struct frame *f, struct dns_answer *a)
{
	if (dns_is_temp(a->result)) {
		frame_finish(f, SPF_TEMPERROR, "DNS error looking up MX host %s: %s", a->qname,
		             a->error ? a->error : dns_result_name(a->result));
		return;
	}
	if (answer_has_ip(f->e, a, f->term)) {
		term_match(f);
		return;
	}
	mx_next(f);
}

static void mx_next(struct frame *f)
{
	if (f->name_i >= f->names.n) {
		term_nomatch(f, NULL);
		return;
	}
	const char *name = f->names.v[f->name_i++];
	eval_query(f, name, f->e->family == AF_INET ? DNS_T_A : DNS_T_AAAA, on_mx_addr);
}

static void on_mx(struct frame *f, struct dns_answer *a)
{
	if (dns_is_temp(a->result)) {
		trace_outcome(f->e, f->trace_term, "DNS error");
		frame_finish(f, SPF_TEMPERROR, "DNS error looking up MX %s: %s", f->target,
		             a->error ? a->error : dns_result_name(a->result));
		return;
	}
	size_t n = dns_answer_count(a, DNS_T_MX);
	if (n == 0) {
		if (dns_is_void(a->result) && count_void(f))
			return;
		term_nomatch(f, dns_is_void(a->result) ? "void lookup" : "no MX records");
		return;
	}
	if (n > SPF_MAX_NAMES) {
		trace_outcome(f->e, f->trace_term, "%zu MX records: over the limit", n);
		frame_finish(f, SPF_PERMERROR,
		             "%s has %zu MX records; the mx mechanism allows at most %d (RFC 7208 4.6.4)", f->target, n,
		             SPF_MAX_NAMES);
		return;
	}
	strlist_free(&f->names);
	f->name_i = 0;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, DNS_T_MX, rr));)
		if (rr->u.mx.exchange[0])
			strlist_add(&f->names, rr->u.mx.exchange);
	mx_next(f);
}

static void ptr_next(struct frame *f);

static void on_ptr_addr(struct frame *f, struct dns_answer *a)
{
	struct spf_eval *e = f->e;
	const char *name = f->names.v[f->name_i - 1];
	uint16_t type = e->family == AF_INET ? DNS_T_A : DNS_T_AAAA;
	/* 5.5: a DNS error on the A lookup skips that name. */
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, type, rr));)
		if (rr->u.addr.family == e->family && addr_match(e->family, e->addr, rr->u.addr.bytes, -1)) {
			if (domain_is_within(name, f->target) || ascii_strcaseeq(name, f->target)) {
				term_match(f);
				return;
			}
			break;
		}
	ptr_next(f);
}

static void ptr_next(struct frame *f)
{
	/* Only names within the target can validate it; skip the rest without a query. */
	while (f->name_i < f->names.n) {
		char *n = domain_normalize(f->names.v[f->name_i]);
		bool within = domain_is_within(n, f->target);
		free(n);
		if (within)
			break;
		f->name_i++;
	}
	if (f->name_i >= f->names.n) {
		term_nomatch(f, NULL);
		return;
	}
	const char *name = f->names.v[f->name_i++];
	eval_query(f, name, f->e->family == AF_INET ? DNS_T_A : DNS_T_AAAA, on_ptr_addr);
}

static void on_ptr(struct frame *f, struct dns_answer *a)
{
	/* 5.5: a DNS error on the PTR lookup means no match. */
	size_t n = dns_answer_count(a, DNS_T_PTR);
	if (n == 0) {
		if (dns_is_void(a->result) && count_void(f))
			return;
		term_nomatch(f, dns_is_void(a->result) ? "void lookup" : "no PTR");
		return;
	}
	strlist_free(&f->names);
	f->name_i = 0;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, DNS_T_PTR, rr));) {
		if (f->names.n >= SPF_MAX_NAMES)
			break; /* 4.6.4: the rest are ignored */
		strlist_take(&f->names, domain_normalize(rr->u.name));
	}
	ptr_next(f);
}

static void on_include_done(struct frame *f, struct frame *child, enum spf_result res);

static void frame_redirect(struct frame *f)
{
	struct spf_eval *e = f->e;
	const struct spf_term *t = f->rec->redirect;
	f->term = t;
	f->trace_term = trace_add(e, f->depth + 1, false, "%s", t->text);
	if (++e->lookups > SPF_MAX_LOOKUPS) {
		trace_outcome(e, f->trace_term, "lookup %d: over the limit", e->lookups);
		frame_finish(f, SPF_PERMERROR, "more than %d DNS lookups (RFC 7208 4.6.4), at %s in %s",
		             SPF_MAX_LOOKUPS, t->text, f->domain);
		return;
	}
	struct spf_macro_ctx ctx;
	macro_ctx(e, f->domain, &ctx);
	char *err = NULL;
	char *target = spf_macro_expand_domain(t->domain_spec, &ctx, &err);
	if (!target) {
		frame_finish(f, SPF_PERMERROR, "%s: %s", t->text, err);
		free(err);
		return;
	}
	struct frame *c = frame_new(e, f, FR_REDIRECT, target);
	free(target);
	trace_outcome(e, f->trace_term, "redirect to %s", c->domain);
	f->decider = (long)f->trace_term;
	f->decider_child = c;
	frame_begin(c);
}

static void frame_next(struct frame *f)
{
	struct spf_eval *e = f->e;
	while (f->idx < f->rec->nterms) {
		const struct spf_term *t = &f->rec->terms[f->idx++];
		if (t->kind != SPF_TERM_MECH)
			continue;
		f->term = t;
		f->trace_term = trace_add(e, f->depth + 1, false, "%s", t->text);
		if (t->mech == SPF_M_ALL) {
			term_match(f);
			return;
		}
		if (t->mech == SPF_M_IP4 || t->mech == SPF_M_IP6) {
			if (e->family == t->family &&
			    addr_match(e->family, e->addr, t->addr, t->mech == SPF_M_IP4 ? t->cidr4 : t->cidr6)) {
				term_match(f);
				return;
			}
			trace_outcome(e, f->trace_term, "no match");
			continue;
		}
		if (++e->lookups > SPF_MAX_LOOKUPS) {
			trace_outcome(e, f->trace_term, "lookup %d: over the limit", e->lookups);
			frame_finish(f, SPF_PERMERROR, "more than %d DNS lookups (RFC 7208 4.6.4), at %s in %s",
			             SPF_MAX_LOOKUPS, t->text, f->domain);
			return;
		}
		free(f->target);
		f->target = NULL;
		if (t->domain_spec) {
			struct spf_macro_ctx ctx;
			macro_ctx(e, f->domain, &ctx);
			char *err = NULL;
			f->target = spf_macro_expand_domain(t->domain_spec, &ctx, &err);
			if (!f->target) {
				frame_finish(f, SPF_PERMERROR, "%s: %s", t->text, err);
				free(err);
				return;
			}
		} else {
			f->target = xstrdup(f->domain);
		}
		switch (t->mech) {
		case SPF_M_INCLUDE: {
			struct frame *c = frame_new(e, f, FR_INCLUDE, f->target);
			frame_begin(c);
			return;
		}
		case SPF_M_A:
			if (!target_ok(f->target)) {
				term_nomatch(f, "invalid name");
				return;
			}
			eval_query(f, f->target, e->family == AF_INET ? DNS_T_A : DNS_T_AAAA, on_a);
			return;
		case SPF_M_MX:
			if (!target_ok(f->target)) {
				term_nomatch(f, "invalid name");
				return;
			}
			eval_query(f, f->target, DNS_T_MX, on_mx);
			return;
		case SPF_M_EXISTS:
			if (!target_ok(f->target)) {
				term_nomatch(f, "invalid name");
				return;
			}
			eval_query(f, f->target, DNS_T_A, on_exists);
			return;
		case SPF_M_PTR: {
			char *rname = ip_reverse_name(e->family, e->addr, NULL);
			eval_query(f, rname, DNS_T_PTR, on_ptr);
			free(rname);
			return;
		}
		default: break;
		}
	}
	if (f->rec->redirect) {
		frame_redirect(f);
		return;
	}
	frame_finish(f, SPF_NEUTRAL, "no mechanism matched in the record of %s (default neutral)", f->domain);
}

static void on_include_done(struct frame *f, struct frame *child, enum spf_result res)
{
	struct spf_eval *e = f->e;
	switch (res) {
	case SPF_PASS:
		f->decider_child = child;
		term_match(f);
		return;
	case SPF_FAIL:
	case SPF_SOFTFAIL:
	case SPF_NEUTRAL: {
		char *why = xasprintf("no match (%s returned %s)", child->domain, spf_result_name(res));
		term_nomatch(f, why);
		free(why);
		return;
	}
	case SPF_TEMPERROR:
		trace_outcome(e, f->trace_term, "temperror");
		f->decider = (long)f->trace_term;
		f->decider_child = child;
		frame_finish(f, SPF_TEMPERROR, "%s", e->reason ? e->reason : "temperror in include");
		return;
	case SPF_NONE:
		trace_outcome(e, f->trace_term, "included domain has no SPF record");
		f->decider = (long)f->trace_term;
		frame_finish(f, SPF_PERMERROR, "%s includes %s, which has no SPF record", f->domain, child->domain);
		return;
	case SPF_PERMERROR:
		trace_outcome(e, f->trace_term, "permerror");
		f->decider = (long)f->trace_term;
		f->decider_child = child;
		frame_finish(f, SPF_PERMERROR, "%s", e->reason ? e->reason : "permerror in include");
		return;
	}
}

static void frame_finish(struct frame *f, enum spf_result res, const char *fmt, ...)
{
	struct spf_eval *e = f->e;
	va_list ap;
	va_start(ap, fmt);
	char *why = xvasprintf(fmt, ap);
	va_end(ap);
	/* Errors coming up from an include or redirect pass the inner frame's
	 * reason on as their own, so the last one set names the real problem. */
	free(e->reason);
	e->reason = why;
	if (f->decider < 0 && (res == SPF_PERMERROR || res == SPF_TEMPERROR || res == SPF_NONE))
		f->decider = (long)(f->trace_term);
	if (f->how == FR_INCLUDE) {
		trace_outcome(e, f->trace_rec, "-> %s", spf_result_name(res));
		struct frame *p = f->parent;
		on_include_done(p, f, res);
		return;
	}
	if (f->how == FR_REDIRECT) {
		trace_outcome(e, f->trace_rec, "-> %s", spf_result_name(res));
		struct frame *p = f->parent;
		if (res == SPF_NONE) {
			/* 6.1: a redirect to a domain without a record is a permerror. */
			frame_finish(p, SPF_PERMERROR, "redirect=%s: that domain has no SPF record", f->domain);
			return;
		}
		p->exp_src = f->exp_src;
		p->decider_child = f;
		frame_finish(p, res, "%s", e->reason ? e->reason : "");
		return;
	}
	trace_outcome(e, f->trace_rec, "-> %s", spf_result_name(res));
	e->result = res;
	if (res == SPF_FAIL && f->exp_src && f->exp_src->rec && f->exp_src->rec->exp) {
		exp_start(e);
		return;
	}
	e->decided = true;
	e->ms = (double)(now_ms() - e->t0);
	eval_check_done(e);
}

/* Mark the decisive path: the deciding term of each frame, into includes
 * and redirects. */
static void mark_decisive(struct spf_eval *e)
{
	for (struct frame *f = e->top; f; f = f->decider_child) {
		e->trace[f->trace_rec].decisive = true;
		if (f->decider >= 0 && (size_t)f->decider < e->ntrace)
			e->trace[f->decider].decisive = true;
	}
}

/* ---------- exp= ---------- */

static void exp_finish(struct spf_eval *e)
{
	e->decided = true;
	e->ms = (double)(now_ms() - e->t0);
	eval_check_done(e);
}

static void on_exp_txt(struct spf_eval *e, void *arg, struct dns_answer *a)
{
	struct frame *src = arg;
	const struct dns_rr *rr = dns_answer_next(a, DNS_T_TXT, NULL);
	/* 6.2: exactly one TXT record, else no explanation. */
	if (!rr || dns_answer_count(a, DNS_T_TXT) != 1) {
		exp_finish(e);
		return;
	}
	char *text = xstrndup(rr->u.txt.text, rr->u.txt.len);
	if (spf_macro_uses_p(text) && !e->p_ready) {
		free(text);
		/* resolve %{p} and fetch again (a cache hit) */
		e->p_waiter = src;
		p_resolve(e, NULL, true);
		return;
	}
	struct spf_macro_ctx ctx;
	macro_ctx(e, src->domain, &ctx);
	char *err = NULL;
	char *s = spf_macro_expand(text, &ctx, true, &err);
	free(text);
	free(err);
	if (s)
		e->explanation = s;
	exp_finish(e);
}

static void exp_start(struct spf_eval *e)
{
	struct frame *src = e->top->exp_src;
	const struct spf_term *t = src->rec->exp;
	if (spf_macro_uses_p(t->domain_spec) && !e->p_ready) {
		e->p_waiter = src;
		p_resolve(e, NULL, true);
		return;
	}
	struct spf_macro_ctx ctx;
	macro_ctx(e, src->domain, &ctx);
	char *err = NULL;
	char *name = spf_macro_expand_domain(t->domain_spec, &ctx, &err);
	if (!name || !chk_domain_ok(name)) {
		free(err);
		free(name);
		exp_finish(e);
		return;
	}
	aux_query(e, name, DNS_T_TXT, on_exp_txt, src);
	free(name);
}

/* ---------- %{p} ---------- */

static void p_complete(struct spf_eval *e)
{
	e->p_ready = true;
	e->p_busy = false;
	if (e->p_for_exp) {
		e->p_for_exp = false;
		exp_start(e);
		return;
	}
	struct frame *f = e->p_waiter;
	e->p_waiter = NULL;
	if (f)
		frame_next(f);
}

static void on_p_addr(struct spf_eval *e, void *arg, struct dns_answer *a)
{
	const char *name = arg;
	uint16_t type = e->family == AF_INET ? DNS_T_A : DNS_T_AAAA;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, type, rr));)
		if (rr->u.addr.family == e->family && addr_match(e->family, e->addr, rr->u.addr.bytes, -1)) {
			if (!strlist_contains_ci(&e->p_valid, name))
				strlist_add(&e->p_valid, name);
			break;
		}
	if (--e->p_pending == 0) {
		/* keep the PTR order */
		struct strlist ordered = {0};
		for (size_t i = 0; i < e->p_names.n; i++)
			if (strlist_contains_ci(&e->p_valid, e->p_names.v[i]))
				strlist_add(&ordered, e->p_names.v[i]);
		strlist_free(&e->p_valid);
		e->p_valid = ordered;
		p_complete(e);
	}
}

static void on_p_ptr(struct spf_eval *e, void *arg, struct dns_answer *a)
{
	(void)arg;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, DNS_T_PTR, rr));) {
		if (e->p_names.n >= SPF_MAX_NAMES)
			break;
		strlist_take(&e->p_names, domain_normalize(rr->u.name));
	}
	if (e->p_names.n == 0) {
		p_complete(e);
		return;
	}
	e->p_pending = e->p_names.n;
	for (size_t i = 0; i < e->p_names.n; i++)
		aux_query(e, e->p_names.v[i], e->family == AF_INET ? DNS_T_A : DNS_T_AAAA, on_p_addr, e->p_names.v[i]);
}

static void p_resolve(struct spf_eval *e, struct frame *waiter, bool for_exp)
{
	if (waiter)
		e->p_waiter = waiter;
	e->p_for_exp = for_exp;
	e->p_busy = true;
	char *rname = ip_reverse_name(e->family, e->addr, NULL);
	aux_query(e, rname, DNS_T_PTR, on_p_ptr, NULL);
	free(rname);
}

/* ---------- the record tree (prefetch + static analysis) ---------- */

struct tree_arg {
	struct spf_node *node;
	size_t term;
};

static void tree_noop(struct spf_eval *e, void *arg, struct dns_answer *a)
{
	(void)e;
	(void)arg;
	(void)a;
}

static void tree_term_answer(struct spf_eval *e, void *arg, struct dns_answer *a)
{
	struct tree_arg *ta = arg;
	struct spf_node *n = ta->node;
	n->term_dns[ta->term] = (int)a->result;
	n->term_void[ta->term] = dns_is_void(a->result) || (a->result == DNS_OK && dns_answer_count(a, a->qtype) == 0);
	const struct spf_term *t = &n->rec->terms[ta->term];
	uint16_t atype = e->has_ip && e->family == AF_INET6 ? DNS_T_AAAA : DNS_T_A;
	if (t->mech == SPF_M_MX) {
		size_t k = 0;
		for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, DNS_T_MX, rr)) && k < SPF_MAX_NAMES; k++)
			if (rr->u.mx.exchange[0])
				aux_query(e, rr->u.mx.exchange, atype, tree_noop, NULL);
	} else if (t->mech == SPF_M_PTR) {
		size_t k = 0;
		for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, DNS_T_PTR, rr)) && k < SPF_MAX_NAMES; k++)
			aux_query(e, rr->u.name, atype, tree_noop, NULL);
	}
	free(ta);
}

static bool tree_is_ancestor(struct spf_eval *e, struct spf_node *parent, const char *domain)
{
	for (struct spf_node *p = parent; p;) {
		if (ascii_strcaseeq(p->domain, domain))
			return true;
		struct spf_node *up = NULL;
		for (size_t i = 0; i < e->nnodes; i++)
			if (e->nodes[i] == p)
				up = e->node_parent[i];
		p = up;
	}
	return false;
}

static void tree_on_txt(struct spf_eval *e, void *arg, struct dns_answer *a)
{
	struct spf_node *n = arg;
	n->fetched = true;
	n->dns_result = (int)a->result;
	const struct dns_rr *found = NULL;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, DNS_T_TXT, rr));)
		if (spf_is_record(rr->u.txt.text, rr->u.txt.len)) {
			found = rr;
			n->nspf++;
		}
	if (n->nspf != 1)
		return;
	n->record = xstrndup(found->u.txt.text, found->u.txt.len);
	n->record_len = found->u.txt.len;
	n->rec = spf_record_parse(found->u.txt.text, found->u.txt.len);
	size_t nt = n->rec->nterms;
	n->child = xcalloc(nt ? nt : 1, sizeof(*n->child));
	n->term_dns = xcalloc(nt ? nt : 1, sizeof(*n->term_dns));
	n->term_void = xcalloc(nt ? nt : 1, sizeof(*n->term_void));
	for (size_t i = 0; i < nt; i++)
		n->term_dns[i] = -1;
	if (n->rec->error)
		return;
	struct spf_macro_ctx ctx;
	macro_ctx(e, n->domain, &ctx);
	uint16_t atype = e->has_ip && e->family == AF_INET6 ? DNS_T_AAAA : DNS_T_A;
	for (size_t i = 0; i < nt; i++) {
		const struct spf_term *t = &n->rec->terms[i];
		if (!spf_term_counts(t))
			continue;
		char *target = NULL;
		if (t->domain_spec) {
			if (spf_macro_uses_p(t->domain_spec) || (!e->has_ip && spf_macro_has_macros(t->domain_spec)))
				continue;
			char *err = NULL;
			target = spf_macro_expand_domain(t->domain_spec, &ctx, &err);
			free(err);
			if (!target)
				continue;
		} else {
			target = xstrdup(n->domain);
		}
		if (!target_ok(target)) {
			free(target);
			continue;
		}
		if (t->kind == SPF_TERM_REDIRECT || t->mech == SPF_M_INCLUDE) {
			tree_fetch(e, n, target, &n->child[i]);
		} else {
			struct tree_arg *ta = xcalloc(1, sizeof(*ta));
			ta->node = n;
			ta->term = i;
			if (t->mech == SPF_M_A)
				aux_query(e, target, atype, tree_term_answer, ta);
			else if (t->mech == SPF_M_MX)
				aux_query(e, target, DNS_T_MX, tree_term_answer, ta);
			else if (t->mech == SPF_M_EXISTS)
				aux_query(e, target, DNS_T_A, tree_term_answer, ta);
			else if (t->mech == SPF_M_PTR && e->has_ip) {
				char *rname = ip_reverse_name(e->family, e->addr, NULL);
				aux_query(e, rname, DNS_T_PTR, tree_term_answer, ta);
				free(rname);
			} else
				free(ta);
		}
		free(target);
	}
}

static void tree_fetch(struct spf_eval *e, struct spf_node *parent, const char *domain, struct spf_node **slot)
{
	struct spf_node *n = xcalloc(1, sizeof(*n));
	n->domain = domain_normalize(domain);
	n->depth = parent ? parent->depth + 1 : 0;
	n->dns_result = -1;
	e->nodes = xrealloc(e->nodes, (e->nnodes + 1) * sizeof(*e->nodes));
	e->node_parent = xrealloc(e->node_parent, (e->nnodes + 1) * sizeof(*e->node_parent));
	e->nodes[e->nnodes] = n;
	e->node_parent[e->nnodes] = parent;
	e->nnodes++;
	*slot = n;
	if (parent && tree_is_ancestor(e, parent, n->domain)) {
		n->loop = true;
		return;
	}
	if (n->depth > TREE_MAX_DEPTH || e->nnodes > TREE_MAX_NODES) {
		n->truncated = true;
		return;
	}
	aux_query(e, n->domain, DNS_T_TXT, tree_on_txt, n);
}

/* ---------- life cycle ---------- */

static void eval_check_done(struct spf_eval *e)
{
	if (!e->decided || e->inflight > 0 || e->done_called || !e->finished)
		return;
	e->done_called = true;
	mark_decisive(e);
	if (e->done)
		e->done(e->done_arg, e);
}

static void on_start_timer(struct spf_eval *e, void *arg, struct dns_answer *a)
{
	(void)arg;
	(void)a;
	(void)e;
}

struct spf_eval *spf_eval_new(struct resolver *r, const struct spf_eval_params *p,
                              void (*done)(void *arg, struct spf_eval *e), void *arg)
{
	struct spf_eval *e = xcalloc(1, sizeof(*e));
	e->r = r;
	e->done = done;
	e->done_arg = arg;
	e->helo = xstrdup(p->helo ? p->helo : "");
	if (p->ip && ip_parse(p->ip, &e->family, e->addr)) {
		e->has_ip = true;
		/* An IPv4-mapped IPv6 sender is an IPv4 sender (RFC 7208 5). */
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (e->family == AF_INET6 && memcmp(e->addr, mapped, 12) == 0) {
			memmove(e->addr, e->addr + 12, 4);
			e->family = AF_INET;
		}
		char buf[64];
		ip_format(e->family, e->addr, buf, sizeof(buf));
		e->ip = xstrdup(buf);
	} else {
		e->family = AF_INET;
	}
	const char *s = p->sender && *p->sender ? p->sender : NULL;
	if (!s) {
		e->sender = xasprintf("postmaster@%s", e->helo);
	} else {
		const char *at = strrchr(s, '@');
		if (!at)
			e->sender = xasprintf("postmaster@%s", s);
		else if (at == s)
			e->sender = xasprintf("postmaster%s", s);
		else
			e->sender = xstrdup(s);
	}
	if (p->domain)
		e->domain = xstrdup(p->domain);
	else
		e->domain = xstrdup(strrchr(e->sender, '@') + 1);
	e->receiver = p->receiver ? xstrdup(p->receiver) : NULL;
	e->now = p->now ? p->now : (long long)time(NULL);
	e->result = SPF_NONE;
	return e;
}

void spf_eval_start(struct spf_eval *e)
{
	e->t0 = now_ms();
	/* The tree walk first: its TXT query is the one the evaluation joins. */
	struct spf_node *root = NULL;
	if (chk_domain_ok(e->domain))
		tree_fetch(e, NULL, e->domain, &root);
	e->tree = root;
	if (e->has_ip) {
		e->top = frame_new(e, NULL, FR_TOP, e->domain);
		frame_begin(e->top);
	} else {
		e->decided = true;
		e->result = SPF_NONE;
	}
	e->finished = true;
	if (e->inflight == 0) {
		/* Everything was decided without a query (invalid domain):
		 * still report from the loop, never from inside start. */
		aux_query(e, "", DNS_T_TXT, on_start_timer, NULL);
	}
}

void spf_eval_free(struct spf_eval *e)
{
	if (!e)
		return;
	/* Only after the resolver was freed (or done() ran) can queries remain. */
	while (e->queries) {
		struct q *q = e->queries;
		e->queries = q->next;
		if (q->pcb == tree_term_answer)
			free(q->arg);
		free(q);
	}
	for (struct frame *f = e->frames, *n; f; f = n) {
		n = f->next_all;
		free(f->domain);
		free(f->target);
		spf_record_free(f->rec);
		strlist_free(&f->names);
		free(f);
	}
	for (size_t i = 0; i < e->ntrace; i++) {
		free(e->trace[i].text);
		free(e->trace[i].outcome);
		strlist_free(&e->trace[i].queries);
	}
	free(e->trace);
	for (size_t i = 0; i < e->nnodes; i++) {
		struct spf_node *n = e->nodes[i];
		free(n->domain);
		free(n->record);
		spf_record_free(n->rec);
		free(n->child);
		free(n->term_dns);
		free(n->term_void);
		free(n);
	}
	free(e->nodes);
	free(e->node_parent);
	strlist_free(&e->p_names);
	strlist_free(&e->p_valid);
	free(e->ip);
	free(e->domain);
	free(e->sender);
	free(e->helo);
	free(e->receiver);
	free(e->reason);
	free(e->explanation);
	free(e);
}

bool spf_eval_done(const struct spf_eval *e)
{
	return e->done_called;
}
bool spf_eval_has_ip(const struct spf_eval *e)
{
	return e->has_ip;
}
enum spf_result spf_eval_result(const struct spf_eval *e)
{
	return e->result;
}
const char *spf_eval_reason(const struct spf_eval *e)
{
	return e->reason;
}
const char *spf_eval_explanation(const struct spf_eval *e)
{
	return e->explanation;
}
int spf_eval_lookups(const struct spf_eval *e)
{
	return e->lookups;
}
int spf_eval_voids(const struct spf_eval *e)
{
	return e->voids;
}
const char *spf_eval_domain(const struct spf_eval *e)
{
	return e->domain;
}
const char *spf_eval_sender(const struct spf_eval *e)
{
	return e->sender;
}
const struct spf_trace *spf_eval_trace(const struct spf_eval *e, size_t *n)
{
	*n = e->ntrace;
	return e->trace;
}
const struct spf_node *spf_eval_tree(const struct spf_eval *e)
{
	return e->tree;
}
double spf_eval_ms(const struct spf_eval *e)
{
	return e->ms;
}

/* ---------- static analysis of the tree ---------- */

static void stats_walk(const struct spf_node *n, struct spf_tree_stats *st, struct strbuf *path)
{
	size_t mark = path->len;
	if (path->len)
		strbuf_adds(path, " -> ");
	strbuf_adds(path, n->domain);
	if (n->loop) {
		st->loop = true;
		strlist_add(&st->loops, path->s);
		goto out;
	}
	if (n->truncated)
		st->truncated = true;
	if (!n->rec || n->rec->error)
		goto out;
	for (size_t i = 0; i < n->rec->nterms; i++) {
		const struct spf_term *t = &n->rec->terms[i];
		if (!spf_term_counts(t))
			continue;
		st->lookups++;
		if (n->term_void && n->term_void[i])
			st->voids++;
		if (t->kind == SPF_TERM_REDIRECT || t->mech == SPF_M_INCLUDE) {
			const struct spf_node *c = n->child ? n->child[i] : NULL;
			if (!c) {
				if (t->domain_spec && spf_macro_has_macros(t->domain_spec))
					st->macros = true;
				continue;
			}
			if (c->fetched && c->nspf == 0 && dns_result_is_answer(c->dns_result) &&
			    !strlist_contains_ci(&st->no_spf, c->domain))
				strlist_add(&st->no_spf, c->domain);
			stats_walk(c, st, path);
		}
	}
out:
	path->len = mark;
	path->s[mark] = 0;
}

void spf_tree_stats(const struct spf_node *root, struct spf_tree_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!root)
		return;
	struct strbuf path;
	strbuf_init(&path);
	stats_walk(root, st, &path);
	strbuf_free(&path);
}

void spf_tree_stats_free(struct spf_tree_stats *st)
{
	strlist_free(&st->no_spf);
	strlist_free(&st->loops);
}
