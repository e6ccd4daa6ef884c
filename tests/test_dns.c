/* test_dns.c - dns_parse() on hand-built wire messages: every type the
 * checks use, negative answers and error rcodes, and broken or hostile
 * messages (which must give DNS_FORMERR, never a crash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dns.h"

/* ---- a tiny message builder ---- */

struct msg {
	unsigned char b[4096];
	size_t len;
};

static void put8(struct msg *m, unsigned v)
{
	assert_true(m->len < sizeof(m->b));
	m->b[m->len++] = (unsigned char)v;
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, (v >> 8) & 0xff);
	put8(m, v & 0xff);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void putbytes(struct msg *m, const void *d, size_t n)
{
	assert_true(m->len + n <= sizeof(m->b));
	memcpy(m->b + m->len, d, n);
	m->len += n;
}

/* "a.example" -> 1a7example0 ("" or "." = root). */
static void putname(struct msg *m, const char *name)
{
	const char *p = name;
	while (*p && strcmp(p, ".") != 0) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		put8(m, (unsigned)l);
		putbytes(m, p, l);
		p += l;
		if (*p == '.')
			p++;
	}
	put8(m, 0);
}

/* Header with the given flags/rcode and counts, then one question. */
static void header(struct msg *m, unsigned rcode, unsigned an, const char *qname, uint16_t qtype)
{
	m->len = 0;
	put16(m, 0x1234);
	put16(m, 0x8180 | rcode); /* QR RD RA */
	put16(m, 1);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
	putname(m, qname);
	put16(m, qtype);
	put16(m, 1);
}

/* Start of a record; returns the offset of rdlength to patch. */
static size_t rr_start(struct msg *m, const char *owner, uint16_t type, uint32_t ttl)
{
	putname(m, owner);
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	size_t at = m->len;
	put16(m, 0);
	return at;
}

static void rr_end(struct msg *m, size_t at)
{
	size_t rdlen = m->len - at - 2;
	m->b[at] = (unsigned char)(rdlen >> 8);
	m->b[at + 1] = (unsigned char)rdlen;
}

