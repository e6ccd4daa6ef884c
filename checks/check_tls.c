/* check_tls.c - the TLS check: STARTTLS on every MX host address.
 *
 * The MX hosts come from the same MX and A/AAAA questions the MX check asks
 * (the resolver answers the second asker from its cache), so the two checks
 * run side by side instead of one after the other.  Per host the TLSA
 * records at _25._tcp.<host> are asked with the AD bit; once a host's
 * addresses and TLSA records are known, one tls_probe per address runs in
 * the event loop.  Every probe is bounded by per-phase timeouts, and a
 * probe that cannot decide is an error, never a fail. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "evloop.h"
#include "mta_sts.h"
#include "report.h"
#include "resolver.h"
#include "tls_probe.h"

/* Bounded work: a hostile zone must not make us open hundreds of
 * connections. */
#define TLS_MAX_HOSTS 10
#define TLS_MAX_ADDRS 20
#define TLS_MAX_TLSA 16
#define DAYS_WARN 14

struct tls_host {
	char *name;
	int preference;
	struct strlist addrs;
	int lookups_left;
	enum dns_result addr_res[2];
	enum dns_result tlsa_res;
	char *tlsa_error;
	bool tlsa_authentic;
	struct tls_tlsa tlsa[TLS_MAX_TLSA];
	size_t ntlsa;
	struct strlist tlsa_text;
};

struct tls_target {
	struct tls_host *host;
	char *dns_address; /* as published */
	char *address;     /* where we connected (--connect-to may change it) */
	int port;
	bool redirected;
	struct tls_probe *probe;
	struct check *c;
};

/* MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) of the domain. */
struct sts_state {
	int lookups_left;       /* _mta-sts TXT, mta-sts A, AAAA */
	enum dns_result txt_res;
	char *txt_error;
	char *txt;              /* the v=STSv1 record */
	size_t ntxt;            /* how many v=STSv1 records */
	char *id;
	const char *txt_why;
	struct strlist addrs;
	char *host;             /* mta-sts.<domain> */
	char *address;
	int port;
	struct tls_probe *probe;
	bool fetched;           /* the probe finished */
	int http_status;
	char *content_type;
	const char *http_why;
	bool have_policy;
	bool policy_ok;
	struct mta_sts_policy policy;
	/* TLS-RPT */
	enum dns_result rpt_res;
	char *rpt_error;
	char *rpt_txt;
	size_t nrpt;
	struct strlist rua;
	const char *rpt_why;
};

struct tls_state {
	struct sts_state sts;
	SSL_CTX *ctx;
	char *ctx_error;
	bool null_mx, implicit, nxdomain;
	char *mx_error;
	struct tls_host *hosts;
	size_t nhosts;
	size_t skipped_addrs; /* over TLS_MAX_ADDRS */
	struct tls_target *targets;
	size_t ntargets;
	const char *bad_connect_to;
};

static struct tls_state *st(const struct check *c)
{
	return c->state;
}

/* --- probes --- */

static void on_probe_done(struct tls_probe *p, void *arg)
{
	struct tls_target *t = arg;
	(void)p;
	check_touch(t->c);
	check_release(t->c);
}

static void start_probes(struct check *c, struct tls_host *h)
{
	struct tls_state *s = st(c);
	struct audit *a = c->audit;
	for (size_t i = 0; i < h->addrs.n; i++) {
		if (s->ntargets >= TLS_MAX_ADDRS) {
			s->skipped_addrs++;
			continue;
		}
		char addr[64];
		snprintf(addr, sizeof(addr), "%s", h->addrs.v[i]);
		int port = a->in.smtp_port > 0 ? a->in.smtp_port : 25;
		const char *bad = NULL;
		bool redirected = tls_connect_to_apply((const char *const *)a->in.connect_to.v, a->in.connect_to.n,
		                                       h->name, addr, sizeof(addr), &port, &bad);
		if (bad)
			s->bad_connect_to = bad;
		/* Two published addresses redirected to one place are one probe. */
		bool dup = false;
		for (size_t j = 0; j < s->ntargets; j++)
			if (s->targets[j].host == h && !strcmp(s->targets[j].address, addr) && s->targets[j].port == port)
				dup = true;
		if (dup)
			continue;
		struct tls_target *t = &s->targets[s->ntargets++];
		t->host = h;
		t->c = c;
		t->dns_address = xstrdup(h->addrs.v[i]);
		t->address = xstrdup(addr);
		t->port = port;
		t->redirected = redirected;
		struct tls_probe_config cfg = {
			.mode = TLS_PROBE_SMTP,
			.host = h->name,
			.address = t->address,
			.port = port,
			.helo = a->in.helo ? a->in.helo : a->in.domain,
			.timeout_ms = a->in.timeout_ms,
			.ctx = s->ctx,
			.tlsa = h->tlsa,
			.ntlsa = h->ntlsa,
			.offline = a->in.offline,
		};
		check_hold(c);
		t->probe = tls_probe_start(a->loop, &cfg, on_probe_done, t);
	}
}

