/* resolver.c - query coalescing, the per-run cache and delivery.
 *
 * Each distinct (name, type, AD flag) is one entry.  The first asker sends
 * it to the backend; askers that come while it is in flight join its waiter
 * list; later askers get the cached answer.  All callbacks run from the
 * event loop (cache hits through a zero-delay timer), never from inside
 * resolver_query().  Entries live as long as the resolver, which lives as
 * long as one audit run: a re-check makes a new resolver, so nothing is ever
 * stale and no TTL bookkeeping is needed.
 *
 * Optionally (resolver_set_max_in_flight(), batch mode) the number of
 * queries at the backends is capped process-wide: the rest wait in a FIFO
 * and go out as answers come back.  Many audits at once would otherwise
 * send bursts of a thousand queries, overflow the DNS server's socket
 * buffer, and then sit in c-ares retry timers instead of working. */
#include "resolver.h"

#include <stdlib.h>
#include <string.h>

#include "evloop.h"
#include "util.h"

struct waiter {
	resolver_cb cb;
	void *arg;
	struct waiter *next;
};

struct entry {
	char *name;
	uint16_t type;
	unsigned flags;      /* the cache key's flags (RESOLVER_F_AD only) */
	unsigned flags_sent; /* the asker's flags, for the backend */
	struct dns_answer *answer; /* NULL while in flight */
	struct waiter *waiters, **tail;
	int64_t sent_ms;
	struct entry *hnext; /* hash chain (cached entries) */
	struct entry *anext; /* list of all entries, for freeing */
	struct resolver *r;
	bool queued, at_backend;
	struct entry *qprev, *qnext; /* the global queue while queued */
};

/* A cache hit or an immediate error waiting for its timer. */
struct delivery {
	struct resolver *r;
	struct evtimer *timer;
	struct dns_answer *answer;
	resolver_cb cb;
	void *arg;
	struct delivery *prev, *next;
};

#define NBUCKETS 1024

struct resolver {
	struct evloop *loop;
	const struct resolver_backend *ops;
	void *be;
	struct entry *buckets[NBUCKETS];
	struct entry *all;
	struct delivery *deliveries;
	size_t in_flight, sent;
	size_t at_backend; /* sent to the backend, not answered yet */
};

/* The process-wide cap (0 = none) and the queue waiting for it.  One event
 * loop thread runs every resolver, so plain statics are enough. */
static size_t max_in_flight, total_at_backend;
static struct entry *queue_head, *queue_tail;

void resolver_set_max_in_flight(size_t n)
{
	max_in_flight = n;
}

static unsigned hash(const char *name, uint16_t type, unsigned flags)
{
	unsigned h = 2166136261u;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 'A' && c <= 'Z')
			c += 32;
		h = (h ^ c) * 16777619u;
	}
	h = (h ^ type) * 16777619u;
	h = (h ^ flags) * 16777619u;
	return h % NBUCKETS;
}

static struct resolver *resolver_alloc(struct evloop *loop)
{
	struct resolver *r = xcalloc(1, sizeof(*r));
	r->loop = loop;
	return r;
}

struct resolver *resolver_new_custom(struct evloop *loop, const struct resolver_backend *ops,
                                     void *(*create)(struct resolver *r, void *ctx), void *ctx)
{
	struct resolver *r = resolver_alloc(loop);
	r->ops = ops;
	r->be = create(r, ctx);
	if (!r->be) {
		free(r);
		return NULL;
	}
	return r;
}

struct resolver *resolver_new(struct evloop *loop, const struct resolver_config *cfg, char **err)
{
	struct resolver *r = resolver_alloc(loop);
	if (cfg->nzone_files) {
		r->ops = &resolver_zone_backend;
		r->be = resolver_zone_new(r, loop, cfg, err);
	} else {
		r->ops = &resolver_ares_backend;
		r->be = resolver_ares_new(r, loop, cfg, err);
	}
	if (!r->be) {
		free(r);
		return NULL;
	}
	return r;
}

static void delivery_unlink(struct delivery *d)
{
	if (d->prev)
		d->prev->next = d->next;
	else
		d->r->deliveries = d->next;
	if (d->next)
		d->next->prev = d->prev;
}

static void queue_unlink(struct entry *e)
{
	if (e->qprev)
		e->qprev->qnext = e->qnext;
	else
		queue_head = e->qnext;
	if (e->qnext)
		e->qnext->qprev = e->qprev;
	else
		queue_tail = e->qprev;
	e->qprev = e->qnext = NULL;
	e->queued = false;
}

static void deliver_later(struct resolver *r, struct dns_answer *a, resolver_cb cb, void *arg);

/* Hand e to its resolver's backend; a send that fails answers every waiter
 * with an error, later. */
static void entry_send(struct entry *e)
{
	struct resolver *r = e->r;
	const char *why = NULL;
	e->sent_ms = now_ms();
	e->at_backend = true;
	r->at_backend++;
	total_at_backend++;
	/* The entry's address is the query id: entries outlive every query. */
	if (r->ops->send(r->be, (uint64_t)(uintptr_t)e, e->name, e->type, e->flags_sent, &why) == 0)
		return;
	e->at_backend = false;
	r->at_backend--;
	total_at_backend--;
	r->in_flight--;
	e->answer = dns_answer_error(e->name, e->type, DNS_ERROR, why ? why : "the query could not be sent");
	for (struct waiter *x = e->waiters, *xn; x; x = xn) {
		xn = x->next;
		deliver_later(r, dns_answer_ref(e->answer), x->cb, x->arg);
		free(x);
	}
	e->waiters = NULL;
	e->tail = &e->waiters;
}

