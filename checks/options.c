/* options.c - command-line parsing and validation. */
#include "options.h"
#include "sanitize.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A pasted bounce may be a whole message with attachments; beyond this it
 * is not a bounce any more. */
#define MAX_BOUNCE_BYTES (32u << 20)

const char options_usage[] =
	"Usage: mxaudit [OPTIONS] [DOMAIN [IP]]\n"
	"Audit a domain's mail authentication and delivery: SPF, DKIM, DMARC, PTR,\n"
	"MX, TLS and blocklists, and walk through fixing a bounce.\n"
	"\n"
	"With a terminal and no --json/--report, opens the interactive screen\n"
	"(an input form when DOMAIN is not given).\n"
	"\n"
	"Output:\n"
	"  --json                 print a JSON report and exit (no terminal needed)\n"
	"  --report FORMAT        print a report: json or md (Markdown)\n"
	"  -o, --output FILE      write the report to FILE instead of standard output\n"
	"  --batch FILE           audit every 'DOMAIN [IP]' line of FILE, one JSON line each\n"
	"  --parallel N           audits in flight at once in batch mode (default 16)\n"
	"\n"
	"What to check:\n"
	"  --only LIST            only these checks (spf,dkim,dmarc,ptr,mx,tls,blocklists)\n"
	"  --skip LIST            skip these checks (they report 'skip')\n"
	"  --selector S           DKIM selector to check (repeatable)\n"
	"  --from-domain D        visible From domain for DMARC alignment (default DOMAIN)\n"
	"  --mail-from ADDR       envelope sender for SPF (default postmaster@DOMAIN)\n"
	"  --helo NAME            HELO/EHLO name (default DOMAIN)\n"
	"  --rcpt ADDR            recipient address to verify (step 2)\n"
	"  --bounce FILE          a bounce or message to read ('-' = standard input)\n"
	"  --blocklists FILE      replace the built-in list of DNS blocklists\n"
	"\n"
	"Where to ask:\n"
	"  --dns-server IP[:PORT] ask this DNS server instead of resolv.conf (repeatable)\n"
	"  --zone FILE            answer from a master-format zone file (repeatable)\n"
	"  --demo                 the built-in offline example (" DEMO_DOMAIN ", " DEMO_IP ")\n"
	"  --timeout SECONDS      per-query and per-phase timeout (default 5)\n"
	"  --tries N              DNS tries per server (default 2)\n"
	"  --smtp-port N          port for the STARTTLS probes (default 25)\n"
	"  --connect-to H:P:A:P   probe address A port P instead of host H port P\n"
	"  --ca-file FILE         extra trusted CA certificates for the TLS check\n"
	"\n"
	"Display:\n"
	"  --theme NAME           colour theme (default, light, high-contrast, colorblind, mono)\n"
	"  --ascii                no box drawing or symbols (automatic outside UTF-8)\n"
	"  -h, --help             this text\n"
	"  -V, --version          the version\n"
	"\n"
	"Exit status (non-interactive): 0 all pass, 1 warnings only, 2 a failure,\n"
	"3 an error prevented a verdict, 64 usage error.  NO_COLOR is honoured.\n"
	"See mxaudit(1) for the checks, the finding ids and examples.\n";

enum {
	OPT_JSON = 256, OPT_REPORT, OPT_BATCH, OPT_PARALLEL, OPT_ONLY, OPT_SKIP, OPT_SELECTOR, OPT_FROM_DOMAIN,
	OPT_MAIL_FROM, OPT_HELO, OPT_RCPT, OPT_BOUNCE, OPT_BLOCKLISTS, OPT_DNS_SERVER, OPT_ZONE, OPT_DEMO,
	OPT_TIMEOUT, OPT_TRIES, OPT_SMTP_PORT, OPT_CONNECT_TO, OPT_CA_FILE, OPT_THEME, OPT_ASCII,
};