static void host_lookup_done(struct check *c, struct tls_host *h)
{
	if (--h->lookups_left > 0)
		return;
	check_set_summary(c, "probing %s", h->name);
	if (st(c)->ctx)
		start_probes(c, h);
}

static void on_addr(struct check *c, void *arg, struct dns_answer *ans)
{
	struct tls_host *h = arg;
	h->addr_res[ans->qtype == DNS_T_AAAA] = ans->result;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, ans->qtype, rr));)
		if (!strlist_contains_ci(&h->addrs, rr->text))
			strlist_add(&h->addrs, rr->text);
	host_lookup_done(c, h);
}

static void on_tlsa(struct check *c, void *arg, struct dns_answer *ans)
{
	struct tls_host *h = arg;
	h->tlsa_res = ans->result;
	h->tlsa_authentic = ans->authentic;
	if (!dns_result_is_answer(ans->result))
		h->tlsa_error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_TLSA, rr));) {
		if (h->ntlsa >= TLS_MAX_TLSA)
			break;
		struct tls_tlsa *t = &h->tlsa[h->ntlsa++];
		t->usage = rr->u.tlsa.usage;
		t->selector = rr->u.tlsa.selector;
		t->mtype = rr->u.tlsa.mtype;
		unsigned char *d = xmalloc(rr->u.tlsa.len ? rr->u.tlsa.len : 1);
		memcpy(d, rr->u.tlsa.data, rr->u.tlsa.len);
		t->data = d;
		t->len = rr->u.tlsa.len;
		strlist_add(&h->tlsa_text, rr->text ? rr->text : "");
	}
	host_lookup_done(c, h);
}

static void resolve_host(struct check *c, struct tls_host *h)
{
	int family;
	unsigned char addr[16];
	if (ip_parse(h->name, &family, addr))
		return; /* the MX check reports IP-literal MX targets */
	h->lookups_left = 3;
	check_query(c, h->name, DNS_T_A, 0, on_addr, h);
	check_query(c, h->name, DNS_T_AAAA, 0, on_addr, h);
	char *tname = xasprintf("_25._tcp.%s", h->name);
	check_query(c, tname, DNS_T_TLSA, RESOLVER_F_AD, on_tlsa, h);
	free(tname);
}

static int host_cmp(const void *a, const void *b)
{
	const struct tls_host *x = a, *y = b;
	if (x->preference != y->preference)
		return x->preference - y->preference;
	return ascii_strcasecmp(x->name, y->name);
}

static void on_mx(struct check *c, void *arg, struct dns_answer *ans)
{
	struct tls_state *s = st(c);
	(void)arg;
	if (ans->result == DNS_NODATA) {
		s->implicit = true;
		s->hosts = xcalloc(1, sizeof(*s->hosts));
		s->nhosts = 1;
		s->hosts[0].name = xstrdup(c->audit->in.domain);
	} else if (ans->result == DNS_NXDOMAIN) {
		s->nxdomain = true;
		return;
	} else if (ans->result != DNS_OK) {
		s->mx_error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
		return;
	} else {
		size_t n = dns_answer_count(ans, DNS_T_MX);
		s->hosts = xcalloc(n ? n : 1, sizeof(*s->hosts));
		for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_MX, rr));) {
			if (rr->u.mx.exchange[0] == '\0') {
				s->null_mx = true;
				continue;
			}
			struct tls_host *h = &s->hosts[s->nhosts++];
			h->name = domain_normalize(rr->u.mx.exchange);
			h->preference = rr->u.mx.preference;
		}
		qsort(s->hosts, s->nhosts, sizeof(*s->hosts), host_cmp);
		if (s->nhosts > TLS_MAX_HOSTS) {
			for (size_t i = TLS_MAX_HOSTS; i < s->nhosts; i++)
				free(s->hosts[i].name);
			s->nhosts = TLS_MAX_HOSTS;
		}
		if (s->null_mx)
			return;
	}
	s->targets = xcalloc(TLS_MAX_ADDRS, sizeof(*s->targets));
	for (size_t i = 0; i < s->nhosts; i++)
		resolve_host(c, &s->hosts[i]);
}

/* --- MTA-STS and TLS-RPT --- */

static void on_sts_fetched(struct tls_probe *p, void *arg)
{
	struct check *c = arg;
	struct sts_state *m = &st(c)->sts;
	const struct tls_probe_result *r = tls_probe_result(p);
	m->fetched = true;
	if (r->outcome == TLS_PROBE_TLS_OK && r->http) {
		char *body = NULL;
		size_t blen = 0;
		if (mta_sts_http_parse(r->http, r->http_len, &m->http_status, &m->content_type, &body, &blen,
		                       &m->http_why) && m->http_status == 200) {
			m->have_policy = true;
			m->policy_ok = mta_sts_policy_parse(body, blen, &m->policy);
		}
		free(body);
	}
	check_touch(c);
	check_release(c);
}

