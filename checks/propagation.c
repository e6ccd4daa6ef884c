/* propagation.c - ask every authoritative nameserver of a zone for a record
 * (propagation.h).
 *
 * Three phases, all callbacks from the loop: find the zone's NS set by
 * walking up from the name; per NS host, resolve A and AAAA through the
 * lookup resolver; then ask the record and the SOA from that host through
 * a resolver of its own.  Each server finishes on its own (answer, error
 * or timeout); the report is complete when all have. */
#include "propagation.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver.h"
#include "tls_probe.h"

struct pserver {
	struct propagation *p;
	size_t idx;
	struct resolver *r; /* the one-server resolver */
	int pending;        /* queries outstanding */
	struct dns_answer *a, *aaaa;
};

struct propagation {
	struct evloop *loop;
	struct resolver *lookup;
	struct prop_config cfg;
	prop_cb cb;
	void *arg;
	char *walk; /* name whose NS set is being asked */
	struct pserver ps[PROP_MAX_SERVERS];
	size_t remaining; /* servers not done */
	struct prop_report rep;
};

static void finish(struct propagation *p);

/* ---- value comparison --------------------------------------------------- */

static char *normalize(uint16_t type, const char *s)
{
	struct strbuf b;
	strbuf_init(&b);
	bool space = false;
	for (const char *q = s; *q; q++) {
		char c = *q;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = b.len > 0;
			continue;
		}
		if (c == ';') {
			space = false; /* no blank before or after a separator */
			strbuf_addc(&b, ';');
			while (q[1] == ' ' || q[1] == '\t')
				q++;
			continue;
		}
		if (space)
			strbuf_addc(&b, ' ');
		space = false;
		strbuf_addc(&b, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c);
	}
	if (type == DNS_T_TXT || type == DNS_T_SPF) {
		while (b.len && b.s[b.len - 1] == ';')
			b.s[--b.len] = '\0';
	} else {
		while (b.len && b.s[b.len - 1] == '.')
			b.s[--b.len] = '\0';
	}
	return strbuf_steal(&b);
}

bool propagation_value_matches(uint16_t type, const char *seen, const char *expected)
{
	if (!seen || !expected)
		return false;
	if (type == DNS_T_A || type == DNS_T_AAAA) {
		int f1, f2;
		unsigned char a1[16], a2[16];
		if (ip_parse(seen, &f1, a1) && ip_parse(expected, &f2, a2))
			return f1 == f2 && memcmp(a1, a2, f1 == AF_INET ? 4 : 16) == 0;
	}
	char *x = normalize(type, seen), *y = normalize(type, expected);
	bool eq = strcmp(x, y) == 0;
	free(x);
	free(y);
	return eq;
}

/* ---- per server ------------------------------------------------------------ */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void server_done(struct pserver *ps)
{
	struct propagation *p = ps->p;
	struct prop_server *s = &p->rep.servers[ps->idx];
	if (s->done)
		return;
	s->done = true;
	if (p->remaining && --p->remaining == 0)
		finish(p);
}

static void on_record(void *arg, struct dns_answer *ans)
{
	struct pserver *ps = arg;
	struct propagation *p = ps->p;
	struct prop_server *s = &p->rep.servers[ps->idx];
	s->result = ans->result;
	if (!dns_result_is_answer(ans->result)) {
		s->error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
	} else {
		for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, p->rep.type, rr));) {
			if (rr->type == DNS_T_TXT || rr->type == DNS_T_SPF)
				strlist_take(&s->values, xstrndup(rr->u.txt.text, rr->u.txt.len));
			else
				strlist_add(&s->values, rr->text ? rr->text : "");
		}
		if (s->values.n > 1)
			qsort(s->values.v, s->values.n, sizeof(*s->values.v), cmp_str);
		if (p->rep.expected) {
			for (size_t i = 0; i < s->values.n; i++)
				if (propagation_value_matches(p->rep.type, s->values.v[i], p->rep.expected))
					s->visible = true;
		} else {
			s->visible = s->values.n > 0;
		}
	}
	if (--ps->pending == 0)
		server_done(ps);
}

