/* check_mx.c - the MX check: where mail for the domain goes.
 *
 * MX records with preferences; each exchange resolved to A and AAAA; the
 * null MX of RFC 7505 recognised; no MX falls back to the domain's own
 * address (the implicit MX of RFC 5321 5.1).  The TLS check asks the same
 * questions and gets them from the resolver's cache. */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "audit.h"
#include "mx.h"
#include "report.h"

/* A hostile zone can publish hundreds of MX records; probing them all
 * helps nobody. */
#define MX_MAX_HOSTS 32

struct mx_host {
	char *name;
	int preference;
	struct strlist addrs;
	int lookups_left;           /* A and AAAA */
	enum dns_result a_res, aaaa_res;
	char *cname;                /* the exchange is an alias of this */
	bool ip_literal;
};

struct mx_state {
	bool null_mx, implicit;
	enum dns_result mx_res;
	char *mx_error;
	struct mx_host *hosts;
	size_t nhosts;
};

static struct mx_state *st(const struct check *c)
{
	return c->state;
}

static void on_addr(struct check *c, void *arg, struct dns_answer *ans)
{
	struct mx_host *h = arg;
	if (ans->qtype == DNS_T_A)
		h->a_res = ans->result;
	else
		h->aaaa_res = ans->result;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, ans->qtype, rr));)
		if (!strlist_contains_ci(&h->addrs, rr->text))
			strlist_add(&h->addrs, rr->text);
	const struct dns_rr *cn = dns_answer_next(ans, DNS_T_CNAME, NULL);
	if (cn && !h->cname)
		h->cname = xstrdup(cn->u.name);
	h->lookups_left--;
}

static void resolve_host(struct check *c, struct mx_host *h)
{
	int family;
	unsigned char addr[16];
	if (ip_parse(h->name, &family, addr)) {
		h->ip_literal = true;
		return;
	}
	h->lookups_left = 2;
	check_query(c, h->name, DNS_T_A, 0, on_addr, h);
	check_query(c, h->name, DNS_T_AAAA, 0, on_addr, h);
}

static int host_cmp(const void *a, const void *b)
{
	const struct mx_host *x = a, *y = b;
	if (x->preference != y->preference)
		return x->preference - y->preference;
	return ascii_strcasecmp(x->name, y->name);
}

static void on_mx(struct check *c, void *arg, struct dns_answer *ans)
{
	struct mx_state *s = st(c);
	s->mx_res = ans->result;
	if (ans->result == DNS_NODATA) {
		/* RFC 5321 5.1: no MX means the domain's own address is the MX. */
		s->implicit = true;
		s->hosts = xcalloc(1, sizeof(*s->hosts));
		s->nhosts = 1;
		s->hosts[0].name = xstrdup(c->audit->in.domain);
		s->hosts[0].preference = 0;
		resolve_host(c, &s->hosts[0]);
		return;
	}
	if (ans->result != DNS_OK) {
		s->mx_error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
		return;
	}
	size_t n = dns_answer_count(ans, DNS_T_MX);
	s->hosts = xcalloc(n, sizeof(*s->hosts));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_MX, rr));) {
		if (rr->u.mx.exchange[0] == '\0') {
			s->null_mx = true;
			continue;
		}
		if (s->nhosts >= MX_MAX_HOSTS)
			continue;
		struct mx_host *h = &s->hosts[s->nhosts++];
		h->name = domain_normalize(rr->u.mx.exchange);
		h->preference = rr->u.mx.preference;
	}
	qsort(s->hosts, s->nhosts, sizeof(*s->hosts), host_cmp);
	if (s->null_mx)
		return; /* RFC 7505: a null MX must be the only one; said in finish() */
	for (size_t i = 0; i < s->nhosts; i++)
		resolve_host(c, &s->hosts[i]);
}

static void start(struct check *c)
{
	c->state = xcalloc(1, sizeof(struct mx_state));
	check_set_summary(c, "looking up MX for %s", c->audit->in.domain);
	check_query(c, c->audit->in.domain, DNS_T_MX, 0, on_mx, NULL);
}

/* Addresses no other host on the internet can deliver to. */
static const char *unroutable(const char *text)
{
	int family;
	unsigned char a[16];
	if (!ip_parse(text, &family, a))
		return NULL;
	if (family == AF_INET) {
		if (a[0] == 127) return "loopback";
		if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168))
			return "private (RFC 1918)";
		if (a[0] == 0) return "unspecified";
		if (a[0] == 169 && a[1] == 254) return "link-local";
		if (a[0] == 100 && (a[1] & 0xC0) == 64) return "shared address space (CGNAT)";
		return NULL;
	}
	static const unsigned char loop6[16] = {[15] = 1}, zero6[16] = {0};
	if (!memcmp(a, loop6, 16)) return "loopback";
	if (!memcmp(a, zero6, 16)) return "unspecified";
	if ((a[0] & 0xFE) == 0xFC) return "unique local (private)";
	if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) return "link-local";
	return NULL;
}