static void sts_lookup_done(struct check *c)
{
	struct tls_state *s = st(c);
	struct sts_state *m = &s->sts;
	if (--m->lookups_left > 0)
		return;
	if (!m->id || !m->addrs.n || !s->ctx)
		return;
	char addr[64];
	snprintf(addr, sizeof(addr), "%s", m->addrs.v[0]);
	int port = 443;
	const char *bad = NULL;
	tls_connect_to_apply((const char *const *)c->audit->in.connect_to.v, c->audit->in.connect_to.n, m->host, addr,
	                     sizeof(addr), &port, &bad);
	m->address = xstrdup(addr);
	m->port = port;
	struct tls_probe_config cfg = {
		.mode = TLS_PROBE_HTTPS,
		.host = m->host,
		.address = m->address,
		.port = port,
		.path = "/.well-known/mta-sts.txt",
		.timeout_ms = c->audit->in.timeout_ms,
		.ctx = s->ctx,
		.offline = c->audit->in.offline,
	};
	check_hold(c);
	m->probe = tls_probe_start(c->audit->loop, &cfg, on_sts_fetched, c);
}

static void on_sts_txt(struct check *c, void *arg, struct dns_answer *ans)
{
	struct sts_state *m = &st(c)->sts;
	(void)arg;
	m->txt_res = ans->result;
	if (!dns_result_is_answer(ans->result))
		m->txt_error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_TXT, rr));) {
		/* Only records that claim to be MTA-STS count (RFC 8461 3.1). */
		if (strncmp(rr->u.txt.text, "v=STSv1", 7) != 0)
			continue;
		if (m->ntxt++ == 0)
			m->txt = xstrdup(rr->u.txt.text);
	}
	if (m->ntxt == 1 && !mta_sts_txt_parse(m->txt, &m->id, &m->txt_why))
		m->id = NULL;
	sts_lookup_done(c);
}

static void on_sts_addr(struct check *c, void *arg, struct dns_answer *ans)
{
	struct sts_state *m = &st(c)->sts;
	(void)arg;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, ans->qtype, rr));)
		if (!strlist_contains_ci(&m->addrs, rr->text))
			strlist_add(&m->addrs, rr->text);
	sts_lookup_done(c);
}

static void on_rpt_txt(struct check *c, void *arg, struct dns_answer *ans)
{
	struct sts_state *m = &st(c)->sts;
	(void)arg;
	m->rpt_res = ans->result;
	if (!dns_result_is_answer(ans->result))
		m->rpt_error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_TXT, rr));) {
		if (strncmp(rr->u.txt.text, "v=TLSRPTv1", 10) != 0)
			continue;
		if (m->nrpt++ == 0)
			m->rpt_txt = xstrdup(rr->u.txt.text);
	}
	if (m->nrpt == 1)
		tlsrpt_txt_parse(m->rpt_txt, &m->rua, &m->rpt_why);
}

static void start_sts(struct check *c)
{
	struct sts_state *m = &st(c)->sts;
	const char *d = c->audit->in.domain;
	m->host = xasprintf("mta-sts.%s", d);
	m->lookups_left = 3;
	char *name = xasprintf("_mta-sts.%s", d);
	check_query(c, name, DNS_T_TXT, 0, on_sts_txt, NULL);
	free(name);
	check_query(c, m->host, DNS_T_A, 0, on_sts_addr, NULL);
	check_query(c, m->host, DNS_T_AAAA, 0, on_sts_addr, NULL);
	name = xasprintf("_smtp._tls.%s", d);
	check_query(c, name, DNS_T_TXT, 0, on_rpt_txt, NULL);
	free(name);
}

static void start(struct check *c)
{
	struct tls_state *s = xcalloc(1, sizeof(*s));
	c->state = s;
	s->ctx = tls_probe_ctx_new(c->audit->in.ca_file, &s->ctx_error);
	check_set_summary(c, "looking up MX for %s", c->audit->in.domain);
	check_query(c, c->audit->in.domain, DNS_T_MX, 0, on_mx, NULL);
	start_sts(c);
}

/* --- verdicts --- */

static bool old_protocol(const char *v)
{
	return v && (!strcmp(v, "TLSv1") || !strcmp(v, "TLSv1.1") || !strcmp(v, "SSLv3"));
}

/* Findings for one probe; returns the worst status of that address. */
static enum status judge_target(struct check *c, const struct tls_target *t, bool enforce)
{
	const struct tls_probe_result *r = tls_probe_result(t->probe);
	const struct tls_host *h = t->host;
	enum status worst = STATUS_PASS;
	char where[320];
	snprintf(where, sizeof(where), "%s [%s]:%d", h->name, t->address, t->port);
	const char *ev = r->transcript.n ? r->transcript.v[r->transcript.n - 1].text : NULL;

