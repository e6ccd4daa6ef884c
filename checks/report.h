/* report.h - non-interactive output of a finished audit. */
#ifndef MXAUDIT_REPORT_H
#define MXAUDIT_REPORT_H

#include <stdbool.h>

#include "audit.h"

struct json_object;

/* The JSON report of CONVENTIONS.md; caller frees with json_object_put. */
struct json_object *report_json(const struct audit *a);
/* Serialised, pretty-printed, with a trailing newline; caller frees. */
char *report_json_string(const struct audit *a);

/* Serialise any JSON object safely for a terminal (see report_json.c);
 * caller frees. */
char *report_json_serialize(struct json_object *obj, bool pretty);
char *report_json_make_safe(const char *json);

/* The Markdown incident report (--report md), outside text sanitised and
 * escaped; caller frees. (report_md.c) */
char *report_markdown(const struct audit *a);

/* Helpers for check_class.json implementations. */
void report_json_add_string(struct json_object *obj, const char *key, const char *val); /* NULL -> null */
void report_json_add_int(struct json_object *obj, const char *key, long long val);
void report_json_add_bool(struct json_object *obj, const char *key, int val); /* <0 -> null */
void report_json_add_null(struct json_object *obj, const char *key);

#endif
