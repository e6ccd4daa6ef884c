/* evloop.c - one poll() loop for the terminal, DNS and TCP/TLS, and timers.
 *
 * Descriptors live in a flat array (there are tens, not thousands); timers
 * in a binary min-heap keyed by deadline, cancelled lazily.  Every
 * registration carries a serial number so that a callback that closes an fd
 * and a later registration that reuses the number never receives the stale
 * revents of the earlier poll(). */
#include "evloop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "util.h"

struct io {
	int fd;
	short events;
	evloop_io_cb cb;
	void *arg;
	uint64_t serial;
};

struct evtimer {
	int64_t deadline;
	uint64_t seq; /* ties broken by insertion order */
	evloop_timer_cb cb;
	void *arg;
	bool cancelled;
};

struct hook {
	evloop_prepare_cb prepare;
	evloop_after_cb after;
	void *arg;
};

struct evloop {
	struct io *io;
	size_t nio, capio;
	uint64_t next_serial;
	struct evtimer **heap;
	size_t nheap, capheap;
	uint64_t next_seq;
	size_t live_timers;
	struct hook *hooks;
	size_t nhooks;
	int64_t now;
	/* scratch for poll() */
	struct pollfd *pfd;
	uint64_t *pserial;
	size_t cappfd;
};

struct evloop *evloop_new(void)
{
	struct evloop *loop = xcalloc(1, sizeof(*loop));
	loop->now = now_ms();
	loop->next_serial = 1;
	return loop;
}

void evloop_free(struct evloop *loop)
{
	if (!loop)
		return;
	for (size_t i = 0; i < loop->nheap; i++)
		free(loop->heap[i]);
	free(loop->heap);
	free(loop->io);
	free(loop->hooks);
	free(loop->pfd);
	free(loop->pserial);
	free(loop);
}

int64_t evloop_now(struct evloop *loop)
{
	return loop->now;
}

static struct io *io_find(struct evloop *loop, int fd)
{
	for (size_t i = 0; i < loop->nio; i++)
		if (loop->io[i].fd == fd)
			return &loop->io[i];
	return NULL;
}

void evloop_io_remove(struct evloop *loop, int fd)
{
	struct io *io = io_find(loop, fd);
	if (!io)
		return;
	*io = loop->io[--loop->nio];
}

void evloop_io_set(struct evloop *loop, int fd, short events, evloop_io_cb cb, void *arg)
{
	if (events == 0) {
		evloop_io_remove(loop, fd);
		return;
	}
	struct io *io = io_find(loop, fd);
	if (!io) {
		if (loop->nio == loop->capio) {
			loop->capio = loop->capio ? loop->capio * 2 : 16;
			loop->io = xrealloc(loop->io, loop->capio * sizeof(*loop->io));
		}
		io = &loop->io[loop->nio++];
		io->fd = fd;
		io->serial = loop->next_serial++;
	} else if (io->cb != cb || io->arg != arg) {
		/* A new owner for the same fd number: old revents are not theirs. */
		io->serial = loop->next_serial++;
	}
	io->events = events;
	io->cb = cb;
	io->arg = arg;
}

static bool timer_before(const struct evtimer *a, const struct evtimer *b)
{
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_up(struct evloop *loop, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!timer_before(loop->heap[i], loop->heap[parent]))
			break;
		struct evtimer *t = loop->heap[i];
		loop->heap[i] = loop->heap[parent];
		loop->heap[parent] = t;
		i = parent;
	}
}

static void heap_down(struct evloop *loop, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < loop->nheap && timer_before(loop->heap[l], loop->heap[m]))
			m = l;
		if (r < loop->nheap && timer_before(loop->heap[r], loop->heap[m]))
			m = r;
		if (m == i)
			return;
		struct evtimer *t = loop->heap[i];
		loop->heap[i] = loop->heap[m];
		loop->heap[m] = t;
		i = m;
	}
}

static struct evtimer *heap_pop(struct evloop *loop)
{
	struct evtimer *top = loop->heap[0];
	loop->heap[0] = loop->heap[--loop->nheap];
	if (loop->nheap)
		heap_down(loop, 0);
	return top;
}

