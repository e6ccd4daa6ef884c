/* dmarc_issues.c - the issue list shared by the DMARC/DKIM parsers. */
#include "dmarc_issues.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void rec_issues_add(struct rec_issues *l, enum status st, const char *id, const char *evidence, size_t evlen,
                    const char *fmt, ...)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	struct rec_issue *i = &l->v[l->n++];
	va_list ap;
	va_start(ap, fmt);
	i->message = xvasprintf(fmt, ap);
	va_end(ap);
	i->status = st;
	i->id = xstrdup(id);
	i->evidence = evidence ? xstrndup(evidence, evlen) : NULL;
}

void rec_issues_free(struct rec_issues *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].message);
		free(l->v[i].evidence);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const struct rec_issue *rec_issues_find(const struct rec_issues *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return &l->v[i];
	return NULL;
}
