/* check_dmarc.c - the DMARC check.  Not implemented yet: it reports skip and
 * says so, and its JSON fields are present as nulls. */
#include <json-c/json.h>

#include "audit.h"
#include "report.h"

static void start(struct check *c)
{
	check_set_summary(c, "not implemented yet");
	check_set_status(c, STATUS_SKIP);
}

static void json(const struct check *c, struct json_object *obj)
{
	report_json_add_null(obj, "record");
	report_json_add_null(obj, "policy");
	report_json_add_null(obj, "subdomain_policy");
	report_json_add_null(obj, "pct");
	report_json_add_null(obj, "org_domain");
	report_json_add_null(obj, "record_domain");
}

const struct check_class check_dmarc_class = {
	.name = "dmarc",
	.title = "DMARC",
	.start = start,
	.json = json,
};
