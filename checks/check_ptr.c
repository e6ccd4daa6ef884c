/* check_ptr.c - reverse DNS of the sending IP and forward confirmation.
 *
 * Gmail, Microsoft and most large receivers require that the sending IP has
 * a PTR record whose name resolves back to the same IP (forward-confirmed
 * reverse DNS, FCrDNS).  Beyond that, receivers and lists (Spamhaus PBL,
 * SpamRATS Dyna) score names that look like an ISP's end-user pool
 * ("192-0-2-25.dyn.provider.example"), and some compare the PTR name with
 * the HELO name.  IPv4 uses in-addr.arpa, IPv6 the nibbles of ip6.arpa.
 *
 * Findings: ptr.missing, ptr.lookup-failed, ptr.multiple, ptr.fcrdns,
 * ptr.not-confirmed, ptr.forward-lookup-failed, ptr.generic,
 * ptr.helo-mismatch.  JSON: names, fcrdns (CONVENTIONS.md), and additively
 * generic (true when a PTR name looks generic; null when undecided). */
#include <json-c/json.h>
#include <libpsl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "audit.h"
#include "ptr.h"
#include "report.h"

/* RFC 7208 4.6.4 caps PTR names at 10 for the same reason: bounded work. */
#define PTR_MAX_NAMES 10
/* The pattern file is small; more is a mistake. */
#define PTR_MAX_PATTERNS 256
#define PTR_MAX_PATTERN_FILE (256u * 1024)

/* ---- generic names (pure) ---------------------------------------------- */

struct ptr_patterns {
	regex_t *re;
	char **src;
	size_t n;
};

void ptr_patterns_free(struct ptr_patterns *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		regfree(&p->re[i]);
		free(p->src[i]);
	}
	free(p->re);
	free(p->src);
	free(p);
}

size_t ptr_patterns_count(const struct ptr_patterns *p)
{
	return p ? p->n : 0;
}

