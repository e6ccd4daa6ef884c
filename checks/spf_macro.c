/* spf_macro.c - SPF macro expansion, RFC 7208 section 7.
 *
 * Pure: every value a macro can refer to is in struct spf_macro_ctx, so the
 * expansion is testable against the RFC's own examples (7.4) and fuzzable.
 * %{p} needs DNS; the evaluator resolves the validated name first and passes
 * it in. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "spf_parse.h"
#include "util.h"

static void add_ip_dotted(struct strbuf *b, int family, const unsigned char *a, bool nibbles)
{
	if (family == AF_INET) {
		strbuf_addf(b, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	if (nibbles) {
		/* Upper-case nibbles: the OpenSPF suite (v-macro-ip6) and pyspf expect
		 * them in explanations; RFC 7208 7.4 shows lower case, but there %{i}
		 * ends up in a DNS name, where case does not matter. */
		static const char hex[] = "0123456789ABCDEF";
		for (int i = 0; i < 16; i++) {
			if (i)
				strbuf_addc(b, '.');
			strbuf_addc(b, hex[a[i] >> 4]);
			strbuf_addc(b, '.');
			strbuf_addc(b, hex[a[i] & 15]);
		}
		return;
	}
	char buf[64];
	ip_format(family, a, buf, sizeof(buf));
	strbuf_adds(b, buf);
}

/* The raw value of a macro letter (lower-case letter). */
static char *letter_value(char l, const struct spf_macro_ctx *ctx)
{
	struct strbuf b;
	strbuf_init(&b);
	const char *sender = ctx->sender ? ctx->sender : "";
	const char *at = strrchr(sender, '@');
	switch (l) {
	case 's': strbuf_adds(&b, sender); break;
	case 'l':
		if (at && at != sender)
			strbuf_add(&b, sender, (size_t)(at - sender));
		else
			strbuf_adds(&b, "postmaster");
		break;
	case 'o': strbuf_adds(&b, at ? at + 1 : sender); break;
	case 'd': strbuf_adds(&b, ctx->domain ? ctx->domain : ""); break;
	case 'i':
		if (ctx->addr)
			add_ip_dotted(&b, ctx->family, ctx->addr, true);
		break;
	case 'c':
		if (ctx->addr)
			add_ip_dotted(&b, ctx->family, ctx->addr, false);
		break;
	case 'p': strbuf_adds(&b, ctx->validated ? ctx->validated : "unknown"); break;
	case 'h': strbuf_adds(&b, ctx->helo ? ctx->helo : ""); break;
	case 'r': strbuf_adds(&b, ctx->receiver ? ctx->receiver : "unknown"); break;
	case 't': strbuf_addf(&b, "%lld", ctx->now); break;
	case 'v': strbuf_adds(&b, ctx->family == AF_INET6 ? "ip6" : "in-addr"); break;
	}
	return strbuf_steal(&b);
}

/* Split value on any of delims, optionally reverse, keep the rightmost
 * keep parts (0 = all), join with '.'. */
static void transform(struct strbuf *out, const char *value, const char *delims, size_t keep, bool reverse)
{
	size_t n = 0, cap = 8;
	const char **parts = xmalloc(cap * sizeof(*parts));
	size_t *lens = xmalloc(cap * sizeof(*lens));
	const char *p = value;
	for (;;) {
		size_t l = strcspn(p, delims);
		if (n == cap) {
			cap *= 2;
			parts = xrealloc(parts, cap * sizeof(*parts));
			lens = xrealloc(lens, cap * sizeof(*lens));
		}
		parts[n] = p;
		lens[n++] = l;
		if (!p[l])
			break;
		p += l + 1;
	}
	if (reverse)
		for (size_t i = 0; i < n / 2; i++) {
			const char *tp = parts[i];
			size_t tl = lens[i];
			parts[i] = parts[n - 1 - i];
			lens[i] = lens[n - 1 - i];
			parts[n - 1 - i] = tp;
			lens[n - 1 - i] = tl;
		}
	size_t first = keep && keep < n ? n - keep : 0;
	for (size_t i = first; i < n; i++) {
		if (i > first)
			strbuf_addc(out, '.');
		strbuf_add(out, parts[i], lens[i]);
	}
	free(parts);
	free(lens);
}

static void url_escape(struct strbuf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			strbuf_addc(out, (char)c);
		} else {
			strbuf_addc(out, '%');
			strbuf_addc(out, hex[c >> 4]);
			strbuf_addc(out, hex[c & 15]);
		}
	}
}

