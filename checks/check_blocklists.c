/* check_blocklists.c - DNS blocklists for the sending IP and the domain
 * (step 4 of the fix flow).
 *
 * Every list is asked three questions at once: the real one (the IP's
 * reversed octets / nibbles, or the domain, below the list's zone) and its
 * two self-test entries (RFC 5782 5: 127.0.0.2 / "test" must be listed,
 * 127.0.0.1 / "invalid" must not).  All of them go out in start(), so 40
 * lists cost one round trip, not 40.
 *
 * A list's answer is only believed when its self-test passes: lists refuse
 * queries from public resolvers or over quota in ways that look like
 * listings (Spamhaus 127.255.255.254, URIBL 127.0.0.1 for everything), a
 * dead list may list the whole internet, and a resolver that rewrites
 * NXDOMAIN answers with an advertising address.  Those are `error`
 * ("could not be decided"), never `fail`.
 *
 * JSON (CONVENTIONS.md): listed [{zone, name, kind, code, meaning}] - one
 * entry per return code, so a list answering two codes gives two entries -
 * queried (lists asked), errors [{zone, reason}].  Added: lists (every list:
 * {zone, name, kind, query, verdict pass|listed|error|skip, delist, txt - the
 * list's TXT reason for a listing}) and public_resolver (the public
 * resolver in use, or null). */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "audit.h"
#include "blocklist_conf.h"
#include "report.h"
#include "resolver.h"

/* A list file is a few kilobytes; a megabyte is a mistake. */
#define BL_MAX_FILE (1u << 20)
/* A list answers one or two codes; more is noise we need not keep. */
#define BL_MAX_ADDRS 8

enum { Q_MAIN = 0, Q_TEST, Q_UNTEST, Q_COUNT };

enum bl_verdict {
	V_NOT_QUERIED = 0, /* IPv6 sender on an IPv4-only list, no IP for an ip list */
	V_CLEAN,
	V_LISTED,
	V_ERROR,
};

/* Error kinds, each one finding id. */
enum bl_error {
	E_NONE = 0,
	E_REFUSED,     /* a refusal return code */
	E_TIMEOUT,     /* no answer */
	E_LOOKUP,      /* SERVFAIL, REFUSED rcode, network error */
	E_MISBEHAVING, /* an answer outside 127/8 */
	E_SELFTEST,    /* the test entries did not answer as documented */
	E_COUNT
};

static const char *const error_ids[E_COUNT] = {
	[E_REFUSED] = "blocklists.refused",       [E_TIMEOUT] = "blocklists.timeout",
	[E_LOOKUP] = "blocklists.lookup-failed",  [E_MISBEHAVING] = "blocklists.misbehaving",
	[E_SELFTEST] = "blocklists.self-test-failed",
};

struct bl_answer {
	char *qname;
	const struct blocklist *main; /* set on the real question (not a self-test): fetch TXT when listed */
	char *txt;     /* the list's TXT reason for a listing, raw, or NULL */
	bool done;
	enum dns_result res;
	char *error;
	unsigned char addrs[BL_MAX_ADDRS][4];
	size_t naddrs;
};

struct bl_entry {
	const struct blocklist *bl;
	struct bl_answer q[Q_COUNT];
	/* Decided in finish(). */
	enum bl_verdict verdict;
	enum bl_error error;
	char *reason;          /* for V_ERROR */
	struct strlist codes;  /* for V_LISTED: "127.0.0.2" ... */
	struct strlist meanings;
	bool offline;          /* V_NOT_QUERIED: not in the loaded zone files */
};

/* The parsed list file, shared by the audits of one process (batch mode
 * starts thousands, the TUI re-runs): read and parsed again only when the
 * file changes (another inode, size, modification or change time).  Each
 * audit holds a reference, so a file edited mid-run never pulls the lists
 * from under an audit still using the old ones. */
struct bl_lists {
	unsigned refs;
	char *path;
	struct stat st;
	struct blocklist_set set;
};
static struct bl_lists *lists_cache; /* the latest file read; one reference */