struct ptr_patterns *ptr_patterns_parse(const char *text, size_t len, char **err)
{
	struct ptr_patterns *p = xcalloc(1, sizeof(*p));
	size_t pos = 0;
	int lineno = 0;
	const char *line;
	size_t l;
	while (text_next_line(text, len, &pos, &line, &l)) {
		lineno++;
		while (l && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t'))
			l--;
		while (l && (*line == ' ' || *line == '\t'))
			line++, l--;
		if (!l || *line == '#')
			continue;
		if (memchr(line, '\0', l)) {
			*err = xasprintf("line %d: NUL byte", lineno);
			goto fail;
		}
		if (p->n >= PTR_MAX_PATTERNS) {
			*err = xasprintf("line %d: too many patterns", lineno);
			goto fail;
		}
		p->re = xrealloc(p->re, (p->n + 1) * sizeof(*p->re));
		p->src = xrealloc(p->src, (p->n + 1) * sizeof(*p->src));
		char *src = xstrndup(line, l);
		int rc = regcomp(&p->re[p->n], src, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rc != 0) {
			char buf[128];
			regerror(rc, &p->re[p->n], buf, sizeof(buf));
			*err = xasprintf("line %d: %s: %s", lineno, src, buf);
			free(src);
			goto fail;
		}
		p->src[p->n++] = src;
	}
	return p;
fail:
	ptr_patterns_free(p);
	return NULL;
}

char *ptr_host_part(const char *name)
{
	char *n = domain_normalize(name);
	const char *reg = psl_registrable_domain(psl_builtin(), n);
	char *out;
	if (!reg || reg == n)
		out = xstrdup("");
	else
		out = xstrndup(n, (size_t)(reg - n) - 1); /* without the dot before reg */
	free(n);
	return out;
}

/* The decimal numbers in s, in order (at most max). */
static size_t digit_runs(const char *s, unsigned long *v, size_t *width, size_t max)
{
	size_t n = 0;
	while (*s && n < max) {
		if (*s < '0' || *s > '9') {
			s++;
			continue;
		}
		const char *start = s;
		unsigned long x = 0;
		while (*s >= '0' && *s <= '9') {
			if (x < 100000000000000ul)
				x = x * 10 + (unsigned long)(*s - '0');
			s++;
		}
		v[n] = x;
		width[n++] = (size_t)(s - start);
	}
	return n;
}

static bool v4_embedded(const char *host, const unsigned char *a, char **why)
{
	unsigned long v[64];
	size_t w[64];
	size_t n = digit_runs(host, v, w, ARRAY_LEN(v));
	for (size_t i = 0; i + 4 <= n; i++) {
		bool fwd = true, rev = true;
		for (size_t k = 0; k < 4; k++) {
			fwd = fwd && v[i + k] == a[k];
			rev = rev && v[i + k] == a[3 - k];
		}
		if (fwd || rev) {
			*why = xasprintf("it contains the address %u.%u.%u.%u%s", a[0], a[1], a[2], a[3],
			                 rev && !fwd ? " (reversed)" : "");
			return true;
		}
	}
	/* 192000002025: the octets zero-padded and run together. */
	unsigned long padded = (unsigned long)a[0] * 1000000000ul + a[1] * 1000000ul + a[2] * 1000ul + a[3];
	for (size_t i = 0; i < n; i++)
		if (w[i] == 12 && v[i] == padded) {
			*why = xasprintf("it contains the address %u.%u.%u.%u as digits", a[0], a[1], a[2], a[3]);
			return true;
		}
	/* c0000219: the address in hex. */
	char hex[9];
	snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", a[0], a[1], a[2], a[3]);
	if (strstr(host, hex)) {
		*why = xasprintf("it contains the address %u.%u.%u.%u in hex (%s)", a[0], a[1], a[2], a[3], hex);
		return true;
	}
	return false;
}

static bool v6_embedded(const char *host, const unsigned char *a, char **why)
{
	unsigned hextet[8];
	bool used[8] = {false};
	size_t nonzero = 0;
	for (int i = 0; i < 8; i++) {
		hextet[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		nonzero += hextet[i] != 0;
	}
	char full[33];
	for (int i = 0; i < 16; i++)
		snprintf(full + 2 * i, 3, "%02x", a[i]);
	if (strstr(host, full)) {
		*why = xstrdup("it contains the whole IPv6 address in hex");
		return true;
	}
	/* Split into hex tokens; count the address's non-zero groups found
	 * ("2001-db8--66.dyn" has 2001, db8 and 66). */
	size_t matched = 0;
	const char *s = host;
	while (*s) {
		size_t l = strspn(s, "0123456789abcdef");
		if (l == 0) {
			s++;
			continue;
		}
		if (l <= 4) {
			char tok[5];
			memcpy(tok, s, l);
			tok[l] = '\0';
			unsigned v = (unsigned)strtoul(tok, NULL, 16);
			for (int i = 0; i < 8; i++)
				if (!used[i] && hextet[i] && hextet[i] == v) {
					used[i] = true;
					matched++;
					break;
				}
		}
		s += l;
	}
	if (matched >= 3 && matched * 2 >= nonzero) {
		*why = xasprintf("it contains %zu of the address's %zu non-zero groups", matched, nonzero);
		return true;
	}
	return false;
}

bool ptr_name_generic(const char *name, int family, const unsigned char *addr, const struct ptr_patterns *p,
                      char **why)
{
	char *host = ptr_host_part(name);
	bool generic = false;
	if (!*host) {
		free(host);
		return false;
	}
	ascii_lower(host);
	if (family == AF_INET)
		generic = v4_embedded(host, addr, why);
	else
		generic = v6_embedded(host, addr, why);
	for (size_t i = 0; !generic && p && i < p->n; i++)
		if (regexec(&p->re[i], host, 0, NULL, 0) == 0) {
			*why = xasprintf("its host part \"%s\" matches the generic-name pattern %s", host, p->src[i]);
			generic = true;
		}
	free(host);
	return generic;
}

/* ---- the check ----------------------------------------------------------- */

struct ptr_name {
	char *name;
	enum dns_result fwd;
	char *fwd_error;
	struct strlist addrs;
	bool matches;
	bool generic;
	char *generic_why;
};

struct ptr_state {
	char *rname;
	enum dns_result res;
	char *error;
	struct ptr_name *names;
	size_t nnames, total;
	const struct ptr_patterns *patterns; /* process-wide, see load_patterns() */
	const char *patterns_error;
};

/* The data file is read and its regexes compiled once per process: doing it
 * per audit was 38% of a batch domain's instructions (bench/NOTES.md).  The
 * compiled set is never changed afterwards and lives until exit. */
static void load_patterns(struct ptr_state *s)
{
	static struct ptr_patterns *patterns;
	static char *patterns_error;
	static bool loaded;
	if (!loaded) {
		char *path = data_path("generic-ptr-patterns.txt");
		size_t len;
		char *err = NULL;
		char *text = read_file(path, PTR_MAX_PATTERN_FILE, &len, &err);
		if (text) {
			patterns = ptr_patterns_parse(text, len, &err);
			if (!patterns) {
				patterns_error = xasprintf("%s: %s", path, err);
				free(err);
			}
			free(text);
		} else {
			patterns_error = err;
		}
		free(path);
		loaded = true;
	}
	s->patterns = patterns;
	s->patterns_error = patterns_error;
}

static void on_forward(struct check *c, void *arg, struct dns_answer *ans)
{
	struct ptr_name *n = arg;
	n->fwd = ans->result;
	if (!dns_result_is_answer(ans->result))
		n->fwd_error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, ans->qtype, rr));) {
		strlist_add(&n->addrs, rr->text);
		if (rr->u.addr.family == c->audit->in.ip_family &&
		    memcmp(rr->u.addr.bytes, c->audit->in.ip_addr, c->audit->in.ip_family == AF_INET ? 4 : 16) == 0)
			n->matches = true;
	}
}