char *spf_macro_expand(const char *spec, const struct spf_macro_ctx *ctx, bool exp, char **err)
{
	struct strbuf b;
	strbuf_init(&b);
	*err = NULL;
	for (const char *p = spec; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x20 || ch > 0x7e) {
			*err = xasprintf("character 0x%02x outside printable ASCII", ch);
			goto fail;
		}
		if (*p != '%') {
			strbuf_addc(&b, *p);
			continue;
		}
		p++;
		if (*p == '%') {
			strbuf_addc(&b, '%');
			continue;
		}
		if (*p == '_') {
			strbuf_addc(&b, ' ');
			continue;
		}
		if (*p == '-') {
			strbuf_adds(&b, "%20");
			continue;
		}
		if (*p != '{') {
			*err = xasprintf("'%%' not followed by '{', '%%', '_' or '-' in \"%s\"", spec);
			goto fail;
		}
		const char *start = p - 1;
		p++;
		char letter = *p;
		bool upper = letter >= 'A' && letter <= 'Z';
		char l = upper ? (char)(letter + 32) : letter;
		if (!l || !strchr("slodiphcrtv", l)) {
			*err = xasprintf("unknown macro letter in \"%s\"", spec);
			goto fail;
		}
		if (!exp && (l == 'c' || l == 'r' || l == 't')) {
			*err = xasprintf("macro %%{%c} is only allowed in explanations", letter);
			goto fail;
		}
		p++;
		size_t keep = 0;
		bool digits = false;
		while (*p >= '0' && *p <= '9') {
			digits = true;
			if (keep < 100000)
				keep = keep * 10 + (size_t)(*p - '0');
			p++;
		}
		if (digits && keep == 0) {
			*err = xasprintf("macro with a zero part count in \"%s\"", spec);
			goto fail;
		}
		bool reverse = false;
		if (*p == 'r' || *p == 'R') {
			reverse = true;
			p++;
		}
		char delims[8] = {0};
		size_t nd = 0;
		while (*p && strchr(".-+,/_=", *p)) {
			if (!memchr(delims, *p, nd) && nd < sizeof(delims) - 1)
				delims[nd++] = *p;
			p++;
		}
		if (nd == 0)
			delims[nd++] = '.';
		delims[nd] = 0;
		if (*p != '}') {
			*err = xasprintf("malformed macro \"%.*s\"", (int)(p - start + (*p ? 1 : 0)), start);
			goto fail;
		}
		char *value = letter_value(l, ctx);
		struct strbuf t;
		strbuf_init(&t);
		transform(&t, value, delims, keep, reverse);
		if (upper)
			url_escape(&b, t.s, t.len);
		else
			strbuf_add(&b, t.s, t.len);
		strbuf_free(&t);
		free(value);
	}
	return strbuf_steal(&b);
fail:
	strbuf_free(&b);
	return NULL;
}

char *spf_macro_expand_domain(const char *spec, const struct spf_macro_ctx *ctx, char **err)
{
	char *s = spf_macro_expand(spec, ctx, false, err);
	if (!s)
		return NULL;
	size_t len = strlen(s);
	while (len && s[len - 1] == '.')
		s[--len] = 0;
	/* 4.8: drop labels from the left until it fits in 253 characters.  One
	 * pass (a hostile record's macros can expand to a megabyte of labels, and
	 * measuring the rest after each label would be quadratic). */
	const char *p = s, *end = s + len;
	while ((size_t)(end - p) > 253) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		if (!dot) {
			p = end;
			break;
		}
		p = dot + 1;
	}
	if (p != s)
		memmove(s, p, (size_t)(end - p) + 1);
	return s;
}

bool spf_macro_uses_p(const char *spec)
{
	for (const char *p = spec; p && *p; p++) {
		if (p[0] == '%' && p[1] == '%') {
			p++;
			continue;
		}
		if (p[0] == '%' && p[1] == '{' && (p[2] == 'p' || p[2] == 'P'))
			return true;
	}
	return false;
}

bool spf_macro_has_macros(const char *spec)
{
	for (const char *p = spec; p && *p; p++) {
		if (p[0] == '%' && p[1] == '%') {
			p++;
			continue;
		}
		if (p[0] == '%' && p[1] == '{')
			return true;
	}
	return false;
}
