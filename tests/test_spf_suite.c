/* test_spf_suite.c - run an OpenSPF test suite against the evaluator.
 *
 * Input: the JSON that tests/spf-suite.py makes from the suite's YAML.  Each
 * scenario's zone data is served through the real resolver (coalescing,
 * cache, delivery from the loop) by a custom backend that builds DNS wire
 * responses, so the evaluator is exercised exactly as in an audit; TIMEOUT
 * entries are delivered as DNS_TIMEOUT.
 *
 * Output: TAP, one line per suite test, and a summary comment
 * "<label>: N passed, N failed".  Tests listed in the exceptions file
 * ("<label> <test> <reason>") are marked TODO with the reason.
 *
 * Usage: test_spf_suite LABEL SUITE.json EXCEPTIONS [--delay MS] [--only NAME] [--verbose]
 * --delay adds latency to every answer (the bench uses it to show that the
 * wall time follows the include depth, not the number of lookups). */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "evloop.h"
#include "resolver.h"
#include "spf_eval.h"
#include "util.h"

struct pending {
	struct zone_be *be;
	struct evtimer *timer;
	uint64_t id;
	unsigned char *msg;
	size_t len;
	bool timeout;
	struct pending *next;
};

struct zone_be {
	struct resolver *r;
	struct evloop *loop;
	struct json_object *zone;
	long delay_ms;
	struct pending *pending;
	size_t queries;
};

static void put16(struct strbuf *b, unsigned v)
{
	strbuf_addc(b, (char)(v >> 8));
	strbuf_addc(b, (char)(v & 0xff));
}

static void put32(struct strbuf *b, unsigned long v)
{
	put16(b, (unsigned)(v >> 16));
	put16(b, (unsigned)(v & 0xffff));
}

static void put_name(struct strbuf *b, const char *name)
{
	const char *p = name;
	while (*p) {
		size_t l = strcspn(p, ".");
		if (l > 63)
			l = 63;
		if (l) {
			strbuf_addc(b, (char)l);
			strbuf_add(b, p, l);
		}
		p += strcspn(p, ".");
		if (*p == '.')
			p++;
	}
	strbuf_addc(b, 0);
}

static int type_code(const char *t)
{
	static const struct {
		const char *n;
		int t;
	} map[] = { { "A", DNS_T_A }, { "AAAA", DNS_T_AAAA }, { "MX", DNS_T_MX }, { "TXT", DNS_T_TXT },
		    { "SPF", DNS_T_SPF }, { "PTR", DNS_T_PTR }, { "CNAME", DNS_T_CNAME } };
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strcmp(map[i].n, t) == 0)
			return map[i].t;
	return -1;
}

/* Append one RR (owner, type, value from the JSON) to b; false if unusable. */
static bool put_rr(struct strbuf *b, const char *owner, int type, struct json_object *v)
{
	struct strbuf rd;
	strbuf_init(&rd);
	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA: {
		unsigned char a[16];
		if (inet_pton(type == DNS_T_A ? AF_INET : AF_INET6, json_object_get_string(v), a) != 1) {
			strbuf_free(&rd);
			return false;
		}
		strbuf_add(&rd, a, type == DNS_T_A ? 4 : 16);
		break;
	}
	case DNS_T_MX:
		put16(&rd, (unsigned)json_object_get_int(json_object_array_get_idx(v, 0)));
		put_name(&rd, json_object_get_string(json_object_array_get_idx(v, 1)));
		break;
	case DNS_T_PTR:
	case DNS_T_CNAME:
		put_name(&rd, json_object_get_string(v));
		break;
	case DNS_T_TXT:
	case DNS_T_SPF:
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			struct json_object *js = json_object_array_get_idx(v, i);
			const char *s = json_object_get_string(js);
			size_t len = (size_t)json_object_get_string_len(js); /* may hold NUL bytes */
			/* Long strings go out as several character-strings, as a zone would. */
			do {
				size_t chunk = len > 255 ? 255 : len;
				strbuf_addc(&rd, (char)chunk);
				strbuf_add(&rd, s, chunk);
				s += chunk;
				len -= chunk;
			} while (len);
		}
		break;
	default:
		strbuf_free(&rd);
		return false;
	}
	put_name(b, owner);
	put16(b, (unsigned)type);
	put16(b, 1);
	put32(b, 300);
	put16(b, (unsigned)rd.len);
	strbuf_add(b, rd.s, rd.len);
	strbuf_free(&rd);
	return true;
}

