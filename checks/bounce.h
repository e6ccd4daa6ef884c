/* bounce.h - the bounce reader (step 1 of the fix flow).
 *
 * bounce_parse() is a pure function: bytes in, a struct bounce out.  No I/O,
 * no globals, so tests and the fuzzer can feed it anything.  It accepts a
 * bare SMTP reply line, an SMTP transcript, a whole non-delivery report, an
 * RFC 3464 DSN (MIME multipart, quoted-printable / base64 parts, folded
 * headers), LF / CRLF / CR line ends and mbox files (the first message that
 * carries a reply code wins).  Work is linear in the input: every scan moves
 * forward, MIME nesting and part counts are bounded.
 *
 * Provider wording is data (data/bounce-patterns.txt), parsed by
 * bounce_patterns_parse() / loaded by bounce_patterns_load() and passed in;
 * the enhanced-status-code registry (data/enhanced-status-codes.txt) is
 * likewise data, used for the meaning of a code. */
#ifndef MXAUDIT_BOUNCE_H
#define MXAUDIT_BOUNCE_H

#include <stdbool.h>
#include <stddef.h>

/* CONVENTIONS.md "bounce.category", in that order. */
enum bounce_category {
	BOUNCE_UNKNOWN = 0,
	BOUNCE_RECIPIENT_ADDRESS,  /* 5.1.x: the address does not exist */
	BOUNCE_RECIPIENT_MAILBOX,  /* 5.2.x: it exists but cannot take mail */
	BOUNCE_ROUTING,            /* 5.4.x, unroutable domains */
	BOUNCE_SENDER_AUTH,        /* SPF / DKIM / DMARC: 5.7.26, 5.7.25, 5.7.27 ... */
	BOUNCE_SENDER_REPUTATION,  /* IP or domain blocked, blocklisted, spam policy */
	BOUNCE_CONTENT,            /* the message itself: size, attachment, spam content */
	BOUNCE_TEMPORARY,          /* 4xx: wait, do not "fix" */
	BOUNCE_CATEGORY_COUNT
};

enum bounce_confidence { BOUNCE_CONF_LOW = 0, BOUNCE_CONF_MEDIUM, BOUNCE_CONF_HIGH };

/* One line of data/bounce-patterns.txt: a case-insensitive substring of a
 * receiver's wording, what it means, its category and the step to go to. */
struct bounce_pattern {
	char *pattern;
	char *meaning;
	enum bounce_category category;
	int step;
};

struct bounce_patterns {
	struct bounce_pattern *v;
	size_t n, cap;
};

/* One line of data/enhanced-status-codes.txt: "X.1.1<TAB>meaning". */
struct bounce_code {
	char *code; /* "X.1.1" */
	char *meaning;
};

struct bounce_codes {
	struct bounce_code *v;
	size_t n, cap;
};

/* What a pasted message (the original inside a bounce, or a message pasted
 * on its own) says about its content, for the step 5 content note. */
struct bounce_message {
	bool present;      /* headers of an original message were found */
	bool has_date, has_message_id;
	size_t size;       /* bytes of the original message as carried */
	char *risky_attachment; /* first attachment with a risky type (.exe, ...), or NULL */
};

struct bounce {
	bool found;             /* a reply or enhanced status code was found */
	char *error;            /* "no SMTP reply code found" when !found */
	char reply_code[4];     /* "550", or "" */
	char enhanced_code[16]; /* "5.7.26", or "" */
	bool permanent;         /* 5xx / 5.x.x */
	enum bounce_category category;
	enum bounce_confidence confidence;
	int first_step;         /* 1..6 */
	char *diagnostic;       /* the sentence it rests on (raw) */
	char *meaning;          /* provider pattern meaning, or NULL */
	char *matched_pattern;  /* the pattern that matched, or NULL */
	char *reporting_mta;
	char *remote_mta;       /* who actually rejected; NULL = the reporting MTA itself */
	char *recipient;
	char *dkim_domain, *dkim_selector; /* original DKIM-Signature d= / s= */
	char *envelope_domain;  /* original Return-Path / MAIL FROM domain */
	char *from_domain;      /* original From: domain */
	bool is_dsn;            /* an RFC 3464 delivery-status part was present */
	struct bounce_message message;
};

const char *bounce_category_name(enum bounce_category c); /* "recipient-address" ... */
enum bounce_category bounce_category_from_name(const char *s); /* -1 cast when unknown */
const char *bounce_confidence_name(enum bounce_confidence c); /* "low" "medium" "high" */

/* Parse pattern lines "pattern | category | step | meaning" ('#' comments).
 * Returns false and sets *err (allocated, names the line) on a bad line. */
bool bounce_patterns_parse(struct bounce_patterns *pt, const char *text, size_t len, char **err);
/* Read and parse a file (the one function here that does I/O). */
bool bounce_patterns_load(struct bounce_patterns *pt, const char *path, char **err);
void bounce_patterns_free(struct bounce_patterns *pt);

bool bounce_codes_parse(struct bounce_codes *codes, const char *text, size_t len, char **err);
bool bounce_codes_load(struct bounce_codes *codes, const char *path, char **err);
void bounce_codes_free(struct bounce_codes *codes);
/* Registry meaning of "5.7.26" (looked up as X.7.26), or NULL. */
const char *bounce_code_meaning(const struct bounce_codes *codes, const char *enhanced);

/* Decode buf (any bytes, not NUL-terminated).  pt may be NULL (codes only).
 * Always fills *b (free with bounce_free); returns b->found. */
bool bounce_parse(const char *buf, size_t len, const struct bounce_patterns *pt, struct bounce *b);
void bounce_free(struct bounce *b);

/* The category an enhanced code implies on its own, and its first step. */
enum bounce_category bounce_code_category(const char *enhanced, int *step);
int bounce_category_step(enum bounce_category c);

#endif
