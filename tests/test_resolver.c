/* test_resolver.c - the resolver layer over a scripted test backend and over
 * the zone-file backend, and the event loop it runs on: callbacks only ever
 * from the loop, coalescing, the cache, cancellation on free, bad names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>

#include <cmocka.h>

#include "dns.h"
#include "evloop.h"
#include "resolver.h"
#include "resolver_zone.h"

/* ---- a scripted backend: records what it is asked, answers when told ---- */

struct sent {
	uint64_t id;
	char name[256];
	uint16_t type;
	unsigned flags;
};

struct fake {
	struct resolver *r;
	struct sent sent[32];
	size_t nsent;
	int cancels, frees;
	const char *fail_why; /* non-NULL: the next send fails with this */
};

static int fake_send(void *be, uint64_t id, const char *name, uint16_t type, unsigned flags, const char **why)
{
	struct fake *f = be;
	if (f->fail_why) {
		*why = f->fail_why;
		f->fail_why = NULL;
		return -1;
	}
	assert_true(f->nsent < 32);
	struct sent *s = &f->sent[f->nsent++];
	s->id = id;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->type = type;
	s->flags = flags;
	return 0;
}

static void fake_cancel_all(void *be)
{
	((struct fake *)be)->cancels++;
}

static void fake_free(void *be)
{
	((struct fake *)be)->frees++;
}

static const char *fake_describe(void *be)
{
	(void)be;
	return "fake:53";
}

static const struct resolver_backend fake_ops = {
	.name = "fake",
	.send = fake_send,
	.cancel_all = fake_cancel_all,
	.free = fake_free,
	.describe = fake_describe,
};

static void *fake_create(struct resolver *r, void *ctx)
{
	struct fake *f = ctx;
	f->r = r;
	return f;
}

