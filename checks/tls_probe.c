/* tls_probe.c - non-blocking STARTTLS / HTTPS probe (see tls_probe.h). */
#include "tls_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <ctype.h>
#include <dirent.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "evloop.h"
#include "smtp_reply.h"
#include "util.h"

enum phase {
	PH_CONNECT = 0,
	PH_BANNER,
	PH_EHLO,
	PH_STARTTLS,
	PH_HANDSHAKE,
	PH_EHLO2,
	PH_HTTP,
	PH_QUIT,
	PH_DONE,
};

static const char *const phase_names[] = {
	"connect", "banner", "ehlo", "starttls", "handshake", "ehlo-after-tls", "http", "quit", "done",
};

/* The input buffer holds at most one SMTP reply (bounded by the parser) or
 * the HTTP response. */
#define INBUF_MAX (TLS_PROBE_MAX_HTTP + 1)
/* QUIT is a courtesy: do not wait long for its answer. */
#define QUIT_WAIT_MS 1000
#define TRANSCRIPT_LINE_MAX 300

struct tls_probe {
	struct evloop *loop;
	enum tls_probe_mode mode;
	char *host, *address, *helo, *path;
	int port, timeout_ms;
	SSL_CTX *ctx;
	struct tls_tlsa *tlsa;
	size_t ntlsa;
	tls_probe_cb cb;
	void *arg;

	int fd;
	SSL *ssl;
	enum phase phase;
	struct evtimer *timer;      /* the phase timeout */
	struct evtimer *done_timer; /* delivers the callback from the loop */
	struct strbuf in, out;
	size_t out_off;
	bool https_done;
	int64_t started;
	struct tls_probe_result res;
};

static void pump(struct tls_probe *p);
static void handshake_step(struct tls_probe *p);

/* --- transcript --- */

static void note(struct tls_probe *p, enum line_style st, const char *prefix, const char *text, size_t n)
{
	struct textlines *t = &p->res.transcript;
	if (t->n > TLS_PROBE_MAX_TRANSCRIPT)
		return;
	if (t->n == TLS_PROBE_MAX_TRANSCRIPT) {
		textlines_add(t, LINE_DIM, 0, "... (transcript cut at %d lines)", TLS_PROBE_MAX_TRANSCRIPT);
		return;
	}
	if (n > TRANSCRIPT_LINE_MAX)
		textlines_add(t, st, 0, "%s%.*s...", prefix, TRANSCRIPT_LINE_MAX, text);
	else
		textlines_add(t, st, 0, "%s%.*s", prefix, (int)n, text);
}

