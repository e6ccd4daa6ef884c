/* resolver_zone.c - answers from master-format zone files (placeholder). */
#include "resolver.h"
#include "util.h"

void *resolver_zone_new(struct resolver *r, struct evloop *loop, const struct resolver_config *cfg, char **err)
{
	(void)r;
	(void)loop;
	(void)cfg;
	*err = xstrdup("zone files are not supported yet");
	return NULL;
}

const struct resolver_backend resolver_zone_backend = {.name = "zone"};