static void on_soa(void *arg, struct dns_answer *ans)
{
	struct pserver *ps = arg;
	struct prop_server *s = &ps->p->rep.servers[ps->idx];
	const struct dns_rr *rr = dns_answer_next(ans, DNS_T_SOA, NULL);
	if (rr) {
		s->has_serial = true;
		s->serial = rr->u.soa.serial;
	}
	if (--ps->pending == 0)
		server_done(ps);
}

static struct resolver *default_server_resolver(void *ctx, struct evloop *loop, const char *server, int timeout_ms,
                                                int tries)
{
	(void)ctx;
	const char *servers[1] = {server};
	struct resolver_config rc = {.servers = servers, .nservers = 1, .timeout_ms = timeout_ms, .tries = tries};
	char *err = NULL;
	struct resolver *r = resolver_new(loop, &rc, &err);
	free(err);
	return r;
}

/* Both address answers are in: pick the address, apply --connect-to, ask. */
static void server_ask(struct pserver *ps)
{
	struct propagation *p = ps->p;
	struct prop_server *s = &p->rep.servers[ps->idx];
	char addr[INET6_ADDRSTRLEN] = "";
	const struct dns_rr *rr = dns_answer_next(ps->a, DNS_T_A, NULL);
	if (!rr)
		rr = dns_answer_next(ps->aaaa, DNS_T_AAAA, NULL);
	if (rr)
		ip_format(rr->u.addr.family, rr->u.addr.bytes, addr, sizeof(addr));
	int port = 53;
	tls_connect_to_apply(p->cfg.connect_to, p->cfg.nconnect_to, s->host, addr, sizeof(addr), &port, NULL);
	dns_answer_unref(ps->a);
	dns_answer_unref(ps->aaaa);
	ps->a = ps->aaaa = NULL;
	if (!addr[0]) {
		s->result = DNS_ERROR;
		s->error = xasprintf("the nameserver %s has no address", s->host);
		server_done(ps);
		return;
	}
	s->addr = strchr(addr, ':') ? xasprintf("[%s]:%d", addr, port) : xasprintf("%s:%d", addr, port);
	ps->r = p->cfg.server_resolver
	            ? p->cfg.server_resolver(p->cfg.ctx, p->loop, s->addr, p->cfg.timeout_ms, p->cfg.tries)
	            : default_server_resolver(NULL, p->loop, s->addr, p->cfg.timeout_ms, p->cfg.tries);
	if (!ps->r) {
		s->result = DNS_ERROR;
		s->error = xasprintf("cannot ask %s", s->addr);
		server_done(ps);
		return;
	}
	ps->pending = 2;
	resolver_query(ps->r, p->rep.name, p->rep.type, RESOLVER_F_NOCACHE, on_record, ps);
	resolver_query(ps->r, p->rep.zone, DNS_T_SOA, RESOLVER_F_NOCACHE, on_soa, ps);
}

static void on_addr(void *arg, struct dns_answer *ans)
{
	struct pserver *ps = arg;
	if (ans->qtype == DNS_T_A)
		ps->a = dns_answer_ref(ans);
	else
		ps->aaaa = dns_answer_ref(ans);
	if (--ps->pending == 0)
		server_ask(ps);
}

/* ---- the NS set -------------------------------------------------------------- */

