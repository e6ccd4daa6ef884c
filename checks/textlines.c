/* textlines.c - styled evidence lines. */
#include "textlines.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util.h"

void textlines_add(struct textlines *t, enum line_style style, int indent, const char *fmt, ...)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	va_list ap;
	va_start(ap, fmt);
	t->v[t->n].text = xvasprintf(fmt, ap);
	va_end(ap);
	t->v[t->n].style = style;
	t->v[t->n].indent = indent;
	t->n++;
}

void textlines_free(struct textlines *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}