static void on_ptr(struct check *c, void *arg, struct dns_answer *ans)
{
	struct ptr_state *s = c->state;
	(void)arg;
	s->res = ans->result;
	if (!dns_result_is_answer(ans->result)) {
		s->error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
		return;
	}
	s->total = dns_answer_count(ans, DNS_T_PTR);
	s->names = xcalloc(s->total ? s->total : 1, sizeof(*s->names));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_PTR, rr));) {
		if (s->nnames >= PTR_MAX_NAMES)
			break;
		struct ptr_name *n = &s->names[s->nnames++];
		n->name = domain_normalize(rr->u.name);
		/* Only the sender's own family can confirm it. */
		check_query(c, n->name, c->audit->in.ip_family == AF_INET ? DNS_T_A : DNS_T_AAAA, 0, on_forward, n);
	}
}

static void start(struct check *c)
{
	if (!c->audit->in.ip) {
		check_set_summary(c, "no sending IP given");
		check_set_status(c, STATUS_SKIP);
		return;
	}
	struct ptr_state *s = xcalloc(1, sizeof(*s));
	c->state = s;
	load_patterns(s);
	s->rname = ip_reverse_name(c->audit->in.ip_family, c->audit->in.ip_addr, NULL);
	check_set_summary(c, "looking up %s", s->rname);
	check_query(c, s->rname, DNS_T_PTR, 0, on_ptr, NULL);
}

/* The name receivers will go by: the first confirmed one, else the first.
 * Only called when there is at least one name. */
static const struct ptr_name *main_name(const struct ptr_state *s)
{
	for (size_t i = 0; i < s->nnames; i++)
		if (s->names[i].matches)
			return &s->names[i];
	return &s->names[0];
}

static void check_helo(struct check *c, const struct ptr_name *n)
{
	const char *helo = c->audit->in.helo;
	int family;
	unsigned char a[16];
	if (!helo || !*helo || ip_parse(helo, &family, a) || !domain_valid(helo, NULL))
		return;
	char *ho = domain_organizational(helo), *po = domain_organizational(n->name);
	if (strcmp(ho, po) != 0) {
		char *fix = xasprintf("Set the PTR to a name under %s that resolves back to %s (e.g. mail.%s), or send "
		                      "with a HELO name in %s that is the PTR name.", ho, c->audit->in.ip, ho, po);
		char *helo_desc = ascii_strcaseeq(helo, ho) ? xstrdup(helo) : xasprintf("%s (in %s)", helo, ho);
		check_add_finding(c, STATUS_WARN, "ptr.helo-mismatch", n->name, fix,
		                  "The PTR name %s is in %s, unrelated to the HELO name %s: receivers that compare "
		                  "them treat the sender as anonymous.", n->name, po, helo_desc);
		free(helo_desc);
		free(fix);
	}
	free(ho);
	free(po);
}

