/* blocklist_conf.c - parse the blocklist list file; classify list answers.
 * Pure functions: no I/O, no DNS (see blocklist_conf.h for the format). */
#include "blocklist_conf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

/* A line longer than this is not a list definition. */
#define MAX_LINE 4096

struct token {
	char *text; /* quotes removed */
	long eq;    /* offset of the first "=" in text (quoted or not: "CODE=a b" is an option), or -1 */
};

static void code_free(struct blocklist_code *c)
{
	free(c->meaning);
}

static void list_free(struct blocklist *bl)
{
	free(bl->zone);
	free(bl->name);
	free(bl->delist);
	free(bl->test_listed);
	free(bl->test_unlisted);
	for (size_t i = 0; i < bl->ncodes; i++)
		code_free(&bl->codes[i]);
	free(bl->codes);
	memset(bl, 0, sizeof(*bl));
}

void blocklist_set_free(struct blocklist_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		list_free(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static bool parse_v4(const char *s, size_t n, uint32_t *out)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

/* Split one line into tokens.  Returns the count, or -1 with *why set. */
static int tokenize(const char *line, size_t len, struct token *tok, int max, const char **why)
{
	int n = 0;
	size_t i = 0;
	while (i < len) {
		while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i >= len || line[i] == '#')
			break;
		if (n == max) {
			*why = "too many tokens";
			for (int k = 0; k < n; k++)
				free(tok[k].text);
			return -1;
		}
		struct strbuf b;
		strbuf_init(&b);
		long eq = -1;
		bool quoted = false;
		for (; i < len; i++) {
			char ch = line[i];
			if (ch == '"') {
				quoted = !quoted;
				continue;
			}
			if (!quoted && (ch == ' ' || ch == '\t' || ch == '\r'))
				break;
			if (ch == '=' && eq < 0)
				eq = (long)b.len;
			strbuf_addc(&b, ch);
		}
		if (quoted) {
			strbuf_free(&b);
			*why = "unterminated quote";
			for (int k = 0; k < n; k++)
				free(tok[k].text);
			return -1;
		}
		tok[n].text = strbuf_steal(&b);
		tok[n].eq = eq;
		n++;
	}
	return n;
}

static bool valid_test_entry(enum blocklist_kind kind, const char *v)
{
	int family;
	unsigned char a[16];
	if (kind == BLOCKLIST_IP)
		return ip_parse(v, &family, a);
	return domain_valid(v, NULL);
}

/* One KEY=VALUE token (key = tok[0..eq)). Returns NULL or a static why. */
static const char *parse_option(struct blocklist *bl, const struct token *t)
{
	const char *key = t->text, *val = t->text + t->eq + 1;
	size_t klen = (size_t)t->eq;
	bool refusal = false;
	if (klen && key[0] == '!') {
		refusal = true;
		key++;
		klen--;
	}
	if (klen && key[0] >= '0' && key[0] <= '9') {
		struct blocklist_code c = {0};
		const char *dash = memchr(key, '-', klen);
		size_t l1 = dash ? (size_t)(dash - key) : klen;
		if (!parse_v4(key, l1, &c.lo))
			return "return code is not an IPv4 address";
		c.hi = c.lo;
		if (dash && !parse_v4(dash + 1, klen - l1 - 1, &c.hi))
			return "return code range end is not an IPv4 address";
		if (c.hi < c.lo)
			return "return code range is backwards";
		if (bl->ncodes >= BLOCKLIST_MAX_CODES)
			return "too many return codes";
		if (!*val)
			return "return code without a meaning";
		c.refusal = refusal;
		c.meaning = xstrdup(val);
		bl->codes = xrealloc(bl->codes, (bl->ncodes + 1) * sizeof(*bl->codes));
		bl->codes[bl->ncodes++] = c;
		return NULL;
	}
	if (refusal)
		return "'!' marks a return code only";
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
	if (KEY("delist")) {
		if (!*val)
			return "empty delist=";
		free(bl->delist);
		bl->delist = xstrdup(val);
	} else if (KEY("test") || KEY("untest")) {
		if (!valid_test_entry(bl->kind, val))
			return bl->kind == BLOCKLIST_IP ? "test entry of an ip list must be an IP address"
			                                : "test entry of a domain list must be a domain name";
		char **dst = KEY("test") ? &bl->test_listed : &bl->test_unlisted;
		free(*dst);
		*dst = domain_normalize(val);
	} else if (KEY("ipv6")) {
		if (strcmp(val, "yes") && strcmp(val, "no"))
			return "ipv6= takes yes or no";
		bl->ipv6 = strcmp(val, "yes") == 0;
	} else if (KEY("severity")) {
		if (strcmp(val, "warn") && strcmp(val, "fail"))
			return "severity= takes warn or fail";
		bl->warn_only = strcmp(val, "warn") == 0;
	} else if (KEY("match")) {
		if (strcmp(val, "bits") && strcmp(val, "exact"))
			return "match= takes bits or exact";
		bl->bits = strcmp(val, "bits") == 0;
	} else {
		return "unknown option (expected CODE=meaning, !CODE=meaning, delist=, test=, untest=, ipv6=, match=, severity=)";
	}
#undef KEY
	return NULL;
}

/* Parse one line into bl.  Returns NULL (also for a blank line: bl->zone
 * stays NULL) or a static why. */
static const char *parse_line(const char *line, size_t len, struct blocklist *bl)
{
	struct token tok[BLOCKLIST_MAX_CODES + 32];
	const char *why = NULL;
	if (len > MAX_LINE)
		return "line too long";
	if (memchr(line, '\0', len))
		return "NUL byte";
	int n = tokenize(line, len, tok, (int)ARRAY_LEN(tok), &why);
	if (n < 0)
		return why;
	if (n == 0)
		return NULL;
	if (n < 2) {
		why = "expected ZONE KIND NAME...";
		goto out;
	}
	if (tok[0].eq >= 0 || !domain_valid(tok[0].text, NULL) || strchr(tok[0].text, '.') == NULL) {
		why = "ZONE is not a domain name";
		goto out;
	}
	if (strcmp(tok[1].text, "ip") == 0)
		bl->kind = BLOCKLIST_IP;
	else if (strcmp(tok[1].text, "domain") == 0)
		bl->kind = BLOCKLIST_DOMAIN;
	else {
		why = "KIND must be ip or domain";
		goto out;
	}
	bl->zone = domain_normalize(tok[0].text);
	struct strbuf name;
	strbuf_init(&name);
	int i = 2;
	for (; i < n && tok[i].eq < 0; i++) {
		if (name.len)
			strbuf_addc(&name, ' ');
		strbuf_adds(&name, tok[i].text);
	}
	bl->name = name.len ? strbuf_steal(&name) : (strbuf_free(&name), xstrdup(bl->zone));
	for (; i < n && !why; i++) {
		if (tok[i].eq < 0)
			why = "a NAME word after the options (quote it, or put options last)";
		else
			why = parse_option(bl, &tok[i]);
	}
	if (!why && !bl->test_listed)
		bl->test_listed = xstrdup(bl->kind == BLOCKLIST_IP ? "127.0.0.2" : "test");
	if (!why && !bl->test_unlisted)
		bl->test_unlisted = xstrdup(bl->kind == BLOCKLIST_IP ? "127.0.0.1" : "invalid");
out:
	for (int k = 0; k < n; k++)
		free(tok[k].text);
	return why;
}

bool blocklist_conf_parse(const char *text, size_t len, struct blocklist_set *out, char **err)
{
	size_t cap = 0;
	int lineno = 0;
	out->v = NULL;
	out->n = 0;
	size_t pos = 0;
	const char *line;
	size_t l;
	while (text_next_line(text, len, &pos, &line, &l)) {
		lineno++;
		struct blocklist bl = {0};
		const char *why = parse_line(line, l, &bl);
		if (!why && bl.zone) {
			for (size_t i = 0; i < out->n && !why; i++)
				if (out->v[i].kind == bl.kind && strcmp(out->v[i].zone, bl.zone) == 0)
					why = "the same list twice";
			if (!why && out->n >= BLOCKLIST_MAX_LISTS)
				why = "too many lists";
		}
		if (why) {
			list_free(&bl);
			blocklist_set_free(out);
			*err = xasprintf("line %d: %s", lineno, why);
			return false;
		}
		if (!bl.zone)
			continue;
		bl.line = lineno;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		out->v[out->n++] = bl;
	}
	return true;
}

enum blocklist_answer blocklist_classify(const struct blocklist *bl, const unsigned char a[4], char **meaning)
{
	uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	if (a[0] != 127) {
		*meaning = xstrdup("outside 127.0.0.0/8, so the list misbehaves (an expired or hijacked zone, or a "
		                   "resolver rewriting NXDOMAIN answers)");
		return BLOCKLIST_A_BOGUS;
	}
	/* Refusal codes are exact (or ranges) even on bit-flag lists: URIBL's
	 * 127.0.0.1 would otherwise read as "bit 1". */
	for (size_t i = 0; i < bl->ncodes; i++)
		if (bl->codes[i].refusal && v >= bl->codes[i].lo && v <= bl->codes[i].hi) {
			*meaning = xstrdup(bl->codes[i].meaning);
			return BLOCKLIST_A_REFUSED;
		}
	struct strbuf b;
	strbuf_init(&b);
	for (size_t i = 0; i < bl->ncodes; i++) {
		const struct blocklist_code *c = &bl->codes[i];
		if (c->refusal)
			continue;
		bool hit;
		if (bl->bits)
			hit = (c->lo >> 8) == (v >> 8) && (c->lo & 0xFF) && (v & c->lo & 0xFF) == (c->lo & 0xFF);
		else
			hit = v >= c->lo && v <= c->hi;
		if (hit) {
			if (b.len)
				strbuf_adds(&b, "; ");
			strbuf_adds(&b, c->meaning);
		}
	}
	if (!b.len)
		strbuf_adds(&b, "unknown return code");
	*meaning = strbuf_steal(&b);
	return BLOCKLIST_A_LISTED;
}

char *blocklist_query_ip(const struct blocklist *bl, int family, const unsigned char *addr)
{
	if (bl->kind != BLOCKLIST_IP || (family == AF_INET6 && !bl->ipv6))
		return NULL;
	return ip_reverse_name(family, addr, bl->zone);
}

char *blocklist_query_domain(const struct blocklist *bl, const char *domain)
{
	if (bl->kind != BLOCKLIST_DOMAIN || !domain || !*domain)
		return NULL;
	char *d = domain_normalize(domain);
	char *q = xasprintf("%s.%s", d, bl->zone);
	free(d);
	return q;
}

char *blocklist_query_test(const struct blocklist *bl, bool listed)
{
	const char *t = listed ? bl->test_listed : bl->test_unlisted;
	if (bl->kind == BLOCKLIST_DOMAIN)
		return xasprintf("%s.%s", t, bl->zone);
	int family;
	unsigned char a[16];
	if (!ip_parse(t, &family, a))
		return NULL; /* cannot happen: checked when parsing */
	return ip_reverse_name(family, a, bl->zone);
}