static void finish(struct check *c)
{
	struct mx_state *s = st(c);
	const char *d = c->audit->in.domain;
	if (s->mx_error) {
		check_add_finding(c, STATUS_ERROR, "mx.lookup-failed", s->mx_error, NULL,
		                  "Could not look up the MX records of %s: %s", d, s->mx_error);
		check_set_summary(c, "MX lookup failed: %s", s->mx_error);
		return;
	}
	if (s->mx_res == DNS_NXDOMAIN) {
		check_add_finding(c, STATUS_FAIL, "mx.domain-nxdomain", NULL,
		                  "Register the domain or correct its spelling.",
		                  "The domain %s does not exist (NXDOMAIN): no mail can be delivered to it and "
		                  "receivers reject mail claiming to come from it.", d);
		check_set_summary(c, "%s does not exist", d);
		return;
	}
	if (s->null_mx) {
		if (s->nhosts)
			check_add_finding(c, STATUS_FAIL, "mx.null-mx-mixed", NULL,
			                  "Remove either the null MX or the other MX records.",
			                  "%s publishes a null MX (\"0 .\") together with %zu other MX record%s; "
			                  "RFC 7505 says a null MX must be the only one.", d, s->nhosts,
			                  s->nhosts == 1 ? "" : "s");
		else
			check_add_finding(c, STATUS_WARN, "mx.null-mx", "MX 0 .",
			                  "If the domain sends mail, publish MX records for a server that accepts "
			                  "its bounces instead of the null MX.",
			                  "%s publishes a null MX (RFC 7505): it accepts no mail. Bounces to it are "
			                  "impossible, and receivers may reject mail from it (5.7.27).", d);
		check_set_summary(c, "null MX: %s accepts no mail", d);
		return;
	}
	if (s->implicit) {
		struct mx_host *h = &s->hosts[0];
		if (h->addrs.n == 0) {
			enum status err = (dns_result_is_answer(h->a_res) && dns_result_is_answer(h->aaaa_res))
			                          ? STATUS_FAIL : STATUS_ERROR;
			check_add_finding(c, err, "mx.none", NULL,
			                  "Publish an MX record, e.g. \"@ IN MX 10 mail.<domain>.\", or a null MX "
			                  "(\"@ IN MX 0 .\") if the domain receives no mail.",
			                  "%s has no MX records and no address to fall back to: mail to it cannot "
			                  "be delivered.", d);
			check_set_summary(c, "no MX and no address");
			return;
		}
		check_add_finding(c, STATUS_WARN, "mx.implicit", NULL,
		                  "Publish an explicit MX record for the host that receives the domain's mail.",
		                  "%s has no MX records; senders fall back to its address (%s), the implicit MX of "
		                  "RFC 5321. It works, but many receivers treat a sender domain without MX as "
		                  "suspicious.", d, h->addrs.v[0]);
	}
	size_t usable = 0;
	for (size_t i = 0; i < s->nhosts; i++) {
		struct mx_host *h = &s->hosts[i];
		if (h->ip_literal) {
			check_add_finding(c, STATUS_FAIL, "mx.ip-literal", h->name,
			                  "Point the MX at a host name that has A/AAAA records.",
			                  "The MX target %s is an IP address; RFC 5321 requires a host name, and most "
			                  "senders treat it as a missing MX.", h->name);
			continue;
		}
		if (h->cname)
			check_add_finding(c, STATUS_WARN, "mx.cname", h->name,
			                  "Point the MX directly at the canonical name.",
			                  "The MX target %s is an alias (CNAME to %s); RFC 5321 5.1 and RFC 2181 10.3 "
			                  "forbid it and some senders refuse it.", h->name, h->cname);
		if (h->addrs.n == 0) {
			bool definite = dns_result_is_answer(h->a_res) && dns_result_is_answer(h->aaaa_res);
			check_add_finding(c, definite ? STATUS_WARN : STATUS_ERROR,
			                  definite ? "mx.host-no-address" : "mx.host-lookup-failed", h->name,
			                  definite ? "Publish A/AAAA records for the host or remove the MX." : NULL,
			                  definite ? "The MX host %s has no A or AAAA record: it cannot receive mail."
			                           : "Could not resolve the MX host %s.", h->name);
			continue;
		}
		bool routable = false;
		for (size_t j = 0; j < h->addrs.n; j++) {
			const char *why = unroutable(h->addrs.v[j]);
			if (why)
				check_add_finding(c, STATUS_WARN, "mx.host-unroutable", h->addrs.v[j],
				                  "Publish the host's public address.",
				                  "The MX host %s resolves to %s, a %s address other servers cannot "
				                  "reach.", h->name, h->addrs.v[j], why);
			else
				routable = true;
		}
		if (routable)
			usable++;
	}
	for (size_t i = 1; i < s->nhosts; i++)
		if (s->hosts[i].preference == s->hosts[i - 1].preference && !s->implicit) {
			check_add_finding(c, STATUS_PASS, "mx.equal-preference", NULL, NULL,
			                  "MX hosts %s and %s share preference %d: senders spread mail between them.",
			                  s->hosts[i - 1].name, s->hosts[i].name, s->hosts[i].preference);
			break;
		}
	if (usable == 0 && s->nhosts) {
		check_add_finding(c, STATUS_FAIL, "mx.no-usable-host", NULL,
		                  "Make at least one MX host resolve to a public address.",
		                  "None of the %zu MX host%s of %s can receive mail.", s->nhosts,
		                  s->nhosts == 1 ? "" : "s", d);
	}
	if (s->implicit)
		check_set_summary(c, "no MX; implicit MX %s", s->hosts[0].addrs.v[0]);
	else
		check_set_summary(c, "%zu MX host%s, %zu usable; primary %s", s->nhosts, s->nhosts == 1 ? "" : "s",
		                  usable, s->nhosts ? s->hosts[0].name : "-");
}

