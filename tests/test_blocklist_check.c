/* test_blocklist_check.c - the blocklist check over a scripted resolver
 * backend: every list and self-test query goes out before the first answer
 * comes back (one round trip, not one per list); a public resolver is named
 * up front and its refusal codes are errors, never listings; one list that
 * never answers is an error while the others still give their verdicts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "audit.h"
#include "evloop.h"
#include "resolver.h"
#include "util.h"

struct pending {
	uint64_t id;
	char *name;
};

struct fake {
	struct resolver *r;
	struct evloop *loop;
	const char *describe;
	/* answer for a query name: fills a[4], returns 1 = A record, 0 =
	 * NXDOMAIN, -1 = time out */
	int (*answer)(const char *name, unsigned char a[4]);
	struct pending *q;
	size_t nq, cap;
	size_t sent, sent_at_first_delivery;
	bool delivered_any;
	struct evtimer *timer;
};

static size_t wire_name(const char *name, unsigned char *out)
{
	size_t n = 0;
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		out[n++] = (unsigned char)l;
		memcpy(out + n, name, l);
		n += l;
		name += l + (dot ? 1 : 0);
	}
	out[n++] = 0;
	return n;
}

static void deliver_all(void *arg)
{
	struct fake *f = arg;
	f->timer = NULL;
	if (!f->delivered_any) {
		f->delivered_any = true;
		f->sent_at_first_delivery = f->sent;
	}
	size_t n = f->nq;
	struct pending *q = f->q;
	f->q = NULL;
	f->nq = f->cap = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char a[4];
		int kind = f->answer(q[i].name, a);
		if (kind < 0) {
			resolver_deliver(f->r, q[i].id, NULL, 0, DNS_TIMEOUT, "no answer (timed out)", f->describe);
		} else {
			unsigned char msg[600];
			size_t len = 12;
			memset(msg, 0, 12);
			msg[2] = 0x81;
			msg[3] = kind ? 0x80 : 0x83; /* NOERROR / NXDOMAIN */
			msg[5] = 1;
			msg[7] = kind ? 1 : 0;
			len += wire_name(q[i].name, msg + len);
			memcpy(msg + len, "\0\1\0\1", 4);
			len += 4;
			if (kind) {
				static const unsigned char rr[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 1, 0x2C, 0, 4};
				memcpy(msg + len, rr, sizeof(rr));
				len += sizeof(rr);
				memcpy(msg + len, a, 4);
				len += 4;
			}
			resolver_deliver(f->r, q[i].id, msg, len, DNS_OK, NULL, f->describe);
		}
		free(q[i].name);
	}
	free(q);
}

static int fake_send(void *be, uint64_t id, const char *name, uint16_t type, unsigned flags, const char **why)
{
	struct fake *f = be;
	(void)type;
	(void)flags;
	(void)why;
	if (f->nq == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->q = xrealloc(f->q, f->cap * sizeof(*f->q));
	}
	f->q[f->nq].id = id;
	f->q[f->nq++].name = xstrdup(name);
	f->sent++;
	/* Answers come from the loop, later - a real network round trip. */
	if (!f->timer)
		f->timer = evloop_timer_add(f->loop, 5, deliver_all, f);
	return 0;
}

static void fake_cancel(void *be)
{
	struct fake *f = be;
	for (size_t i = 0; i < f->nq; i++)
		free(f->q[i].name);
	f->nq = 0;
	if (f->timer)
		evloop_timer_cancel(f->loop, f->timer);
	f->timer = NULL;
}

static void fake_free(void *be)
{
	struct fake *f = be;
	fake_cancel(f);
	free(f->q);
}

static const char *fake_describe(void *be)
{
	return ((struct fake *)be)->describe;
}

static const struct resolver_backend fake_backend = {
	.name = "fake", .send = fake_send, .cancel_all = fake_cancel, .free = fake_free, .describe = fake_describe,
};

static void *fake_create(struct resolver *r, void *ctx)
{
	struct fake *f = ctx;
	f->r = r;
	return f;
}