static void notef(struct tls_probe *p, enum line_style st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void notef(struct tls_probe *p, enum line_style st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	note(p, st, "* ", s, strlen(s));
	free(s);
}

static void note_reply(struct tls_probe *p, const struct smtp_reply *r)
{
	for (size_t i = 0; i < r->lines.n; i++) {
		char prefix[16];
		snprintf(prefix, sizeof(prefix), "S: %03d%c", r->code, i + 1 < r->lines.n ? '-' : ' ');
		note(p, LINE_NORMAL, prefix, r->lines.v[i], strlen(r->lines.v[i]));
	}
}

/* --- ending --- */

static void deliver(void *arg)
{
	struct tls_probe *p = arg;
	p->done_timer = NULL;
	p->cb(p, p->arg);
}

static void close_conn(struct tls_probe *p)
{
	if (p->timer) {
		evloop_timer_cancel(p->loop, p->timer);
		p->timer = NULL;
	}
	if (p->ssl) {
		SSL_free(p->ssl);
		p->ssl = NULL;
	}
	if (p->fd >= 0) {
		evloop_io_remove(p->loop, p->fd);
		close(p->fd);
		p->fd = -1;
	}
}

static void finish(struct tls_probe *p)
{
	if (p->phase == PH_DONE)
		return;
	if (!p->res.phase)
		p->res.phase = phase_names[p->phase];
	p->phase = PH_DONE;
	close_conn(p);
	p->res.elapsed_ms = evloop_now(p->loop) - p->started;
	p->done_timer = evloop_timer_add(p->loop, 0, deliver, p);
}

/* End with an error - unless the verdict is already in and only the QUIT
 * courtesy went wrong. */
static void fail(struct tls_probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct tls_probe *p, const char *fmt, ...)
{
	if (p->phase == PH_DONE)
		return;
	if (p->phase == PH_QUIT && p->res.outcome != TLS_PROBE_RUNNING) {
		finish(p);
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	free(p->res.error);
	p->res.error = xvasprintf(fmt, ap);
	va_end(ap);
	p->res.outcome = TLS_PROBE_ERROR;
	p->res.phase = phase_names[p->phase];
	note(p, LINE_ERROR, "! ", p->res.error, strlen(p->res.error));
	finish(p);
}

static void on_phase_timeout(void *arg)
{
	struct tls_probe *p = arg;
	p->timer = NULL;
	double s = p->timeout_ms / 1000.0;
	switch (p->phase) {
	case PH_CONNECT:
		fail(p, "could not connect to %s port %d: no answer within %.1f s", p->address, p->port, s);
		break;
	case PH_BANNER:
		p->res.refused = true;
		fail(p, "the server refused or throttled this probe: no complete greeting within %.1f s%s", s,
		     p->in.len ? " (it sent part of one: a tarpit?)" : "");
		break;
	case PH_HANDSHAKE:
		fail(p, "the TLS handshake did not complete within %.1f s", s);
		break;
	case PH_QUIT:
		finish(p);
		break;
	default:
		fail(p, "no answer to %s within %.1f s", p->phase == PH_EHLO || p->phase == PH_EHLO2 ? "EHLO"
		                                         : p->phase == PH_STARTTLS                  ? "STARTTLS"
		                                                                                    : "the request",
		     s);
		break;
	}
}

static void set_phase(struct tls_probe *p, enum phase ph)
{
	p->phase = ph;
	if (p->timer)
		evloop_timer_cancel(p->loop, p->timer);
	p->timer = evloop_timer_add(p->loop, ph == PH_QUIT ? QUIT_WAIT_MS : p->timeout_ms, on_phase_timeout, p);
}

/* --- I/O --- */

static void on_io(int fd, short revents, void *arg);

static void arm(struct tls_probe *p, short events)
{
	evloop_io_set(p->loop, p->fd, events, on_io, p);
}

static void send_cmd(struct tls_probe *p, const char *cmd)
{
	note(p, LINE_DIM, "C: ", cmd, strlen(cmd));
	strbuf_adds(&p->out, cmd);
	strbuf_adds(&p->out, "\r\n");
}

static const char *ssl_error_text(void)
{
	static char buf[256];
	unsigned long e = ERR_peek_last_error();
	if (!e)
		return NULL;
	ERR_error_string_n(e, buf, sizeof(buf));
	return buf;
}

/* Map a failed SSL_* call: >0 means "wait" (armed), <0 means ended. */
static int ssl_wait(struct tls_probe *p, int r, const char *what)
{
	int e = SSL_get_error(p->ssl, r);
	if (e == SSL_ERROR_WANT_READ) {
		arm(p, POLLIN);
		return 1;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		arm(p, POLLOUT);
		return 1;
	}
	const char *why = ssl_error_text();
	/* OpenSSL 3 reports a peer that just hung up as an error. */
	bool eof = ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
	if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && !why) || eof)
		fail(p, "the server closed the connection during %s%s%s", what, errno ? ": " : "",
		     errno ? strerror(errno) : "");
	else
		fail(p, "TLS error during %s: %s", what, why ? why : "unknown");
	return -1;
}

/* Write pending output: 1 all written, 0 waiting, -1 ended. */
static int flush_out(struct tls_probe *p)
{
	while (p->out_off < p->out.len) {
		size_t n = p->out.len - p->out_off;
		const char *d = p->out.s + p->out_off;
		if (p->ssl) {
			ERR_clear_error();
			errno = 0;
			int r = SSL_write(p->ssl, d, (int)n);
			if (r <= 0)
				return ssl_wait(p, r, "a write") > 0 ? 0 : -1;
			p->out_off += (size_t)r;
		} else {
			ssize_t r = send(p->fd, d, n, MSG_NOSIGNAL);
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
				arm(p, POLLOUT);
				return 0;
			}
			if (r < 0) {
				fail(p, "sending to %s failed: %s", p->address, strerror(errno));
				return -1;
			}
			p->out_off += (size_t)r;
		}
	}
	strbuf_free(&p->out);
	strbuf_init(&p->out);
	p->out_off = 0;
	return 1;
}

