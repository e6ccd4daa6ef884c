/* check_tls.c - the TLS check.  Not implemented yet: it reports skip and
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
	json_object_object_add(obj, "hosts", json_object_new_array());
}

const struct check_class check_tls_class = {
	.name = "tls",
	.title = "TLS",
	.start = start,
	.json = json,
};
