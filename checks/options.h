/* options.h - the command line (CONVENTIONS.md "Command line"), parsed into
 * an audit_input and a resolver configuration.  No ncurses, no I/O beyond
 * reading the files named on the command line, so tests can drive it. */
#ifndef MXAUDIT_OPTIONS_H
#define MXAUDIT_OPTIONS_H

#include <stdbool.h>

#include "audit.h"
#include "resolver.h"

enum run_mode { MODE_TUI = 0, MODE_JSON, MODE_MARKDOWN, MODE_BATCH };

struct options {
	enum run_mode mode;
	struct audit_input in;
	struct strlist servers; /* --dns-server */
	struct strlist zones;   /* --zone (and the demo zone) */
	int tries;
	bool demo;
	bool ascii;
	bool help, version;
	char *theme;
	char *batch_file;
	int parallel;
	char *output_file; /* --output FILE for reports, or NULL = stdout */
};

/* Exit status for usage errors (CONVENTIONS.md). */
enum { EXIT_USAGE = 64 };

/* Parse argv.  Returns 0, or EXIT_USAGE with *err set to a one-line
 * message (allocated). */
int options_parse(struct options *o, int argc, char **argv, char **err);
void options_free(struct options *o);
/* A resolver_config pointing into o (valid while o lives). */
void options_resolver_config(const struct options *o, struct resolver_config *cfg);
/* Validate and set the domain / IP (used by the input form too). */
bool options_set_domain(struct audit_input *in, const char *domain, char **err);
bool options_set_ip(struct audit_input *in, const char *ip, char **err);

extern const char options_usage[];

/* The built-in demo: domain, sending IP and zone file name. */
#define DEMO_DOMAIN "demo.example"
#define DEMO_IP "192.0.2.25"
#define DEMO_ZONE "demo.zone"

#endif