/* Acknowledge at once.  A server that writes a multi-line reply one line
 * per write() (aiosmtpd does; Nagle then holds line 2 until line 1 is
 * ACKed) otherwise waits for Linux's delayed ACK, ~40 ms, once per reply:
 * that, not the network, was most of a STARTTLS probe's time in bench/.
 * Quick-ACK mode is not sticky, so it is set again after every read. */
static void quickack(int fd)
{
#ifdef TCP_QUICKACK
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)fd;
#endif
}

/* Read what is there: 1 got bytes, 0 waiting, -1 ended (closed or error;
 * an orderly close in the HTTPS body phase completes the response). */
static int read_in(struct tls_probe *p)
{
	char buf[4096];
	if (p->in.len >= INBUF_MAX) {
		fail(p, "the server sent more than %d bytes", INBUF_MAX - 1);
		return -1;
	}
	size_t want = sizeof(buf);
	if (want > INBUF_MAX - p->in.len)
		want = INBUF_MAX - p->in.len;
	ssize_t n;
	if (p->ssl) {
		ERR_clear_error();
		errno = 0;
		int r = SSL_read(p->ssl, buf, (int)want);
		/* Also when no application data came out: TLS 1.3 servers send
		 * their session tickets right after the handshake, SSL_read()
		 * consumes them and wants more, and an unacknowledged ticket holds
		 * the server's next small write (the EHLO reply) under Nagle for
		 * our delayed ACK - 40 ms a probe in bench/. */
		quickack(p->fd);
		if (r <= 0) {
			int e = SSL_get_error(p->ssl, r);
			/* Many web servers close without close_notify; the HTTP
			 * parser checks Content-Length, so a cut body still shows. */
			if (p->phase == PH_HTTP &&
			    (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && !ERR_peek_last_error()) ||
			     ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
				p->https_done = true;
				return 1;
			}
			return ssl_wait(p, r, phase_names[p->phase]) > 0 ? 0 : -1;
		}
		n = r;
	} else {
		n = recv(p->fd, buf, want, 0);
		if (n > 0)
			quickack(p->fd);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			arm(p, POLLIN);
			return 0;
		}
		if (n < 0) {
			fail(p, "reading from %s failed: %s", p->address, strerror(errno));
			return -1;
		}
		if (n == 0) {
			if (p->phase == PH_BANNER)
				p->res.refused = true;
			fail(p, "the server closed the connection%s", p->phase == PH_BANNER ? " before its greeting" : "");
			return -1;
		}
	}
	strbuf_add(&p->in, buf, (size_t)n);
	return 1;
}

/* --- the SMTP dialogue --- */

