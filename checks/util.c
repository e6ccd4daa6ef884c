/* util.c - allocation, buffers, string lists, name and address syntax. */
#include "util.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static void oom(void)
{
	fputs("mxaudit: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	/* One formatting pass for the common short string (evidence lines,
	 * query names, findings): into a stack buffer, then one exact copy.
	 * Only longer results are formatted a second time, into their own
	 * allocation. */
	char small[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	char *p = xmalloc((size_t)n + 1);
	if ((size_t)n < sizeof(small))
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void strbuf_init(struct strbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void strbuf_free(struct strbuf *b)
{
	free(b->s);
	strbuf_init(b);
}

static void strbuf_grow(struct strbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void strbuf_add(struct strbuf *b, const void *data, size_t n)
{
	strbuf_grow(b, n);
	if (n)
		memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void strbuf_adds(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void strbuf_addc(struct strbuf *b, char c)
{
	strbuf_add(b, &c, 1);
}

void strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_adds(b, p);
	free(p);
}

char *strbuf_steal(struct strbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	strbuf_init(b);
	return s;
}

void strlist_take(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

void strlist_add(struct strlist *l, const char *s)
{
	strlist_take(l, xstrdup(s));
}

void strlist_addf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strlist_take(l, xvasprintf(fmt, ap));
	va_end(ap);
}

bool strlist_contains_ci(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (ascii_strcaseeq(l->v[i], s))
			return true;
	return false;
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

int ascii_strcasecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = lower((unsigned char)*a), cb = lower((unsigned char)*b);
		if (ca != cb || !ca)
			return ca - cb;
	}
}

bool ascii_strcaseeq(const char *a, const char *b)
{
	return ascii_strcasecmp(a, b) == 0;
}

void ascii_lower(char *s)
{
	for (; *s; s++)
		*s = (char)lower((unsigned char)*s);
}

bool ascii_endswith_ci(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return lx <= ls && ascii_strcaseeq(s + ls - lx, suffix);
}

bool domain_valid(const char *name, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	size_t len = strlen(name);
	if (len && name[len - 1] == '.')
		len--;
	if (len == 0) {
		*why = "the domain is empty";
		return false;
	}
	if (len > 253) {
		*why = "the domain is longer than 253 characters";
		return false;
	}
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '.') {
			if (label == 0) {
				*why = "the domain has an empty label (two dots in a row, or a leading dot)";
				return false;
			}
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_')) {
			*why = "the domain may contain only letters, digits, hyphens, underscores and dots "
			       "(write internationalised names in their xn-- form)";
			return false;
		}
		if (++label > 63) {
			*why = "a label of the domain is longer than 63 characters";
			return false;
		}
	}
	return true;
}

char *domain_normalize(const char *name)
{
	size_t len = strlen(name);
	if (len && name[len - 1] == '.')
		len--;
	char *s = xstrndup(name, len);
	ascii_lower(s);
	return s;
}

char *domain_organizational(const char *name)
{
	char *n = domain_normalize(name);
	const char *reg = psl_registrable_domain(psl_builtin(), n);
	char *out = xstrdup(reg ? reg : n);
	free(n);
	return out;
}

bool text_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
	if (*pos >= len)
		return false;
	*line = text + *pos;
	const char *nl = memchr(*line, '\n', len - *pos);
	*n = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *n + (nl ? 1 : 0);
	return true;
}

bool domain_is_within(const char *child, const char *parent)
{
	size_t lc = strlen(child), lp = strlen(parent);
	if (lp == 0)
		return true;
	if (lc < lp || !ascii_strcaseeq(child + lc - lp, parent))
		return false;
	return lc == lp || child[lc - lp - 1] == '.';
}

bool ip_parse(const char *s, int *family, unsigned char addr[16])
{
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

void ip_format(int family, const unsigned char *addr, char *out, size_t outlen)
{
	if (!inet_ntop(family, addr, out, (socklen_t)outlen) && outlen)
		out[0] = '\0';
}

char *ip_reverse_name(int family, const unsigned char *addr, const char *suffix)
{
	struct strbuf b;
	strbuf_init(&b);
	if (family == AF_INET) {
		strbuf_addf(&b, "%u.%u.%u.%u.%s", addr[3], addr[2], addr[1], addr[0], suffix ? suffix : "in-addr.arpa");
	} else {
		static const char hex[] = "0123456789abcdef";
		for (int i = 15; i >= 0; i--) {
			strbuf_addc(&b, hex[addr[i] & 15]);
			strbuf_addc(&b, '.');
			strbuf_addc(&b, hex[addr[i] >> 4]);
			strbuf_addc(&b, '.');
		}
		strbuf_adds(&b, suffix ? suffix : "ip6.arpa");
	}
	return strbuf_steal(&b);
}

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#include <errno.h>
#include <unistd.h>

#ifndef MXAUDIT_DATADIR
#define MXAUDIT_DATADIR "/usr/local/share/mxaudit"
#endif

char *data_path(const char *name)
{
	const char *env = getenv("MXAUDIT_DATADIR");
	if (env && *env) {
		char *p = xasprintf("%s/%s", env, name);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	char *p = xasprintf("%s/%s", MXAUDIT_DATADIR, name);
#ifdef MXAUDIT_SRCDATADIR
	/* Not installed yet (./mxaudit --demo straight from the build
	 * directory): fall back to data/ in the source tree it was built from. */
	if (access(p, R_OK) != 0) {
		char *src = xasprintf("%s/%s", MXAUDIT_SRCDATADIR, name);
		if (access(src, R_OK) == 0) {
			free(p);
			return src;
		}
		free(src);
	}
#endif
	return p;
}

char *read_file(const char *path, size_t max, size_t *len, char **err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		*err = xasprintf("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	struct strbuf b;
	strbuf_init(&b);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (b.len + n > max) {
			*err = xasprintf("%s is larger than %zu bytes", path, max);
			strbuf_free(&b);
			if (f != stdin)
				fclose(f);
			return NULL;
		}
		strbuf_add(&b, buf, n);
	}
	bool failed = ferror(f);
	if (f != stdin)
		fclose(f);
	if (failed) {
		*err = xasprintf("cannot read %s: %s", path, strerror(errno));
		strbuf_free(&b);
		return NULL;
	}
	*len = b.len;
	return strbuf_steal(&b);
}
