/* check_blocklists.c - the Blocklists check.  Not implemented yet: it reports skip and
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
	json_object_object_add(obj, "listed", json_object_new_array());
	report_json_add_null(obj, "queried");
	json_object_object_add(obj, "errors", json_object_new_array());
}

const struct check_class check_blocklists_class = {
	.name = "blocklists",
	.title = "Blocklists",
	.start = start,
	.json = json,
};