static void lists_unref(struct bl_lists *l)
{
	if (!l || --l->refs)
		return;
	blocklist_set_free(&l->set);
	free(l->path);
	free(l);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The lists in path, with a reference for the caller; NULL and *err. */
static struct bl_lists *lists_get(const char *path, char **err)
{
	struct stat st;
	bool have_st = stat(path, &st) == 0;
	if (have_st && lists_cache && !strcmp(lists_cache->path, path) && same_file(&lists_cache->st, &st)) {
		lists_cache->refs++;
		return lists_cache;
	}
	size_t len;
	char *text = read_file(path, BL_MAX_FILE, &len, err);
	if (!text)
		return NULL;
	struct bl_lists *l = xcalloc(1, sizeof(*l));
	char *why = NULL;
	if (!blocklist_conf_parse(text, len, &l->set, &why)) {
		*err = xasprintf("%s: %s", path, why);
		free(why);
		free(text);
		free(l);
		return NULL;
	}
	free(text);
	l->path = xstrdup(path);
	l->refs = 1;
	if (have_st) {
		l->st = st;
		l->refs++;
		lists_unref(lists_cache);
		lists_cache = l;
	}
	return l;
}

struct bl_state {
	struct bl_lists *lists;
	char *file;
	char *load_error;
	struct bl_entry *e;
	size_t n;
	size_t queried;
	char *public_resolver; /* "8.8.8.8 (Google Public DNS)" or NULL */
	int64_t sent_ms, last_ms;
};

/* Resolvers that most blocklists refuse (Spamhaus, URIBL, SURBL,
 * Barracuda...): the query arrives from a shared address with millions of
 * users behind it, so the lists cannot attribute or rate-limit it. */
static const struct {
	const char *ip, *who;
} public_resolvers[] = {
	{"8.8.8.8", "Google Public DNS"},       {"8.8.4.4", "Google Public DNS"},
	{"2001:4860:4860::8888", "Google Public DNS"}, {"2001:4860:4860::8844", "Google Public DNS"},
	{"1.1.1.1", "Cloudflare"},              {"1.0.0.1", "Cloudflare"},
	{"2606:4700:4700::1111", "Cloudflare"}, {"2606:4700:4700::1001", "Cloudflare"},
	{"9.9.9.9", "Quad9"},                   {"149.112.112.112", "Quad9"},
	{"2620:fe::fe", "Quad9"},               {"2620:fe::9", "Quad9"},
	{"208.67.222.222", "OpenDNS"},          {"208.67.220.220", "OpenDNS"},
	{"2620:119:35::35", "OpenDNS"},         {"2620:119:53::53", "OpenDNS"},
	{"94.140.14.14", "AdGuard DNS"},        {"94.140.15.15", "AdGuard DNS"},
	{"64.6.64.6", "Verisign Public DNS"},   {"64.6.65.6", "Verisign Public DNS"},
	{"8.26.56.26", "Comodo Secure DNS"},    {"8.20.247.20", "Comodo Secure DNS"},
	{"185.228.168.9", "CleanBrowsing"},     {"76.76.2.0", "Control D"},
	{"77.88.8.8", "Yandex DNS"},            {"4.2.2.1", "Level 3"},
	{"4.2.2.2", "Level 3"},                 {"4.2.2.3", "Level 3"},
	{"4.2.2.4", "Level 3"},
};

/* The first well-known public resolver among the servers the resolver
 * uses ("8.8.8.8:53,[2606:4700:4700::1111]:53"), or NULL. */
static char *find_public_resolver(const char *describe)
{
	if (!describe)
		return NULL;
	char *copy = xstrdup(describe), *save = NULL, *found = NULL;
	for (char *tok = strtok_r(copy, ", ", &save); tok && !found; tok = strtok_r(NULL, ", ", &save)) {
		char ip[64];
		int port;
		if (!resolver_parse_server(tok, ip, sizeof(ip), &port))
			continue;
		for (size_t i = 0; i < ARRAY_LEN(public_resolvers); i++)
			if (strcmp(ip, public_resolvers[i].ip) == 0) {
				found = xasprintf("%s (%s)", ip, public_resolvers[i].who);
				break;
			}
	}
	free(copy);
	return found;
}

/* Most lists explain a listing in a TXT record at the same name (often with
 * the lookup / removal URL for that address).  Asked only after a listing,
 * so a clean run stays one round trip. */
static void on_txt(struct check *c, void *arg, struct dns_answer *ans)
{
	struct bl_answer *q = arg;
	(void)c;
	const struct dns_rr *rr = dns_answer_next(ans, DNS_T_TXT, NULL);
	if (rr && !q->txt)
		q->txt = xstrndup(rr->u.txt.text, rr->u.txt.len > 400 ? 400 : rr->u.txt.len);
}

static void on_answer(struct check *c, void *arg, struct dns_answer *ans)
{
	struct bl_answer *q = arg;
	struct bl_state *s = c->state;
	q->done = true;
	q->res = ans->result;
	if (!dns_result_is_answer(ans->result))
		q->error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_A, rr));)
		if (q->naddrs < BL_MAX_ADDRS && rr->u.addr.family == AF_INET)
			memcpy(q->addrs[q->naddrs++], rr->u.addr.bytes, 4);
	s->last_ms = now_ms();
	if (q->main && q->naddrs) {
		char *meaning;
		if (blocklist_classify(q->main, q->addrs[0], &meaning) == BLOCKLIST_A_LISTED)
			check_query(c, q->qname, DNS_T_TXT, 0, on_txt, q);
		free(meaning);
	}
}