	if (r->outcome == TLS_PROBE_ERROR || r->outcome == TLS_PROBE_RUNNING) {
		check_add_finding(c, STATUS_ERROR, r->refused ? "tls.probe-refused" : "tls.probe-failed", ev,
		                  r->refused ? "Probe again later or from an address the server accepts." : NULL,
		                  "%s: %s", where, r->error ? r->error : "the probe did not finish");
		return STATUS_ERROR;
	}
	if (r->outcome == TLS_PROBE_NO_STARTTLS) {
		check_add_finding(c, STATUS_FAIL, "tls.no-starttls", ev,
		                  "Enable STARTTLS on the server with a certificate for its MX name (Postfix: "
		                  "smtpd_tls_security_level = may, smtpd_tls_chain_files = key.pem, chain.pem).",
		                  "%s does not offer STARTTLS: mail to it travels unencrypted, and senders that "
		                  "require TLS (MTA-STS, DANE, many large providers) will not deliver.", where);
		return STATUS_FAIL;
	}
	if (old_protocol(r->tls_version)) {
		check_add_finding(c, STATUS_WARN, "tls.old-protocol", r->tls_version,
		                  "Enable TLS 1.2 and 1.3 on the server.",
		                  "%s negotiates at most %s: TLS 1.0 and 1.1 are deprecated (RFC 8996) and many "
		                  "senders refuse them.", where, r->tls_version);
		worst = status_worst(worst, STATUS_WARN);
	}
	if (!r->have_cert) {
		check_add_finding(c, STATUS_WARN, "tls.no-certificate", NULL, "Configure a certificate.",
		                  "%s presented no certificate.", where);
		return status_worst(worst, STATUS_WARN);
	}
	bool dane_ok = r->dane_matched == 1 && h->tlsa_authentic;
	if (r->days_left < 0) {
		check_add_finding(c, STATUS_FAIL, "tls.cert-expired", r->not_after,
		                  "Renew the certificate and reload the mail server.",
		                  "%s: the certificate expired %ld day%s ago (%s); senders that verify "
		                  "certificates will not deliver.", where, -r->days_left, r->days_left == -1 ? "" : "s",
		                  r->not_after ? r->not_after : "?");
		worst = status_worst(worst, STATUS_FAIL);
	} else if (r->days_left < DAYS_WARN) {
		check_add_finding(c, STATUS_WARN, "tls.cert-expiring", r->not_after,
		                  "Renew the certificate now (and check that automatic renewal works).",
		                  "%s: the certificate expires in %ld day%s (%s).", where, r->days_left,
		                  r->days_left == 1 ? "" : "s", r->not_after ? r->not_after : "?");
		worst = status_worst(worst, STATUS_WARN);
	}
	if (!r->cert_valid && r->days_left >= 0) {
		/* Opportunistic STARTTLS still delivers; MTA-STS / DANE do not. */
		enum status s2 = dane_ok ? STATUS_PASS : enforce ? STATUS_FAIL : STATUS_WARN;
		if (r->self_signed)
			check_add_finding(c, s2, "tls.cert-self-signed", r->subject,
			                  "Use a certificate from a public CA (e.g. Let's Encrypt) for the MX name.",
			                  "%s: the certificate is self-signed (%s)%s.", where, r->subject,
			                  dane_ok ? ", which DANE-EE allows" : "; senders that verify certificates "
			                  "(MTA-STS) will not deliver");
		else
			check_add_finding(c, s2, "tls.cert-untrusted", r->verify_error,
			                  "Install the full chain (certificate and intermediates) from a public CA.",
			                  "%s: the certificate chain does not verify: %s.", where,
			                  r->verify_error ? r->verify_error : "unknown reason");
		worst = status_worst(worst, s2);
	}
	if (!r->hostname_match) {
		enum status s2 = dane_ok ? STATUS_PASS : enforce ? STATUS_FAIL : STATUS_WARN;
		check_add_finding(c, s2, "tls.cert-name-mismatch", r->subject,
		                  "Get a certificate whose subjectAltName includes the MX host name.",
		                  "%s: the certificate (%s) is not valid for the name %s%s.", where, r->subject, h->name,
		                  dane_ok ? " (DANE-EE ignores names)" : "");
		worst = status_worst(worst, s2);
	}
	if (r->key_type && !strcmp(r->key_type, "RSA") && r->key_bits > 0 && r->key_bits < 2048) {
		check_add_finding(c, STATUS_WARN, "tls.weak-key", r->key_type, "Use an RSA key of 2048 bits or more.",
		                  "%s: the certificate's RSA key has only %d bits.", where, r->key_bits);
		worst = status_worst(worst, STATUS_WARN);
	}
	if (h->ntlsa) {
		if (r->dane_matched != 1) {
			check_add_finding(c, h->tlsa_authentic ? STATUS_FAIL : STATUS_WARN, "tls.dane-mismatch",
			                  r->dane_detail,
			                  "Publish TLSA records for the certificate the server presents (e.g. \"3 1 1 "
			                  "<sha256 of the public key>\"), before switching certificates.",
			                  "%s: %s; DANE senders will not deliver%s.", where,
			                  r->dane_detail ? r->dane_detail : "DANE verification failed",
			                  h->tlsa_authentic ? "" : " (once the records are DNSSEC-signed)");
			worst = status_worst(worst, h->tlsa_authentic ? STATUS_FAIL : STATUS_WARN);
		} else {
			check_add_finding(c, STATUS_PASS, "tls.dane-match", r->dane_detail, NULL, "%s: DANE: %s.", where,
			                  r->dane_detail);
		}
	}
	if (worst == STATUS_PASS)
		check_add_finding(c, STATUS_PASS, "tls.ok", NULL, NULL,
		                  "%s: STARTTLS with %s (%s); certificate valid for %s, %ld days left.", where,
		                  r->tls_version, r->cipher, h->name, r->days_left);
	return worst;
}

