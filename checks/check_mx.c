/* check_mx.c - the MX check: where mail for the domain goes.
 *
 * MX records with preferences; each exchange resolved to A and AAAA; the
 * null MX of RFC 7505 recognised; no MX falls back to the domain's own
 * address (the implicit MX of RFC 5321 5.1).  The TLS check asks the same
 * questions and gets them from the resolver's cache.
 *
 * Recipient mode (step 2, --rcpt ADDR): the address's syntax (RFC 5321
 * Mailbox), whether its domain exists and can receive mail (MX, null MX,
 * implicit MX, MX hosts with addresses), and whether the domain looks like a
 * typo of a common mailbox domain (data/mailbox-domain-typos.txt).  Its
 * results live in this check: findings with ids mx.rcpt-* in the same
 * finding set, and an additional JSON field "recipient" on the mx object
 * (null without --rcpt): { "address", "domain", "syntax_ok", "syntax_error",
 * "exists", "mail_capable", "null_mx", "implicit", "hosts": [{host,
 * preference, addresses}], "typo_of" }.  When the recipient's domain is the
 * audited domain the answers are shared, not asked twice. */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* One domain's MX set: the audited domain, or the recipient's. */
struct mx_lookup {
	const char *domain;
	bool null_mx, implicit;
	enum dns_result mx_res;
	char *mx_error;
	struct mx_host *hosts;
	size_t nhosts;
};

struct mx_rcpt {
	char *address;
	char *domain;             /* lower case, or NULL when the syntax is wrong */
	const char *syntax_error; /* static sentence, or NULL */
	bool literal;             /* user@[192.0.2.1] */
	bool shared;              /* the audited domain: use the main lookup */
	struct mx_lookup own;
	char *typo_of;
};

struct mx_state {
	struct mx_lookup main;
	struct mx_rcpt rcpt;
	bool has_rcpt;
	struct mx_typos *typos;
	char *typos_error;
};

/* ---- recipient address syntax (pure) ----------------------------------- */

static bool atext(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch >= 0x80 ||
	       strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL;
}