static bool load_lists(struct check *c, struct bl_state *s)
{
	const char *given = c->audit->in.blocklists_file;
	s->file = given ? xstrdup(given) : data_path("blocklists.conf");
	s->lists = lists_get(s->file, &s->load_error);
	return s->lists != NULL;
}

static void start(struct check *c)
{
	struct bl_state *s = xcalloc(1, sizeof(*s));
	const struct audit_input *in = &c->audit->in;
	c->state = s;
	if (!load_lists(c, s)) {
		check_add_finding(c, STATUS_ERROR, "blocklists.list-file", s->file, "Correct the blocklist list file "
		                  "(format: ZONE ip|domain NAME... CODE=meaning ...).",
		                  "Could not load the blocklist list file: %s", s->load_error);
		check_set_summary(c, "cannot load the list file");
		return;
	}
	s->public_resolver = find_public_resolver(resolver_describe(c->audit->resolver));
	const struct blocklist_set *set = &s->lists->set;
	s->e = xcalloc(set->n ? set->n : 1, sizeof(*s->e));
	s->n = set->n;
	for (size_t i = 0; i < s->n; i++) {
		struct bl_entry *e = &s->e[i];
		e->bl = &set->v[i];
		if (e->bl->kind == BLOCKLIST_IP)
			e->q[Q_MAIN].qname = in->ip ? blocklist_query_ip(e->bl, in->ip_family, in->ip_addr) : NULL;
		else
			e->q[Q_MAIN].qname = blocklist_query_domain(e->bl, in->domain);
		if (!e->q[Q_MAIN].qname)
			continue;
		e->q[Q_MAIN].main = e->bl;
		e->q[Q_TEST].qname = blocklist_query_test(e->bl, true);
		e->q[Q_UNTEST].qname = blocklist_query_test(e->bl, false);
		s->queried++;
	}
	if (!s->queried) {
		check_set_summary(c, in->ip ? "none of the %zu lists can be asked about %s" : "no IP given and no domain "
		                  "lists configured", s->n, in->ip);
		check_set_status(c, STATUS_SKIP);
		return;
	}
	/* Everything goes out now, before any answer is looked at. */
	s->sent_ms = now_ms();
	for (size_t i = 0; i < s->n; i++)
		for (int k = 0; k < Q_COUNT; k++)
			if (s->e[i].q[k].qname)
				check_query(c, s->e[i].q[k].qname, DNS_T_A, 0, on_answer, &s->e[i].q[k]);
	check_set_summary(c, "asking %zu lists", s->queried);
}

