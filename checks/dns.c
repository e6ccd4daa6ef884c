/* dns.c - wire-format responses to struct dns_answer.
 *
 * One walker for every type, rather than c-ares 1.18's per-type
 * ares_parse_*_reply(): those drop the owner names and TTLs we show as
 * evidence, hide the CNAME chain, split TXT strings inconsistently across
 * versions, and there is no TLSA parser at all.  Names are decompressed with
 * ares_expand_name(), which bounds pointer loops.  No I/O here: the function
 * is fed by both backends, the unit tests and the fuzzer. */
#include "dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

/* Bound what one answer may make us allocate: a hostile server can send
 * 64 KiB of tiny records over TCP. */
#define DNS_MAX_RRS 1024

bool dns_result_is_answer(enum dns_result r)
{
	return r == DNS_OK || r == DNS_NODATA || r == DNS_NXDOMAIN;
}

const char *dns_result_name(enum dns_result r)
{
	switch (r) {
	case DNS_OK: return "NOERROR";
	case DNS_NODATA: return "NODATA";
	case DNS_NXDOMAIN: return "NXDOMAIN";
	case DNS_SERVFAIL: return "SERVFAIL";
	case DNS_REFUSED: return "REFUSED";
	case DNS_TIMEOUT: return "timeout";
	case DNS_TRUNCATED: return "truncated";
	case DNS_FORMERR: return "malformed answer";
	case DNS_NETERR: return "network error";
	case DNS_ERROR: return "error";
	}
	return "error";
}

static const struct {
	uint16_t type;
	const char *name;
} type_names[] = {
	{DNS_T_A, "A"},     {DNS_T_NS, "NS"},     {DNS_T_CNAME, "CNAME"}, {DNS_T_SOA, "SOA"},
	{DNS_T_PTR, "PTR"}, {DNS_T_MX, "MX"},     {DNS_T_TXT, "TXT"},     {DNS_T_AAAA, "AAAA"},
	{DNS_T_DNAME, "DNAME"}, {DNS_T_TLSA, "TLSA"}, {DNS_T_SPF, "SPF"},
};

const char *dns_type_name(uint16_t type)
{
	static char buf[16];
	for (size_t i = 0; i < ARRAY_LEN(type_names); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	snprintf(buf, sizeof(buf), "TYPE%u", type);
	return buf;
}

int dns_type_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(type_names); i++)
		if (ascii_strcaseeq(type_names[i].name, name))
			return type_names[i].type;
	return -1;
}

static struct dns_answer *answer_new(const char *qname, uint16_t qtype)
{
	struct dns_answer *a = xcalloc(1, sizeof(*a));
	a->refs = 1;
	a->qname = domain_normalize(qname ? qname : "");
	a->qtype = qtype;
	a->rcode = -1;
	return a;
}

struct dns_answer *dns_answer_error(const char *qname, uint16_t qtype, enum dns_result r, const char *why)
{
	struct dns_answer *a = answer_new(qname, qtype);
	a->result = r;
	a->error = xstrdup(why ? why : dns_result_name(r));
	return a;
}

static void rr_free(struct dns_rr *rr)
{
	free(rr->owner);
	free(rr->text);
	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA: break;
	case DNS_T_MX: free(rr->u.mx.exchange); break;
	case DNS_T_PTR:
	case DNS_T_CNAME:
	case DNS_T_NS:
	case DNS_T_DNAME: free(rr->u.name); break;
	case DNS_T_TXT:
	case DNS_T_SPF:
		free(rr->u.txt.text);
		free(rr->u.txt.lens);
		break;
	case DNS_T_SOA:
		free(rr->u.soa.mname);
		free(rr->u.soa.rname);
		break;
	case DNS_T_TLSA: free(rr->u.tlsa.data); break;
	default: free(rr->u.raw.data); break;
	}
}

struct dns_answer *dns_answer_ref(struct dns_answer *a)
{
	if (a)
		a->refs++;
	return a;
}

void dns_answer_unref(struct dns_answer *a)
{
	if (!a || --a->refs > 0)
		return;
	for (size_t i = 0; i < a->nrrs; i++)
		rr_free(&a->rrs[i]);
	free(a->rrs);
	free(a->qname);
	free(a->server);
	free(a->error);
	free(a);
}

const struct dns_rr *dns_answer_next(const struct dns_answer *a, uint16_t t, const struct dns_rr *prev)
{
	size_t i = prev ? (size_t)(prev - a->rrs) + 1 : 0;
	for (; i < a->nrrs; i++)
		if (a->rrs[i].type == t)
			return &a->rrs[i];
	return NULL;
}