static const struct option long_options[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"report", required_argument, NULL, OPT_REPORT},
	{"output", required_argument, NULL, 'o'},
	{"batch", required_argument, NULL, OPT_BATCH},
	{"parallel", required_argument, NULL, OPT_PARALLEL},
	{"only", required_argument, NULL, OPT_ONLY},
	{"skip", required_argument, NULL, OPT_SKIP},
	{"selector", required_argument, NULL, OPT_SELECTOR},
	{"from-domain", required_argument, NULL, OPT_FROM_DOMAIN},
	{"mail-from", required_argument, NULL, OPT_MAIL_FROM},
	{"helo", required_argument, NULL, OPT_HELO},
	{"rcpt", required_argument, NULL, OPT_RCPT},
	{"bounce", required_argument, NULL, OPT_BOUNCE},
	{"blocklists", required_argument, NULL, OPT_BLOCKLISTS},
	{"dns-server", required_argument, NULL, OPT_DNS_SERVER},
	{"zone", required_argument, NULL, OPT_ZONE},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"tries", required_argument, NULL, OPT_TRIES},
	{"smtp-port", required_argument, NULL, OPT_SMTP_PORT},
	{"connect-to", required_argument, NULL, OPT_CONNECT_TO},
	{"ca-file", required_argument, NULL, OPT_CA_FILE},
	{"theme", required_argument, NULL, OPT_THEME},
	{"ascii", no_argument, NULL, OPT_ASCII},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

bool options_set_domain(struct audit_input *in, const char *domain, char **err)
{
	const char *why;
	if (!domain_valid(domain, &why)) {
		*err = xasprintf("'%s' is not a valid domain: %s", domain, why);
		return false;
	}
	if (!strchr(domain, '.') || domain[strlen(domain) - 1] == '.') {
		/* A bare label is almost always a typo ("example" for example.com). */
		if (!strchr(domain, '.')) {
			*err = xasprintf("'%s' is not a valid domain: it has no dot (did you mean %s.com?)", domain, domain);
			return false;
		}
	}
	free(in->domain);
	in->domain = domain_normalize(domain);
	return true;
}

bool options_set_ip(struct audit_input *in, const char *ip, char **err)
{
	int family;
	unsigned char addr[16];
	if (!ip_parse(ip, &family, addr)) {
		*err = xasprintf("'%s' is not an IP address (give the sending server's IPv4 or IPv6 address)", ip);
		return false;
	}
	/* An IPv4-mapped IPv6 address (::ffff:192.0.2.1, how dual-stack servers
	 * log IPv4 clients) is that IPv4 sender: SPF (RFC 7208 5.6) and the PTR
	 * and blocklist lookups want the IPv4 form. */
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (family == AF_INET6 && !memcmp(addr, mapped, sizeof(mapped))) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		family = AF_INET;
	}
	char buf[INET6_ADDRSTRLEN];
	ip_format(family, addr, buf, sizeof(buf));
	free(in->ip);
	in->ip = xstrdup(buf);
	in->ip_family = family;
	memcpy(in->ip_addr, addr, sizeof(addr));
	return true;
}

static bool parse_check_list(const char *list, unsigned *mask, char **err)
{
	*mask = 0;
	char *copy = xstrdup(list), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		int id = check_id_from_name(tok);
		if (id < 0) {
			*err = xasprintf("unknown check '%s' (known: spf,dkim,dmarc,ptr,mx,tls,blocklists)", tok);
			free(copy);
			return false;
		}
		*mask |= 1u << id;
	}
	free(copy);
	return true;
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool check_readable(const char *path, const char *what, char **err)
{
	if (strcmp(path, "-") != 0 && access(path, R_OK) != 0) {
		*err = xasprintf("cannot read %s file '%s': %s", what, path, strerror(errno));
		return false;
	}
	return true;
}

static bool valid_address(const char *addr)
{
	const char *at = strrchr(addr, '@');
	return at && at != addr && domain_valid(at + 1, NULL);
}