static void set_error(struct bl_entry *e, enum bl_error kind, char *reason)
{
	e->verdict = V_ERROR;
	e->error = kind;
	e->reason = reason;
}

/* A lookup that produced no answer: timeout or some other failure. */
static bool lookup_failed(struct bl_entry *e, const struct bl_answer *q, const char *what)
{
	if (dns_result_is_answer(q->res))
		return false;
	set_error(e, q->res == DNS_TIMEOUT ? E_TIMEOUT : E_LOOKUP,
	          xasprintf("%s: %s", what, q->error ? q->error : dns_result_name(q->res)));
	return true;
}

/* Classify every address of q; on a refusal or a bogus answer set the
 * entry's error and return true. */
static bool answer_refused(struct bl_entry *e, const struct bl_answer *q, const char *what)
{
	for (size_t j = 0; j < q->naddrs; j++) {
		char *meaning;
		enum blocklist_answer a = blocklist_classify(e->bl, q->addrs[j], &meaning);
		if (a == BLOCKLIST_A_LISTED) {
			free(meaning);
			continue;
		}
		set_error(e, a == BLOCKLIST_A_REFUSED ? E_REFUSED : E_MISBEHAVING,
		          xasprintf("%s answered %u.%u.%u.%u: %s", what, q->addrs[j][0], q->addrs[j][1], q->addrs[j][2],
		                    q->addrs[j][3], meaning));
		free(meaning);
		return true;
	}
	return false;
}

static void decide(struct bl_entry *e, bool offline)
{
	const struct bl_answer *m = &e->q[Q_MAIN], *t = &e->q[Q_TEST], *u = &e->q[Q_UNTEST];
	if (!m->qname) {
		e->verdict = V_NOT_QUERIED;
		return;
	}
	/* Answering from zone files (--zone): a list outside them was not
	 * really asked; that is not a failure of the list. */
	if (offline && m->res == DNS_REFUSED) {
		e->verdict = V_NOT_QUERIED;
		e->offline = true;
		return;
	}
	/* A refusal or a nonsense answer anywhere says the most. */
	if (answer_refused(e, m, "the list") || answer_refused(e, t, "the test entry") ||
	    answer_refused(e, u, "the never-listed test entry"))
		return;
	if (lookup_failed(e, m, "the query") || lookup_failed(e, t, "the self-test query") ||
	    lookup_failed(e, u, "the self-test query"))
		return;
	if (t->res != DNS_OK) {
		set_error(e, E_SELFTEST,
		          xasprintf("list not answering as expected from this resolver: its test entry %s is not "
		                    "listed (%s)", e->bl->test_listed, dns_result_name(t->res)));
		return;
	}
	if (u->res == DNS_OK) {
		set_error(e, E_SELFTEST,
		          xasprintf("list not answering as expected from this resolver: it lists %s, which must never "
		                    "be listed (a dead list may list everything)", e->bl->test_unlisted));
		return;
	}
	if (m->res != DNS_OK) {
		e->verdict = V_CLEAN;
		return;
	}
	e->verdict = V_LISTED;
	for (size_t j = 0; j < m->naddrs; j++) {
		char *meaning;
		blocklist_classify(e->bl, m->addrs[j], &meaning);
		strlist_addf(&e->codes, "%u.%u.%u.%u", m->addrs[j][0], m->addrs[j][1], m->addrs[j][2], m->addrs[j][3]);
		strlist_take(&e->meanings, meaning);
	}
	if (!e->codes.n) /* NOERROR with CNAMEs only, or only AAAA: cannot happen for a sane list */
		set_error(e, E_MISBEHAVING, xstrdup("the list answered without an A record"));
}

static const char *what_listed(const struct check *c, const struct bl_entry *e)
{
	return e->bl->kind == BLOCKLIST_IP ? c->audit->in.ip : c->audit->in.domain;
}