size_t dns_answer_count(const struct dns_answer *a, uint16_t t)
{
	size_t n = 0;
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(a, t, rr));)
		n++;
	return n;
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Expand a (possibly compressed) name at p; *used gets the bytes it takes
 * at p.  Returns NULL on a malformed name. */
static char *expand_name(const unsigned char *p, const unsigned char *msg, size_t len, long *used)
{
	char *name = NULL;
	if (p < msg || p >= msg + len)
		return NULL;
	if (ares_expand_name(p, msg, (int)len, &name, used) != ARES_SUCCESS)
		return NULL;
	char *copy = xstrdup(name);
	ares_free_string(name);
	return copy;
}

/* Presentation text of a TXT record: each string quoted, "\"" and "\\"
 * escaped, others kept raw (sanitised later by whoever shows it). */
static char *txt_text(const struct dns_rr *rr)
{
	/* Sized first, then written in one allocation: DKIM keys are long and
	 * this runs for every TXT answer (a byte-at-a-time strbuf showed up in
	 * the batch profile). */
	const char *t = rr->u.txt.text;
	size_t need = 1, total = 0;
	for (size_t i = 0; i < rr->u.txt.nstrings; i++)
		total += rr->u.txt.lens[i];
	need += total + 3 * rr->u.txt.nstrings; /* quotes and separators */
	for (size_t k = 0; k < total; k++)
		need += t[k] == '"' || t[k] == '\\';
	char *out = xmalloc(need), *p = out;
	size_t off = 0;
	for (size_t i = 0; i < rr->u.txt.nstrings; i++) {
		if (i)
			*p++ = ' ';
		*p++ = '"';
		for (size_t j = 0; j < rr->u.txt.lens[i]; j++) {
			char c = t[off + j];
			if (c == '"' || c == '\\')
				*p++ = '\\';
			*p++ = c;
		}
		*p++ = '"';
		off += rr->u.txt.lens[i];
	}
	*p = '\0';
	return out;
}

static char *hex(const unsigned char *d, size_t n)
{
	char *s = xmalloc(n * 2 + 1);
	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", d[i]);
	s[n * 2] = '\0';
	return s;
}