bool mx_rcpt_parse(const char *addr, char **domain, bool *literal, const char **why)
{
	*domain = NULL;
	*literal = false;
	size_t len = strlen(addr);
	while (len && (addr[len - 1] == ' ' || addr[len - 1] == '\t'))
		len--;
	while (len && (*addr == ' ' || *addr == '\t'))
		addr++, len--;
	if (len >= 2 && addr[0] == '<' && addr[len - 1] == '>')
		addr++, len -= 2;
	if (!len) {
		*why = "the address is empty";
		return false;
	}
	if (len > 254) {
		*why = "the address is longer than 254 characters";
		return false;
	}
	size_t i = 0;
	if (addr[0] == '"') {
		for (i = 1; i < len && addr[i] != '"'; i++) {
			unsigned char ch = (unsigned char)addr[i];
			if (ch == '\\' && i + 1 < len && addr[i + 1] >= 32 && addr[i + 1] <= 126)
				i++;
			else if (ch < 32 || ch == 127 || ch == '\\') {
				*why = "the quoted part before the @ contains a control character or a lone backslash";
				return false;
			}
		}
		if (i >= len) {
			*why = "the quoted part before the @ is not closed";
			return false;
		}
		i++;
		if (i >= len || addr[i] != '@') {
			*why = "the quoted part must be followed by @";
			return false;
		}
	} else {
		bool dot_ok = false;
		for (i = 0; i < len && addr[i] != '@'; i++) {
			unsigned char ch = (unsigned char)addr[i];
			if (ch == '.') {
				if (!dot_ok) {
					*why = "the part before the @ has a leading or double dot";
					return false;
				}
				dot_ok = false;
			} else if (atext(ch)) {
				dot_ok = true;
			} else {
				*why = ch == ' ' ? "the address contains a space"
				                 : "the part before the @ contains a character that needs quoting "
				                   "(space, comma, parenthesis, bracket, colon, semicolon, backslash or a control "
				                   "character)";
				return false;
			}
		}
		if (i == len) {
			*why = "there is no @ (an address is local-part@domain)";
			return false;
		}
		if (i == 0) {
			*why = "the part before the @ is empty";
			return false;
		}
		if (addr[i - 1] == '.') {
			*why = "the part before the @ ends with a dot";
			return false;
		}
	}
	if (i > 64) {
		*why = "the part before the @ is longer than 64 characters (RFC 5321 4.5.3.1.1)";
		return false;
	}
	const char *d = addr + i + 1;
	size_t dlen = len - i - 1;
	if (!dlen) {
		*why = "the domain after the @ is empty";
		return false;
	}
	if (memchr(d, '@', dlen)) {
		*why = "the address has more than one @";
		return false;
	}
	char *dom = xstrndup(d, dlen);
	if (dom[0] == '[') {
		int family;
		unsigned char a[16];
		const char *inner = dom + 1;
		size_t il = dlen >= 2 && dom[dlen - 1] == ']' ? dlen - 2 : 0;
		char buf[64];
		bool ok = il && il < sizeof(buf);
		if (ok) {
			memcpy(buf, inner, il);
			buf[il] = '\0';
			if (strncasecmp(buf, "IPv6:", 5) == 0)
				ok = ip_parse(buf + 5, &family, a) && family == AF_INET6;
			else
				ok = ip_parse(buf, &family, a) && family == AF_INET;
		}
		if (!ok) {
			free(dom);
			*why = "the address literal after the @ is not [IPv4] or [IPv6:address]";
			return false;
		}
		ascii_lower(dom);
		*domain = dom;
		*literal = true;
		return true;
	}
	const char *dwhy;
	if (!domain_valid(dom, &dwhy)) {
		free(dom);
		*why = dwhy;
		return false;
	}
	char *norm = domain_normalize(dom);
	free(dom);
	const char *lastdot = strrchr(norm, '.');
	if (!lastdot) {
		free(norm);
		*why = "the domain after the @ has a single label (a domain on the internet has at least two, e.g. "
		       "example.com)";
		return false;
	}
	if (strspn(lastdot + 1, "0123456789") == strlen(lastdot + 1)) {
		free(norm);
		*why = "the domain after the @ ends in a number (an IP address needs brackets: user@[192.0.2.1])";
		return false;
	}
	*domain = norm;
	return true;
}

/* ---- mailbox-domain typos (pure) ----------------------------------------- */

struct mx_typos {
	struct strlist known;
	struct strlist typo, target; /* parallel */
};

void mx_typos_free(struct mx_typos *t)
{
	if (!t)
		return;
	strlist_free(&t->known);
	strlist_free(&t->typo);
	strlist_free(&t->target);
	free(t);
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	return xstrndup(s, n);
}

struct mx_typos *mx_typos_parse(const char *text, size_t len, char **err)
{
	struct mx_typos *t = xcalloc(1, sizeof(*t));
	size_t pos = 0;
	int lineno = 0;
	const char *line;
	size_t l;
	while (text_next_line(text, len, &pos, &line, &l)) {
		lineno++;
		char *ln = trim_dup(line, l);
		if (!*ln || *ln == '#' || memchr(line, '\0', l)) {
			bool nul = memchr(line, '\0', l) != NULL;
			free(ln);
			if (nul) {
				*err = xasprintf("line %d: NUL byte", lineno);
				mx_typos_free(t);
				return NULL;
			}
			continue;
		}
		char *eq = strchr(ln, '=');
		char *a = eq ? trim_dup(ln, (size_t)(eq - ln)) : xstrdup(ln);
		char *b = eq ? trim_dup(eq + 1, strlen(eq + 1)) : NULL;
		free(ln);
		if (!domain_valid(a, NULL) || (b && !domain_valid(b, NULL))) {
			*err = xasprintf("line %d: not a domain (expected DOMAIN or TYPO = DOMAIN)", lineno);
			free(a);
			free(b);
			mx_typos_free(t);
			return NULL;
		}
		ascii_lower(a);
		if (b) {
			ascii_lower(b);
			strlist_take(&t->typo, a);
			strlist_take(&t->target, b);
		} else {
			strlist_take(&t->known, a);
		}
	}
	return t;
}