static const char advice[] =
	"Fix the cause before asking for removal: lists re-list quickly, and some refuse repeat requests. Look for "
	"complaints (mail people did not ask for, purchased or old lists, no working unsubscribe), a compromised "
	"account or machine sending spam (change its password, check the mail queue and logs), an open relay or "
	"open proxy, or web forms abused to send mail.";

static void finish(struct check *c)
{
	struct bl_state *s = c->state;
	if (!s || s->load_error || !s->queried)
		return;
	size_t listed = 0, errors = 0, clean = 0;
	const char *who = resolver_describe(c->audit->resolver);
	bool offline = who && strncmp(who, "zone file", 9) == 0;
	for (size_t i = 0; i < s->n; i++) {
		decide(&s->e[i], offline);
		listed += s->e[i].verdict == V_LISTED;
		errors += s->e[i].verdict == V_ERROR;
		clean += s->e[i].verdict == V_CLEAN;
		if (s->e[i].offline)
			s->queried--;
	}
	if (!s->queried) {
		check_set_summary(c, "offline run (%s): none of the %zu lists is in them", who, s->n);
		check_set_status(c, STATUS_SKIP);
		return;
	}
	if (s->public_resolver)
		check_add_finding(c, errors ? STATUS_WARN : STATUS_PASS, "blocklists.public-resolver",
		                  resolver_describe(c->audit->resolver),
		                  "Query the lists through your own recursive resolver (e.g. unbound on the mail "
		                  "server), or use --dns-server with one.",
		                  "The configured resolver %s is a public resolver: several lists (Spamhaus, URIBL, "
		                  "SURBL, Barracuda and others) refuse queries that come through it, so their "
		                  "verdicts below may be errors rather than answers.", s->public_resolver);
	for (size_t i = 0; i < s->n; i++) {
		const struct bl_entry *e = &s->e[i];
		if (e->verdict != V_LISTED)
			continue;
		struct strbuf codes, ev;
		strbuf_init(&codes);
		strbuf_init(&ev);
		for (size_t j = 0; j < e->codes.n; j++) {
			strbuf_addf(&codes, "%s%s (%s)", j ? ", " : "", e->codes.v[j], e->meanings.v[j]);
			strbuf_addf(&ev, "%s%s A %s", j ? "; " : "", e->q[Q_MAIN].qname, e->codes.v[j]);
		}
		if (e->q[Q_MAIN].txt)
			strbuf_addf(&ev, "; TXT \"%s\"", e->q[Q_MAIN].txt);
		char *fix = e->bl->delist ? xasprintf("%s Then request removal: %s", advice, e->bl->delist)
		                          : xasprintf("%s Then request removal from %s.", advice, e->bl->name);
		check_add_finding(c, e->bl->warn_only ? STATUS_WARN : STATUS_FAIL, "blocklists.listed", ev.s, fix,
		                  "%s is listed on %s (%s): %s.", what_listed(c, e), e->bl->name, e->bl->zone, codes.s);
		free(fix);
		strbuf_free(&codes);
		strbuf_free(&ev);
	}
	/* Errors: one finding per kind, naming every list it hit. */
	for (int k = E_NONE + 1; k < E_COUNT; k++) {
		struct strbuf zones, ev;
		strbuf_init(&zones);
		strbuf_init(&ev);
		size_t n = 0;
		for (size_t i = 0; i < s->n; i++) {
			const struct bl_entry *e = &s->e[i];
			if (e->verdict != V_ERROR || (int)e->error != k)
				continue;
			strbuf_addf(&zones, "%s%s", n ? ", " : "", e->bl->zone);
			strbuf_addf(&ev, "%s%s: %s", n ? "\n" : "", e->bl->zone, e->reason);
			n++;
		}
		if (n) {
			static const char *const msg[E_COUNT] = {
				[E_REFUSED] = "refused the query (a refusal code, not a listing)",
				[E_TIMEOUT] = "did not answer in time",
				[E_LOOKUP] = "could not be queried",
				[E_MISBEHAVING] = "answered outside 127.0.0.0/8: the list misbehaves",
				[E_SELFTEST] = "failed the self-test: list not answering as expected from this resolver",
			};
			static const char *const fix[E_COUNT] = {
				[E_REFUSED] = "Query through your own recursive resolver, not a public or forwarding one, "
				              "and within the list's free-use limits.",
				[E_TIMEOUT] = "Retry later or with a longer --timeout; check that the resolver can reach "
				              "the list's servers.",
				[E_LOOKUP] = "Retry later, or query through another resolver.",
				[E_MISBEHAVING] = "Remove the list from the list file (it may be dead), or stop the "
				                  "resolver from rewriting NXDOMAIN answers.",
				[E_SELFTEST] = "Query through your own recursive resolver; if it persists the list is "
				               "dead or changed its codes: remove it from the list file.",
			};
			check_add_finding(c, STATUS_ERROR, error_ids[k], ev.s, fix[k], "%zu list%s %s: %s.", n,
			                  n == 1 ? "" : "s", msg[k], zones.s);
		}
		strbuf_free(&zones);
		strbuf_free(&ev);
	}
	if (!listed && clean)
		check_add_finding(c, STATUS_PASS, "blocklists.clean", NULL, NULL,
		                  "Not listed on any of the %zu lists that answered.", clean);
	if (listed)
		check_set_summary(c, "listed on %zu of %zu lists%s", listed, s->queried,
		                  errors ? "; some could not be checked" : "");
	else if (errors)
		check_set_summary(c, "not listed on %zu lists; %zu could not be checked", clean, errors);
	else
		check_set_summary(c, "not listed (%zu lists)", clean);
}