/* MTA-STS and TLS-RPT findings; returns true when an enforce policy is in
 * force (certificate problems then stop delivery: fail, not warn). */
static bool judge_sts(struct check *c)
{
	struct tls_state *s = st(c);
	struct sts_state *m = &s->sts;
	const char *d = c->audit->in.domain;
	bool enforce = false;
	if (m->txt_error) {
		check_add_finding(c, STATUS_ERROR, "tls.mta-sts-lookup-failed", m->txt_error, NULL,
		                  "Could not look up _mta-sts.%s: %s", d, m->txt_error);
	} else if (!m->ntxt) {
		check_add_finding(c, STATUS_PASS, "tls.mta-sts-none", NULL,
		                  "Optionally publish an MTA-STS policy (RFC 8461) so senders insist on TLS.",
		                  "%s publishes no MTA-STS policy: senders use TLS opportunistically.", d);
	} else if (m->ntxt > 1) {
		check_add_finding(c, STATUS_FAIL, "tls.mta-sts-txt-invalid", m->txt, "Keep exactly one v=STSv1 record.",
		                  "_mta-sts.%s has %zu v=STSv1 TXT records; senders ignore the policy when there is "
		                  "more than one.", d, m->ntxt);
	} else if (!m->id) {
		check_add_finding(c, STATUS_FAIL, "tls.mta-sts-txt-invalid", m->txt,
		                  "Publish \"v=STSv1; id=20240101T000000\" (a new id each time the policy changes).",
		                  "The MTA-STS record of %s is invalid: %s.", d, m->txt_why ? m->txt_why : "?");
	} else if (!m->addrs.n) {
		check_add_finding(c, STATUS_FAIL, "tls.mta-sts-fetch-failed", m->host,
		                  "Publish an address for the policy host and serve the policy over HTTPS.",
		                  "%s announces MTA-STS but %s has no address: the policy cannot be fetched.", d, m->host);
	} else if (m->probe) {
		const struct tls_probe_result *r = tls_probe_result(m->probe);
		char url[300];
		snprintf(url, sizeof(url), "https://%s/.well-known/mta-sts.txt", m->host);
		if (r->outcome != TLS_PROBE_TLS_OK) {
			check_add_finding(c, STATUS_ERROR, "tls.mta-sts-fetch-failed", url, NULL,
			                  "Could not fetch the MTA-STS policy %s from %s port %d: %s", url, m->address, m->port,
			                  r->error ? r->error : "the fetch did not finish");
		} else if (!r->cert_valid || !r->hostname_match) {
			check_add_finding(c, STATUS_FAIL, "tls.mta-sts-cert-invalid", r->verify_error,
			                  "Serve the policy with a publicly trusted certificate for the mta-sts name.",
			                  "The certificate of %s is not valid (%s); senders discard the policy.", m->host,
			                  !r->cert_valid ? (r->verify_error ? r->verify_error : "chain does not verify")
			                                 : "wrong name");
		} else if (!m->http_status) {
			check_add_finding(c, STATUS_FAIL, "tls.mta-sts-http-invalid", url, NULL,
			                  "%s did not answer with HTTP: %s.", url, m->http_why ? m->http_why : "?");
		} else if (m->http_status != 200) {
			check_add_finding(c, STATUS_FAIL, "tls.mta-sts-http-status", url,
			                  "Serve the policy at /.well-known/mta-sts.txt with status 200.",
			                  "Fetching %s gave HTTP status %d, not 200: senders have no policy.", url,
			                  m->http_status);
		} else if (!m->policy_ok) {
			struct strbuf b;
			strbuf_init(&b);
			for (size_t i = 0; i < m->policy.problems.n; i++)
				strbuf_addf(&b, "%s%s", i ? "; " : "", m->policy.problems.v[i]);
			check_add_finding(c, STATUS_FAIL, "tls.mta-sts-policy-invalid", url,
			                  "Publish \"version: STSv1\", \"mode: enforce\" (or testing), one \"mx:\" line per "
			                  "MX host and \"max_age: 604800\".",
			                  "The MTA-STS policy of %s is invalid: %s.", d, b.s);
			strbuf_free(&b);
		} else {
			const struct mta_sts_policy *pol = &m->policy;
			enforce = pol->mode == MTA_STS_MODE_ENFORCE;
			if (m->content_type && strncmp(m->content_type, "text/plain", 10) != 0)
				check_add_finding(c, STATUS_WARN, "tls.mta-sts-content-type", m->content_type,
				                  "Serve the policy as text/plain.",
				                  "%s is served as %s; RFC 8461 requires text/plain.", url, m->content_type);
			if (pol->mode == MTA_STS_MODE_NONE)
				check_add_finding(c, STATUS_WARN, "tls.mta-sts-mode-none", NULL, NULL,
				                  "The MTA-STS policy of %s has mode none: it is being withdrawn.", d);
			if (pol->max_age < 86400)
				check_add_finding(c, STATUS_WARN, "tls.mta-sts-short-max-age", NULL,
				                  "Use max_age: 604800 (a week) or more.",
				                  "The MTA-STS max_age is %ld seconds: senders forget the policy almost at once.",
				                  pol->max_age);
			size_t mism = 0;
			for (size_t i = 0; pol->mode != MTA_STS_MODE_NONE && i < s->nhosts; i++)
				if (!mta_sts_policy_allows(pol, s->hosts[i].name)) {
					mism++;
					check_add_finding(c, enforce ? STATUS_FAIL : STATUS_WARN, "tls.mta-sts-mx-mismatch",
					                  s->hosts[i].name, "Add an \"mx:\" line for it to the policy (and a new id).",
					                  "The MX host %s is not in the MTA-STS policy's mx list: senders %s.",
					                  s->hosts[i].name, enforce ? "will not deliver to it" : "report failures");
				}
			if (!mism && pol->mode != MTA_STS_MODE_NONE)
				check_add_finding(c, STATUS_PASS, "tls.mta-sts-ok", url, NULL,
				                  "MTA-STS policy (mode %s, max_age %ld) covers every MX host.",
				                  mta_sts_mode_name(pol->mode), pol->max_age);
		}
	}
	if (m->rpt_error)
		check_add_finding(c, STATUS_ERROR, "tls.tlsrpt-lookup-failed", m->rpt_error, NULL,
		                  "Could not look up _smtp._tls.%s: %s", d, m->rpt_error);
	else if (!m->nrpt)
		check_add_finding(c, m->ntxt ? STATUS_WARN : STATUS_PASS, "tls.tlsrpt-none", NULL,
		                  "Publish _smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tls-reports@<domain>\".",
		                  "%s publishes no TLS-RPT record: nobody tells you when senders fail TLS to you.", d);
	else if (m->nrpt > 1 || !m->rua.n)
		check_add_finding(c, STATUS_WARN, "tls.tlsrpt-invalid", m->rpt_txt, "Keep one valid v=TLSRPTv1 record.",
		                  "The TLS-RPT record of %s is invalid: %s.", d,
		                  m->nrpt > 1 ? "there is more than one" : (m->rpt_why ? m->rpt_why : "?"));
	else
		check_add_finding(c, STATUS_PASS, "tls.tlsrpt-ok", m->rpt_txt, NULL, "TLS reports for %s go to %s.", d,
		                  m->rua.v[0]);
	return enforce;
}

