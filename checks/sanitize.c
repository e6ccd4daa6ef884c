/* sanitize.c - escape everything that could drive a terminal. */
#include "sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Decode one UTF-8 sequence at s (n bytes available).  Returns its length
 * and the code point, or 0 when the bytes are not valid (overlong forms,
 * surrogates and values past U+10FFFF are invalid too). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len;
	uint32_t c, min;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2, c = s[0] & 0x1F, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3, c = s[0] & 0x0F, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Code points that change how text is laid out or interpreted without
 * being visible: C1 controls, bidi controls, zero-width and format chars. */
static bool invisible_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF ||
	       (cp >= 0xFFF9 && cp <= 0xFFFB);
}

/* "\\xHH" for one byte, without a printf per control character (hostile
 * input can be all control bytes). */
static void add_hex_escape(struct strbuf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
	strbuf_add(b, e, sizeof(e));
}

char *sanitize_text(const char *in, size_t len, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)in;
	struct strbuf b;
	strbuf_init(&b);
	strbuf_add(&b, "", 0);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7F) {
			strbuf_addc(&b, (char)c);
			i++;
			continue;
		}
		if (c == '\n' && (flags & SANITIZE_KEEP_NEWLINES)) {
			strbuf_addc(&b, '\n');
			i++;
			continue;
		}
		if (c == '\t') {
			strbuf_adds(&b, "\\t");
			i++;
			continue;
		}
		if (c < 0x80) {
			add_hex_escape(&b, c);
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			add_hex_escape(&b, c);
			i++;
			continue;
		}
		if ((flags & SANITIZE_UTF8) && !invisible_control(cp))
			strbuf_add(&b, s + i, n);
		else
			strbuf_addf(&b, "\\u{%04X}", (unsigned)cp);
		i += n;
	}
	return strbuf_steal(&b);
}

char *sanitize_str(const char *s, unsigned flags)
{
	return sanitize_text(s ? s : "", s ? strlen(s) : 0, flags);
}