static void start_tls(struct tls_probe *p)
{
	p->ssl = SSL_new(p->ctx);
	if (!p->ssl) {
		fail(p, "cannot create a TLS session: %s", ssl_error_text() ? ssl_error_text() : "out of memory");
		return;
	}
	SSL_set_fd(p->ssl, p->fd);
	SSL_set_connect_state(p->ssl);
	/* SNI is the MX name; an IP literal is not allowed in SNI (RFC 6066 3). */
	int fam;
	unsigned char a[16];
	if (!ip_parse(p->host, &fam, a))
		SSL_set_tlsext_host_name(p->ssl, p->host);
	if (p->ntlsa && SSL_dane_enable(p->ssl, p->host) > 0) {
		/* RFC 7672 3.1.1: DANE-EE(3) ignores the names in the certificate. */
		SSL_dane_set_flags(p->ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
		for (size_t i = 0; i < p->ntlsa; i++) {
			const struct tls_tlsa *t = &p->tlsa[i];
			int r = SSL_dane_tlsa_add(p->ssl, t->usage, t->selector, t->mtype, t->data, t->len);
			if (r > 0)
				p->res.dane_usable++;
			else
				notef(p, LINE_WARN, "TLSA %u %u %u not usable by OpenSSL%s", t->usage, t->selector, t->mtype,
				      r < 0 ? " (malformed)" : "");
		}
		ERR_clear_error();
	}
	set_phase(p, PH_HANDSHAKE);
	handshake_step(p);
}

static void send_ehlo(struct tls_probe *p, enum phase ph)
{
	char *cmd = xasprintf("EHLO %s", p->helo);
	send_cmd(p, cmd);
	free(cmd);
	set_phase(p, ph);
}

static void quit(struct tls_probe *p)
{
	send_cmd(p, "QUIT");
	set_phase(p, PH_QUIT);
}

/* A complete reply arrived in the current phase. */
static void on_reply(struct tls_probe *p, const struct smtp_reply *r)
{
	char *first = r->lines.n ? r->lines.v[0] : "";
	switch (p->phase) {
	case PH_BANNER:
		p->res.banner_code = r->code;
		if (r->code != 220) {
			p->res.refused = true;
			fail(p, "the server refused or throttled this probe: it greeted with %d %s", r->code, first);
			return;
		}
		send_ehlo(p, PH_EHLO);
		return;
	case PH_EHLO:
		if (r->code != 250) {
			p->res.refused = true;
			fail(p, "the server refused EHLO %s: %d %s", p->helo, r->code, first);
			return;
		}
		p->res.starttls = smtp_reply_has_keyword(r, "STARTTLS");
		if (!p->res.starttls) {
			notef(p, LINE_FAIL, "STARTTLS is not advertised");
			p->res.outcome = TLS_PROBE_NO_STARTTLS;
			quit(p);
			return;
		}
		send_cmd(p, "STARTTLS");
		set_phase(p, PH_STARTTLS);
		return;
	case PH_STARTTLS:
		if (r->code != 220) {
			fail(p, "STARTTLS is advertised but the server answered %d %s", r->code, first);
			return;
		}
		/* Bytes after the 220 would be read as if they came through TLS
		 * (the CVE-2011-0411 injection); they have no business there. */
		if (p->in.len) {
			notef(p, LINE_WARN, "%zu bytes after the STARTTLS reply discarded", p->in.len);
			strbuf_free(&p->in);
			strbuf_init(&p->in);
		}
		start_tls(p);
		return;
	case PH_EHLO2:
		if (r->code != 250)
			notef(p, LINE_WARN, "EHLO after STARTTLS was answered with %d", r->code);
		quit(p);
		return;
	case PH_QUIT:
		finish(p);
		return;
	default:
		return;
	}
}

/* Try to take one reply out of the input: true if the phase moved on. */
static bool process(struct tls_probe *p)
{
	if (p->mode == TLS_PROBE_HTTPS) {
		if (p->https_done) {
			p->res.outcome = TLS_PROBE_TLS_OK;
			p->res.http_len = p->in.len;
			p->res.http = strbuf_steal(&p->in);
			notef(p, LINE_DIM, "HTTP response of %zu bytes", p->res.http_len);
			finish(p);
			return true;
		}
		return false;
	}
	if (!p->in.len)
		return false;
	struct smtp_reply r;
	size_t used = 0;
	const char *why = NULL;
	enum smtp_parse pr = smtp_reply_parse(p->in.s, p->in.len, &r, &used, &why);
	if (pr == SMTP_PARSE_MORE)
		return false;
	if (pr == SMTP_PARSE_BAD) {
		note(p, LINE_ERROR, "S: ", p->in.s, strcspn(p->in.s, "\r\n"));
		if (p->phase == PH_BANNER)
			p->res.refused = true;
		fail(p, "the server did not speak SMTP: %s", why);
		return true;
	}
	note_reply(p, &r);
	size_t rest = p->in.len - used;
	memmove(p->in.s, p->in.s + used, rest);
	p->in.len = rest;
	p->in.s[rest] = '\0';
	on_reply(p, &r);
	smtp_reply_free(&r);
	return true;
}

static void pump(struct tls_probe *p)
{
	for (;;) {
		if (p->phase == PH_DONE || p->phase == PH_HANDSHAKE)
			return;
		if (p->out_off < p->out.len || p->out.len) {
			int r = flush_out(p);
			if (r <= 0)
				return;
		}
		if (process(p))
			continue;
		if (read_in(p) <= 0)
			return;
	}
}

/* --- the handshake and what it shows --- */

static char *x509_name(const X509_NAME *n)
{
	char buf[512];
	X509_NAME_oneline(n, buf, sizeof(buf));
	return xstrdup(buf);
}

static void inspect_cert(struct tls_probe *p)
{
	struct tls_probe_result *res = &p->res;
	X509 *cert = SSL_get1_peer_certificate(p->ssl);
	if (!cert) {
		notef(p, LINE_WARN, "the server presented no certificate");
		return;
	}
	res->have_cert = true;
	res->subject = x509_name(X509_get_subject_name(cert));
	res->issuer = x509_name(X509_get_issuer_name(cert));
	res->self_signed = X509_self_signed(cert, 0) == 1;
	res->hostname_match = X509_check_host(cert, p->host, 0, 0, NULL) == 1;
	const ASN1_TIME *na = X509_get0_notAfter(cert);
	int days = 0, secs = 0;
	if (ASN1_TIME_diff(&days, &secs, NULL, na)) {
		long long total = (long long)days * 86400 + secs;
		res->days_left = (long)(total >= 0 ? total / 86400 : -((-total + 86399) / 86400));
	}
	BIO *b = BIO_new(BIO_s_mem());
	if (b && ASN1_TIME_print(b, na)) {
		char tbuf[64] = "";
		int n = BIO_read(b, tbuf, sizeof(tbuf) - 1);
		if (n > 0)
			res->not_after = xstrndup(tbuf, (size_t)n);
	}
	BIO_free(b);
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	if (pk) {
		const char *tn = EVP_PKEY_get0_type_name(pk);
		res->key_type = xstrdup(tn ? tn : "unknown");
		res->key_bits = EVP_PKEY_get_bits(pk);
	}
	/* The chain against the trust store, on its own: the handshake ran
	 * with DANE (when there are TLSA records), which replaces PKIX, and we
	 * want to report both. */
	X509_STORE_CTX *vctx = X509_STORE_CTX_new();
	if (vctx && X509_STORE_CTX_init(vctx, SSL_CTX_get_cert_store(p->ctx), cert, SSL_get_peer_cert_chain(p->ssl))) {
		X509_STORE_CTX_set_default(vctx, "ssl_server");
		res->cert_valid = X509_verify_cert(vctx) == 1;
		if (!res->cert_valid)
			res->verify_error = xstrdup(X509_verify_cert_error_string(X509_STORE_CTX_get_error(vctx)));
	} else {
		res->verify_error = xstrdup("could not set up verification");
	}
	X509_STORE_CTX_free(vctx);
	ERR_clear_error();
	notef(p, LINE_DIM, "certificate: %s (issuer %s), %s %d bits, expires %s (%ld days)", res->subject, res->issuer,
	      res->key_type ? res->key_type : "?", res->key_bits, res->not_after ? res->not_after : "?",
	      res->days_left);
	notef(p, res->cert_valid ? LINE_PASS : LINE_WARN, "chain: %s; name %s: %s", res->cert_valid ? "verified" :
	      res->verify_error, p->host, res->hostname_match ? "matches" : "does not match");
	X509_free(cert);
}

static void inspect_dane(struct tls_probe *p)
{
	struct tls_probe_result *res = &p->res;
	if (!p->ntlsa) {
		res->dane_matched = -1;
		return;
	}
	if (!res->dane_usable) {
		res->dane_matched = 0;
		res->dane_detail = xstrdup("none of the TLSA records is usable");
		return;
	}
	uint8_t u = 0, s = 0, m = 0;
	const unsigned char *d = NULL;
	size_t dl = 0;
	int depth = SSL_get0_dane_authority(p->ssl, NULL, NULL);
	if (depth >= 0 && SSL_get0_dane_tlsa(p->ssl, &u, &s, &m, &d, &dl) >= 0) {
		res->dane_matched = 1;
		res->dane_detail = xasprintf("TLSA %u %u %u matched the certificate at depth %d", u, s, m, depth);
	} else {
		long v = SSL_get_verify_result(p->ssl);
		res->dane_matched = 0;
		res->dane_detail = xasprintf("no TLSA record matched the presented chain (%s)",
		                             X509_verify_cert_error_string(v));
	}
	notef(p, res->dane_matched ? LINE_PASS : LINE_FAIL, "DANE: %s", res->dane_detail);
}

static void handshake_step(struct tls_probe *p)
{
	ERR_clear_error();
	errno = 0;
	int r = SSL_do_handshake(p->ssl);
	quickack(p->fd); /* the handshake reads too (see quickack()) */
	if (r != 1) {
		ssl_wait(p, r, "the TLS handshake");
		return;
	}
	struct tls_probe_result *res = &p->res;
	res->tls_version = xstrdup(SSL_get_version(p->ssl));
	res->cipher = xstrdup(SSL_get_cipher_name(p->ssl));
	notef(p, LINE_PASS, "TLS handshake done: %s, %s", res->tls_version, res->cipher);
	inspect_cert(p);
	inspect_dane(p);
	res->outcome = TLS_PROBE_TLS_OK;
	if (p->mode == TLS_PROBE_SMTP) {
		send_ehlo(p, PH_EHLO2);
	} else {
		char *req = xasprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: mxaudit/" MXAUDIT_VERSION
		                      "\r\nAccept: text/plain\r\nConnection: close\r\n\r\n", p->path, p->host);
		note(p, LINE_DIM, "C: ", req, strcspn(req, "\r"));
		strbuf_adds(&p->out, req);
		free(req);
		/* The verdict needs the body: an error from here on is an error. */
		res->outcome = TLS_PROBE_RUNNING;
		set_phase(p, PH_HTTP);
	}
	pump(p);
}