static void finish(struct check *c)
{
	struct tls_state *s = st(c);
	const char *d = c->audit->in.domain;
	if (s->mx_error) {
		check_add_finding(c, STATUS_ERROR, "tls.mx-lookup-failed", s->mx_error, NULL,
		                  "Could not look up the MX records of %s: %s", d, s->mx_error);
		check_set_summary(c, "MX lookup failed");
		return;
	}
	if (s->nxdomain) {
		check_set_summary(c, "%s does not exist: nothing to probe", d);
		check_set_status(c, STATUS_SKIP);
		return;
	}
	if (s->null_mx) {
		check_set_summary(c, "null MX: %s accepts no mail, nothing to probe", d);
		check_set_status(c, STATUS_SKIP);
		return;
	}
	if (!s->ctx) {
		check_add_finding(c, STATUS_ERROR, "tls.setup-failed", NULL, NULL, "%s", s->ctx_error);
		check_set_summary(c, "TLS setup failed");
		return;
	}
	if (s->bad_connect_to)
		check_add_finding(c, STATUS_ERROR, "tls.bad-connect-to", s->bad_connect_to,
		                  "Write it as HOST:PORT:ADDR:PORT, e.g. mx.example.com:25:[2001:db8::1]:2525.",
		                  "Ignored a malformed --connect-to '%s'.", s->bad_connect_to);
	for (size_t i = 0; i < s->nhosts; i++) {
		const struct tls_host *h = &s->hosts[i];
		if (h->tlsa_error)
			check_add_finding(c, STATUS_ERROR, "tls.tlsa-lookup-failed", h->tlsa_error, NULL,
			                  "Could not look up the TLSA records of %s (_25._tcp.%s): %s", h->name, h->name,
			                  h->tlsa_error);
		else if (h->ntlsa && !h->tlsa_authentic)
			check_add_finding(c, STATUS_WARN, "tls.dane-unsigned", h->tlsa_text.n ? h->tlsa_text.v[0] : NULL,
			                  "Sign the zone with DNSSEC (and use a validating resolver to check): DANE "
			                  "needs signed TLSA records.",
			                  "%s publishes TLSA records but the resolver did not mark them as DNSSEC-validated "
			                  "(no AD bit): DANE senders ignore them.", h->name);
	}
	bool enforce = judge_sts(c);
	size_t pass = 0, bad = 0, err = 0;
	for (size_t i = 0; i < s->ntargets; i++) {
		enum status w = judge_target(c, &s->targets[i], enforce);
		if (w == STATUS_ERROR)
			err++;
		else if (w == STATUS_PASS)
			pass++;
		else
			bad++;
	}
	if (s->skipped_addrs)
		check_add_finding(c, STATUS_WARN, "tls.too-many-addresses", NULL, NULL,
		                  "Probed only the first %d addresses; %zu more were not probed.", TLS_MAX_ADDRS,
		                  s->skipped_addrs);
	if (!s->ntargets) {
		check_add_finding(c, STATUS_ERROR, "tls.no-address", NULL, NULL,
		                  "No MX host of %s has an address to probe (see the MX check).", d);
		check_set_summary(c, "no MX host address to probe");
		return;
	}
	check_set_summary(c, "%zu address%s probed: %zu good, %zu with problems, %zu could not be checked",
	                  s->ntargets, s->ntargets == 1 ? "" : "es", pass, bad, err);
}