static void finish(struct check *c)
{
	struct ptr_state *s = c->state;
	const char *ip = c->audit->in.ip;
	const char *fam = c->audit->in.ip_family == AF_INET ? "A" : "AAAA";
	if (!s)
		return;
	if (s->error) {
		check_add_finding(c, STATUS_ERROR, "ptr.lookup-failed", s->rname, NULL,
		                  "Could not look up the reverse DNS of %s: %s", ip, s->error);
		check_set_summary(c, "PTR lookup failed");
		return;
	}
	if (s->nnames == 0) {
		check_add_finding(c, STATUS_FAIL, "ptr.missing", s->rname,
		                  "Ask whoever owns the IP (your hosting provider or ISP) to set its reverse DNS "
		                  "to the server's host name, e.g. mail.<your domain>, and make that name resolve "
		                  "to the IP.",
		                  "%s has no PTR record (%s is %s). Gmail and most large receivers reject or "
		                  "penalise mail from IPs without reverse DNS.", ip, s->rname,
		                  dns_result_name(s->res));
		check_set_summary(c, "no PTR for %s", ip);
		return;
	}
	bool any = false, any_error = false;
	for (size_t i = 0; i < s->nnames; i++) {
		any = any || s->names[i].matches;
		any_error = any_error || s->names[i].fwd_error;
	}
	if (s->total > 1) {
		struct strbuf ev;
		strbuf_init(&ev);
		for (size_t i = 0; i < s->nnames; i++)
			strbuf_addf(&ev, "%s%s PTR %s", i ? "; " : "", s->rname, s->names[i].name);
		check_add_finding(c, STATUS_WARN, "ptr.multiple", ev.s, "Keep exactly one PTR record.",
		                  "%s has %zu PTR records; receivers may pick any one of them, so keep one.", ip,
		                  s->total);
		strbuf_free(&ev);
	}
	const struct ptr_name *m = main_name(s);
	if (any) {
		check_add_finding(c, STATUS_PASS, "ptr.fcrdns", m->name, NULL, "Forward-confirmed: %s resolves back to %s.",
		                  m->name, ip);
		check_set_summary(c, "%s -> %s (forward-confirmed)", ip, m->name);
	} else if (any_error) {
		const struct ptr_name *e = m;
		for (size_t i = 0; i < s->nnames; i++)
			if (s->names[i].fwd_error) {
				e = &s->names[i];
				break;
			}
		check_add_finding(c, STATUS_ERROR, "ptr.forward-lookup-failed", e->name, NULL,
		                  "Could not resolve %s to confirm it: %s", e->name,
		                  e->fwd_error ? e->fwd_error : "lookup failed");
		check_set_summary(c, "%s -> %s (could not confirm)", ip, m->name);
	} else {
		char *fix = xasprintf("Add \"%s. IN %s %s\" to the zone of %s, or change the PTR to a name that "
		                      "resolves to %s.", m->name, fam, ip, m->name, ip);
		struct strbuf ev;
		strbuf_init(&ev);
		for (size_t i = 0; i < s->nnames; i++) {
			const struct ptr_name *n = &s->names[i];
			strbuf_addf(&ev, "%s%s %s -> %s", i ? "; " : "", n->name, fam,
			            n->addrs.n ? n->addrs.v[0] : dns_result_name(n->fwd));
		}
		check_add_finding(c, STATUS_FAIL, "ptr.not-confirmed", ev.s, fix,
		                  "The PTR name %s does not resolve back to %s (its %s lookup gives %s): the reverse DNS "
		                  "is not forward-confirmed, which Gmail requires.", m->name, ip, fam,
		                  m->addrs.n ? m->addrs.v[0] : dns_result_name(m->fwd));
		free(ev.s);
		free(fix);
		check_set_summary(c, "%s -> %s (not forward-confirmed)", ip, m->name);
	}
	for (size_t i = 0; i < s->nnames; i++) {
		struct ptr_name *n = &s->names[i];
		n->generic = ptr_name_generic(n->name, c->audit->in.ip_family, c->audit->in.ip_addr, s->patterns,
		                              &n->generic_why);
		if (n->generic)
			check_add_finding(c, STATUS_WARN, "ptr.generic", n->name,
			                  "Set the PTR to a name that identifies the mail server (e.g. mail.<your domain>); "
			                  "if the IP is an end-user line, send through your provider's or another "
			                  "relay instead.",
			                  "The PTR name %s looks generic (%s): receivers and lists such as Spamhaus PBL "
			                  "treat such names as end-user or dynamic addresses that should not send "
			                  "mail directly.", n->name, n->generic_why);
	}
	check_helo(c, m);
}