static const char *verdict_name(enum bl_verdict v)
{
	switch (v) {
	case V_CLEAN: return "pass";
	case V_LISTED: return "listed";
	case V_ERROR: return "error";
	default: return "skip";
	}
}

static void json(const struct check *c, struct json_object *obj)
{
	struct bl_state *s = c->state;
	struct json_object *listed = json_object_new_array(), *errors = json_object_new_array();
	struct json_object *lists = json_object_new_array();
	bool decided = s && c->done && !s->load_error && s->queried;
	for (size_t i = 0; decided && i < s->n; i++) {
		const struct bl_entry *e = &s->e[i];
		const char *kind = e->bl->kind == BLOCKLIST_IP ? "ip" : "domain";
		for (size_t j = 0; e->verdict == V_LISTED && j < e->codes.n; j++) {
			struct json_object *l = json_object_new_object();
			report_json_add_string(l, "zone", e->bl->zone);
			report_json_add_string(l, "name", e->bl->name);
			report_json_add_string(l, "kind", kind);
			report_json_add_string(l, "code", e->codes.v[j]);
			report_json_add_string(l, "meaning", e->meanings.v[j]);
			json_object_array_add(listed, l);
		}
		if (e->verdict == V_ERROR) {
			struct json_object *er = json_object_new_object();
			report_json_add_string(er, "zone", e->bl->zone);
			report_json_add_string(er, "reason", e->reason);
			json_object_array_add(errors, er);
		}
		struct json_object *l = json_object_new_object();
		report_json_add_string(l, "zone", e->bl->zone);
		report_json_add_string(l, "name", e->bl->name);
		report_json_add_string(l, "kind", kind);
		report_json_add_string(l, "query", e->q[Q_MAIN].qname);
		report_json_add_string(l, "verdict", verdict_name(e->verdict));
		report_json_add_string(l, "delist", e->bl->delist);
		report_json_add_string(l, "txt", e->verdict == V_LISTED ? e->q[Q_MAIN].txt : NULL);
		json_object_array_add(lists, l);
	}
	json_object_object_add(obj, "listed", listed);
	if (decided)
		report_json_add_int(obj, "queried", (long long)s->queried);
	else
		report_json_add_null(obj, "queried");
	json_object_object_add(obj, "errors", errors);
	json_object_object_add(obj, "lists", lists);
	report_json_add_string(obj, "public_resolver", s ? s->public_resolver : NULL);
}

