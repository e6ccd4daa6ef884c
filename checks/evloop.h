/* evloop.h - the one event loop.
 *
 * A poll() loop that owns every file descriptor the program waits on (the
 * terminal, c-ares' sockets, TCP/TLS probes) and every timer.  Nothing in
 * mxaudit blocks: work is split into callbacks that run from
 * evloop_run_once().  Callbacks may add and remove descriptors and timers
 * freely, including their own.
 *
 * Hooks let a library with its own notion of time (c-ares) take part: before
 * each poll the hook's prepare() returns how long it may wait, and after the
 * poll its after() runs (c-ares processes its timeouts there). */
#ifndef MXAUDIT_EVLOOP_H
#define MXAUDIT_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct evloop;
struct evtimer;

typedef void (*evloop_io_cb)(int fd, short revents, void *arg);
typedef void (*evloop_timer_cb)(void *arg);
/* Return milliseconds until the hook needs after() called, -1 for never. */
typedef long (*evloop_prepare_cb)(void *arg);
typedef void (*evloop_after_cb)(void *arg);

struct evloop *evloop_new(void);
/* Frees the loop; descriptors are not closed, timers are dropped. */
void evloop_free(struct evloop *loop);

/* Watch fd for events (POLLIN / POLLOUT); replaces an earlier registration
 * of the same fd.  events == 0 removes it. */
void evloop_io_set(struct evloop *loop, int fd, short events, evloop_io_cb cb, void *arg);
void evloop_io_remove(struct evloop *loop, int fd);

/* One-shot timer, ms from now (0 = on the next pass, after I/O).  The
 * handle is valid until the callback has started or it is cancelled. */
struct evtimer *evloop_timer_add(struct evloop *loop, long ms, evloop_timer_cb cb, void *arg);
void evloop_timer_cancel(struct evloop *loop, struct evtimer *t);

/* Register / remove a hook (identified by its arg). */
void evloop_hook_add(struct evloop *loop, evloop_prepare_cb prepare, evloop_after_cb after, void *arg);
void evloop_hook_remove(struct evloop *loop, void *arg);

/* One pass: poll for at most max_wait_ms (-1 = until something happens),
 * dispatch I/O, then due timers, then hooks.  Returns false when there was
 * nothing at all to wait for (no fds, timers or hook deadlines) and
 * max_wait_ms was -1, so the caller does not sleep forever. */
bool evloop_run_once(struct evloop *loop, long max_wait_ms);

/* The loop's clock: monotonic milliseconds, read once per pass. */
int64_t evloop_now(struct evloop *loop);

#endif
