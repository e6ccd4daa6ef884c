/* sanitize.h - make text from the outside world (DNS, SMTP, pasted bounces)
 * safe to show on a terminal or in a report.
 *
 * Anyone can publish a TXT record or an SMTP banner containing escape
 * sequences: shown raw they could recolour the screen, move the cursor,
 * retitle the window or write the clipboard (OSC 52).  Every string from
 * outside passes through sanitize_text() before it reaches the terminal or
 * a Markdown report.
 *
 * Rules: printable ASCII passes; C0 controls and DEL become \xHH (TAB stays
 * as \t, and newlines are kept only with SANITIZE_KEEP_NEWLINES); valid
 * UTF-8 passes when utf8 is allowed, except C1 controls (U+0080..U+009F),
 * bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069),
 * zero-width and BOM characters, which become \u{XXXX}; invalid UTF-8 bytes
 * become \xHH.  In ASCII mode every non-ASCII character is escaped. */
#ifndef MXAUDIT_SANITIZE_H
#define MXAUDIT_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	SANITIZE_UTF8 = 1u << 0,          /* let safe UTF-8 through (else \u{...}) */
	SANITIZE_KEEP_NEWLINES = 1u << 1, /* keep \n (multi-line text) */
};

/* Returns a newly allocated, NUL-terminated safe string. */
char *sanitize_text(const char *s, size_t len, unsigned flags);
/* Decode one UTF-8 sequence at s (n > 0 bytes available): its length and
 * code point, or 0 when the bytes are not valid UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF included). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Convenience for NUL-terminated input. */
char *sanitize_str(const char *s, unsigned flags);

#endif