/* Is the optimal-string-alignment distance of a and b exactly 1?  (One
 * insertion, deletion, substitution or swap of neighbours.) */
static bool one_edit(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > lb + 1 || lb > la + 1)
		return false;
	size_t i = 0;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (i == la && i == lb)
		return false; /* equal */
	if (la == lb) {
		if (strcmp(a + i + 1, b + i + 1) == 0)
			return true; /* substitution */
		return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && strcmp(a + i + 2, b + i + 2) == 0;
	}
	if (la > lb)
		return strcmp(a + i + 1, b + i) == 0;
	return strcmp(a + i, b + i + 1) == 0;
}

const char *mx_typos_suggest(const struct mx_typos *t, const char *domain)
{
	if (!t || !domain)
		return NULL;
	char *d = domain_normalize(domain);
	const char *found = NULL;
	if (strlist_contains_ci(&t->known, d))
		goto out;
	for (size_t i = 0; i < t->typo.n && !found; i++)
		if (strcmp(t->typo.v[i], d) == 0)
			found = t->target.v[i];
	for (size_t i = 0; i < t->known.n && !found; i++) {
		const char *k = t->known.v[i];
		const char *dot = strchr(k, '.');
		/* Short names (me.com, qq.com) are one edit from too much. */
		if (dot && dot - k >= 4 && one_edit(d, k))
			found = k;
	}
out:
	free(d);
	return found;
}

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
	struct mx_lookup *l = arg;
	l->mx_res = ans->result;
	if (ans->result == DNS_NODATA) {
		/* RFC 5321 5.1: no MX means the domain's own address is the MX. */
		l->implicit = true;
		l->hosts = xcalloc(1, sizeof(*l->hosts));
		l->nhosts = 1;
		l->hosts[0].name = xstrdup(l->domain);
		l->hosts[0].preference = 0;
		resolve_host(c, &l->hosts[0]);
		return;
	}
	if (ans->result != DNS_OK) {
		if (ans->result != DNS_NXDOMAIN)
			l->mx_error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
		return;
	}
	size_t n = dns_answer_count(ans, DNS_T_MX);
	l->hosts = xcalloc(n ? n : 1, sizeof(*l->hosts));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_MX, rr));) {
		if (rr->u.mx.exchange[0] == '\0') {
			l->null_mx = true;
			continue;
		}
		if (l->nhosts >= MX_MAX_HOSTS)
			continue;
		struct mx_host *h = &l->hosts[l->nhosts++];
		h->name = domain_normalize(rr->u.mx.exchange);
		h->preference = rr->u.mx.preference;
	}
	qsort(l->hosts, l->nhosts, sizeof(*l->hosts), host_cmp);
	if (l->null_mx)
		return; /* RFC 7505: a null MX must be the only one; said in finish() */
	for (size_t i = 0; i < l->nhosts; i++)
		resolve_host(c, &l->hosts[i]);
}

static void load_typos(struct mx_state *s)
{
	char *path = data_path("mailbox-domain-typos.txt");
	size_t len;
	char *err = NULL;
	char *text = read_file(path, 1u << 20, &len, &err);
	if (text) {
		s->typos = mx_typos_parse(text, len, &err);
		if (!s->typos) {
			s->typos_error = xasprintf("%s: %s", path, err);
			free(err);
		}
		free(text);
	} else {
		s->typos_error = err;
	}
	free(path);
}

