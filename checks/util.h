/* util.h - small helpers every module uses: checked allocation, a growable
 * string buffer, string lists, and input validation for names and
 * addresses.  Nothing here does I/O. */
#ifndef MXAUDIT_UTIL_H
#define MXAUDIT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation that aborts on out-of-memory: an audit tool has no sensible
 * recovery from it, and checking every call would bury the logic. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Growable byte buffer, always NUL-terminated (s may hold NULs too). */
struct strbuf {
	char *s;
	size_t len, cap;
};
void strbuf_init(struct strbuf *b);
void strbuf_free(struct strbuf *b);
void strbuf_add(struct strbuf *b, const void *data, size_t n);
void strbuf_adds(struct strbuf *b, const char *s);
void strbuf_addc(struct strbuf *b, char c);
void strbuf_addf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the string to the caller (buffer is reset). Never NULL. */
char *strbuf_steal(struct strbuf *b);

/* NULL-terminated-free list of owned strings. */
struct strlist {
	char **v;
	size_t n, cap;
};
void strlist_add(struct strlist *l, const char *s);   /* copies s */
void strlist_addf(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strlist_take(struct strlist *l, char *s);        /* takes ownership */
bool strlist_contains_ci(const struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

/* Case-insensitive ASCII comparison (DNS names). */
int ascii_strcasecmp(const char *a, const char *b);
bool ascii_strcaseeq(const char *a, const char *b);
void ascii_lower(char *s);
bool ascii_endswith_ci(const char *s, const char *suffix);

/* Domain name syntax as an operator would type it: labels of 1..63
 * LDH/underscore characters, total <= 253, an optional trailing dot.
 * On failure *why is set to a static sentence. */
bool domain_valid(const char *name, const char **why);
/* Copy of name, lower-cased, without a trailing dot. */
char *domain_normalize(const char *name);
/* Organizational domain of name (RFC 7489 3.2, from libpsl's built-in
 * Public Suffix List): the registrable domain, or the normalised name
 * itself when it has none (a public suffix). Allocated. */
char *domain_organizational(const char *name);
/* Is child equal to or below parent (both without trailing dots)? */
bool domain_is_within(const char *child, const char *parent);

/* Parse an IPv4 or IPv6 literal (every textual form inet_pton accepts).
 * family gets AF_INET / AF_INET6, addr 4 or 16 bytes. */
bool ip_parse(const char *s, int *family, unsigned char addr[16]);
/* Canonical text form of an address (RFC 5952 for IPv6). */
void ip_format(int family, const unsigned char *addr, char *out, size_t outlen);
/* Reverse-lookup name: "10.2.0.192.in-addr.arpa" or the ip6.arpa nibbles.
 * suffix replaces "in-addr.arpa"/"ip6.arpa" when non-NULL (blocklists). */
char *ip_reverse_name(int family, const unsigned char *addr, const char *suffix);

/* Walk text[0..len) line by line: from *pos, set *line and *n to the next
 * line without its '\n' and advance *pos past it.  False at the end. */
bool text_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n);

/* Monotonic milliseconds. */
int64_t now_ms(void);



/* Path of an installed data file ("demo.zone", "blocklists.conf"): looks in
 * $MXAUDIT_DATADIR first (tests, uninstalled runs), then the compiled-in
 * data directory.  Returns the first that exists, else the compiled-in one. */
char *data_path(const char *name);

/* Read a whole file ("-" = standard input), at most max bytes.  Returns NULL
 * and sets *err (allocated) on failure. */
char *read_file(const char *path, size_t max, size_t *len, char **err);
#endif