/* Decode rdata of one record. Returns false if it is malformed. */
static bool parse_rdata(struct dns_rr *rr, const unsigned char *rd, size_t rdlen, const unsigned char *msg,
                        size_t len)
{
	long used;
	char buf[INET6_ADDRSTRLEN];
	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA: {
		size_t want = rr->type == DNS_T_A ? 4 : 16;
		if (rdlen != want)
			return false;
		rr->u.addr.family = rr->type == DNS_T_A ? AF_INET : AF_INET6;
		memcpy(rr->u.addr.bytes, rd, want);
		ip_format(rr->u.addr.family, rd, buf, sizeof(buf));
		rr->text = xstrdup(buf);
		return true;
	}
	case DNS_T_MX:
		if (rdlen < 3)
			return false;
		rr->u.mx.preference = get16(rd);
		rr->u.mx.exchange = expand_name(rd + 2, msg, len, &used);
		if (!rr->u.mx.exchange)
			return false;
		rr->text = xasprintf("%u %s.", rr->u.mx.preference, rr->u.mx.exchange);
		return true;
	case DNS_T_PTR:
	case DNS_T_CNAME:
	case DNS_T_NS:
	case DNS_T_DNAME:
		rr->u.name = expand_name(rd, msg, len, &used);
		if (!rr->u.name)
			return false;
		rr->text = xasprintf("%s.", rr->u.name);
		return true;
	case DNS_T_TXT:
	case DNS_T_SPF: {
		/* RFC 7208 3.3: strings are concatenated without spaces. */
		struct strbuf b;
		size_t n = 0, cap = 4;
		size_t *lens = xmalloc(cap * sizeof(*lens));
		strbuf_init(&b);
		strbuf_add(&b, "", 0);
		for (size_t off = 0; off < rdlen;) {
			size_t l = rd[off];
			if (off + 1 + l > rdlen) {
				strbuf_free(&b);
				free(lens);
				return false;
			}
			strbuf_add(&b, rd + off + 1, l);
			if (n == cap)
				lens = xrealloc(lens, (cap *= 2) * sizeof(*lens));
			lens[n++] = l;
			off += 1 + l;
		}
		rr->u.txt.len = b.len;
		rr->u.txt.text = strbuf_steal(&b);
		rr->u.txt.nstrings = n;
		rr->u.txt.lens = lens;
		rr->text = txt_text(rr);
		return true;
	}
	case DNS_T_SOA: {
		long used2;
		rr->u.soa.mname = expand_name(rd, msg, len, &used);
		if (!rr->u.soa.mname)
			return false;
		rr->u.soa.rname = expand_name(rd + used, msg, len, &used2);
		if (!rr->u.soa.rname || (size_t)(used + used2) + 20 > rdlen)
			return false;
		const unsigned char *p = rd + used + used2;
		rr->u.soa.serial = get32(p);
		rr->u.soa.refresh = get32(p + 4);
		rr->u.soa.retry = get32(p + 8);
		rr->u.soa.expire = get32(p + 12);
		rr->u.soa.minimum = get32(p + 16);
		rr->text = xasprintf("%s. %s. %u %u %u %u %u", rr->u.soa.mname, rr->u.soa.rname, rr->u.soa.serial,
		                     rr->u.soa.refresh, rr->u.soa.retry, rr->u.soa.expire, rr->u.soa.minimum);
		return true;
	}
	case DNS_T_TLSA: {
		if (rdlen < 3)
			return false;
		rr->u.tlsa.usage = rd[0];
		rr->u.tlsa.selector = rd[1];
		rr->u.tlsa.mtype = rd[2];
		rr->u.tlsa.len = rdlen - 3;
		rr->u.tlsa.data = xmalloc(rdlen - 3 + 1);
		memcpy(rr->u.tlsa.data, rd + 3, rdlen - 3);
		char *h = hex(rd + 3, rdlen - 3);
		rr->text = xasprintf("%u %u %u %s", rd[0], rd[1], rd[2], h);
		free(h);
		return true;
	}
	default: {
		rr->u.raw.len = rdlen;
		rr->u.raw.data = xmalloc(rdlen + 1);
		memcpy(rr->u.raw.data, rd, rdlen);
		char *h = hex(rd, rdlen);
		rr->text = xasprintf("\\# %zu %s", rdlen, h);
		free(h);
		return true;
	}
	}
}

static struct dns_answer *formerr(struct dns_answer *a, const char *why)
{
	for (size_t i = 0; i < a->nrrs; i++)
		rr_free(&a->rrs[i]);
	free(a->rrs);
	a->rrs = NULL;
	a->nrrs = 0;
	a->result = DNS_FORMERR;
	free(a->error);
	a->error = xasprintf("malformed DNS response: %s", why);
	return a;
}

struct dns_answer *dns_parse(const unsigned char *msg, size_t len, const char *qname, uint16_t qtype)
{
	struct dns_answer *a = answer_new(qname, qtype);
	if (!msg || len < 12)
		return formerr(a, "shorter than a DNS header");
	if (len > 65535)
		return formerr(a, "longer than a DNS message can be");
	a->rcode = msg[3] & 0x0F;
	a->truncated = (msg[2] & 0x02) != 0;
	a->authentic = (msg[3] & 0x20) != 0;
	unsigned qd = get16(msg + 4), an = get16(msg + 6);

	const unsigned char *p = msg + 12, *end = msg + len;
	for (unsigned i = 0; i < qd; i++) {
		long used;
		char *n = expand_name(p, msg, len, &used);
		if (!n)
			return formerr(a, "bad question name");
		free(n);
		if (p + used + 4 > end)
			return formerr(a, "question section cut short");
		p += used + 4;
	}

	switch (a->rcode) {
	case 0: break;
	case 1: a->result = DNS_FORMERR; a->error = xstrdup("the server answered FORMERR"); return a;
	case 2: a->result = DNS_SERVFAIL; a->error = xstrdup("the server answered SERVFAIL"); return a;
	case 3: a->result = DNS_NXDOMAIN; break;
	case 5: a->result = DNS_REFUSED; a->error = xstrdup("the server answered REFUSED"); return a;
	default:
		a->result = DNS_ERROR;
		a->error = xasprintf("the server answered rcode %d", a->rcode);
		return a;
	}