/* Send queued queries while the cap allows. */
static void queue_pump(void)
{
	while (queue_head && (!max_in_flight || total_at_backend < max_in_flight)) {
		struct entry *e = queue_head;
		queue_unlink(e);
		entry_send(e);
	}
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	if (r->ops->cancel_all)
		r->ops->cancel_all(r->be);
	r->ops->free(r->be);
	total_at_backend -= r->at_backend;
	for (struct entry *e = r->all; e; e = e->anext)
		if (e->queued)
			queue_unlink(e);
	while (r->deliveries) {
		struct delivery *d = r->deliveries;
		delivery_unlink(d);
		evloop_timer_cancel(r->loop, d->timer);
		dns_answer_unref(d->answer);
		free(d);
	}
	for (struct entry *e = r->all, *next; e; e = next) {
		next = e->anext;
		for (struct waiter *w = e->waiters, *wn; w; w = wn) {
			wn = w->next;
			free(w);
		}
		dns_answer_unref(e->answer);
		free(e->name);
		free(e);
	}
	free(r);
	/* Its share of the cap is free: other resolvers' queries may go. */
	queue_pump();
}

static void delivery_fire(void *arg)
{
	struct delivery *d = arg;
	delivery_unlink(d);
	d->cb(d->arg, d->answer);
	dns_answer_unref(d->answer);
	free(d);
}

static void deliver_later(struct resolver *r, struct dns_answer *a, resolver_cb cb, void *arg)
{
	struct delivery *d = xcalloc(1, sizeof(*d));
	d->r = r;
	d->answer = a; /* reference handed over */
	d->cb = cb;
	d->arg = arg;
	d->next = r->deliveries;
	if (d->next)
		d->next->prev = d;
	r->deliveries = d;
	d->timer = evloop_timer_add(r->loop, 0, delivery_fire, d);
}

/* Names a DNS message can carry: labels 1..63 bytes, total <= 253. */
static const char *name_problem(const char *name)
{
	size_t len = strlen(name), label = 0;
	if (len && name[len - 1] == '.')
		len--;
	if (len == 0)
		return "empty name";
	if (len > 253)
		return "name longer than 253 characters";
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return "name with an empty label";
			label = 0;
		} else if (++label > 63) {
			return "label longer than 63 characters";
		}
	}
	return NULL;
}

void resolver_query(struct resolver *r, const char *name, uint16_t type, unsigned flags, resolver_cb cb, void *arg)
{
	const char *problem = name_problem(name);
	if (problem) {
		char *why = xasprintf("cannot query %s: %s", name, problem);
		deliver_later(r, dns_answer_error(name, type, DNS_ERROR, why), cb, arg);
		free(why);
		return;
	}
	char *norm = domain_normalize(name);
	unsigned key_flags = flags & RESOLVER_F_AD;
	unsigned h = hash(norm, type, key_flags);
	struct entry *e = NULL;
	if (!(flags & RESOLVER_F_NOCACHE)) {
		for (e = r->buckets[h]; e; e = e->hnext)
			if (e->type == type && e->flags == key_flags && ascii_strcaseeq(e->name, norm))
				break;
	}
	if (e && e->answer) {
		free(norm);
		deliver_later(r, dns_answer_ref(e->answer), cb, arg);
		return;
	}
	struct waiter *w = xcalloc(1, sizeof(*w));
	w->cb = cb;
	w->arg = arg;
	if (e) {
		free(norm);
		*e->tail = w;
		e->tail = &w->next;
		return;
	}
	e = xcalloc(1, sizeof(*e));
	e->name = norm;
	e->type = type;
	e->flags = key_flags;
	e->waiters = w;
	e->tail = &w->next;
	e->anext = r->all;
	r->all = e;
	e->r = r;
	e->flags_sent = flags;
	if (!(flags & RESOLVER_F_NOCACHE)) {
		e->hnext = r->buckets[h];
		r->buckets[h] = e;
	}
	r->in_flight++;
	r->sent++;
	if (max_in_flight && (queue_head || total_at_backend >= max_in_flight)) {
		e->queued = true;
		e->qprev = queue_tail;
		if (queue_tail)
			queue_tail->qnext = e;
		else
			queue_head = e;
		queue_tail = e;
		return;
	}
	entry_send(e);
}

void resolver_deliver(struct resolver *r, uint64_t id, const unsigned char *msg, size_t len,
                      enum dns_result result, const char *why, const char *server)
{
	struct entry *e = (struct entry *)(uintptr_t)id;
	if (e->answer)
		return; /* already answered (a backend must not, but be safe) */
	struct dns_answer *a =
		msg ? dns_parse(msg, len, e->name, e->type) : dns_answer_error(e->name, e->type, result, why);
	free(a->server);
	a->server = xstrdup(server ? server : (r->ops->describe ? r->ops->describe(r->be) : r->ops->name));
	a->elapsed_ms = (double)(now_ms() - e->sent_ms);
	e->answer = a;
	r->in_flight--;
	if (e->at_backend) {
		e->at_backend = false;
		r->at_backend--;
		total_at_backend--;
	}
	queue_pump();
	/* Detach the waiters first: a callback may ask the same question again,
	 * which must now be a cache hit, not a join. */
	struct waiter *w = e->waiters;
	e->waiters = NULL;
	e->tail = &e->waiters;
	while (w) {
		struct waiter *next = w->next;
		w->cb(w->arg, a);
		free(w);
		w = next;
	}
}

size_t resolver_in_flight(const struct resolver *r)
{
	return r->in_flight;
}

size_t resolver_sent(const struct resolver *r)
{
	return r->sent;
}

struct evloop *resolver_loop(const struct resolver *r)
{
	return r->loop;
}

const char *resolver_describe(const struct resolver *r)
{
	return r->ops->describe ? r->ops->describe(r->be) : r->ops->name;
}