static void connected(struct tls_probe *p)
{
	notef(p, LINE_DIM, "connected");
	if (p->mode == TLS_PROBE_HTTPS) {
		start_tls(p);
		return;
	}
	set_phase(p, PH_BANNER);
	pump(p);
}

static void on_io(int fd, short revents, void *arg)
{
	struct tls_probe *p = arg;
	(void)fd;
	(void)revents;
	switch (p->phase) {
	case PH_CONNECT: {
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			fail(p, "could not connect to %s port %d: %s", p->address, p->port, strerror(err));
			return;
		}
		connected(p);
		return;
	}
	case PH_HANDSHAKE:
		handshake_step(p);
		return;
	case PH_DONE:
		return;
	default:
		pump(p);
		return;
	}
}

/* --- public --- */

/* Does dir hold OpenSSL's subject-hash links ("5ad8a5d6.0")? */
static bool dir_has_hash_links(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	for (struct dirent *e; !found && (e = readdir(d));) {
		const char *n = e->d_name;
		size_t i = 0;
		while (i < 8 && isxdigit((unsigned char)n[i]))
			i++;
		found = i == 8 && n[8] == '.' && isdigit((unsigned char)n[9]);
	}
	closedir(d);
	return found;
}

/* A CA bundle read the first time a chain asks the store for an issuer it
 * does not hold, instead of when the context is made.  Parsing the system
 * bundle (ca-certificates.crt: about 140 certificates, 10-25 ms) up front
 * put that time before the audit's first query; with --ca-file, or a
 * hashed directory that has the issuer, it is now never read at all.  The
 * method data is the path, cleared once the bundle has been read. */