static void rr_a(struct msg *m, const char *owner, const char *ip4)
{
	size_t at = rr_start(m, owner, DNS_T_A, 300);
	unsigned a, b, c, d;
	assert_int_equal(sscanf(ip4, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
	put8(m, a);
	put8(m, b);
	put8(m, c);
	put8(m, d);
	rr_end(m, at);
}

static void rr_name(struct msg *m, const char *owner, uint16_t type, const char *target)
{
	size_t at = rr_start(m, owner, type, 300);
	putname(m, target);
	rr_end(m, at);
}

static struct dns_answer *parse(const struct msg *m, const char *qname, uint16_t qtype)
{
	return dns_parse(m->b, m->len, qname, qtype);
}

/* ---- the types ---- */

static void test_a(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 0, 2, "www.example.com", DNS_T_A);
	rr_a(&m, "www.example.com", "192.0.2.1");
	rr_a(&m, "WWW.Example.COM", "192.0.2.2"); /* owner case must not matter */
	struct dns_answer *a = parse(&m, "www.example.com", DNS_T_A);
	assert_int_equal(a->result, DNS_OK);
	assert_int_equal(a->rcode, 0);
	assert_null(a->error);
	assert_int_equal(dns_answer_count(a, DNS_T_A), 2);
	const struct dns_rr *rr = dns_answer_next(a, DNS_T_A, NULL);
	assert_string_equal(rr->owner, "www.example.com");
	assert_int_equal(rr->ttl, 300);
	assert_int_equal(rr->rclass, 1);
	assert_int_equal(rr->u.addr.family, AF_INET);
	assert_memory_equal(rr->u.addr.bytes, "\xc0\x00\x02\x01", 4);
	assert_string_equal(rr->text, "192.0.2.1");
	rr = dns_answer_next(a, DNS_T_A, rr);
	assert_string_equal(rr->text, "192.0.2.2");
	assert_string_equal(rr->owner, "www.example.com"); /* lower-cased */
	assert_null(dns_answer_next(a, DNS_T_A, rr));
	assert_false(a->truncated);
	assert_false(a->authentic);
	dns_answer_unref(a);
}

static void test_aaaa(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 0, 1, "mx1.example.com", DNS_T_AAAA);
	size_t at = rr_start(&m, "mx1.example.com", DNS_T_AAAA, 60);
	putbytes(&m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x10", 16);
	rr_end(&m, at);
	struct dns_answer *a = parse(&m, "mx1.example.com.", DNS_T_AAAA); /* trailing dot in the question */
	assert_int_equal(a->result, DNS_OK);
	assert_string_equal(a->qname, "mx1.example.com");
	const struct dns_rr *rr = dns_answer_next(a, DNS_T_AAAA, NULL);
	assert_non_null(rr);
	assert_int_equal(rr->u.addr.family, AF_INET6);
	assert_string_equal(rr->text, "2001:db8::10");
	dns_answer_unref(a);
}

static void test_mx_and_null_mx(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 0, 2, "example.com", DNS_T_MX);
	size_t at = rr_start(&m, "example.com", DNS_T_MX, 300);
	put16(&m, 10);
	put16(&m, 0xc00c); /* compressed: the question name */
	rr_end(&m, at);
	at = rr_start(&m, "example.com", DNS_T_MX, 300);
	put16(&m, 20);
	put8(&m, 3);
	putbytes(&m, "mx2", 3);
	put16(&m, 0xc00c); /* mx2 + pointer to example.com */
	rr_end(&m, at);
	struct dns_answer *a = parse(&m, "example.com", DNS_T_MX);
	assert_int_equal(a->result, DNS_OK);
	assert_int_equal(dns_answer_count(a, DNS_T_MX), 2);
	const struct dns_rr *rr = dns_answer_next(a, DNS_T_MX, NULL);
	assert_int_equal(rr->u.mx.preference, 10);
	assert_string_equal(rr->u.mx.exchange, "example.com");
	rr = dns_answer_next(a, DNS_T_MX, rr);
	assert_int_equal(rr->u.mx.preference, 20);
	assert_string_equal(rr->u.mx.exchange, "mx2.example.com");
	assert_string_equal(rr->text, "20 mx2.example.com.");
	dns_answer_unref(a);

	/* RFC 7505 null MX: "0 ." */
	header(&m, 0, 1, "example.org", DNS_T_MX);
	at = rr_start(&m, "example.org", DNS_T_MX, 300);
	put16(&m, 0);
	put8(&m, 0);
	rr_end(&m, at);
	a = parse(&m, "example.org", DNS_T_MX);
	assert_int_equal(a->result, DNS_OK);
	rr = dns_answer_next(a, DNS_T_MX, NULL);
	assert_non_null(rr);
	assert_int_equal(rr->u.mx.preference, 0);
	assert_string_equal(rr->u.mx.exchange, "");
	dns_answer_unref(a);
}

static void test_txt_strings(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 0, 2, "example.com", DNS_T_TXT);
	size_t at = rr_start(&m, "example.com", DNS_T_TXT, 300);
	put8(&m, 7);
	putbytes(&m, "v=spf1 ", 7);
	put8(&m, 10);
	putbytes(&m, "include:_s", 10);
	put8(&m, 0); /* an empty string counts too */
	put8(&m, 8);
	putbytes(&m, "pf ~all\"", 8);
	rr_end(&m, at);
	at = rr_start(&m, "example.com", DNS_T_TXT, 300);
	put8(&m, 3);
	putbytes(&m, "abc", 3);
	put8(&m, 3);
	putbytes(&m, "d\0f", 3); /* a NUL inside: len tells, not strlen */
	rr_end(&m, at);
	struct dns_answer *a = parse(&m, "example.com", DNS_T_TXT);
	assert_int_equal(a->result, DNS_OK);
	const struct dns_rr *rr = dns_answer_next(a, DNS_T_TXT, NULL);
	/* RFC 7208 3.3: concatenated without spaces. */
	assert_string_equal(rr->u.txt.text, "v=spf1 include:_spf ~all\"");
	assert_int_equal(rr->u.txt.len, 25);
	assert_int_equal(rr->u.txt.nstrings, 4);
	assert_int_equal(rr->u.txt.lens[0], 7);
	assert_int_equal(rr->u.txt.lens[1], 10);
	assert_int_equal(rr->u.txt.lens[2], 0);
	assert_int_equal(rr->u.txt.lens[3], 8);
	assert_string_equal(rr->text, "\"v=spf1 \" \"include:_s\" \"\" \"pf ~all\\\"\"");
	rr = dns_answer_next(a, DNS_T_TXT, rr);
	assert_int_equal(rr->u.txt.len, 6);
	assert_memory_equal(rr->u.txt.text, "abcd\0f", 7); /* and still NUL-terminated */
	assert_int_equal(rr->u.txt.nstrings, 2);
	dns_answer_unref(a);

	/* A string running past its rdata is malformed. */
	header(&m, 0, 1, "example.com", DNS_T_TXT);
	at = rr_start(&m, "example.com", DNS_T_TXT, 300);
	put8(&m, 9);
	putbytes(&m, "short", 5);
	rr_end(&m, at);
	a = parse(&m, "example.com", DNS_T_TXT);
	assert_int_equal(a->result, DNS_FORMERR);
	assert_int_equal(a->nrrs, 0);
	dns_answer_unref(a);
}

