/* textlines.h - styled lines of text that checks produce for the detail
 * views and reports (evidence, traces, fixes).  The engine stores the raw
 * text; whoever displays it sanitises it (sanitize.h). */
#ifndef MXAUDIT_TEXTLINES_H
#define MXAUDIT_TEXTLINES_H

#include <stddef.h>

enum line_style {
	LINE_NORMAL = 0,
	LINE_HEADING, /* section title */
	LINE_PASS,    /* something that is right */
	LINE_WARN,
	LINE_FAIL,
	LINE_ERROR,
	LINE_DIM,     /* secondary detail: timings, servers */
	LINE_CODE,    /* a record or command to copy verbatim */
	LINE_MATCH,   /* the term / item that decided the verdict */
};

struct textline {
	enum line_style style;
	int indent; /* nesting level (trace trees) */
	char *text;
};

struct textlines {
	struct textline *v;
	size_t n, cap;
};

void textlines_add(struct textlines *t, enum line_style style, int indent, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void textlines_free(struct textlines *t);

#endif