static int lazy_bundle_by_subject(X509_LOOKUP *lu, X509_LOOKUP_TYPE type, const X509_NAME *name, X509_OBJECT *ret)
{
	char *path = X509_LOOKUP_get_method_data(lu);
	if (type != X509_LU_X509 || !path)
		return 0;
	X509_LOOKUP_set_method_data(lu, NULL);
	X509_STORE *store = X509_LOOKUP_get_store(lu);
	BIO *in = BIO_new_file(path, "r");
	free(path);
	if (!in)
		return 0;
	X509 *x;
	while ((x = PEM_read_bio_X509_AUX(in, NULL, NULL, NULL))) {
		X509_STORE_add_cert(store, x);
		X509_free(x);
	}
	BIO_free(in);
	ERR_clear_error(); /* the end of the file reads as a PEM error */
	/* As OpenSSL's directory lookup does: the certificates are in the store
	 * now; hand back the one asked for. */
	X509_OBJECT *o = X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(store), X509_LU_X509, name);
	return o && X509_OBJECT_set1_X509(ret, X509_OBJECT_get0_X509(o));
}

static void lazy_bundle_free(X509_LOOKUP *lu)
{
	free(X509_LOOKUP_get_method_data(lu));
}

static void add_lazy_bundle(SSL_CTX *ctx, const char *path)
{
	static X509_LOOKUP_METHOD *method; /* one per process, never freed */
	if (!method) {
		method = X509_LOOKUP_meth_new("mxaudit lazy CA bundle");
		if (!method)
			return;
		X509_LOOKUP_meth_set_get_by_subject(method, lazy_bundle_by_subject);
		X509_LOOKUP_meth_set_free(method, lazy_bundle_free);
	}
	X509_LOOKUP *lu = X509_STORE_add_lookup(SSL_CTX_get_cert_store(ctx), method);
	if (lu)
		X509_LOOKUP_set_method_data(lu, xstrdup(path));
}