static void test_ptr(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 0, 1, "25.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_name(&m, "25.2.0.192.in-addr.arpa", DNS_T_PTR, "host.example.net");
	struct dns_answer *a = parse(&m, "25.2.0.192.in-addr.arpa", DNS_T_PTR);
	assert_int_equal(a->result, DNS_OK);
	const struct dns_rr *rr = dns_answer_next(a, DNS_T_PTR, NULL);
	assert_string_equal(rr->u.name, "host.example.net");
	assert_string_equal(rr->text, "host.example.net.");
	dns_answer_unref(a);
}

static void test_cname_chain(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 0, 5, "a.example.com", DNS_T_A);
	rr_a(&m, "unrelated.example.com", "192.0.2.99"); /* before the chain: not ours */
	rr_name(&m, "a.example.com", DNS_T_CNAME, "b.example.com");
	rr_name(&m, "b.example.com", DNS_T_CNAME, "c.example.net");
	rr_a(&m, "a.example.com", "192.0.2.98"); /* the old name, not the chain's end */
	rr_a(&m, "c.example.net", "192.0.2.3");
	struct dns_answer *a = parse(&m, "a.example.com", DNS_T_A);
	assert_int_equal(a->result, DNS_OK);
	assert_int_equal(dns_answer_count(a, DNS_T_CNAME), 2);
	assert_int_equal(dns_answer_count(a, DNS_T_A), 1);
	assert_int_equal(a->nrrs, 3);
	assert_string_equal(a->rrs[0].u.name, "b.example.com");
	assert_string_equal(a->rrs[1].u.name, "c.example.net");
	const struct dns_rr *rr = dns_answer_next(a, DNS_T_A, NULL);
	assert_string_equal(rr->owner, "c.example.net");
	assert_string_equal(rr->text, "192.0.2.3");
	dns_answer_unref(a);

	/* A chain that ends without data of the type: NODATA, CNAMEs kept. */
	header(&m, 0, 1, "a.example.com", DNS_T_MX);
	rr_name(&m, "a.example.com", DNS_T_CNAME, "b.example.com");
	a = parse(&m, "a.example.com", DNS_T_MX);
	assert_int_equal(a->result, DNS_NODATA);
	assert_int_equal(dns_answer_count(a, DNS_T_CNAME), 1);
	dns_answer_unref(a);

	/* Asking for the CNAME itself does not follow it. */
	header(&m, 0, 2, "a.example.com", DNS_T_CNAME);
	rr_name(&m, "a.example.com", DNS_T_CNAME, "b.example.com");
	rr_name(&m, "b.example.com", DNS_T_CNAME, "c.example.com");
	a = parse(&m, "a.example.com", DNS_T_CNAME);
	assert_int_equal(a->result, DNS_OK);
	assert_int_equal(dns_answer_count(a, DNS_T_CNAME), 1);
	dns_answer_unref(a);
}

static void test_soa(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 0, 1, "example.com", DNS_T_SOA);
	size_t at = rr_start(&m, "example.com", DNS_T_SOA, 3600);
	putname(&m, "ns1.example.com");
	putname(&m, "hostmaster.example.com");
	put32(&m, 2024010101);
	put32(&m, 3600);
	put32(&m, 900);
	put32(&m, 1209600);
	put32(&m, 300);
	rr_end(&m, at);
	struct dns_answer *a = parse(&m, "example.com", DNS_T_SOA);
	assert_int_equal(a->result, DNS_OK);
	const struct dns_rr *rr = dns_answer_next(a, DNS_T_SOA, NULL);
	assert_string_equal(rr->u.soa.mname, "ns1.example.com");
	assert_string_equal(rr->u.soa.rname, "hostmaster.example.com");
	assert_int_equal(rr->u.soa.serial, 2024010101);
	assert_int_equal(rr->u.soa.refresh, 3600);
	assert_int_equal(rr->u.soa.retry, 900);
	assert_int_equal(rr->u.soa.expire, 1209600);
	assert_int_equal(rr->u.soa.minimum, 300);
	dns_answer_unref(a);

	/* The counters cut short. */
	header(&m, 0, 1, "example.com", DNS_T_SOA);
	at = rr_start(&m, "example.com", DNS_T_SOA, 3600);
	putname(&m, "ns1.example.com");
	putname(&m, "hostmaster.example.com");
	put32(&m, 1);
	rr_end(&m, at);
	a = parse(&m, "example.com", DNS_T_SOA);
	assert_int_equal(a->result, DNS_FORMERR);
	dns_answer_unref(a);
}