/* Answer (name, type) from the zone the way the suite's driver does. */
static bool zone_answer(struct zone_be *be, const char *qname, uint16_t qtype, struct strbuf *msg)
{
	struct strbuf ans;
	strbuf_init(&ans);
	unsigned ancount = 0;
	int rcode = 0;
	char *name = domain_normalize(qname);
	for (int hops = 0; hops < 8; hops++) {
		struct json_object *rrs = NULL;
		if (!json_object_object_get_ex(be->zone, name, &rrs)) {
			rcode = ancount ? 0 : 3; /* NXDOMAIN (after a CNAME: the target's) */
			if (ancount)
				rcode = 3;
			break;
		}
		bool found = false;
		const char *cname = NULL;
		for (size_t i = 0; i < json_object_array_length(rrs); i++) {
			struct json_object *rr = json_object_array_get_idx(rrs, i);
			const char *t = json_object_get_string(json_object_array_get_idx(rr, 0));
			if (strcmp(t, "TIMEOUT") == 0) {
				if (!found) {
					free(name);
					strbuf_free(&ans);
					return false;
				}
				break;
			}
			int type = type_code(t);
			if (type == qtype) {
				if (put_rr(&ans, name, type, json_object_array_get_idx(rr, 1))) {
					ancount++;
					found = true;
				}
			} else if (type == DNS_T_CNAME && !cname) {
				cname = json_object_get_string(json_object_array_get_idx(rr, 1));
			}
		}
		if (found || !cname || qtype == DNS_T_CNAME)
			break;
		struct json_object *v = json_object_new_string(cname);
		put_rr(&ans, name, DNS_T_CNAME, v);
		json_object_put(v);
		ancount++;
		free(name);
		name = domain_normalize(cname);
	}
	free(name);
	put16(msg, 0);                   /* id */
	put16(msg, 0x8180 | (unsigned)rcode); /* QR RD RA, rcode */
	put16(msg, 1);
	put16(msg, ancount);
	put16(msg, 0);
	put16(msg, 0);
	put_name(msg, qname);
	put16(msg, qtype);
	put16(msg, 1);
	strbuf_add(msg, ans.s, ans.len);
	strbuf_free(&ans);
	return true;
}