/* The system's trust anchors, where SSL_CTX_set_default_verify_paths()
 * finds them (SSL_CERT_DIR / SSL_CERT_FILE, else OpenSSL's built-in
 * paths), read on demand: the directory (Debian's /etc/ssl/certs) names
 * one file per CA by subject hash and OpenSSL reads only the issuers a
 * chain asks for; the bundle file is read whole, but only when the
 * directory did not have the issuer.  The built-in bundle is skipped when
 * the built-in directory is hashed (it holds the same certificates). */
static void load_system_trust(SSL_CTX *ctx)
{
	const char *file = getenv(X509_get_default_cert_file_env());
	const char *dir = getenv(X509_get_default_cert_dir_env());
	bool use_dir = dir ? true : dir_has_hash_links(dir = X509_get_default_cert_dir());
	if (use_dir)
		SSL_CTX_load_verify_dir(ctx, dir);
	if (file || !use_dir)
		add_lazy_bundle(ctx, file ? file : X509_get_default_cert_file());
	ERR_clear_error(); /* a missing default file or directory is not an error here */
}

SSL_CTX *tls_probe_ctx_new(const char *ca_file, char **err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		*err = xasprintf("cannot create a TLS context: %s", ssl_error_text() ? ssl_error_text() : "?");
		return NULL;
	}
	/* A probe must reach servers that only speak old protocols to say so. */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	load_system_trust(ctx);
	if (ca_file && SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		*err = xasprintf("cannot load CA file %s: %s", ca_file, ssl_error_text() ? ssl_error_text() : "?");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_dane_enable(ctx) <= 0) {
		*err = xasprintf("cannot enable DANE: %s", ssl_error_text() ? ssl_error_text() : "?");
		SSL_CTX_free(ctx);
		return NULL;
	}
	ERR_clear_error();
	return ctx;
}

void tls_probe_ctx_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}

struct tls_probe *tls_probe_start(struct evloop *loop, const struct tls_probe_config *cfg, tls_probe_cb cb,
                                  void *arg)
{
	struct tls_probe *p = xcalloc(1, sizeof(*p));
	p->loop = loop;
	p->mode = cfg->mode;
	p->host = xstrdup(cfg->host);
	p->address = xstrdup(cfg->address);
	p->helo = xstrdup(cfg->helo ? cfg->helo : "localhost");
	p->path = xstrdup(cfg->path ? cfg->path : "/");
	p->port = cfg->port;
	p->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 5000;
	p->ctx = cfg->ctx;
	SSL_CTX_up_ref(p->ctx);
	p->cb = cb;
	p->arg = arg;
	p->fd = -1;
	p->started = evloop_now(loop);
	p->res.dane_matched = -1;
	strbuf_init(&p->in);
	strbuf_init(&p->out);
	if (cfg->ntlsa) {
		p->tlsa = xcalloc(cfg->ntlsa, sizeof(*p->tlsa));
		for (size_t i = 0; i < cfg->ntlsa; i++) {
			p->tlsa[i] = cfg->tlsa[i];
			unsigned char *d = xmalloc(cfg->tlsa[i].len ? cfg->tlsa[i].len : 1);
			memcpy(d, cfg->tlsa[i].data, cfg->tlsa[i].len);
			p->tlsa[i].data = d;
		}
		p->ntlsa = cfg->ntlsa;
	}

	p->phase = PH_CONNECT;
	int family;
	unsigned char addr[16];
	struct sockaddr_storage ss = {0};
	socklen_t sslen;
	if (!ip_parse(p->address, &family, addr)) {
		fail(p, "'%s' is not an IP address", p->address);
		return p;
	}
	if (cfg->offline) {
		/* The demo's hosts sit on documentation addresses: connecting
		 * would wait out the timeout on a connected machine and send
		 * packets from a demo that promises to stay offline. */
		fail(p, "not connected to %s port %d: the demo is offline (nothing listens on documentation addresses)",
		     p->address, p->port);
		return p;
	}
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p->port);
		memcpy(&sin->sin_addr, addr, 4);
		sslen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p->port);
		memcpy(&sin6->sin6_addr, addr, 16);
		sslen = sizeof(*sin6);
	}
	p->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		fail(p, "could not connect to %s port %d: %s", p->address, p->port, strerror(errno));
		return p;
	}
	/* Each write is one whole command or TLS flight: send it now. */
	int one = 1;
	(void)setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	set_phase(p, PH_CONNECT);
	notef(p, LINE_DIM, "connecting to %s port %d", p->address, p->port);
	if (connect(p->fd, (struct sockaddr *)&ss, sslen) == 0) {
		/* Loopback may connect at once; still continue from the loop. */
		arm(p, POLLOUT);
		return p;
	}
	if (errno != EINPROGRESS) {
		fail(p, "could not connect to %s port %d: %s", p->address, p->port, strerror(errno));
		return p;
	}
	arm(p, POLLOUT);
	return p;
}