/* Answer sent query i with one A record (via the zone backend's builder). */
static void fake_answer_a(struct fake *f, size_t i, const char *ip4)
{
	uint8_t q[255];
	size_t ql = zone_name_to_wire(f->sent[i].name, q);
	assert_true(ql > 0);
	unsigned a, b, c, d;
	assert_int_equal(sscanf(ip4, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
	uint8_t rd[4] = {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
	struct zone_wire_rr rr = {q, ql, DNS_T_A, 1, 300, rd, 4};
	size_t len;
	unsigned char *msg = zone_wire_build(q, ql, DNS_T_A, 0, &rr, 1, NULL, 0, &len);
	resolver_deliver(f->r, f->sent[i].id, msg, len, DNS_OK, NULL, NULL);
	free(msg);
}

/* ---- what the callbacks saw ---- */

static bool in_query; /* true while the test is inside resolver_query() */

struct got {
	int calls;
	enum dns_result result;
	struct dns_answer *answer; /* referenced */
	/* optional: re-ask this inside the callback */
	struct resolver *requery_r;
	const char *requery_name;
	struct got *requery_got;
};

static void on_answer(void *arg, struct dns_answer *a)
{
	struct got *g = arg;
	/* The contract: never from inside the call that started the work. */
	assert_false(in_query);
	g->calls++;
	g->result = a->result;
	dns_answer_unref(g->answer);
	g->answer = dns_answer_ref(a);
	if (g->requery_r) {
		struct resolver *r = g->requery_r;
		g->requery_r = NULL;
		resolver_query(r, g->requery_name, a->qtype, 0, on_answer, g->requery_got);
	}
}

static void query(struct resolver *r, const char *name, uint16_t type, unsigned flags, struct got *g)
{
	in_query = true;
	resolver_query(r, name, type, flags, on_answer, g);
	in_query = false;
}

static void got_clear(struct got *g)
{
	dns_answer_unref(g->answer);
	memset(g, 0, sizeof(*g));
}

/* Run loop passes that do not wait, so a test never hangs. */
static void spin(struct evloop *loop, int passes)
{
	for (int i = 0; i < passes; i++)
		evloop_run_once(loop, 0);
}

struct fixture {
	struct evloop *loop;
	struct fake fake;
	struct resolver *r;
};

static int setup(void **st)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	fx->loop = evloop_new();
	fx->r = resolver_new_custom(fx->loop, &fake_ops, fake_create, &fx->fake);
	*st = fx;
	return fx->r ? 0 : -1;
}

static int teardown(void **st)
{
	struct fixture *fx = *st;
	resolver_free(fx->r);
	evloop_free(fx->loop);
	free(fx);
	return 0;
}

/* ---- the custom backend ---- */

static void test_async_answer(void **st)
{
	struct fixture *fx = *st;
	struct got g = {0};
	query(fx->r, "www.example.com", DNS_T_A, 0, &g);
	assert_int_equal(g.calls, 0);
	assert_int_equal(fx->fake.nsent, 1);
	assert_string_equal(fx->fake.sent[0].name, "www.example.com");
	assert_int_equal(fx->fake.sent[0].type, DNS_T_A);
	assert_int_equal(resolver_in_flight(fx->r), 1);
	assert_int_equal(resolver_sent(fx->r), 1);
	spin(fx->loop, 3);
	assert_int_equal(g.calls, 0); /* nothing until the backend answers */
	fake_answer_a(&fx->fake, 0, "192.0.2.7");
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.result, DNS_OK);
	assert_string_equal(g.answer->qname, "www.example.com");
	assert_string_equal(g.answer->server, "fake:53");
	assert_true(g.answer->elapsed_ms >= 0);
	assert_string_equal(dns_answer_next(g.answer, DNS_T_A, NULL)->text, "192.0.2.7");
	assert_int_equal(resolver_in_flight(fx->r), 0);
	/* A second delivery for the same id is ignored. */
	fake_answer_a(&fx->fake, 0, "192.0.2.8");
	assert_int_equal(g.calls, 1);
	got_clear(&g);
}

static void test_coalescing(void **st)
{
	struct fixture *fx = *st;
	struct got g1 = {0}, g2 = {0}, g3 = {0}, gmx = {0}, gad = {0};
	query(fx->r, "example.com", DNS_T_A, 0, &g1);
	query(fx->r, "Example.COM.", DNS_T_A, 0, &g2); /* same question, other spelling */
	query(fx->r, "example.com", DNS_T_A, 0, &g3);
	assert_int_equal(fx->fake.nsent, 1);
	query(fx->r, "example.com", DNS_T_MX, 0, &gmx);
	query(fx->r, "example.com", DNS_T_A, RESOLVER_F_AD, &gad);
	assert_int_equal(fx->fake.nsent, 3);
	assert_int_equal(fx->fake.sent[2].flags & RESOLVER_F_AD, RESOLVER_F_AD);
	assert_int_equal(resolver_in_flight(fx->r), 3);
	assert_int_equal(g1.calls + g2.calls + g3.calls, 0);
	fake_answer_a(&fx->fake, 0, "192.0.2.1");
	assert_int_equal(g1.calls, 1);
	assert_int_equal(g2.calls, 1);
	assert_int_equal(g3.calls, 1);
	assert_ptr_equal(g1.answer, g2.answer); /* one answer shared */
	assert_int_equal(gmx.calls, 0);
	assert_int_equal(gad.calls, 0);
	resolver_deliver(fx->r, fx->fake.sent[1].id, NULL, 0, DNS_TIMEOUT, "no answer", "192.0.2.53:53");
	assert_int_equal(gmx.calls, 1);
	assert_int_equal(gmx.result, DNS_TIMEOUT);
	assert_int_equal(gmx.answer->rcode, -1);
	assert_string_equal(gmx.answer->error, "no answer");
	assert_string_equal(gmx.answer->server, "192.0.2.53:53");
	got_clear(&g1);
	got_clear(&g2);
	got_clear(&g3);
	got_clear(&gmx);
	got_clear(&gad);
}

static void test_cache_hit(void **st)
{
	struct fixture *fx = *st;
	struct got g1 = {0}, g2 = {0}, g3 = {0};
	query(fx->r, "example.com", DNS_T_A, 0, &g1);
	fake_answer_a(&fx->fake, 0, "192.0.2.1");
	assert_int_equal(g1.calls, 1);
	query(fx->r, "EXAMPLE.com", DNS_T_A, 0, &g2);
	assert_int_equal(resolver_sent(fx->r), 1); /* not sent again */
	assert_int_equal(resolver_in_flight(fx->r), 0);
	assert_int_equal(g2.calls, 0);             /* and not answered inside the call */
	spin(fx->loop, 1);
	assert_int_equal(g2.calls, 1);
	assert_ptr_equal(g2.answer, g1.answer);
	/* NOCACHE (watch mode) goes to the backend again. */
	query(fx->r, "example.com", DNS_T_A, RESOLVER_F_NOCACHE, &g3);
	assert_int_equal(resolver_sent(fx->r), 2);
	assert_int_equal(fx->fake.nsent, 2);
	fake_answer_a(&fx->fake, 1, "192.0.2.2");
	assert_int_equal(g3.calls, 1);
	assert_string_equal(dns_answer_next(g3.answer, DNS_T_A, NULL)->text, "192.0.2.2");
	got_clear(&g1);
	got_clear(&g2);
	got_clear(&g3);
}

static void test_requery_in_callback(void **st)
{
	struct fixture *fx = *st;
	struct got inner = {0};
	struct got outer = {.requery_r = fx->r, .requery_name = "example.com", .requery_got = &inner};
	query(fx->r, "example.com", DNS_T_A, 0, &outer);
	fake_answer_a(&fx->fake, 0, "192.0.2.1");
	assert_int_equal(outer.calls, 1);
	/* Asked again from the callback: a cache hit, delivered later. */
	assert_int_equal(inner.calls, 0);
	assert_int_equal(resolver_sent(fx->r), 1);
	spin(fx->loop, 1);
	assert_int_equal(inner.calls, 1);
	assert_int_equal(inner.result, DNS_OK);
	got_clear(&outer);
	got_clear(&inner);
}

static void test_invalid_names(void **st)
{
	struct fixture *fx = *st;
	char label64[80], long_name[400];
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".example.com");
	long_name[0] = '\0';
	for (int i = 0; i < 30; i++)
		strcat(long_name, "abcdefghi.");
	strcat(long_name, "com");
	struct got g[4] = {{0}};
	query(fx->r, label64, DNS_T_A, 0, &g[0]);
	query(fx->r, "a..example.com", DNS_T_A, 0, &g[1]);
	query(fx->r, long_name, DNS_T_TXT, 0, &g[2]);
	query(fx->r, "", DNS_T_MX, 0, &g[3]);
	assert_int_equal(fx->fake.nsent, 0);
	assert_int_equal(resolver_sent(fx->r), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(g[i].calls, 0);
	spin(fx->loop, 1);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(g[i].calls, 1);
		assert_int_equal(g[i].result, DNS_ERROR);
		assert_non_null(g[i].answer->error);
	}
	assert_non_null(strstr(g[0].answer->error, "63"));
	assert_non_null(strstr(g[1].answer->error, "empty label"));
	assert_non_null(strstr(g[2].answer->error, "253"));
	/* A 63-byte label is fine. */
	struct got ok = {0};
	query(fx->r, label64 + 1, DNS_T_A, 0, &ok);
	assert_int_equal(fx->fake.nsent, 1);
	for (int i = 0; i < 4; i++)
		got_clear(&g[i]);
	got_clear(&ok);
}

