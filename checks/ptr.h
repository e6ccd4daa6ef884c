/* ptr.h - the pure parts of the PTR check, for unit tests: does a reverse
 * name look generic (dynamic pools, end-user lines), and which
 * organisational domain a name belongs to. */
#ifndef MXAUDIT_PTR_H
#define MXAUDIT_PTR_H

#include <stdbool.h>
#include <stddef.h>

/* Generic-name patterns (data/generic-ptr-patterns.txt): one POSIX extended
 * regular expression a line, matched case-insensitively against the host
 * part of the name (the labels left of its registrable domain); lines
 * starting with '#' and blank lines are ignored. */
struct ptr_patterns;
struct ptr_patterns *ptr_patterns_parse(const char *text, size_t len, char **err);
void ptr_patterns_free(struct ptr_patterns *p);
size_t ptr_patterns_count(const struct ptr_patterns *p);

/* The labels left of the registrable domain ("192-0-2-25.dyn" for
 * 192-0-2-25.dyn.provider.example), possibly "".  Allocated. */
char *ptr_host_part(const char *name);

/* Does name look like a generic / dynamic-pool name for the address
 * (family AF_INET / AF_INET6, addr 4 or 16 bytes)?  Embedded address
 * digits are recognised in code (forward, reversed, zero-padded, hex);
 * words come from p (may be NULL).  On true *why gets an allocated
 * explanation. */
bool ptr_name_generic(const char *name, int family, const unsigned char *addr, const struct ptr_patterns *p,
                      char **why);

#endif