	if (an > DNS_MAX_RRS)
		an = DNS_MAX_RRS;
	a->rrs = xcalloc(an ? an : 1, sizeof(*a->rrs));
	/* Follow the CNAME chain from qname so only records that belong to the
	 * answer are kept (a server may add unrelated ones). */
	char *want = xstrdup(a->qname);
	for (unsigned i = 0; i < an; i++) {
		long used;
		char *owner = expand_name(p, msg, len, &used);
		if (!owner) {
			free(want);
			return formerr(a, "bad owner name in the answer section");
		}
		if (p + used + 10 > end) {
			free(owner);
			free(want);
			return formerr(a, "answer record cut short");
		}
		const unsigned char *h = p + used;
		uint16_t type = get16(h), rclass = get16(h + 2);
		uint32_t ttl = get32(h + 4);
		uint16_t rdlen = get16(h + 8);
		const unsigned char *rd = h + 10;
		if (rd + rdlen > end) {
			free(owner);
			free(want);
			return formerr(a, "record data runs past the end of the message");
		}
		p = rd + rdlen;
		ascii_lower(owner);
		bool relevant = ascii_strcaseeq(owner, want) && (type == qtype || type == DNS_T_CNAME);
		if (!relevant) {
			free(owner);
			continue;
		}
		struct dns_rr *rr = &a->rrs[a->nrrs];
		memset(rr, 0, sizeof(*rr));
		rr->owner = owner;
		rr->type = type;
		rr->rclass = rclass;
		rr->ttl = ttl;
		if (!parse_rdata(rr, rd, rdlen, msg, len)) {
			rr_free(rr);
			free(want);
			return formerr(a, "record data does not match its type");
		}
		a->nrrs++;
		if (type == DNS_T_CNAME && qtype != DNS_T_CNAME) {
			free(want);
			want = xstrdup(rr->u.name);
			ascii_lower(want);
		}
	}
	if (a->result == DNS_NXDOMAIN) {
		free(want);
		return a;
	}
	a->result = dns_answer_count(a, qtype) ? DNS_OK : DNS_NODATA;
	/* A chain that ends at one of its own names is a CNAME loop: the name
	 * cannot be resolved (a recursive resolver says SERVFAIL), which is not
	 * "no such record".  Authoritative servers such as Knot answer NOERROR
	 * with the loop in the answer section. */
	if (a->result == DNS_NODATA && qtype != DNS_T_CNAME) {
		for (size_t i = 0; i < a->nrrs; i++) {
			if (a->rrs[i].type == DNS_T_CNAME && ascii_strcaseeq(a->rrs[i].owner, want)) {
				a->result = DNS_ERROR;
				a->error = xasprintf("CNAME loop: %s leads back to %s", a->qname, want);
				break;
			}
		}
	}
	free(want);
	return a;
}

/* Decimal digits of v into buf (at least 21 bytes); returns buf. */
static char *fmt_unsigned(char *buf, unsigned long long v)
{
	char tmp[24];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

char *dns_answer_summary(const struct dns_answer *a)
{
	/* Assembled by hand, not printf'd: every answer of every audit goes
	 * through here for the query log, and formatting was most of the cost
	 * of receiving an answer (see docs/BENCHMARKS.md). */
	char counted[48], num[24], ms[32];
	const char *what;
	if (a->result == DNS_OK) {
		size_t n = dns_answer_count(a, a->qtype);
		size_t l = strlen(strcpy(counted, "NOERROR, "));
		strcpy(counted + l, fmt_unsigned(num, n));
		strcat(counted, n == 1 ? " record" : " records");
		what = counted;
	} else if (dns_result_is_answer(a->result)) {
		what = dns_result_name(a->result);
	} else {
		what = a->error ? a->error : dns_result_name(a->result);
	}
	/* The resolver's times are whole milliseconds. */
	if (a->elapsed_ms >= 0 && a->elapsed_ms < 1e15 && a->elapsed_ms == (double)(long long)a->elapsed_ms)
		fmt_unsigned(ms, (unsigned long long)a->elapsed_ms);
	else
		snprintf(ms, sizeof(ms), "%.0f", a->elapsed_ms);
	const char *part[] = {dns_type_name(a->qtype), " ", a->qname, " -> ", what, a->authentic ? ", AD" : "", " (",
	                      ms, " ms", a->server ? ", " : "", a->server ? a->server : "", ")"};
	enum { NPART = sizeof(part) / sizeof(part[0]) };
	size_t len[NPART], total = 1;
	for (size_t i = 0; i < NPART; i++)
		total += len[i] = strlen(part[i]);
	char *out = xmalloc(total), *p = out;
	for (size_t i = 0; i < NPART; i++) {
		memcpy(p, part[i], len[i]);
		p += len[i];
	}
	*p = '\0';
	return out;
}