static void test_tlsa(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 0, 1, "_25._tcp.mx1.example.com", DNS_T_TLSA);
	size_t at = rr_start(&m, "_25._tcp.mx1.example.com", DNS_T_TLSA, 300);
	put8(&m, 3);
	put8(&m, 1);
	put8(&m, 1);
	putbytes(&m, "\xde\xad\xbe\xef", 4);
	rr_end(&m, at);
	struct dns_answer *a = parse(&m, "_25._tcp.mx1.example.com", DNS_T_TLSA);
	assert_int_equal(a->result, DNS_OK);
	const struct dns_rr *rr = dns_answer_next(a, DNS_T_TLSA, NULL);
	assert_int_equal(rr->u.tlsa.usage, 3);
	assert_int_equal(rr->u.tlsa.selector, 1);
	assert_int_equal(rr->u.tlsa.mtype, 1);
	assert_int_equal(rr->u.tlsa.len, 4);
	assert_memory_equal(rr->u.tlsa.data, "\xde\xad\xbe\xef", 4);
	assert_string_equal(rr->text, "3 1 1 deadbeef");
	dns_answer_unref(a);

	/* Fewer than the three fixed bytes. */
	header(&m, 0, 1, "_25._tcp.mx1.example.com", DNS_T_TLSA);
	at = rr_start(&m, "_25._tcp.mx1.example.com", DNS_T_TLSA, 300);
	put8(&m, 3);
	put8(&m, 1);
	rr_end(&m, at);
	a = parse(&m, "_25._tcp.mx1.example.com", DNS_T_TLSA);
	assert_int_equal(a->result, DNS_FORMERR);
	dns_answer_unref(a);
}

/* ---- negative answers and error rcodes ---- */

static void test_nxdomain_nodata(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 3, 0, "nope.example.com", DNS_T_A);
	struct dns_answer *a = parse(&m, "nope.example.com", DNS_T_A);
	assert_int_equal(a->result, DNS_NXDOMAIN);
	assert_int_equal(a->rcode, 3);
	assert_true(dns_result_is_answer(a->result));
	assert_int_equal(a->nrrs, 0);
	dns_answer_unref(a);

	header(&m, 0, 0, "example.com", DNS_T_AAAA);
	a = parse(&m, "example.com", DNS_T_AAAA);
	assert_int_equal(a->result, DNS_NODATA);
	assert_int_equal(a->rcode, 0);
	assert_true(dns_result_is_answer(a->result));
	dns_answer_unref(a);

	/* Records of another type only: still NODATA for the asked type. */
	header(&m, 0, 1, "example.com", DNS_T_AAAA);
	rr_a(&m, "example.com", "192.0.2.1");
	a = parse(&m, "example.com", DNS_T_AAAA);
	assert_int_equal(a->result, DNS_NODATA);
	assert_int_equal(a->nrrs, 0);
	dns_answer_unref(a);
}

static void test_error_rcodes(void **st)
{
	(void)st;
	static const struct {
		unsigned rcode;
		enum dns_result want;
	} cases[] = {{1, DNS_FORMERR}, {2, DNS_SERVFAIL}, {4, DNS_ERROR}, {5, DNS_REFUSED}, {9, DNS_ERROR}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct msg m;
		header(&m, cases[i].rcode, 0, "example.com", DNS_T_A);
		struct dns_answer *a = parse(&m, "example.com", DNS_T_A);
		assert_int_equal(a->result, cases[i].want);
		assert_int_equal(a->rcode, (int)cases[i].rcode);
		assert_false(dns_result_is_answer(a->result));
		assert_non_null(a->error);
		dns_answer_unref(a);
	}
	struct msg m;
	header(&m, 2, 0, "example.com", DNS_T_A);
	struct dns_answer *a = parse(&m, "example.com", DNS_T_A);
	assert_non_null(strstr(a->error, "SERVFAIL"));
	char *s = dns_answer_summary(a);
	assert_non_null(strstr(s, "SERVFAIL"));
	free(s);
	dns_answer_unref(a);
}