/* --- output --- */

static void json_dane(const struct tls_host *h, const struct tls_probe_result *r, struct json_object *o)
{
	if (!h->ntlsa && !h->tlsa_error) {
		json_object_object_add(o, "dane", NULL);
		return;
	}
	struct json_object *d = json_object_new_object();
	report_json_add_int(d, "records", (long long)h->ntlsa);
	json_object_object_add(d, "authenticated", json_object_new_boolean(h->tlsa_authentic));
	report_json_add_int(d, "usable", r ? r->dane_usable : 0);
	report_json_add_bool(d, "matched", r && r->outcome == TLS_PROBE_TLS_OK ? r->dane_matched : -1);
	report_json_add_string(d, "detail", r ? r->dane_detail : NULL);
	report_json_add_string(d, "error", h->tlsa_error);
	struct json_object *recs = json_object_new_array();
	for (size_t i = 0; i < h->tlsa_text.n; i++)
		json_object_array_add(recs, json_object_new_string(h->tlsa_text.v[i]));
	json_object_object_add(d, "tlsa", recs);
	json_object_object_add(o, "dane", d);
}

static const char *target_status(const struct tls_probe_result *r)
{
	switch (r->outcome) {
	case TLS_PROBE_TLS_OK: return "tls";
	case TLS_PROBE_NO_STARTTLS: return "no-starttls";
	case TLS_PROBE_ERROR: return "error";
	default: return "pending";
	}
}

static void json_sts(const struct tls_state *s, struct json_object *obj)
{
	const struct sts_state *m = s ? &s->sts : NULL;
	struct json_object *o = json_object_new_object();
	report_json_add_string(o, "record", m ? m->txt : NULL);
	report_json_add_string(o, "id", m ? m->id : NULL);
	const struct tls_probe_result *r = m && m->probe ? tls_probe_result(m->probe) : NULL;
	report_json_add_string(o, "policy_host", m && m->probe ? m->host : NULL);
	report_json_add_string(o, "address", m ? m->address : NULL);
	if (m && m->http_status)
		report_json_add_int(o, "http_status", m->http_status);
	else
		report_json_add_null(o, "http_status");
	report_json_add_bool(o, "cert_valid", r && r->outcome == TLS_PROBE_TLS_OK ? r->cert_valid && r->hostname_match : -1);
	report_json_add_string(o, "error", r ? r->error : NULL);
	bool pol = m && m->policy_ok;
	report_json_add_string(o, "mode", pol ? mta_sts_mode_name(m->policy.mode) : NULL);
	if (pol)
		report_json_add_int(o, "max_age", m->policy.max_age);
	else
		report_json_add_null(o, "max_age");
	struct json_object *mx = json_object_new_array();
	for (size_t i = 0; pol && i < m->policy.mx.n; i++)
		json_object_array_add(mx, json_object_new_string(m->policy.mx.v[i]));
	json_object_object_add(o, "mx", mx);
	json_object_object_add(obj, "mta_sts", o);

	o = json_object_new_object();
	report_json_add_string(o, "record", m ? m->rpt_txt : NULL);
	struct json_object *rua = json_object_new_array();
	for (size_t i = 0; m && i < m->rua.n; i++)
		json_object_array_add(rua, json_object_new_string(m->rua.v[i]));
	json_object_object_add(o, "rua", rua);
	json_object_object_add(obj, "tls_rpt", o);
}

