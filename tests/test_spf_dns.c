/* test_spf_dns.c - zone-data resolver backend for the SPF tests (see
 * test_spf_dns.h).  Semantics follow the OpenSPF suite's reference driver:
 * a name absent from the zone is NXDOMAIN; a name without records of the
 * asked type is NODATA; a TIMEOUT entry reached before any record of the
 * asked type is a timeout; CNAMEs are followed. */
#include "test_spf_dns.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "evloop.h"
#include "resolver.h"
#include "util.h"

struct pending {
	struct spf_testdns *be;
	struct evtimer *timer;
	uint64_t id;
	unsigned char *msg;
	size_t len;
	bool timeout;
	struct pending *next;
};

struct spf_testdns {
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
	} map[] = {{"A", DNS_T_A},     {"AAAA", DNS_T_AAAA}, {"MX", DNS_T_MX},      {"TXT", DNS_T_TXT},
	           {"SPF", DNS_T_SPF}, {"PTR", DNS_T_PTR},   {"CNAME", DNS_T_CNAME}};
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
	case DNS_T_CNAME: put_name(&rd, json_object_get_string(v)); break;
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
	default: strbuf_free(&rd); return false;
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
static bool zone_answer(struct spf_testdns *be, const char *qname, uint16_t qtype, struct strbuf *msg)
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
	put16(msg, 0);                        /* id */
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
	struct spf_testdns *be = p->be;
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
	struct spf_testdns *be = arg;
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
	if (be->delay_ms >= 0)
		p->timer = evloop_timer_add(be->loop, be->delay_ms, pending_fire, p);
	return 0;
}

static void be_cancel_all(void *arg)
{
	struct spf_testdns *be = arg;
	while (be->pending) {
		struct pending *p = be->pending;
		be->pending = p->next;
		if (p->timer)
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

static const struct resolver_backend testdns_backend = {
    .name = "test zone",
    .send = be_send,
    .cancel_all = be_cancel_all,
    .free = be_free,
};

struct create_ctx {
	struct evloop *loop;
	struct json_object *zone;
	long delay_ms;
	struct spf_testdns *be;
};

static void *be_create(struct resolver *r, void *arg)
{
	struct create_ctx *c = arg;
	struct spf_testdns *be = xcalloc(1, sizeof(*be));
	be->r = r;
	be->loop = c->loop;
	be->zone = c->zone;
	be->delay_ms = c->delay_ms;
	c->be = be;
	return be;
}

struct resolver *spf_testdns_resolver(struct evloop *loop, struct json_object *zone, long delay_ms,
                                      struct spf_testdns **out)
{
	struct create_ctx cc = {.loop = loop, .zone = zone, .delay_ms = delay_ms};
	struct resolver *r = resolver_new_custom(loop, &testdns_backend, be_create, &cc);
	*out = cc.be;
	return r;
}

size_t spf_testdns_queries(const struct spf_testdns *t)
{
	return t->queries;
}

size_t spf_testdns_release(struct spf_testdns *t)
{
	size_t n = 0;
	/* Detach first: delivering may send new queries, which wait for the next wave. */
	struct pending *list = t->pending;
	t->pending = NULL;
	while (list) {
		struct pending *p = list;
		list = p->next;
		p->next = NULL;
		pending_fire(p); /* not in t->pending any more: nothing to unlink */
		n++;
	}
	return n;
}