static void test_send_failure(void **st)
{
	struct fixture *fx = *st;
	struct got g1 = {0}, g2 = {0};
	fx->fake.fail_why = "no server configured";
	query(fx->r, "example.com", DNS_T_TXT, 0, &g1);
	assert_int_equal(g1.calls, 0);
	assert_int_equal(resolver_in_flight(fx->r), 0);
	spin(fx->loop, 1);
	assert_int_equal(g1.calls, 1);
	assert_int_equal(g1.result, DNS_ERROR);
	assert_string_equal(g1.answer->error, "no server configured");
	/* The failure is remembered like any answer. */
	query(fx->r, "example.com", DNS_T_TXT, 0, &g2);
	spin(fx->loop, 1);
	assert_int_equal(g2.result, DNS_ERROR);
	assert_int_equal(fx->fake.nsent, 0);
	got_clear(&g1);
	got_clear(&g2);
}

static void test_free_in_flight(void **st)
{
	struct fixture *fx = *st;
	struct got g[4] = {{0}};
	query(fx->r, "example.com", DNS_T_A, 0, &g[0]);
	fake_answer_a(&fx->fake, 0, "192.0.2.1");
	got_clear(&g[0]);
	query(fx->r, "example.com", DNS_T_A, 0, &g[0]);   /* cache hit waiting for its timer */
	query(fx->r, "example.net", DNS_T_MX, 0, &g[1]);  /* in flight */
	query(fx->r, "example.net", DNS_T_MX, 0, &g[2]);  /* joined */
	query(fx->r, "bad..name", DNS_T_A, 0, &g[3]);     /* error waiting for its timer */
	assert_int_equal(resolver_in_flight(fx->r), 1);
	resolver_free(fx->r);
	fx->r = NULL;
	assert_int_equal(fx->fake.cancels, 1);
	assert_int_equal(fx->fake.frees, 1);
	spin(fx->loop, 3);
	for (int i = 0; i < 4; i++)
		assert_int_equal(g[i].calls, 0);
	/* Nothing is left to wait for: the loop says so instead of sleeping. */
	assert_false(evloop_run_once(fx->loop, -1));
}

