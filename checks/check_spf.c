/* check_spf.c - the SPF check.  Not implemented yet: it reports skip and
 * says so, and its JSON fields are present as nulls. */
#include <json-c/json.h>

#include "audit.h"
#include "report.h"
#include "spf.h"

static void start(struct check *c)
{
	check_set_summary(c, "not implemented yet");
	check_set_status(c, STATUS_SKIP);
}

static void json(const struct check *c, struct json_object *obj)
{
	report_json_add_null(obj, "record");
	report_json_add_null(obj, "result");
	report_json_add_null(obj, "lookups");
	report_json_add_null(obj, "void_lookups");
}

const struct check_class check_spf_class = {
	.name = "spf",
	.title = "SPF",
	.start = start,
	.json = json,
};

const char *spf_check_result(const struct check *c)
{
	(void)c;
	return NULL;
}

const char *spf_check_domain(const struct check *c)
{
	(void)c;
	return NULL;
}