static void test_flags(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 0, 1, "example.com", DNS_T_A);
	rr_a(&m, "example.com", "192.0.2.1");
	m.b[2] |= 0x02; /* TC */
	m.b[3] |= 0x20; /* AD */
	struct dns_answer *a = parse(&m, "example.com", DNS_T_A);
	assert_true(a->truncated);
	assert_true(a->authentic);
	assert_int_equal(a->result, DNS_OK);
	char *s = dns_answer_summary(a);
	assert_non_null(strstr(s, "NOERROR, 1 record"));
	assert_non_null(strstr(s, "AD"));
	free(s);
	dns_answer_unref(a);
}

/* ---- broken and hostile messages ---- */

static void expect_formerr(const unsigned char *b, size_t len)
{
	struct dns_answer *a = dns_parse(b, len, "example.com", DNS_T_A);
	assert_int_equal(a->result, DNS_FORMERR);
	assert_non_null(a->error);
	assert_int_equal(a->nrrs, 0);
	dns_answer_unref(a);
}

static void test_malformed(void **st)
{
	(void)st;
	expect_formerr(NULL, 0);
	expect_formerr((const unsigned char *)"\x12\x34\x81\x80", 4);

	struct msg m;
	/* The header promises an answer that is not there. */
	header(&m, 0, 1, "example.com", DNS_T_A);
	expect_formerr(m.b, m.len);

	/* rdlength running past the end. */
	header(&m, 0, 1, "example.com", DNS_T_A);
	size_t at = rr_start(&m, "example.com", DNS_T_A, 300);
	put32(&m, 0xc0000201);
	rr_end(&m, at);
	m.b[at + 1] = 200;
	expect_formerr(m.b, m.len);

	/* An A record with 3 bytes of data. */
	header(&m, 0, 1, "example.com", DNS_T_A);
	at = rr_start(&m, "example.com", DNS_T_A, 300);
	put8(&m, 192);
	put8(&m, 0);
	put8(&m, 2);
	rr_end(&m, at);
	expect_formerr(m.b, m.len);

	/* A label length running past the end of the question. */
	m.len = 0;
	put16(&m, 1);
	put16(&m, 0x8180);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0);
	put8(&m, 40);
	putbytes(&m, "abc", 3);
	expect_formerr(m.b, m.len);

	/* Question without its type and class. */
	header(&m, 0, 0, "example.com", DNS_T_A);
	expect_formerr(m.b, m.len - 3);
}

/* Every prefix of a good message is either still good or FORMERR. */
static void test_every_truncation(void **st)
{
	(void)st;
	struct msg m;
	header(&m, 0, 3, "a.example.com", DNS_T_TXT);
	rr_name(&m, "a.example.com", DNS_T_CNAME, "b.example.com");
	size_t at = rr_start(&m, "b.example.com", DNS_T_TXT, 300);
	put8(&m, 5);
	putbytes(&m, "hello", 5);
	rr_end(&m, at);
	at = rr_start(&m, "b.example.com", DNS_T_TXT, 300);
	put8(&m, 5);
	putbytes(&m, "world", 5);
	rr_end(&m, at);
	struct dns_answer *whole = parse(&m, "a.example.com", DNS_T_TXT);
	assert_int_equal(whole->result, DNS_OK);
	assert_int_equal(dns_answer_count(whole, DNS_T_TXT), 2);
	dns_answer_unref(whole);
	for (size_t n = 0; n < m.len; n++) {
		/* A fresh heap copy of exactly n bytes, so ASan sees overreads. */
		unsigned char *cut = malloc(n ? n : 1);
		memcpy(cut, m.b, n);
		struct dns_answer *a = dns_parse(cut, n, "a.example.com", DNS_T_TXT);
		assert_int_equal(a->result, DNS_FORMERR);
		dns_answer_unref(a);
		free(cut);
	}
}