static void json(const struct check *c, struct json_object *obj)
{
	struct mx_state *s = st(c);
	json_object_object_add(obj, "null_mx", json_object_new_boolean(s && s->null_mx));
	report_json_add_bool(obj, "implicit", s ? s->implicit : -1);
	struct json_object *hosts = json_object_new_array();
	for (size_t i = 0; s && i < s->nhosts; i++) {
		struct json_object *h = json_object_new_object();
		report_json_add_string(h, "host", s->hosts[i].name);
		report_json_add_int(h, "preference", s->hosts[i].preference);
		struct json_object *addrs = json_object_new_array();
		for (size_t j = 0; j < s->hosts[i].addrs.n; j++)
			json_object_array_add(addrs, json_object_new_string(s->hosts[i].addrs.v[j]));
		json_object_object_add(h, "addresses", addrs);
		json_object_array_add(hosts, h);
	}
	json_object_object_add(obj, "hosts", hosts);
}

static void detail(const struct check *c, struct textlines *out)
{
	struct mx_state *s = st(c);
	if (!s)
		return;
	textlines_add(out, LINE_HEADING, 0, "MX hosts of %s", c->audit->in.domain);
	if (s->null_mx)
		textlines_add(out, LINE_CODE, 1, "%s. IN MX 0 .   (null MX: accepts no mail)", c->audit->in.domain);
	for (size_t i = 0; i < s->nhosts; i++) {
		const struct mx_host *h = &s->hosts[i];
		textlines_add(out, h->addrs.n ? LINE_NORMAL : LINE_FAIL, 1, "%5d  %s%s", h->preference, h->name,
		              s->implicit ? "   (implicit: no MX records)" : "");
		for (size_t j = 0; j < h->addrs.n; j++)
			textlines_add(out, LINE_DIM, 3, "%s", h->addrs.v[j]);
		if (!h->addrs.n && !h->ip_literal && h->lookups_left == 0)
			textlines_add(out, LINE_FAIL, 3, "no address");
	}
}

static void free_state(struct check *c)
{
	struct mx_state *s = st(c);
	if (!s)
		return;
	for (size_t i = 0; i < s->nhosts; i++) {
		free(s->hosts[i].name);
		free(s->hosts[i].cname);
		strlist_free(&s->hosts[i].addrs);
	}
	free(s->hosts);
	free(s->mx_error);
	free(s);
}

size_t mx_check_host_count(const struct check *c)
{
	return st(c) ? st(c)->nhosts : 0;
}

bool mx_check_null_mx(const struct check *c)
{
	return st(c) && st(c)->null_mx;
}

const char *mx_check_host_name(const struct check *c, size_t i)
{
	return st(c)->hosts[i].name;
}

const struct strlist *mx_check_host_addrs(const struct check *c, size_t i)
{
	return &st(c)->hosts[i].addrs;
}

const struct check_class check_mx_class = {
	.name = "mx",
	.title = "MX",
	.start = start,
	.finish = finish,
	.json = json,
	.detail = detail,
	.free_state = free_state,
};