static void json(const struct check *c, struct json_object *obj)
{
	struct ptr_state *s = c->state;
	struct json_object *names = json_object_new_array();
	bool any = false, any_error = false, decided = s && !s->error && c->done;
	bool generic = false;
	for (size_t i = 0; s && i < s->nnames; i++) {
		json_object_array_add(names, json_object_new_string(s->names[i].name));
		any = any || s->names[i].matches;
		any_error = any_error || s->names[i].fwd_error;
		generic = generic || s->names[i].generic;
	}
	/* A failed forward lookup leaves it open, unless another name confirmed. */
	if (any_error && !any)
		decided = false;
	json_object_object_add(obj, "names", names);
	report_json_add_bool(obj, "fcrdns", decided ? any : -1);
	report_json_add_bool(obj, "generic", s && c->done && !s->error ? generic : -1);
}

static void detail(const struct check *c, struct textlines *out)
{
	struct ptr_state *s = c->state;
	if (!s)
		return;
	textlines_add(out, LINE_HEADING, 0, "Reverse DNS of %s", c->audit->in.ip);
	textlines_add(out, LINE_DIM, 1, "%s", s->rname);
	for (size_t i = 0; i < s->nnames; i++) {
		const struct ptr_name *n = &s->names[i];
		textlines_add(out, n->matches ? LINE_PASS : LINE_FAIL, 1, "PTR %s", n->name);
		for (size_t j = 0; j < n->addrs.n; j++)
			textlines_add(out, n->matches ? LINE_DIM : LINE_FAIL, 2, "-> %s", n->addrs.v[j]);
		if (!n->addrs.n && c->done)
			textlines_add(out, LINE_FAIL, 2, "-> %s", n->fwd_error ? n->fwd_error : dns_result_name(n->fwd));
		if (n->generic)
			textlines_add(out, LINE_WARN, 2, "looks generic: %s", n->generic_why);
	}
	if (c->done && s->nnames) {
		const struct ptr_name *m = main_name(s);
		char *ho = c->audit->in.helo ? domain_organizational(c->audit->in.helo) : NULL;
		char *po = domain_organizational(m->name);
		textlines_add(out, LINE_DIM, 1, "HELO %s (organisational domain %s); PTR organisational domain %s",
		              c->audit->in.helo ? c->audit->in.helo : "-", ho ? ho : "-", po);
		free(ho);
		free(po);
	}
	if (s->patterns_error)
		textlines_add(out, LINE_DIM, 1, "generic-name patterns not loaded: %s", s->patterns_error);
}

static void free_state(struct check *c)
{
	struct ptr_state *s = c->state;
	if (!s)
		return;
	for (size_t i = 0; i < s->nnames; i++) {
		free(s->names[i].name);
		free(s->names[i].fwd_error);
		free(s->names[i].generic_why);
		strlist_free(&s->names[i].addrs);
	}
	free(s->names);
	free(s->rname);
	free(s->error);
	free(s);
}

const struct check_class check_ptr_class = {
	.name = "ptr",
	.title = "PTR",
	.start = start,
	.finish = finish,
	.json = json,
	.detail = detail,
	.free_state = free_state,
};