static void detail(const struct check *c, struct textlines *out)
{
	struct bl_state *s = c->state;
	if (!s)
		return;
	const struct audit_input *in = &c->audit->in;
	if (s->load_error) {
		textlines_add(out, LINE_ERROR, 0, "%s", s->load_error);
		return;
	}
	textlines_add(out, LINE_HEADING, 0, "Blocklists for %s%s%s (%zu of %zu lists asked)", in->ip ? in->ip : "",
	              in->ip ? " and " : "", in->domain, s->queried, s->n);
	textlines_add(out, LINE_DIM, 1, "list file %s; all queries sent at once%s", s->file,
	              c->done && s->last_ms ? "" : ", waiting for answers");
	if (c->done && s->last_ms && s->sent_ms)
		textlines_add(out, LINE_DIM, 1, "all answers in within %lld ms", (long long)(s->last_ms - s->sent_ms));
	if (s->public_resolver)
		textlines_add(out, LINE_WARN, 1,
		              "The resolver %s is a public resolver: Spamhaus, URIBL, SURBL, Barracuda and other lists "
		              "refuse queries through it - use your own recursive resolver.", s->public_resolver);
	if (!c->done)
		return;
	/* Listed first, then errors, then clean, then not asked. */
	static const enum bl_verdict order[] = {V_LISTED, V_ERROR, V_CLEAN, V_NOT_QUERIED};
	for (size_t o = 0; o < ARRAY_LEN(order); o++)
		for (size_t i = 0; i < s->n; i++) {
			const struct bl_entry *e = &s->e[i];
			if (e->verdict != order[o])
				continue;
			switch (e->verdict) {
			case V_LISTED:
				textlines_add(out, e->bl->warn_only ? LINE_WARN : LINE_FAIL, 1, "LISTED  %s (%s)", e->bl->name,
				              e->bl->zone);
				for (size_t j = 0; j < e->codes.n; j++)
					textlines_add(out, LINE_MATCH, 2, "%s A %s: %s", e->q[Q_MAIN].qname, e->codes.v[j],
					              e->meanings.v[j]);
				if (e->q[Q_MAIN].txt)
					textlines_add(out, LINE_NORMAL, 2, "the list says: %s", e->q[Q_MAIN].txt);
				textlines_add(out, LINE_NORMAL, 2, "delisting: %s",
				              e->bl->delist ? e->bl->delist : "see the list operator's web site");
				break;
			case V_ERROR:
				textlines_add(out, LINE_ERROR, 1, "error   %s (%s): %s", e->bl->name, e->bl->zone, e->reason);
				break;
			case V_CLEAN:
				textlines_add(out, LINE_PASS, 1, "clean   %s (%s)", e->bl->name, e->bl->zone);
				break;
			default:
				textlines_add(out, LINE_DIM, 1, "not asked  %s (%s): %s", e->bl->name, e->bl->zone,
				              e->offline                      ? "not in the zone files of this offline run"
				              : e->bl->kind == BLOCKLIST_DOMAIN ? "no domain"
				              : in->ip ? "the list has no IPv6 data" : "no IP given");
				break;
			}
		}
	textlines_add(out, LINE_HEADING, 0, "Before asking for delisting");
	textlines_add(out, LINE_NORMAL, 1, "%s", advice);
}

static void free_state(struct check *c)
{
	struct bl_state *s = c->state;
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct bl_entry *e = &s->e[i];
		for (int k = 0; k < Q_COUNT; k++) {
			free(e->q[k].qname);
			free(e->q[k].error);
			free(e->q[k].txt);
		}
		free(e->reason);
		strlist_free(&e->codes);
		strlist_free(&e->meanings);
	}
	free(s->e);
	lists_unref(s->lists);
	free(s->file);
	free(s->load_error);
	free(s->public_resolver);
	free(s);
}

const struct check_class check_blocklists_class = {
	.name = "blocklists",
	.title = "Blocklists",
	.start = start,
	.finish = finish,
	.json = json,
	.detail = detail,
	.free_state = free_state,
};