static void on_ns(void *arg, struct dns_answer *ans)
{
	struct propagation *p = arg;
	struct strlist hosts = {0};
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_NS, rr));)
		if (rr->owner && ascii_strcaseeq(rr->owner, p->walk) && rr->u.name && rr->u.name[0] &&
		    !strlist_contains_ci(&hosts, rr->u.name))
			strlist_add(&hosts, rr->u.name);
	if (!hosts.n) {
		const char *dot = strchr(p->walk, '.');
		if (!dns_result_is_answer(ans->result)) {
			p->rep.error = xasprintf("cannot find the nameservers of %s: NS %s: %s", p->rep.name, p->walk,
			                         ans->error ? ans->error : dns_result_name(ans->result));
		} else if (!dot || !dot[1]) {
			p->rep.error = xasprintf("no NS records found above %s", p->rep.name);
		} else {
			char *up = xstrdup(dot + 1);
			free(p->walk);
			p->walk = up;
			resolver_query(p->lookup, p->walk, DNS_T_NS, 0, on_ns, p);
			return;
		}
		finish(p);
		return;
	}
	/* Sorted, so the servers keep their order from one round to the next. */
	qsort(hosts.v, hosts.n, sizeof(*hosts.v), cmp_str);
	p->rep.zone = xstrdup(p->walk);
	p->rep.more_servers = hosts.n > PROP_MAX_SERVERS;
	p->rep.nservers = hosts.n > PROP_MAX_SERVERS ? PROP_MAX_SERVERS : hosts.n;
	p->remaining = p->rep.nservers;
	for (size_t i = 0; i < p->rep.nservers; i++) {
		struct pserver *ps = &p->ps[i];
		ps->p = p;
		ps->idx = i;
		ps->pending = 2;
		p->rep.servers[i].host = xstrdup(hosts.v[i]);
		p->rep.servers[i].result = DNS_ERROR;
		resolver_query(p->lookup, hosts.v[i], DNS_T_A, 0, on_addr, ps);
		resolver_query(p->lookup, hosts.v[i], DNS_T_AAAA, 0, on_addr, ps);
	}
	strlist_free(&hosts);
}

static void finish(struct propagation *p)
{
	struct prop_report *r = &p->rep;
	r->done = true;
	r->nvisible = r->nanswered = 0;
	bool agree = r->nservers > 0;
	for (size_t i = 0; i < r->nservers; i++) {
		const struct prop_server *s = &r->servers[i];
		if (s->visible)
			r->nvisible++;
		if (!dns_result_is_answer(s->result)) {
			agree = false;
			continue;
		}
		r->nanswered++;
		const struct prop_server *f = &r->servers[0];
		if (s->values.n != f->values.n || !dns_result_is_answer(f->result)) {
			agree = false;
			continue;
		}
		for (size_t k = 0; k < s->values.n; k++)
			if (!propagation_value_matches(r->type, s->values.v[k], f->values.v[k]))
				agree = false;
	}
	r->agree = agree;
	if (p->cb)
		p->cb(p->arg, p);
}

struct propagation *propagation_start(struct evloop *loop, struct resolver *lookup, const struct prop_config *cfg,
                                      const char *name, uint16_t type, const char *expected, prop_cb cb, void *arg)
{
	struct propagation *p = xcalloc(1, sizeof(*p));
	p->loop = loop;
	p->lookup = lookup;
	if (cfg)
		p->cfg = *cfg;
	if (p->cfg.timeout_ms <= 0)
		p->cfg.timeout_ms = 2000;
	if (p->cfg.tries <= 0)
		p->cfg.tries = 2;
	p->cb = cb;
	p->arg = arg;
	p->rep.name = domain_normalize(name);
	p->rep.type = type;
	p->rep.expected = expected ? xstrdup(expected) : NULL;
	p->walk = xstrdup(p->rep.name);
	/* The callback comes from the loop: resolver_query never calls back
	 * from inside itself, and every later step runs in a callback. */
	resolver_query(lookup, p->walk, DNS_T_NS, 0, on_ns, p);
	return p;
}

const struct prop_report *propagation_report(const struct propagation *p)
{
	return &p->rep;
}

void propagation_free(struct propagation *p)
{
	if (!p)
		return;
	resolver_free(p->lookup);
	p->lookup = NULL;
	for (size_t i = 0; i < PROP_MAX_SERVERS; i++) {
		struct pserver *ps = &p->ps[i];
		if (ps->r)
			resolver_free(ps->r);
		dns_answer_unref(ps->a);
		dns_answer_unref(ps->aaaa);
		struct prop_server *s = &p->rep.servers[i];
		free(s->host);
		free(s->addr);
		free(s->error);
		strlist_free(&s->values);
	}
	free(p->rep.name);
	free(p->rep.expected);
	free(p->rep.zone);
	free(p->rep.error);
	free(p->walk);
	free(p);
}