struct evtimer *evloop_timer_add(struct evloop *loop, long ms, evloop_timer_cb cb, void *arg)
{
	struct evtimer *t = xcalloc(1, sizeof(*t));
	/* Read the clock afresh: callbacks may run long after the pass began. */
	t->deadline = now_ms() + (ms > 0 ? ms : 0);
	t->seq = loop->next_seq++;
	t->cb = cb;
	t->arg = arg;
	if (loop->nheap == loop->capheap) {
		loop->capheap = loop->capheap ? loop->capheap * 2 : 32;
		loop->heap = xrealloc(loop->heap, loop->capheap * sizeof(*loop->heap));
	}
	loop->heap[loop->nheap++] = t;
	heap_up(loop, loop->nheap - 1);
	loop->live_timers++;
	return t;
}

void evloop_timer_cancel(struct evloop *loop, struct evtimer *t)
{
	if (t && !t->cancelled) {
		t->cancelled = true;
		loop->live_timers--;
	}
}

void evloop_hook_add(struct evloop *loop, evloop_prepare_cb prepare, evloop_after_cb after, void *arg)
{
	loop->hooks = xrealloc(loop->hooks, (loop->nhooks + 1) * sizeof(*loop->hooks));
	loop->hooks[loop->nhooks++] = (struct hook){prepare, after, arg};
}

void evloop_hook_remove(struct evloop *loop, void *arg)
{
	for (size_t i = 0; i < loop->nhooks; i++) {
		if (loop->hooks[i].arg == arg) {
			loop->hooks[i] = loop->hooks[--loop->nhooks];
			return;
		}
	}
}

/* Drop cancelled timers sitting at the top so the deadline is real. */
static void heap_prune(struct evloop *loop)
{
	while (loop->nheap && loop->heap[0]->cancelled)
		free(heap_pop(loop));
}

static long min_timeout(long a, long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

bool evloop_run_once(struct evloop *loop, long max_wait_ms)
{
	loop->now = now_ms();
	long timeout = max_wait_ms;
	bool anything = loop->nio > 0 || max_wait_ms >= 0;

	heap_prune(loop);
	if (loop->nheap) {
		int64_t d = loop->heap[0]->deadline - loop->now;
		timeout = min_timeout(timeout, d > 0 ? (long)d : 0);
		anything = true;
	}
	for (size_t i = 0; i < loop->nhooks; i++) {
		long t = loop->hooks[i].prepare ? loop->hooks[i].prepare(loop->hooks[i].arg) : -1;
		if (t >= 0) {
			timeout = min_timeout(timeout, t);
			anything = true;
		}
	}
	if (!anything)
		return false;

	/* Snapshot the registrations: callbacks may change them. */
	if (loop->cappfd < loop->nio) {
		loop->cappfd = loop->nio;
		loop->pfd = xrealloc(loop->pfd, loop->cappfd * sizeof(*loop->pfd));
		loop->pserial = xrealloc(loop->pserial, loop->cappfd * sizeof(*loop->pserial));
	}
	size_t n = loop->nio;
	for (size_t i = 0; i < n; i++) {
		loop->pfd[i] = (struct pollfd){.fd = loop->io[i].fd, .events = loop->io[i].events};
		loop->pserial[i] = loop->io[i].serial;
	}
	int rc = poll(loop->pfd, n, (int)timeout);
	loop->now = now_ms();
	if (rc < 0 && errno != EINTR)
		return true;

	for (size_t i = 0; rc > 0 && i < n; i++) {
		if (!loop->pfd[i].revents)
			continue;
		struct io *io = io_find(loop, loop->pfd[i].fd);
		if (!io || io->serial != loop->pserial[i])
			continue; /* removed or re-registered by an earlier callback */
		io->cb(loop->pfd[i].fd, loop->pfd[i].revents, io->arg);
	}

	/* Timers due now; ones added by these callbacks wait for the next pass. */
	uint64_t seq_limit = loop->next_seq;
	for (;;) {
		heap_prune(loop);
		if (!loop->nheap || loop->heap[0]->deadline > loop->now || loop->heap[0]->seq >= seq_limit)
			break;
		struct evtimer *t = heap_pop(loop);
		loop->live_timers--;
		t->cb(t->arg);
		free(t);
	}

	for (size_t i = 0; i < loop->nhooks; i++)
		if (loop->hooks[i].after)
			loop->hooks[i].after(loop->hooks[i].arg);
	return true;
}
