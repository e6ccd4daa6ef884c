/* smtp_reply.h - a pure parser for SMTP replies (RFC 5321 4.2).
 *
 * A reply is one or more lines "NNN-text" ending with "NNN text" (or a bare
 * "NNN").  The parser never does I/O: the probe hands it the bytes received
 * so far and it says whether a whole reply is there, so it can be unit-tested
 * and fuzzed on its own.  Everything is bounded (line length, line count)
 * because the peer is untrusted: a server that sends an endless line or an
 * endless multi-line reply is reported, not buffered. */
#ifndef MXAUDIT_SMTP_REPLY_H
#define MXAUDIT_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* RFC 5321 4.5.3.1.5 says 512 octets per reply line; real servers stay far
 * below.  Be lenient, but bounded. */
#define SMTP_REPLY_MAX_LINE 2048
#define SMTP_REPLY_MAX_LINES 100

enum smtp_parse {
	SMTP_PARSE_MORE = 0, /* no complete reply yet: read more */
	SMTP_PARSE_DONE,     /* a complete reply is in *out */
	SMTP_PARSE_BAD,      /* not SMTP (or over the bounds): *why says why */
};

struct smtp_reply {
	int code;             /* 200..599 */
	struct strlist lines; /* the text of each line, after "NNN-" / "NNN " */
};

/* Look for one complete reply at the start of buf[0..len).  On DONE, *out
 * is filled (free with smtp_reply_free) and *consumed is the number of
 * bytes it used (CRLF included).  Bare LF line ends are accepted. */
enum smtp_parse smtp_reply_parse(const char *buf, size_t len, struct smtp_reply *out, size_t *consumed,
                                 const char **why);
void smtp_reply_free(struct smtp_reply *r);

/* EHLO keywords (the first word of every line but the greeting line),
 * upper-cased, into out. */
void smtp_reply_ehlo_keywords(const struct smtp_reply *r, struct strlist *out);
/* Does the EHLO reply advertise keyword kw (case-insensitive)? */
bool smtp_reply_has_keyword(const struct smtp_reply *r, const char *kw);

#endif
