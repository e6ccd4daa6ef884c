/* tls_probe.h - one non-blocking TLS probe of one address, driven by the
 * event loop: SMTP (banner, EHLO, STARTTLS, handshake, EHLO, QUIT) or HTTPS
 * (handshake, GET, read to end - for the MTA-STS policy).
 *
 * Nothing blocks: connect() returns EINPROGRESS and completes on POLLOUT,
 * SSL_do_handshake / SSL_read / SSL_write return WANT_READ / WANT_WRITE and
 * re-arm the descriptor.  Each phase has its own timer; when it fires the
 * probe ends with an error naming the phase.  The handshake runs with
 * SSL_VERIFY_NONE so a bad certificate can be diagnosed rather than just
 * refused; the chain, name and DANE results are then reported.
 *
 * The completion callback always runs from the event loop (a zero timer),
 * never from inside tls_probe_start() or another probe call, and the probe
 * may be freed from inside it. */
#ifndef MXAUDIT_TLS_PROBE_H
#define MXAUDIT_TLS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "textlines.h"

struct evloop;
struct tls_probe;
typedef struct ssl_ctx_st SSL_CTX;

enum tls_probe_mode {
	TLS_PROBE_SMTP = 0,
	TLS_PROBE_HTTPS,
};

/* One TLSA record (RFC 6698) to verify the presented chain against. */
struct tls_tlsa {
	uint8_t usage, selector, mtype;
	const unsigned char *data;
	size_t len;
};

struct tls_probe_config {
	enum tls_probe_mode mode;
	const char *host;    /* name: SNI, certificate name check, HTTP Host */
	const char *address; /* IP literal to connect to */
	int port;
	const char *helo;    /* SMTP: the EHLO name */
	const char *path;    /* HTTPS: the path to GET */
	int timeout_ms;      /* per phase */
	SSL_CTX *ctx;        /* from tls_probe_ctx_new(); shared by probes */
	const struct tls_tlsa *tlsa; /* DANE records (copied), or NULL */
	size_t ntlsa;
	bool offline; /* do not connect: end at once with an error saying so */
};

enum tls_probe_outcome {
	TLS_PROBE_RUNNING = 0,
	TLS_PROBE_TLS_OK,       /* handshake done; see the certificate fields */
	TLS_PROBE_NO_STARTTLS,  /* the server answered EHLO without STARTTLS */
	TLS_PROBE_ERROR,        /* could not decide: see error */
};

/* Limits: an untrusted peer decides how much it sends. */
#define TLS_PROBE_MAX_TRANSCRIPT 120
#define TLS_PROBE_MAX_HTTP (80 * 1024)

struct tls_probe_result {
	enum tls_probe_outcome outcome;
	char *error;         /* a sentence, for TLS_PROBE_ERROR */
	const char *phase;   /* where it ended: "connect", "banner", "ehlo", "starttls", "handshake", ... */
	bool refused;        /* a 4xx/5xx greeting or a throttled banner: the server refused this probe */
	int banner_code;     /* 0 when none came */
	bool starttls;       /* advertised in the EHLO reply */
	/* After a handshake: */
	char *tls_version, *cipher;
	bool have_cert;
	bool cert_valid;      /* chain verified against the trust store */
	char *verify_error;   /* why not, or NULL */
	bool hostname_match;  /* X509_check_host against host */
	long days_left;       /* until notAfter (negative: expired) */
	char *key_type;       /* "RSA", "EC", "ED25519" */
	int key_bits;
	bool self_signed;
	char *subject, *issuer, *not_after;
	/* DANE: */
	int dane_usable;      /* TLSA records OpenSSL accepted */
	int dane_matched;     /* -1 not tried, 0 no match, 1 matched */
	char *dane_detail;    /* the record that matched and the depth, or why not */
	/* HTTPS: the raw response (headers and body, bounded). */
	char *http;
	size_t http_len;
	/* Evidence: "C: EHLO ..." / "S: 250-..." / "* handshake ..." lines, bounded. */
	struct textlines transcript;
	int64_t elapsed_ms;
};

typedef void (*tls_probe_cb)(struct tls_probe *p, void *arg);

/* The shared client context: default trust store (SSL_CERT_FILE /
 * SSL_CERT_DIR honoured) plus ca_file if given, DANE enabled, every
 * protocol version allowed so old servers can be diagnosed.  NULL and *err
 * (allocated) on failure. */
SSL_CTX *tls_probe_ctx_new(const char *ca_file, char **err);
void tls_probe_ctx_free(SSL_CTX *ctx);

struct tls_probe *tls_probe_start(struct evloop *loop, const struct tls_probe_config *cfg, tls_probe_cb cb,
                                  void *arg);
/* Cancels a running probe (no callback afterwards). */
void tls_probe_free(struct tls_probe *p);
const struct tls_probe_result *tls_probe_result(const struct tls_probe *p);
bool tls_probe_done(const struct tls_probe *p);

/* Parse curl-style --connect-to "HOST:PORT:ADDR:PORT" (empty fields match
 * any host / port, or keep the original); IPv6 addresses in brackets.
 * Given (host, port) and a list of specs, the first that applies rewrites
 * addr (INET6_ADDRSTRLEN bytes; left alone when the spec's ADDR is empty)
 * and *port.  Returns true if one applied, false otherwise; *bad gets the
 * first malformed spec, if any. */
bool tls_connect_to_apply(const char *const *specs, size_t nspecs, const char *host, char *addr, size_t addrlen,
                          int *port, const char **bad);

#endif