/* ---- the event loop ---- */

static char order[32];

static void mark(void *arg)
{
	size_t n = strlen(order);
	order[n] = *(const char *)arg;
	order[n + 1] = '\0';
}

struct add_ctx {
	const char *c;
	struct evloop *loop;
};

static void mark_and_add(void *arg)
{
	struct add_ctx *a = arg;
	mark((void *)a->c);
	evloop_timer_add(a->loop, 0, mark, (void *)"Z");
}

static void test_evloop_timers(void **st)
{
	(void)st;
	struct evloop *loop = evloop_new();
	order[0] = '\0';
	assert_false(evloop_run_once(loop, -1)); /* empty loop: nothing to wait for */
	int64_t t0 = evloop_now(loop);
	evloop_timer_add(loop, 30, mark, (void *)"A");
	evloop_timer_add(loop, 0, mark, (void *)"B");
	evloop_timer_add(loop, 0, mark, (void *)"C");
	struct evtimer *x = evloop_timer_add(loop, 0, mark, (void *)"X");
	evloop_timer_add(loop, 10, mark, (void *)"D");
	evloop_timer_cancel(loop, x);
	/* A timer callback adding a zero-delay timer: it runs on a later pass. */
	struct add_ctx ctx = {"E", loop};
	evloop_timer_add(loop, 0, mark_and_add, &ctx);
	evloop_run_once(loop, 0);
	assert_string_equal(order, "BCE");
	for (int i = 0; i < 100 && strlen(order) < 6; i++)
		evloop_run_once(loop, -1);
	assert_string_equal(order, "BCEZDA");
	assert_true(evloop_now(loop) - t0 >= 30);
	assert_false(evloop_run_once(loop, -1));
	evloop_free(loop);
}

static int io_reads;

static void on_readable(int fd, short revents, void *arg)
{
	(void)arg;
	char buf[16];
	assert_true(revents & POLLIN);
	if (read(fd, buf, sizeof(buf)) > 0)
		io_reads++;
}

