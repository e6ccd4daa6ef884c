/* prop_probe.c - run one propagation check (checks/propagation.c) over the
 * network and print what each nameserver serves; for
 * tests/propagation-knot.sh, which points it at real Knot servers.
 *
 *   prop_probe [--dns-server IP:PORT] [--connect-to H:P:A:P]... [--timeout MS]
 *              NAME TYPE [EXPECTED]
 *
 * Output, one line each:
 *   zone ZONE            (or: error SENTENCE)
 *   server HOST ADDR RESULT serial N|- visible 0|1 [VALUE]...
 *   visible N of M agree 0|1 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evloop.h"
#include "propagation.h"
#include "resolver.h"

static void on_done(void *arg, struct propagation *p)
{
	(void)p;
	*(int *)arg = 1;
}

int main(int argc, char **argv)
{
	struct strlist servers = {0}, ct = {0};
	int timeout = 1000, i;
	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (!strcmp(argv[i], "--dns-server"))
			strlist_add(&servers, argv[i + 1]);
		else if (!strcmp(argv[i], "--connect-to"))
			strlist_add(&ct, argv[i + 1]);
		else if (!strcmp(argv[i], "--timeout"))
			timeout = atoi(argv[i + 1]);
		else
			break;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: prop_probe [--dns-server S] [--connect-to H:P:A:P]... NAME TYPE [EXPECTED]\n");
		return 64;
	}
	int type = dns_type_from_name(argv[i + 1]);
	if (type < 0) {
		fprintf(stderr, "prop_probe: unknown type %s\n", argv[i + 1]);
		return 64;
	}
	struct evloop *loop = evloop_new();
	struct resolver_config rc = {
	    .servers = (const char **)servers.v, .nservers = servers.n, .timeout_ms = timeout, .tries = 1};
	char *err = NULL;
	struct resolver *r = resolver_new(loop, &rc, &err);
	if (!r) {
		fprintf(stderr, "prop_probe: %s\n", err ? err : "no resolver");
		return 1;
	}
	struct prop_config pc = {
	    .connect_to = (const char *const *)ct.v, .nconnect_to = ct.n, .timeout_ms = timeout, .tries = 1};
	int done = 0;
	struct propagation *p =
	    propagation_start(loop, r, &pc, argv[i], (uint16_t)type, argc - i > 2 ? argv[i + 2] : NULL, on_done, &done);
	while (!done)
		evloop_run_once(loop, -1);
	const struct prop_report *rep = propagation_report(p);
	if (rep->error)
		printf("error %s\n", rep->error);
	else
		printf("zone %s\n", rep->zone);
	for (size_t k = 0; k < rep->nservers; k++) {
		const struct prop_server *s = &rep->servers[k];
		printf("server %s %s %s serial ", s->host, s->addr ? s->addr : "-", dns_result_name(s->result));
		if (s->has_serial)
			printf("%u", (unsigned)s->serial);
		else
			printf("-");
		printf(" visible %d", s->visible ? 1 : 0);
		for (size_t j = 0; j < s->values.n; j++)
			printf(" [%s]", s->values.v[j]);
		printf("\n");
	}
	printf("visible %zu of %zu agree %d\n", rep->nvisible, rep->nservers, rep->agree ? 1 : 0);
	propagation_free(p);
	evloop_free(loop);
	strlist_free(&servers);
	strlist_free(&ct);
	return 0;
}