static void start(struct check *c)
{
	struct mx_state *s = xcalloc(1, sizeof(struct mx_state));
	const struct audit_input *in = &c->audit->in;
	c->state = s;
	s->main.domain = in->domain;
	check_set_summary(c, "looking up MX for %s", in->domain);
	check_query(c, in->domain, DNS_T_MX, 0, on_mx, &s->main);
	if (!in->rcpt)
		return;
	struct mx_rcpt *r = &s->rcpt;
	s->has_rcpt = true;
	r->address = xstrdup(in->rcpt);
	char *domain = NULL;
	if (!mx_rcpt_parse(in->rcpt, &domain, &r->literal, &r->syntax_error))
		return;
	r->domain = domain;
	if (r->literal)
		return;
	load_typos(s);
	if (s->typos) {
		const char *sugg = mx_typos_suggest(s->typos, r->domain);
		r->typo_of = sugg ? xstrdup(sugg) : NULL;
	}
	r->own.domain = r->domain;
	r->shared = ascii_strcaseeq(r->domain, in->domain);
	if (!r->shared)
		check_query(c, r->domain, DNS_T_MX, 0, on_mx, &r->own);
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

static bool host_usable(const struct mx_host *h)
{
	if (h->ip_literal)
		return false;
	for (size_t j = 0; j < h->addrs.n; j++)
		if (!unroutable(h->addrs.v[j]))
			return true;
	return false;
}

static void finish_main(struct check *c)
{
	struct mx_lookup *s = &st(c)->main;
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
		for (size_t j = 0; j < h->addrs.n; j++) {
			const char *why = unroutable(h->addrs.v[j]);
			if (why)
				check_add_finding(c, STATUS_WARN, "mx.host-unroutable", h->addrs.v[j],
				                  "Publish the host's public address.",
				                  "The MX host %s resolves to %s, a %s address other servers cannot "
				                  "reach.", h->name, h->addrs.v[j], why);
		}
		if (host_usable(h))
			usable++;
	}
	for (size_t i = 1; i < s->nhosts; i++)
		if (s->hosts[i].preference == s->hosts[i - 1].preference && !s->implicit) {
			check_add_finding(c, STATUS_PASS, "mx.equal-preference", NULL, NULL,
			                  "MX hosts %s and %s share preference %d: senders spread mail between them.",
			                  s->hosts[i - 1].name, s->hosts[i].name, s->hosts[i].preference);
			break;
		}
	/* A backup that cannot take mail is silent until the primary fails -
	 * then mail queues for days or bounces.  Worth its own sentence. */
	if (usable && !s->implicit) {
		for (size_t i = 0; i < s->nhosts; i++) {
			const struct mx_host *h = &s->hosts[i];
			if (h->preference == s->hosts[0].preference || host_usable(h))
				continue;
			/* Only for a definite "cannot"; a lookup error says so already. */
			if (!h->ip_literal && !h->addrs.n &&
			    !(dns_result_is_answer(h->a_res) && dns_result_is_answer(h->aaaa_res)))
				continue;
			check_add_finding(c, STATUS_WARN, "mx.backup-unreachable", h->name,
			                  "Give the backup MX a public address, or remove its MX record.",
			                  "The backup MX %s (preference %d) cannot receive mail: while the primary %s "
			                  "works nobody notices, but when it is down senders try %s and mail is "
			                  "delayed or bounced.", h->name, h->preference, s->hosts[0].name, h->name);
		}
	}
	/* A host whose address lookup failed (timeout, SERVFAIL, CNAME loop) may
	 * well be usable: its mx.host-lookup-failed error says so, and "no usable
	 * host" would turn a DNS problem into a fail. */
	size_t undecided = 0;
	for (size_t i = 0; i < s->nhosts; i++) {
		const struct mx_host *h = &s->hosts[i];
		if (!h->ip_literal && !h->addrs.n && !(dns_result_is_answer(h->a_res) && dns_result_is_answer(h->aaaa_res)))
			undecided++;
	}
	if (usable == 0 && s->nhosts && !undecided) {
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

/* The recipient's lookup (shared with the audited domain's when the same). */
static const struct mx_lookup *rcpt_lookup(const struct mx_state *s)
{
	return s->rcpt.shared ? &s->main : &s->rcpt.own;
}

/* Can the recipient's domain receive mail?  1 yes, 0 no, -1 undecided. */
static int rcpt_capable(const struct mx_state *s)
{
	const struct mx_rcpt *r = &s->rcpt;
	if (!r->domain)
		return 0;
	if (r->literal)
		return 1; /* delivery goes to the address itself; nothing to look up */
	const struct mx_lookup *l = rcpt_lookup(s);
	if (l->mx_error)
		return -1;
	if (l->mx_res == DNS_NXDOMAIN || l->null_mx)
		return 0;
	bool undecided = false;
	for (size_t i = 0; i < l->nhosts; i++) {
		if (host_usable(&l->hosts[i]))
			return 1;
		if (!l->hosts[i].ip_literal && !l->hosts[i].addrs.n &&
		    !(dns_result_is_answer(l->hosts[i].a_res) && dns_result_is_answer(l->hosts[i].aaaa_res)))
			undecided = true;
	}
	return undecided ? -1 : 0;
}

static void finish_rcpt(struct check *c)
{
	struct mx_state *s = st(c);
	struct mx_rcpt *r = &s->rcpt;
	if (!s->has_rcpt)
		return;
	if (!r->domain) {
		check_add_finding(c, STATUS_FAIL, "mx.rcpt-syntax", r->address,
		                  "Correct the address: local-part@domain, e.g. someone@example.com.",
		                  "The recipient address \"%s\" is not a valid mail address: %s.", r->address,
		                  r->syntax_error);
		return;
	}
	if (r->typo_of)
		check_add_finding(c, STATUS_WARN, "mx.rcpt-typo", r->domain, NULL,
		                  "The recipient domain %s looks like a typo of %s: did you mean %s?", r->domain,
		                  r->typo_of, r->typo_of);
	if (r->literal) {
		check_add_finding(c, STATUS_WARN, "mx.rcpt-literal", r->address, "Use the recipient's domain name.",
		                  "The recipient %s uses an address literal instead of a domain; most servers refuse "
		                  "mail addressed that way.", r->address);
		return;
	}
	const struct mx_lookup *l = rcpt_lookup(s);
	const char *d = r->domain;
	if (l->mx_error) {
		check_add_finding(c, STATUS_ERROR, "mx.rcpt-lookup-failed", l->mx_error, NULL,
		                  "Could not look up the MX records of the recipient domain %s: %s", d, l->mx_error);
		return;
	}
	if (l->mx_res == DNS_NXDOMAIN) {
		check_add_finding(c, STATUS_FAIL, "mx.rcpt-nxdomain", d,
		                  r->typo_of ? "Correct the recipient's domain (see the typo above)."
		                             : "Check the spelling of the recipient's domain with the recipient.",
		                  "The recipient domain %s does not exist (NXDOMAIN): mail to %s bounces with "
		                  "5.1.2 / 5.4.4.", d, r->address);
		return;
	}
	if (l->null_mx) {
		check_add_finding(c, STATUS_FAIL, "mx.rcpt-null-mx", "MX 0 .",
		                  "Ask the recipient for an address at a domain that receives mail.",
		                  "The recipient domain %s publishes a null MX (RFC 7505): it accepts no mail, so "
		                  "mail to %s bounces (5.1.10).", d, r->address);
		return;
	}
	int capable = rcpt_capable(s);
	if (capable < 0) {
		check_add_finding(c, STATUS_ERROR, "mx.rcpt-lookup-failed", d, NULL,
		                  "Could not resolve the mail servers of the recipient domain %s.", d);
		return;
	}
	if (!capable) {
		check_add_finding(c, STATUS_FAIL, "mx.rcpt-no-mail", d,
		                  "Ask the recipient for a working address; the domain's owner must publish MX records.",
		                  l->implicit ? "The recipient domain %s has no MX records and no address: it cannot "
		                                "receive mail."
		                              : "None of the MX hosts of the recipient domain %s has a public "
		                                "address: it cannot receive mail.", d);
		return;
	}
	if (l->implicit)
		check_add_finding(c, STATUS_WARN, "mx.rcpt-implicit", d, NULL,
		                  "The recipient domain %s has no MX records; mail goes to its address (%s), the "
		                  "implicit MX. Delivery may work, but the domain may not really receive mail.", d,
		                  l->hosts[0].addrs.v[0]);
	else
		check_add_finding(c, STATUS_PASS, "mx.rcpt-ok", d, NULL,
		                  "The recipient domain %s receives mail (primary MX %s). Whether the mailbox %s "
		                  "exists only its server can say.", d, l->hosts[0].name, r->address);
}

static void finish(struct check *c)
{
	char *summary;
	finish_main(c);
	/* The recipient's findings go after the domain's; keep the domain's
	 * summary line and append the recipient's verdict. */
	size_t before = c->nfindings;
	finish_rcpt(c);
	if (c->nfindings > before && c->summary) {
		enum status worst = STATUS_PASS;
		for (size_t i = before; i < c->nfindings; i++)
			worst = status_worst(worst, c->findings[i].status);
		summary = xasprintf("%s; recipient %s: %s", c->summary, st(c)->rcpt.address,
		                    worst == STATUS_PASS ? "ok" : status_name(worst));
		check_set_summary(c, "%s", summary);
		free(summary);
	}
}

static void json_hosts(const struct mx_lookup *l, struct json_object *obj)
{
	struct json_object *hosts = json_object_new_array();
	for (size_t i = 0; l && i < l->nhosts; i++) {
		struct json_object *h = json_object_new_object();
		report_json_add_string(h, "host", l->hosts[i].name);
		report_json_add_int(h, "preference", l->hosts[i].preference);
		struct json_object *addrs = json_object_new_array();
		for (size_t j = 0; j < l->hosts[i].addrs.n; j++)
			json_object_array_add(addrs, json_object_new_string(l->hosts[i].addrs.v[j]));
		json_object_object_add(h, "addresses", addrs);
		json_object_array_add(hosts, h);
	}
	json_object_object_add(obj, "hosts", hosts);
}

static void json(const struct check *c, struct json_object *obj)
{
	struct mx_state *s = st(c);
	json_object_object_add(obj, "null_mx", json_object_new_boolean(s && s->main.null_mx));
	report_json_add_bool(obj, "implicit", s ? s->main.implicit : -1);
	json_hosts(s ? &s->main : NULL, obj);
	if (!s || !s->has_rcpt) {
		report_json_add_null(obj, "recipient");
		return;
	}
	const struct mx_rcpt *r = &s->rcpt;
	struct json_object *ro = json_object_new_object();
	report_json_add_string(ro, "address", r->address);
	report_json_add_string(ro, "domain", r->domain);
	report_json_add_bool(ro, "syntax_ok", r->domain != NULL);
	report_json_add_string(ro, "syntax_error", r->syntax_error);
	const struct mx_lookup *l = r->domain && !r->literal ? rcpt_lookup(s) : NULL;
	bool decided = c->done && l && !l->mx_error;
	report_json_add_bool(ro, "exists", decided ? l->mx_res != DNS_NXDOMAIN : -1);
	report_json_add_bool(ro, "mail_capable", c->done ? rcpt_capable(s) : -1);
	report_json_add_bool(ro, "null_mx", decided ? l->null_mx : -1);
	report_json_add_bool(ro, "implicit", decided ? l->implicit : -1);
	json_hosts(l, ro);
	report_json_add_string(ro, "typo_of", r->typo_of);
	json_object_object_add(obj, "recipient", ro);
}

static void detail_hosts(const struct mx_lookup *l, struct textlines *out, bool done)
{
	if (l->null_mx)
		textlines_add(out, LINE_CODE, 1, "%s. IN MX 0 .   (null MX: accepts no mail)", l->domain);
	if (done && l->mx_res == DNS_NXDOMAIN)
		textlines_add(out, LINE_FAIL, 1, "%s does not exist (NXDOMAIN)", l->domain);
	if (l->mx_error)
		textlines_add(out, LINE_ERROR, 1, "MX lookup failed: %s", l->mx_error);
	for (size_t i = 0; i < l->nhosts; i++) {
		const struct mx_host *h = &l->hosts[i];
		textlines_add(out, h->addrs.n ? LINE_NORMAL : LINE_FAIL, 1, "%5d  %s%s", h->preference, h->name,
		              l->implicit ? "   (implicit: no MX records)" : "");
		for (size_t j = 0; j < h->addrs.n; j++) {
			const char *why = unroutable(h->addrs.v[j]);
			if (why)
				textlines_add(out, LINE_WARN, 3, "%s   (%s)", h->addrs.v[j], why);
			else
				textlines_add(out, LINE_DIM, 3, "%s", h->addrs.v[j]);
		}
		if (!h->addrs.n && !h->ip_literal && h->lookups_left == 0)
			textlines_add(out, LINE_FAIL, 3, "no address");
	}
}

static void detail(const struct check *c, struct textlines *out)
{
	struct mx_state *s = st(c);
	if (!s)
		return;
	textlines_add(out, LINE_HEADING, 0, "MX hosts of %s", c->audit->in.domain);
	detail_hosts(&s->main, out, c->done);
	if (!s->has_rcpt)
		return;
	const struct mx_rcpt *r = &s->rcpt;
	textlines_add(out, LINE_HEADING, 0, "Recipient %s", r->address);
	if (!r->domain) {
		textlines_add(out, LINE_FAIL, 1, "not a valid address: %s", r->syntax_error);
		return;
	}
	if (r->typo_of)
		textlines_add(out, LINE_WARN, 1, "did you mean %s?", r->typo_of);
	if (r->literal)
		return;
	if (r->shared)
		textlines_add(out, LINE_DIM, 1, "the audited domain: same MX hosts as above");
	else
		detail_hosts(&r->own, out, c->done);
	if (s->typos_error)
		textlines_add(out, LINE_DIM, 1, "typo list not loaded: %s", s->typos_error);
}

static void lookup_free(struct mx_lookup *l)
{
	for (size_t i = 0; i < l->nhosts; i++) {
		free(l->hosts[i].name);
		free(l->hosts[i].cname);
		strlist_free(&l->hosts[i].addrs);
	}
	free(l->hosts);
	free(l->mx_error);
}

static void free_state(struct check *c)
{
	struct mx_state *s = st(c);
	if (!s)
		return;
	lookup_free(&s->main);
	lookup_free(&s->rcpt.own);
	free(s->rcpt.address);
	free(s->rcpt.domain);
	free(s->rcpt.typo_of);
	mx_typos_free(s->typos);
	free(s->typos_error);
	free(s);
}

size_t mx_check_host_count(const struct check *c)
{
	return st(c) ? st(c)->main.nhosts : 0;
}

bool mx_check_null_mx(const struct check *c)
{
	return st(c) && st(c)->main.null_mx;
}

const char *mx_check_host_name(const struct check *c, size_t i)
{
	return st(c)->main.hosts[i].name;
}

const struct strlist *mx_check_host_addrs(const struct check *c, size_t i)
{
	return &st(c)->main.hosts[i].addrs;
}

const char *mx_check_rcpt_domain(const struct check *c)
{
	return st(c) && st(c)->has_rcpt ? st(c)->rcpt.domain : NULL;
}

int mx_check_rcpt_capable(const struct check *c)
{
	return st(c) && st(c)->has_rcpt && c->done ? rcpt_capable(st(c)) : -1;
}

const char *mx_check_rcpt_typo(const struct check *c)
{
	return st(c) && st(c)->has_rcpt ? st(c)->rcpt.typo_of : NULL;
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
