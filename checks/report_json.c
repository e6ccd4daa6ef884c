/* report_json.c - the JSON report (shape fixed in CONVENTIONS.md). */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "bounce_report.h"
#include "report.h"
#include "sanitize.h"

void report_json_add_string(struct json_object *obj, const char *key, const char *val)
{
	json_object_object_add(obj, key, val ? json_object_new_string(val) : NULL);
}

void report_json_add_int(struct json_object *obj, const char *key, long long val)
{
	json_object_object_add(obj, key, json_object_new_int64(val));
}

void report_json_add_bool(struct json_object *obj, const char *key, int val)
{
	json_object_object_add(obj, key, val < 0 ? NULL : json_object_new_boolean(val));
}

void report_json_add_null(struct json_object *obj, const char *key)
{
	json_object_object_add(obj, key, NULL);
}

static struct json_object *finding_json(const struct finding *f)
{
	struct json_object *o = json_object_new_object();
	report_json_add_string(o, "id", f->id);
	report_json_add_string(o, "status", status_name(f->status));
	report_json_add_string(o, "message", f->message);
	report_json_add_string(o, "evidence", f->evidence);
	report_json_add_string(o, "fix", f->fix);
	return o;
}

static struct json_object *check_json(const struct check *c)
{
	struct json_object *o = json_object_new_object();
	/* A check still pending when the report is written (global deadline)
	 * could not be decided: that is an error, never a pass. */
	enum status st = c->status == STATUS_PENDING ? STATUS_ERROR : c->status;
	report_json_add_string(o, "status", status_name(st));
	report_json_add_string(o, "summary", c->summary ? c->summary : "");
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < c->nfindings; i++)
		json_object_array_add(arr, finding_json(&c->findings[i]));
	json_object_object_add(o, "findings", arr);
	if (c->started && c->done && c->done_ms >= c->started_ms)
		report_json_add_int(o, "duration_ms", c->done_ms - c->started_ms);
	c->cls->json(c, o);
	return o;
}

struct json_object *report_json(const struct audit *a)
{
	struct json_object *root = json_object_new_object();
	report_json_add_string(root, "mxaudit", MXAUDIT_VERSION);
	report_json_add_string(root, "domain", a->in.domain);
	report_json_add_string(root, "ip", a->in.ip);
	report_json_add_string(root, "from_domain", a->in.from_domain);
	report_json_add_string(root, "mail_from", a->in.mail_from);
	report_json_add_string(root, "helo", a->in.helo);
	enum status st = audit_status(a);
	for (int i = 0; i < CHECK_COUNT; i++)
		if (a->checks[i].status == STATUS_PENDING)
			st = status_worst(st, STATUS_ERROR);
	report_json_add_string(root, "status", status_name(st));
	struct json_object *checks = json_object_new_object();
	for (int i = 0; i < CHECK_COUNT; i++)
		json_object_object_add(checks, a->checks[i].cls->name, check_json(&a->checks[i]));
	json_object_object_add(root, "checks", checks);
	struct json_object *steps = json_object_new_array();
	for (int i = 0; i < STEP_COUNT; i++) {
		const struct step *s = &a->steps[i];
		struct json_object *o = json_object_new_object();
		report_json_add_int(o, "step", s->number);
		report_json_add_string(o, "title", s->title);
		report_json_add_string(o, "status", status_name(s->status == STATUS_PENDING ? STATUS_ERROR : s->status));
		report_json_add_string(o, "summary", s->summary ? s->summary : "");
		json_object_array_add(steps, o);
	}
	json_object_object_add(root, "steps", steps);
	json_object_object_add(root, "bounce", bounce_report_json(a));
	if (a->done_ms >= a->started_ms)
		report_json_add_int(root, "duration_ms", a->done_ms - a->started_ms);
	return root;
}

/* json-c escapes C0 controls but passes DEL, C1 controls, bidi overrides
 * and invalid UTF-8 through raw, so `cat report.json` could still drive a
 * terminal or reorder what a reader sees.  Rewrite those as \uXXXX escapes
 * (lossless: a JSON parser reads back the same string) and invalid bytes as
 * U+FFFD, so the output is valid UTF-8 and inert on any terminal.  Such
 * bytes only occur inside strings: the JSON syntax itself is ASCII. */
char *report_json_make_safe(const char *json)
{
	const unsigned char *s = (const unsigned char *)json;
	size_t len = strlen(json);
	struct strbuf b;
	strbuf_init(&b);
	for (size_t i = 0; i < len;) {
		/* Plain ASCII (all of the JSON syntax, most of the text) in one
		 * copy: a report is tens of kilobytes, and decoding it a code point
		 * at a time was most of batch mode's output cost. */
		size_t run = 0;
		while (i + run < len && s[i + run] < 0x7F)
			run++;
		if (run) {
			strbuf_add(&b, s + i, run);
			i += run;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			strbuf_adds(&b, "\\ufffd");
			i++;
			continue;
		}
		bool hide = cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
		            (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF ||
		            cp == 0x061C;
		if (hide)
			strbuf_addf(&b, "\\u%04x", (unsigned)cp);
		else
			strbuf_add(&b, s + i, n);
		i += n;
	}
	return strbuf_steal(&b);
}

char *report_json_serialize(struct json_object *obj, bool pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	flags |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN;
	return report_json_make_safe(json_object_to_json_string_ext(obj, flags));
}

char *report_json_string(const struct audit *a)
{
	struct json_object *root = report_json(a);
	char *s = report_json_serialize(root, true);
	char *out = xasprintf("%s\n", s);
	free(s);
	json_object_put(root);
	return out;
}