static void test_evloop_io(void **st)
{
	(void)st;
	struct evloop *loop = evloop_new();
	int p[2];
	assert_int_equal(pipe(p), 0);
	io_reads = 0;
	evloop_io_set(loop, p[0], POLLIN, on_readable, NULL);
	evloop_run_once(loop, 0);
	assert_int_equal(io_reads, 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	evloop_run_once(loop, 1000);
	assert_int_equal(io_reads, 1);
	evloop_io_remove(loop, p[0]);
	assert_int_equal(write(p[1], "y", 1), 1);
	evloop_run_once(loop, 0);
	assert_int_equal(io_reads, 1);
	close(p[0]);
	close(p[1]);
	evloop_free(loop);
}

/* ---- the zone backend behind the same interface ---- */

static char *srcpath(const char *rel)
{
	const char *top = getenv("top_srcdir");
	size_t n = strlen(top ? top : TOP_SRCDIR) + strlen(rel) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s/%s", top ? top : TOP_SRCDIR, rel);
	return p;
}

static void test_zone_backend(void **st)
{
	(void)st;
	struct evloop *loop = evloop_new();
	char *path = srcpath("data/demo.zone");
	const char *files[] = {path};
	struct resolver_config cfg = {.zone_files = files, .nzone_files = 1, .timeout_ms = 2000, .tries = 2};
	char *err = NULL;
	struct resolver *r = resolver_new(loop, &cfg, &err);
	assert_non_null(r);
	assert_null(err);
	struct got mx1 = {0}, mx2 = {0}, out = {0}, bad = {0};
	query(r, "demo.example", DNS_T_MX, 0, &mx1);
	query(r, "DEMO.example.", DNS_T_MX, 0, &mx2);
	query(r, "www.example.org", DNS_T_A, 0, &out);
	query(r, "x..demo.example", DNS_T_A, 0, &bad);
	assert_int_equal(resolver_sent(r), 2); /* coalesced; the bad name never sent */
	assert_int_equal(mx1.calls + mx2.calls + out.calls + bad.calls, 0);
	spin(loop, 2);
	assert_int_equal(mx1.calls, 1);
	assert_int_equal(mx2.calls, 1);
	assert_int_equal(mx1.result, DNS_OK);
	assert_int_equal(dns_answer_count(mx1.answer, DNS_T_MX), 2);
	assert_string_equal(mx1.answer->server, "zone file demo.zone");
	assert_int_equal(mx1.answer->rcode, 0);
	assert_int_equal(out.result, DNS_REFUSED);
	assert_non_null(strstr(out.answer->error, "not in the loaded zone files"));
	assert_int_equal(bad.result, DNS_ERROR);

	/* Freed with answers still queued: none of them arrives. */
	struct got late = {0};
	query(r, "_dmarc.demo.example", DNS_T_TXT, 0, &late);
	assert_int_equal(resolver_in_flight(r), 1);
	resolver_free(r);
	spin(loop, 3);
	assert_int_equal(late.calls, 0);
	assert_false(evloop_run_once(loop, -1));

	got_clear(&mx1);
	got_clear(&mx2);
	got_clear(&out);
	got_clear(&bad);
	evloop_free(loop);
	free(path);
}

static void test_zone_backend_bad_file(void **st)
{
	(void)st;
	struct evloop *loop = evloop_new();
	char *path = srcpath("tests/zones-unit/syntax-error.zone");
	const char *files[] = {path};
	struct resolver_config cfg = {.zone_files = files, .nzone_files = 1};
	char *err = NULL;
	assert_null(resolver_new(loop, &cfg, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "line 7"));
	assert_null(strchr(err, '\n'));
	free(err);
	err = NULL;
	files[0] = "/nonexistent/mxaudit-test.zone";
	assert_null(resolver_new(loop, &cfg, &err));
	assert_non_null(strstr(err, "/nonexistent/mxaudit-test.zone"));
	free(err);
	evloop_free(loop);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_async_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalescing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_hit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requery_in_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_in_flight, setup, teardown),
		cmocka_unit_test(test_evloop_timers),
		cmocka_unit_test(test_evloop_io),
		cmocka_unit_test(test_zone_backend),
		cmocka_unit_test(test_zone_backend_bad_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