static void test_pointer_loops(void **st)
{
	(void)st;
	struct msg m;
	/* The question name is a pointer to itself. */
	m.len = 0;
	put16(&m, 1);
	put16(&m, 0x8180);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0xc00c);
	put16(&m, DNS_T_A);
	put16(&m, 1);
	expect_formerr(m.b, m.len);

	/* Two answer owner names pointing at each other. */
	header(&m, 0, 1, "example.com", DNS_T_A);
	size_t p1 = m.len;
	put16(&m, 0xc000 | (unsigned)(p1 + 2));
	put16(&m, 0xc000 | (unsigned)p1);
	put16(&m, DNS_T_A);
	put16(&m, 1);
	put32(&m, 300);
	put16(&m, 4);
	put32(&m, 0xc0000201);
	expect_formerr(m.b, m.len);

	/* An MX exchange pointing forward past the end of the message. */
	header(&m, 0, 1, "example.com", DNS_T_MX);
	size_t at = rr_start(&m, "example.com", DNS_T_MX, 300);
	put16(&m, 10);
	put16(&m, 0xc000 | 0x3fff);
	rr_end(&m, at);
	struct dns_answer *a = parse(&m, "example.com", DNS_T_MX);
	assert_int_equal(a->result, DNS_FORMERR);
	dns_answer_unref(a);

	/* A long chain of pointers, each to the one before, parked in the rdata
	 * of an unrelated record; a PTR points at its end.  Bounded, no crash. */
	header(&m, 0, 2, "example.com", DNS_T_PTR);
	at = rr_start(&m, "junk.example.com", 65280, 300);
	size_t last = m.len;
	put8(&m, 1);
	put8(&m, 'x');
	put16(&m, 0xc00c);
	for (int i = 0; i < 300; i++) {
		size_t here = m.len;
		put8(&m, 1);
		put8(&m, 'y');
		put16(&m, 0xc000 | (unsigned)last);
		last = here;
	}
	rr_end(&m, at);
	at = rr_start(&m, "example.com", DNS_T_PTR, 300);
	put16(&m, 0xc000 | (unsigned)last);
	rr_end(&m, at);
	a = parse(&m, "example.com", DNS_T_PTR);
	/* Either the expander refuses the depth or the name comes out whole. */
	assert_true(a->result == DNS_FORMERR || a->result == DNS_OK);
	dns_answer_unref(a);
}

/* Random garbage with a plausible header: no crash, no leak. */
static void test_random_bytes(void **st)
{
	(void)st;
	unsigned seed = 12345;
	for (int round = 0; round < 2000; round++) {
		size_t n = 12 + (size_t)(seed % 200);
		unsigned char *b = malloc(n);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			b[i] = (unsigned char)(seed >> 16);
		}
		b[4] = 0;
		b[5] = 1;
		b[6] = 0;
		b[7] = (unsigned char)(1 + round % 5);
		struct dns_answer *a = dns_parse(b, n, "example.com", (uint16_t)(1 + round % 30));
		assert_non_null(a);
		assert_true(a->result <= DNS_ERROR);
		if (a->result == DNS_OK)
			assert_true(a->nrrs > 0);
		dns_answer_unref(a);
		free(b);
	}
}

static void test_answer_error_and_names(void **st)
{
	(void)st;
	struct dns_answer *a = dns_answer_error("Example.COM.", DNS_T_MX, DNS_TIMEOUT, "no answer from 192.0.2.53");
	assert_string_equal(a->qname, "example.com");
	assert_int_equal(a->result, DNS_TIMEOUT);
	assert_int_equal(a->rcode, -1);
	assert_string_equal(a->error, "no answer from 192.0.2.53");
	assert_false(dns_result_is_answer(a->result));
	assert_ptr_equal(dns_answer_ref(a), a);
	dns_answer_unref(a);
	dns_answer_unref(a);

	assert_string_equal(dns_type_name(DNS_T_TLSA), "TLSA");
	assert_string_equal(dns_type_name(65280), "TYPE65280");
	assert_int_equal(dns_type_from_name("mx"), DNS_T_MX);
	assert_int_equal(dns_type_from_name("bogus"), -1);
	assert_string_equal(dns_result_name(DNS_NXDOMAIN), "NXDOMAIN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a),
		cmocka_unit_test(test_aaaa),
		cmocka_unit_test(test_mx_and_null_mx),
		cmocka_unit_test(test_txt_strings),
		cmocka_unit_test(test_ptr),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_soa),
		cmocka_unit_test(test_tlsa),
		cmocka_unit_test(test_nxdomain_nodata),
		cmocka_unit_test(test_error_rcodes),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_pointer_loops),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_answer_error_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