static void json(const struct check *c, struct json_object *obj)
{
	struct tls_state *s = st(c);
	struct json_object *hosts = json_object_new_array();
	for (size_t i = 0; s && i < s->ntargets; i++) {
		const struct tls_target *t = &s->targets[i];
		const struct tls_probe_result *r = tls_probe_result(t->probe);
		bool tls = r->outcome == TLS_PROBE_TLS_OK;
		bool answered = tls || r->outcome == TLS_PROBE_NO_STARTTLS;
		struct json_object *o = json_object_new_object();
		report_json_add_string(o, "host", t->host->name);
		report_json_add_string(o, "address", t->address);
		report_json_add_int(o, "port", t->port);
		if (t->redirected)
			report_json_add_string(o, "dns_address", t->dns_address);
		report_json_add_int(o, "preference", t->host->preference);
		report_json_add_string(o, "result", target_status(r));
		/* Known once EHLO was answered, even if a later phase failed. */
		report_json_add_bool(o, "starttls", answered || r->starttls ? r->starttls : -1);
		report_json_add_string(o, "tls_version", tls ? r->tls_version : NULL);
		report_json_add_string(o, "cipher", tls ? r->cipher : NULL);
		report_json_add_bool(o, "cert_valid", tls && r->have_cert ? r->cert_valid : -1);
		report_json_add_string(o, "verify_error", tls ? r->verify_error : NULL);
		report_json_add_bool(o, "hostname_match", tls && r->have_cert ? r->hostname_match : -1);
		if (tls && r->have_cert)
			report_json_add_int(o, "days_left", r->days_left);
		else
			report_json_add_null(o, "days_left");
		report_json_add_string(o, "not_after", tls ? r->not_after : NULL);
		report_json_add_string(o, "subject", tls ? r->subject : NULL);
		report_json_add_string(o, "issuer", tls ? r->issuer : NULL);
		report_json_add_string(o, "key_type", tls ? r->key_type : NULL);
		if (tls && r->key_bits > 0)
			report_json_add_int(o, "key_bits", r->key_bits);
		else
			report_json_add_null(o, "key_bits");
		report_json_add_bool(o, "self_signed", tls && r->have_cert ? r->self_signed : -1);
		json_dane(t->host, r, o);
		report_json_add_string(o, "error", r->error);
		report_json_add_string(o, "phase", r->outcome == TLS_PROBE_ERROR ? r->phase : NULL);
		json_object_object_add(o, "refused", json_object_new_boolean(r->refused));
		report_json_add_int(o, "elapsed_ms", (long long)r->elapsed_ms);
		struct json_object *tr = json_object_new_array();
		for (size_t j = 0; j < r->transcript.n; j++)
			json_object_array_add(tr, json_object_new_string(r->transcript.v[j].text));
		json_object_object_add(o, "transcript", tr);
		json_object_array_add(hosts, o);
	}
	json_object_object_add(obj, "hosts", hosts);
	json_sts(s, obj);
}

static void detail(const struct check *c, struct textlines *out)
{
	struct tls_state *s = st(c);
	if (!s)
		return;
	for (size_t i = 0; i < s->ntargets; i++) {
		const struct tls_target *t = &s->targets[i];
		const struct tls_probe_result *r = tls_probe_result(t->probe);
		enum line_style hs = r->outcome == TLS_PROBE_TLS_OK ? LINE_PASS
		                     : r->outcome == TLS_PROBE_NO_STARTTLS ? LINE_FAIL
		                     : r->outcome == TLS_PROBE_ERROR       ? LINE_ERROR
		                                                           : LINE_DIM;
		textlines_add(out, LINE_HEADING, 0, "%s [%s] port %d%s", t->host->name, t->address, t->port,
		              t->redirected ? " (redirected by --connect-to)" : "");
		textlines_add(out, hs, 1, "%s", r->outcome == TLS_PROBE_TLS_OK ? "STARTTLS works"
		                                : r->outcome == TLS_PROBE_NO_STARTTLS ? "no STARTTLS"
		                                : r->error                          ? r->error
		                                                                    : "running");
		for (size_t j = 0; j < r->transcript.n; j++)
			textlines_add(out, r->transcript.v[j].style, 2, "%s", r->transcript.v[j].text);
	}
}

static void free_state(struct check *c)
{
	struct tls_state *s = st(c);
	if (!s)
		return;
	for (size_t i = 0; i < s->ntargets; i++) {
		tls_probe_free(s->targets[i].probe);
		free(s->targets[i].address);
		free(s->targets[i].dns_address);
	}
	free(s->targets);
	for (size_t i = 0; i < s->nhosts; i++) {
		struct tls_host *h = &s->hosts[i];
		free(h->name);
		strlist_free(&h->addrs);
		for (size_t j = 0; j < h->ntlsa; j++)
			free((void *)h->tlsa[j].data);
		strlist_free(&h->tlsa_text);
		free(h->tlsa_error);
	}
	free(s->hosts);
	struct sts_state *m = &s->sts;
	tls_probe_free(m->probe);
	free(m->txt_error);
	free(m->txt);
	free(m->id);
	strlist_free(&m->addrs);
	free(m->host);
	free(m->address);
	free(m->content_type);
	mta_sts_policy_free(&m->policy);
	free(m->rpt_error);
	free(m->rpt_txt);
	strlist_free(&m->rua);
	free(s->mx_error);
	free(s->ctx_error);
	tls_probe_ctx_free(s->ctx);
	free(s);
}

const struct check_class check_tls_class = {
	.name = "tls",
	.title = "TLS",
	.start = start,
	.finish = finish,
	.json = json,
	.detail = detail,
	.free_state = free_state,
};