void tls_probe_free(struct tls_probe *p)
{
	if (!p)
		return;
	close_conn(p);
	if (p->done_timer)
		evloop_timer_cancel(p->loop, p->done_timer);
	SSL_CTX_free(p->ctx);
	for (size_t i = 0; i < p->ntlsa; i++)
		free((void *)p->tlsa[i].data);
	free(p->tlsa);
	free(p->host);
	free(p->address);
	free(p->helo);
	free(p->path);
	strbuf_free(&p->in);
	strbuf_free(&p->out);
	struct tls_probe_result *r = &p->res;
	free(r->error);
	free(r->tls_version);
	free(r->cipher);
	free(r->verify_error);
	free(r->key_type);
	free(r->subject);
	free(r->issuer);
	free(r->not_after);
	free(r->dane_detail);
	free(r->http);
	textlines_free(&r->transcript);
	free(p);
}

const struct tls_probe_result *tls_probe_result(const struct tls_probe *p)
{
	return &p->res;
}

bool tls_probe_done(const struct tls_probe *p)
{
	return p->phase == PH_DONE;
}

/* --- --connect-to --- */

/* Next ':'-separated field of s, brackets protecting IPv6 colons. */
static const char *next_field(const char *s, char *out, size_t outlen, bool *ok)
{
	size_t n = 0;
	bool br = false;
	if (*s == '[') {
		br = true;
		s++;
	}
	while (*s && (br ? *s != ']' : *s != ':')) {
		if (n + 1 >= outlen) {
			*ok = false;
			return s;
		}
		out[n++] = *s++;
	}
	out[n] = '\0';
	if (br) {
		if (*s != ']') {
			*ok = false;
			return s;
		}
		s++;
	}
	if (*s == ':')
		s++;
	else if (*s)
		*ok = false;
	return s;
}

static bool parse_port(const char *s, int *port)
{
	if (!*s) {
		*port = -1;
		return true;
	}
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}

bool tls_connect_to_apply(const char *const *specs, size_t nspecs, const char *host, char *addr, size_t addrlen,
                          int *port, const char **bad)
{
	if (bad)
		*bad = NULL;
	for (size_t i = 0; i < nspecs; i++) {
		char h[256], p1[16], a[64], p2[16];
		bool ok = true;
		const char *s = specs[i];
		s = next_field(s, h, sizeof(h), &ok);
		s = next_field(s, p1, sizeof(p1), &ok);
		s = next_field(s, a, sizeof(a), &ok);
		s = next_field(s, p2, sizeof(p2), &ok);
		int from_port, to_port, fam;
		unsigned char bin[16];
		if (!ok || *s || !parse_port(p1, &from_port) || !parse_port(p2, &to_port) ||
		    (*a && !ip_parse(a, &fam, bin))) {
			if (bad && !*bad)
				*bad = specs[i];
			continue;
		}
		size_t hl = strlen(h);
		if (hl && h[hl - 1] == '.')
			h[hl - 1] = '\0';
		if (*h && !ascii_strcaseeq(h, host))
			continue;
		if (from_port > 0 && from_port != *port)
			continue;
		if (*a)
			ip_format(fam, bin, addr, addrlen);
		if (to_port > 0)
			*port = to_port;
		return true;
	}
	return false;
}