static void pending_fire(void *arg)
{
	struct pending *p = arg;
	struct zone_be *be = p->be;
	for (struct pending **pp = &be->pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	if (p->timeout)
		resolver_deliver(be->r, p->id, NULL, 0, DNS_TIMEOUT, "timed out (test zone TIMEOUT)", "test zone");
	else
		resolver_deliver(be->r, p->id, p->msg, p->len, DNS_OK, NULL, "test zone");
	free(p->msg);
	free(p);
}

static int be_send(void *arg, uint64_t id, const char *name, uint16_t type, unsigned flags, const char **why)
{
	(void)flags;
	(void)why;
	struct zone_be *be = arg;
	struct pending *p = xcalloc(1, sizeof(*p));
	p->be = be;
	p->id = id;
	struct strbuf msg;
	strbuf_init(&msg);
	if (zone_answer(be, name, type, &msg)) {
		p->len = msg.len;
		p->msg = (unsigned char *)strbuf_steal(&msg);
	} else {
		p->timeout = true;
		strbuf_free(&msg);
	}
	be->queries++;
	p->next = be->pending;
	be->pending = p;
	p->timer = evloop_timer_add(be->loop, be->delay_ms, pending_fire, p);
	return 0;
}

static void be_cancel_all(void *arg)
{
	struct zone_be *be = arg;
	while (be->pending) {
		struct pending *p = be->pending;
		be->pending = p->next;
		evloop_timer_cancel(be->loop, p->timer);
		free(p->msg);
		free(p);
	}
}

static void be_free(void *arg)
{
	be_cancel_all(arg);
	free(arg);
}

static const struct resolver_backend zone_backend = {
	.name = "test zone",
	.send = be_send,
	.cancel_all = be_cancel_all,
	.free = be_free,
};

struct create_ctx {
	struct evloop *loop;
	struct json_object *zone;
	long delay_ms;
	struct zone_be *be;
};

static void *be_create(struct resolver *r, void *arg)
{
	struct create_ctx *c = arg;
	struct zone_be *be = xcalloc(1, sizeof(*be));
	be->r = r;
	be->loop = c->loop;
	be->zone = c->zone;
	be->delay_ms = c->delay_ms;
	c->be = be;
	return be;
}

static void on_done(void *arg, struct spf_eval *e)
{
	(void)e;
	*(bool *)arg = true;
}

/* "label name reason..." lines; returns the reason for (label, name) or NULL. */
static char *exception_for(const char *file, const char *label, const char *name)
{
	FILE *fp = fopen(file, "r");
	if (!fp)
		return NULL;
	char line[1024];
	char *reason = NULL;
	while (!reason && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#' || !line[0])
			continue;
		char l[64], n[128];
		int off = 0;
		if (sscanf(line, "%63s %127s %n", l, n, &off) >= 2 && strcmp(l, label) == 0 && strcmp(n, name) == 0)
			reason = xstrdup(line + off);
	}
	fclose(fp);
	return reason;
}

static void print_trace(const struct spf_eval *e)
{
	size_t n;
	const struct spf_trace *t = spf_eval_trace(e, &n);
	for (size_t i = 0; i < n; i++) {
		printf("#   %*s%s%s  [%s]\n", t[i].depth * 2, "", t[i].decisive ? "* " : "", t[i].text,
		       t[i].outcome ? t[i].outcome : "");
		for (size_t j = 0; j < t[i].queries.n; j++)
			printf("#   %*s    %s\n", t[i].depth * 2, "", t[i].queries.v[j]);
	}
	printf("#   reason: %s\n", spf_eval_reason(e) ? spf_eval_reason(e) : "");
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s LABEL SUITE.json EXCEPTIONS [--delay MS] [--only NAME] [--verbose]\n", argv[0]);
		return 2;
	}
	const char *label = argv[1], *exc_file = argv[3], *only = NULL;
	long delay = 0;
	bool verbose = false;
	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--delay") == 0 && i + 1 < argc)
			delay = atol(argv[++i]);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--verbose") == 0)
			verbose = true;
	}
	struct json_object *root = json_object_from_file(argv[2]);
	if (!root) {
		printf("Bail out! cannot read %s\n", argv[2]);
		return 1;
	}
	struct json_object *scen = json_object_object_get(root, "scenarios");
	size_t total = 0;
	for (size_t s = 0; s < json_object_array_length(scen); s++)
		total += json_object_array_length(json_object_object_get(json_object_array_get_idx(scen, s), "tests"));
	if (!only)
		printf("1..%zu\n", total);
	size_t num = 0, passed = 0, failed = 0, todo = 0, queries = 0;
	int64_t t0 = now_ms();
	for (size_t s = 0; s < json_object_array_length(scen); s++) {
		struct json_object *sc = json_object_array_get_idx(scen, s);
		struct json_object *zone = json_object_object_get(sc, "zone");
		struct json_object *tests = json_object_object_get(sc, "tests");
		for (size_t i = 0; i < json_object_array_length(tests); i++) {
			struct json_object *t = json_object_array_get_idx(tests, i);
			const char *name = json_object_get_string(json_object_object_get(t, "name"));
			if (only && strcmp(only, name) != 0)
				continue;
			num++;
			struct evloop *loop = evloop_new();
			struct create_ctx cc = { .loop = loop, .zone = zone, .delay_ms = delay };
			struct resolver *r = resolver_new_custom(loop, &zone_backend, be_create, &cc);
			struct spf_eval_params p = {
				.ip = json_object_get_string(json_object_object_get(t, "host")),
				.sender = json_object_get_string(json_object_object_get(t, "mailfrom")),
				.helo = json_object_get_string(json_object_object_get(t, "helo")),
			};
			bool done = false;
			struct spf_eval *e = spf_eval_new(r, &p, on_done, &done);
			spf_eval_start(e);
			while (!done && evloop_run_once(loop, 1000))
				;
			queries += cc.be->queries;
			const char *got = done ? spf_result_name(spf_eval_result(e)) : "(not done)";
			struct json_object *want = json_object_object_get(t, "result");
			bool ok = false;
			struct strbuf wants;
			strbuf_init(&wants);
			for (size_t k = 0; k < json_object_array_length(want); k++) {
				const char *w = json_object_get_string(json_object_array_get_idx(want, k));
				strbuf_addf(&wants, "%s%s", k ? "/" : "", w);
				ok = ok || strcmp(w, got) == 0;
			}
			/* The explanation is checked when the result is fail (it only exists then). */
			struct json_object *jexp = json_object_object_get(t, "explanation");
			const char *want_exp = jexp ? json_object_get_string(jexp) : NULL;
			const char *got_exp = spf_eval_explanation(e);
			bool exp_ok = true;
			if (ok && want_exp && strcmp(got, "fail") == 0) {
				if (strcmp(want_exp, "DEFAULT") == 0)
					exp_ok = got_exp == NULL;
				else
					exp_ok = got_exp && strcmp(got_exp, want_exp) == 0;
			}
			char *exc = exception_for(exc_file, label, name);
			if (ok && exp_ok)
				passed++;
			else
				failed++;
			printf("%s %zu - %s: got %s, want %s", ok && exp_ok ? "ok" : "not ok", num, name, got, wants.s);
			if (!exp_ok)
				printf(" (explanation \"%s\", want \"%s\")", got_exp ? got_exp : "(none)", want_exp);
			if (exc) {
				printf(" # TODO %s", exc);
				todo++;
			}
			printf("\n");
			if (verbose || (!(ok && exp_ok) && !exc))
				print_trace(e);
			free(exc);
			strbuf_free(&wants);
			spf_eval_free(e);
			resolver_free(r);
			evloop_free(loop);
		}
	}
	printf("# %s: %zu passed, %zu failed (%zu listed as exceptions); %zu DNS queries, %lld ms\n", label, passed,
	       failed, todo, queries, (long long)(now_ms() - t0));
	json_object_put(root);
	return 0;
}