static int options_parse_args(struct options *o, int argc, char **argv, char **err)
{
	memset(o, 0, sizeof(*o));
	audit_input_init(&o->in);
	o->parallel = 16;
	o->tries = 2;
	unsigned only = 0, skip = 0;
	bool have_only = false;
	const char *bounce = NULL;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ho:V", long_options, NULL)) != -1) {
		long v;
		switch (c) {
		case 'h': o->help = true; break;
		case 'V': o->version = true; break;
		case 'o': free(o->output_file); o->output_file = xstrdup(optarg); break;
		case OPT_JSON: o->mode = MODE_JSON; break;
		case OPT_REPORT:
			if (strcmp(optarg, "json") == 0)
				o->mode = MODE_JSON;
			else if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
				o->mode = MODE_MARKDOWN;
			else {
				*err = xasprintf("--report takes json or md, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_BATCH:
			if (!check_readable(optarg, "batch", err))
				return EXIT_USAGE;
			o->mode = MODE_BATCH;
			free(o->batch_file);
			o->batch_file = xstrdup(optarg);
			break;
		case OPT_PARALLEL:
			if (!parse_int(optarg, 1, 4096, &v)) {
				*err = xasprintf("--parallel takes a number from 1 to 4096, not '%s'", optarg);
				return EXIT_USAGE;
			}
			o->parallel = (int)v;
			break;
		case OPT_ONLY: {
			unsigned m;
			if (!parse_check_list(optarg, &m, err))
				return EXIT_USAGE;
			only |= m;
			have_only = true;
			break;
		}
		case OPT_SKIP: {
			unsigned m;
			if (!parse_check_list(optarg, &m, err))
				return EXIT_USAGE;
			skip |= m;
			break;
		}
		case OPT_SELECTOR: {
			const char *why;
			if (!domain_valid(optarg, &why)) {
				*err = xasprintf("'%s' is not a valid DKIM selector: %s", optarg, why);
				return EXIT_USAGE;
			}
			strlist_add(&o->in.selectors, optarg);
			break;
		}
		case OPT_FROM_DOMAIN: {
			const char *why;
			if (!domain_valid(optarg, &why)) {
				*err = xasprintf("'%s' is not a valid From domain: %s", optarg, why);
				return EXIT_USAGE;
			}
			free(o->in.from_domain);
			o->in.from_domain = domain_normalize(optarg);
			break;
		}
		case OPT_MAIL_FROM:
			/* The empty reverse-path (<>) is legal: SPF then uses the HELO name. */
			if (*optarg && strcmp(optarg, "<>") != 0 && !valid_address(optarg)) {
				*err = xasprintf("'%s' is not a mail address (local-part@domain)", optarg);
				return EXIT_USAGE;
			}
			free(o->in.mail_from);
			o->in.mail_from = xstrdup(strcmp(optarg, "<>") == 0 ? "" : optarg);
			break;
		case OPT_HELO: {
			const char *why;
			if (!domain_valid(optarg, &why)) {
				*err = xasprintf("'%s' is not a valid HELO name: %s", optarg, why);
				return EXIT_USAGE;
			}
			free(o->in.helo);
			o->in.helo = domain_normalize(optarg);
			break;
		}
		case OPT_RCPT:
			free(o->in.rcpt);
			o->in.rcpt = xstrdup(optarg); /* its syntax is a finding of step 2 */
			break;
		case OPT_BOUNCE:
			if (!check_readable(optarg, "bounce", err))
				return EXIT_USAGE;
			bounce = optarg;
			break;
		case OPT_BLOCKLISTS:
			if (!check_readable(optarg, "blocklist", err))
				return EXIT_USAGE;
			free(o->in.blocklists_file);
			o->in.blocklists_file = xstrdup(optarg);
			break;
		case OPT_DNS_SERVER: {
			char ip[64];
			int port;
			if (!resolver_parse_server(optarg, ip, sizeof(ip), &port)) {
				*err = xasprintf("'%s' is not a DNS server address (use IP, IP:PORT or [IPv6]:PORT)", optarg);
				return EXIT_USAGE;
			}
			strlist_add(&o->servers, optarg);
			break;
		}
		case OPT_ZONE:
			if (!check_readable(optarg, "zone", err))
				return EXIT_USAGE;
			strlist_add(&o->zones, optarg);
			break;
		case OPT_DEMO: o->demo = true; break;
		case OPT_TIMEOUT: {
			char *end;
			double t = strtod(optarg, &end);
			if (!*optarg || *end || !(t > 0) || t > 3600) {
				*err = xasprintf("--timeout takes seconds greater than 0, not '%s'", optarg);
				return EXIT_USAGE;
			}
			o->in.timeout_ms = (int)(t * 1000 + 0.5);
			if (o->in.timeout_ms < 1)
				o->in.timeout_ms = 1;
			break;
		}
		case OPT_TRIES:
			if (!parse_int(optarg, 1, 10, &v)) {
				*err = xasprintf("--tries takes a number from 1 to 10, not '%s'", optarg);
				return EXIT_USAGE;
			}
			o->tries = (int)v;
			break;
		case OPT_SMTP_PORT:
			if (!parse_int(optarg, 1, 65535, &v)) {
				*err = xasprintf("--smtp-port takes a port from 1 to 65535, not '%s'", optarg);
				return EXIT_USAGE;
			}
			o->in.smtp_port = (int)v;
			break;
		case OPT_CONNECT_TO:
			strlist_add(&o->in.connect_to, optarg);
			break;
		case OPT_CA_FILE:
			if (!check_readable(optarg, "CA", err))
				return EXIT_USAGE;
			free(o->in.ca_file);
			o->in.ca_file = xstrdup(optarg);
			break;
		case OPT_THEME: free(o->theme); o->theme = xstrdup(optarg); break;
		case OPT_ASCII: o->ascii = true; break;
		case ':':
			*err = xasprintf("option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			*err = xasprintf("unknown option '%s' (see mxaudit --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (o->help || o->version)
		return 0;

	int nargs = argc - optind;
	if (o->mode == MODE_BATCH && nargs > 0) {
		*err = xasprintf("'%s': with --batch the domains come from the file, not the command line", argv[optind]);
		return EXIT_USAGE;
	}
	if (o->mode == MODE_BATCH && bounce && !strcmp(bounce, "-") && !strcmp(o->batch_file, "-")) {
		*err = xstrdup("--batch - and --bounce - cannot both read standard input");
		return EXIT_USAGE;
	}
	if (nargs > 2) {
		*err = xasprintf("too many arguments: '%s' (expected DOMAIN [IP])", argv[optind + 2]);
		return EXIT_USAGE;
	}
	if (nargs >= 1 && !options_set_domain(&o->in, argv[optind], err))
		return EXIT_USAGE;
	if (nargs == 2 && !options_set_ip(&o->in, argv[optind + 1], err))
		return EXIT_USAGE;
	if (o->demo) {
		o->in.offline = true;
		if (!o->in.domain)
			o->in.domain = xstrdup(DEMO_DOMAIN);
		if (!o->in.ip)
			options_set_ip(&o->in, DEMO_IP, err);
		if (!o->in.selectors.n)
			strlist_add(&o->in.selectors, "mail2024");
		if (!o->in.blocklists_file) {
			/* The demo's lists live in demo.zone, not on the internet. */
			char *p = data_path("demo-blocklists.conf");
			if (access(p, R_OK) == 0)
				o->in.blocklists_file = p;
			else
				free(p);
		}
		if (!o->in.bounce_text && !bounce) {
			char *p = data_path("demo-bounce.txt");
			if (access(p, R_OK) == 0)
				bounce = NULL, o->in.bounce_text = read_file(p, MAX_BOUNCE_BYTES, &o->in.bounce_len, err);
			free(p);
		}
		char *zone = data_path(DEMO_ZONE);
		if (access(zone, R_OK) != 0) {
			*err = xasprintf("the demo zone %s is missing (is mxaudit installed?)", zone);
			free(zone);
			return EXIT_USAGE;
		}
		strlist_take(&o->zones, zone);
	}
	if (o->mode != MODE_TUI && o->mode != MODE_BATCH && !o->in.domain) {
		*err = xstrdup("a DOMAIN is needed with --json / --report (or use --demo)");
		return EXIT_USAGE;
	}
	if (bounce) {
		free(o->in.bounce_text);
		o->in.bounce_text = read_file(bounce, MAX_BOUNCE_BYTES, &o->in.bounce_len, err);
		if (!o->in.bounce_text)
			return EXIT_USAGE;
	}
	if (have_only)
		o->in.enabled = only;
	o->in.enabled &= ~skip;
	/* Batch mode defaults the identities from each line's domain; what is
	 * set now was given explicitly and applies to every line. */
	if (o->mode != MODE_BATCH)
		audit_input_finish(&o->in);
	return 0;
}

void options_free(struct options *o)
{
	audit_input_free(&o->in);
	strlist_free(&o->servers);
	strlist_free(&o->zones);
	free(o->theme);
	free(o->batch_file);
	free(o->output_file);
}

void options_resolver_config(const struct options *o, struct resolver_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->servers = (const char **)o->servers.v;
	cfg->nservers = o->servers.n;
	cfg->zone_files = (const char **)o->zones.v;
	cfg->nzone_files = o->zones.n;
	/* The per-try DNS timeout is a share of the per-query timeout. */
	cfg->tries = o->tries;
	cfg->timeout_ms = o->in.timeout_ms / (o->tries > 0 ? o->tries : 1);
	if (cfg->timeout_ms < 1)
		cfg->timeout_ms = 1;
}

/* The messages quote what was typed, and that may hold escape sequences,
 * C1 controls or invalid UTF-8 (a domain pasted from a hostile mail, a line
 * of a script): they go to a terminal, so they are made safe here, once,
 * for every caller. */
int options_parse(struct options *o, int argc, char **argv, char **err)
{
	int rc = options_parse_args(o, argc, argv, err);
	if (rc && *err) {
		char *safe = sanitize_str(*err, SANITIZE_UTF8);
		free(*err);
		*err = safe;
	}
	return rc;
}