static char *write_lists(const char *text)
{
	char *path = xstrdup("/tmp/mxaudit-bltest.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Run the blocklist check alone; returns the audit (caller frees). */
static struct audit *run(struct fake *f, struct evloop *loop, const char *lists_path, const char *ip)
{
	struct audit_input in;
	audit_input_init(&in);
	in.domain = xstrdup("example.com");
	in.ip = xstrdup(ip);
	assert_true(ip_parse(ip, &in.ip_family, in.ip_addr));
	in.blocklists_file = xstrdup(lists_path);
	in.enabled = 1u << CHECK_BLOCKLISTS;
	f->loop = loop;
	struct resolver *r = resolver_new_custom(loop, &fake_backend, fake_create, f);
	assert_non_null(r);
	struct audit *a = audit_new(loop, r, &in);
	audit_input_free(&in);
	audit_start(a);
	for (int i = 0; i < 1000 && !a->done; i++)
		evloop_run_once(loop, 100);
	assert_true(a->done);
	return a;
}

static const struct finding *find(const struct check *c, const char *id)
{
	for (size_t i = 0; i < c->nfindings; i++)
		if (strcmp(c->findings[i].id, id) == 0)
			return &c->findings[i];
	return NULL;
}

/* A finding that must be there (never NULL: the test stops otherwise). */
static const struct finding *need(const struct check *c, const char *id)
{
	const struct finding *f = find(c, id);
	if (!f) {
		fail_msg("no finding %s", id);
		abort();
	}
	return f;
}

/* A public resolver: Spamhaus-style refusal for every query. */
static int refuse_all(const char *name, unsigned char a[4])
{
	(void)name;
	memcpy(a, "\x7f\xff\xff\xfe", 4);
	return 1;
}

static void test_public_resolver_parallel(void **state)
{
	(void)state;
	struct strbuf b;
	strbuf_init(&b);
	for (int i = 0; i < 40; i++)
		strbuf_addf(&b, "l%d.bl.test ip List %d 127.0.0.2=listed \"!127.255.255.254=query refused: public "
		            "resolver\"\n", i, i);
	char *path = write_lists(b.s);
	strbuf_free(&b);
	struct evloop *loop = evloop_new();
	struct fake f = {.describe = "8.8.8.8:53", .answer = refuse_all};
	struct audit *a = run(&f, loop, path, "192.0.2.25");
	const struct check *c = audit_check(a, CHECK_BLOCKLISTS);
	/* 40 lists x (query + two self-tests), all out before any answer. */
	assert_int_equal(f.sent, 120);
	assert_int_equal(f.sent_at_first_delivery, 120);
	assert_int_equal(c->status, STATUS_ERROR);
	const struct finding *pub = need(c, "blocklists.public-resolver");
	assert_non_null(strstr(pub->message, "8.8.8.8 (Google Public DNS)"));
	const struct finding *ref = need(c, "blocklists.refused");
	assert_non_null(strstr(ref->message, "40 lists refused"));
	assert_null(find(c, "blocklists.listed"));
	audit_free(a);
	evloop_free(loop);
	unlink(path);
	free(path);
}

/* slow.test never answers; the test entry 127.0.0.2 is listed on every list;
 * 192.0.2.66 is listed on bad.test. */
static int one_slow(const char *name, unsigned char a[4])
{
	if (ascii_endswith_ci(name, ".slow.test"))
		return -1;
	if (!strncmp(name, "2.0.0.127.", 10) || !strcmp(name, "66.2.0.192.bad.test")) {
		memcpy(a, "\x7f\0\0\x02", 4);
		return 1;
	}
	return 0;
}

static void test_one_list_silent(void **state)
{
	(void)state;
	char *path = write_lists("good.test ip Good 127.0.0.2=x\nslow.test ip Slow 127.0.0.2=x\n"
	                         "bad.test ip Bad 127.0.0.2=spam delist=https://bad.example/\n");
	struct evloop *loop = evloop_new();
	struct fake f = {.describe = "127.0.0.1:53", .answer = one_slow};
	struct audit *a = run(&f, loop, path, "192.0.2.66");
	const struct check *c = audit_check(a, CHECK_BLOCKLISTS);
	assert_int_equal(c->status, STATUS_FAIL);
	assert_null(find(c, "blocklists.public-resolver"));
	const struct finding *t = need(c, "blocklists.timeout");
	assert_int_equal(t->status, STATUS_ERROR);
	assert_non_null(strstr(t->message, "slow.test"));
	assert_null(strstr(t->message, "good.test"));
	const struct finding *l = need(c, "blocklists.listed");
	assert_non_null(strstr(l->message, "192.0.2.66 is listed on Bad (bad.test): 127.0.0.2 (spam)"));
	assert_non_null(strstr(l->fix, "https://bad.example/"));
	audit_free(a);
	evloop_free(loop);
	unlink(path);
	free(path);
}

/* The parsed list file is shared between the audits of a process and read
 * again when it changes; an audit still holding the old lists keeps them. */
static int none_listed(const char *name, unsigned char a[4])
{
	if (!strncmp(name, "2.0.0.127.", 10)) {
		memcpy(a, "\x7f\0\0\x02", 4);
		return 1;
	}
	return 0;
}

static void rewrite(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	fclose(fp);
}

static void test_list_file_reread(void **state)
{
	(void)state;
	char *path = write_lists("one.test ip One 127.0.0.2=x\n");
	struct evloop *loop = evloop_new();
	struct fake f1 = {.describe = "127.0.0.1:53", .answer = none_listed};
	struct audit *a1 = run(&f1, loop, path, "192.0.2.25");
	assert_int_equal(f1.sent, 3); /* one list: the query and two self-tests */
	struct fake f2 = {.describe = "127.0.0.1:53", .answer = none_listed};
	struct audit *a2 = run(&f2, loop, path, "192.0.2.25");
	assert_int_equal(f2.sent, 3); /* the same file, from the cache */
	audit_free(a2);
	rewrite(path, "one.test ip One 127.0.0.2=x\ntwo.test ip Two 127.0.0.2=x\n");
	struct fake f3 = {.describe = "127.0.0.1:53", .answer = none_listed};
	struct audit *a3 = run(&f3, loop, path, "192.0.2.25");
	assert_int_equal(f3.sent, 6); /* the edit is seen */
	assert_int_equal(audit_check(a3, CHECK_BLOCKLISTS)->status, STATUS_PASS);
	/* a1 still has the one-list set it started with (ASan watches). */
	assert_int_equal(audit_check(a1, CHECK_BLOCKLISTS)->status, STATUS_PASS);
	audit_free(a1);
	audit_free(a3);
	/* A broken edit is an error for the next audit, not a stale success. */
	rewrite(path, "broken\n");
	struct fake f4 = {.describe = "127.0.0.1:53", .answer = none_listed};
	struct audit *a4 = run(&f4, loop, path, "192.0.2.25");
	assert_int_equal(f4.sent, 0);
	assert_int_equal(audit_check(a4, CHECK_BLOCKLISTS)->status, STATUS_ERROR);
	audit_free(a4);
	evloop_free(loop);
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_resolver_parallel),
		cmocka_unit_test(test_one_list_silent),
		cmocka_unit_test(test_list_file_reread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
