/* test_zone.c - the zone-file backend: loading with libzscanner, the
 * authoritative lookup (NXDOMAIN / NODATA / CNAME / wildcards / empty
 * non-terminals / REFUSED outside the apexes) and the wire builder, checked
 * through dns_parse() as the checks see it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "resolver_zone.h"

static char *srcpath(const char *rel)
{
	const char *top = getenv("top_srcdir");
	size_t n = strlen(top ? top : TOP_SRCDIR) + strlen(rel) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s/%s", top ? top : TOP_SRCDIR, rel);
	return p;
}

static struct zone_store *load_fixture(const char *rel)
{
	struct zone_store *zs = zone_store_new();
	char *path = srcpath(rel), *err = NULL;
	bool ok = zone_store_load_file(zs, path, &err);
	if (!ok)
		fprintf(stderr, "# %s\n", err);
	assert_true(ok);
	assert_null(err);
	free(path);
	return zs;
}

/* One question to the store, as a parsed answer; wire details on the side. */
struct reply {
	struct dns_answer *a;
	int rcode;
	unsigned ancount, nscount;
	bool aa, qr, tc;
	char *why;
};

static struct reply ask(const struct zone_store *zs, const char *name, uint16_t type)
{
	struct reply r = {0};
	size_t len = 0;
	unsigned char *msg = zone_store_answer(zs, name, type, &len, &r.why);
	assert_non_null(msg);
	assert_true(len >= 12);
	assert_int_equal(msg[0] | msg[1], 0); /* id 0 */
	r.qr = msg[2] & 0x80;
	r.aa = msg[2] & 0x04;
	r.tc = msg[2] & 0x02;
	r.rcode = msg[3] & 0x0f;
	r.ancount = (unsigned)(msg[6] << 8 | msg[7]);
	r.nscount = (unsigned)(msg[8] << 8 | msg[9]);
	r.a = dns_parse(msg, len, name, type);
	free(msg);
	return r;
}

static void reply_free(struct reply *r)
{
	dns_answer_unref(r->a);
	free(r->why);
}

static const char *first_text(const struct reply *r, uint16_t type)
{
	const struct dns_rr *rr = dns_answer_next(r->a, type, NULL);
	return rr ? rr->text : NULL;
}

static int setup(void **st)
{
	*st = load_fixture("tests/zones-unit/unit.example.zone");
	return 0;
}

static int teardown(void **st)
{
	zone_store_free(*st);
	return 0;
}

static void test_loaded(void **st)
{
	struct zone_store *zs = *st;
	assert_true(zone_store_records(zs) >= 25);
	char *apexes = zone_store_apexes(zs);
	assert_string_equal(apexes, "unit.example, other.test");
	free(apexes);
}

static void test_positive(void **st)
{
	struct zone_store *zs = *st;
	struct reply r = ask(zs, "unit.example", DNS_T_MX);
	assert_true(r.qr);
	assert_true(r.aa);
	assert_false(r.tc);
	assert_int_equal(r.rcode, 0);
	assert_int_equal(r.a->result, DNS_OK);
	assert_int_equal(r.nscount, 0);
	assert_string_equal(first_text(&r, DNS_T_MX), "10 mx1.unit.example.");
	assert_int_equal(dns_answer_next(r.a, DNS_T_MX, NULL)->ttl, 300);
	reply_free(&r);

	r = ask(zs, "MX1.Unit.Example.", DNS_T_AAAA);
	assert_int_equal(r.a->result, DNS_OK);
	assert_string_equal(first_text(&r, DNS_T_AAAA), "2001:db8::10");
	reply_free(&r);

	r = ask(zs, "mixed.unit.example", DNS_T_A); /* owner written MiXeD in the file */
	assert_int_equal(r.a->result, DNS_OK);
	assert_string_equal(first_text(&r, DNS_T_A), "192.0.2.77");
	reply_free(&r);

	r = ask(zs, "_25._tcp.mx1.unit.example", DNS_T_TLSA);
	assert_int_equal(r.a->result, DNS_OK);
	const struct dns_rr *rr = dns_answer_next(r.a, DNS_T_TLSA, NULL);
	assert_int_equal(rr->u.tlsa.usage, 3);
	assert_int_equal(rr->u.tlsa.len, 32);
	reply_free(&r);
}

static void test_txt_strings(void **st)
{
	struct zone_store *zs = *st;
	struct reply r = ask(zs, "unit.example", DNS_T_TXT);
	assert_int_equal(r.a->result, DNS_OK);
	const struct dns_rr *rr = dns_answer_next(r.a, DNS_T_TXT, NULL);
	assert_int_equal(rr->u.txt.nstrings, 3);
	assert_string_equal(rr->u.txt.text, "v=spf1 ip4:192.0.2.0/24 -all");
	assert_int_equal(rr->u.txt.lens[0], 7);
	assert_int_equal(rr->u.txt.lens[2], 5);
	reply_free(&r);

	r = ask(zs, "long.unit.example", DNS_T_TXT);
	rr = dns_answer_next(r.a, DNS_T_TXT, NULL);
	assert_non_null(rr);
	assert_int_equal(rr->u.txt.nstrings, 3);
	assert_string_equal(rr->u.txt.text, "part one;part two;part three");
	reply_free(&r);
}

static void test_nxdomain(void **st)
{
	struct zone_store *zs = *st;
	struct reply r = ask(zs, "nope.unit.example", DNS_T_A);
	assert_int_equal(r.rcode, 3);
	assert_int_equal(r.a->result, DNS_NXDOMAIN);
	assert_int_equal(r.ancount, 0);
	assert_int_equal(r.nscount, 1); /* the SOA, as a server sends it */
	assert_null(r.why);
	reply_free(&r);

	/* Below an existing name that has no wildcard. */
	r = ask(zs, "x.mx1.unit.example", DNS_T_A);
	assert_int_equal(r.a->result, DNS_NXDOMAIN);
	reply_free(&r);

	r = ask(zs, "nope.other.test", DNS_T_TXT);
	assert_int_equal(r.a->result, DNS_NXDOMAIN);
	reply_free(&r);
}

static void test_nodata_and_empty_non_terminals(void **st)
{
	struct zone_store *zs = *st;
	struct reply r = ask(zs, "unit.example", DNS_T_AAAA);
	assert_int_equal(r.rcode, 0);
	assert_int_equal(r.a->result, DNS_NODATA);
	assert_int_equal(r.nscount, 1);
	reply_free(&r);

	/* a.b.deep has data; b.deep and deep exist as empty non-terminals. */
	r = ask(zs, "a.b.deep.unit.example", DNS_T_TXT);
	assert_int_equal(r.a->result, DNS_OK);
	reply_free(&r);
	r = ask(zs, "b.deep.unit.example", DNS_T_TXT);
	assert_int_equal(r.a->result, DNS_NODATA);
	reply_free(&r);
	r = ask(zs, "deep.unit.example", DNS_T_A);
	assert_int_equal(r.a->result, DNS_NODATA);
	reply_free(&r);
	r = ask(zs, "c.deep.unit.example", DNS_T_A);
	assert_int_equal(r.a->result, DNS_NXDOMAIN);
	reply_free(&r);

	/* A name with only an unknown type: it exists, so NODATA for TXT. */
	r = ask(zs, "generic.unit.example", DNS_T_TXT);
	assert_int_equal(r.a->result, DNS_NODATA);
	reply_free(&r);
	r = ask(zs, "generic.unit.example", 65280);
	assert_int_equal(r.a->result, DNS_OK);
	assert_string_equal(first_text(&r, 65280), "\\# 2 abcd");
	reply_free(&r);
}

static void test_cname(void **st)
{
	struct zone_store *zs = *st;
	/* www -> web -> host.other.test (the second zone in the file). */
	struct reply r = ask(zs, "www.unit.example", DNS_T_A);
	assert_int_equal(r.a->result, DNS_OK);
	assert_int_equal(dns_answer_count(r.a, DNS_T_CNAME), 2);
	assert_string_equal(r.a->rrs[0].u.name, "web.unit.example");
	assert_string_equal(r.a->rrs[1].u.name, "host.other.test");
	assert_string_equal(first_text(&r, DNS_T_A), "192.0.2.20");
	assert_string_equal(dns_answer_next(r.a, DNS_T_A, NULL)->owner, "host.other.test");
	reply_free(&r);

	/* Asking for the CNAME itself. */
	r = ask(zs, "www.unit.example", DNS_T_CNAME);
	assert_int_equal(r.a->result, DNS_OK);
	assert_int_equal(r.ancount, 1);
	reply_free(&r);

	r = ask(zs, "alias.unit.example", DNS_T_AAAA);
	assert_int_equal(r.a->result, DNS_OK);
	assert_string_equal(first_text(&r, DNS_T_AAAA), "2001:db8::10");
	reply_free(&r);

	/* The chain ends at a name that does not exist: NXDOMAIN (RFC 6604). */
	r = ask(zs, "dangling.unit.example", DNS_T_A);
	assert_int_equal(r.rcode, 3);
	assert_int_equal(r.a->result, DNS_NXDOMAIN);
	assert_int_equal(dns_answer_count(r.a, DNS_T_CNAME), 1);
	reply_free(&r);

	/* Out of every loaded zone: the CNAME alone, no data here. */
	r = ask(zs, "far.unit.example", DNS_T_A);
	assert_int_equal(r.rcode, 0);
	assert_int_equal(r.ancount, 1);
	assert_int_equal(r.a->result, DNS_NODATA);
	reply_free(&r);

	/* A loop ends at the hop bound; dns_parse() sees the chain come back
	 * to itself and calls it an error (a CNAME loop), not "no data". */
	r = ask(zs, "loop1.unit.example", DNS_T_A);
	assert_int_equal(r.rcode, 0);
	assert_int_equal(r.ancount, ZONE_MAX_CNAME_HOPS + 1);
	assert_int_equal(r.a->result, DNS_ERROR);
	reply_free(&r);
}

static void test_wildcard(void **st)
{
	struct zone_store *zs = *st;
	struct reply r = ask(zs, "anything.wild.unit.example", DNS_T_TXT);
	assert_int_equal(r.a->result, DNS_OK);
	const struct dns_rr *rr = dns_answer_next(r.a, DNS_T_TXT, NULL);
	assert_string_equal(rr->u.txt.text, "wildcard");
	assert_string_equal(rr->owner, "anything.wild.unit.example"); /* synthesised owner */
	reply_free(&r);

	/* Several labels below the closest encloser still match. */
	r = ask(zs, "a.b.wild.unit.example", DNS_T_A);
	assert_int_equal(r.a->result, DNS_OK);
	assert_string_equal(first_text(&r, DNS_T_A), "192.0.2.99");
	reply_free(&r);

	/* The wildcard exists, but not with this type: NODATA. */
	r = ask(zs, "anything.wild.unit.example", DNS_T_MX);
	assert_int_equal(r.a->result, DNS_NODATA);
	reply_free(&r);

	/* An existing name is never covered by the wildcard. */
	r = ask(zs, "exists.wild.unit.example", DNS_T_TXT);
	assert_int_equal(r.a->result, DNS_NODATA);
	reply_free(&r);
	/* ...nor are names below it (closest encloser exists.wild has no *). */
	r = ask(zs, "x.exists.wild.unit.example", DNS_T_TXT);
	assert_int_equal(r.a->result, DNS_NXDOMAIN);
	reply_free(&r);

	/* The parent of the wildcard is an empty non-terminal. */
	r = ask(zs, "wild.unit.example", DNS_T_TXT);
	assert_int_equal(r.a->result, DNS_NODATA);
	reply_free(&r);

	/* A wildcard CNAME is followed. */
	r = ask(zs, "foo.cname-wild.unit.example", DNS_T_A);
	assert_int_equal(r.a->result, DNS_OK);
	assert_int_equal(dns_answer_count(r.a, DNS_T_CNAME), 1);
	assert_string_equal(first_text(&r, DNS_T_A), "192.0.2.10");
	reply_free(&r);
}

static void test_refused_outside(void **st)
{
	struct zone_store *zs = *st;
	struct reply r = ask(zs, "www.example.org", DNS_T_A);
	assert_int_equal(r.rcode, 5);
	assert_int_equal(r.a->result, DNS_REFUSED);
	assert_non_null(r.why);
	assert_non_null(strstr(r.why, "not in the loaded zone files"));
	assert_non_null(strstr(r.why, "www.example.org"));
	reply_free(&r);

	/* The parent of an apex is outside too; the apex is inside. */
	r = ask(zs, "example", DNS_T_SOA);
	assert_int_equal(r.a->result, DNS_REFUSED);
	reply_free(&r);
	r = ask(zs, "unit.example", DNS_T_SOA);
	assert_int_equal(r.a->result, DNS_OK);
	reply_free(&r);
	/* A name that merely ends in the same letters is not inside. */
	r = ask(zs, "xunit.example", DNS_T_A);
	assert_int_equal(r.a->result, DNS_REFUSED);
	reply_free(&r);

	/* Not a DNS name at all: no message. */
	size_t len;
	char *why = NULL;
	assert_null(zone_store_answer(zs, "a..unit.example", DNS_T_A, &len, &why));
	assert_non_null(why);
	free(why);
}

static void test_syntax_errors(void **st)
{
	(void)st;
	struct zone_store *zs = zone_store_new();
	char *err = NULL;
	const char *text = "$ORIGIN t.example.\n@ SOA ns hm 1 2 3 4 5\nwww A not-an-address\n";
	assert_false(zone_store_load_text(zs, text, strlen(text), "inline", NULL, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "inline line 3"));
	assert_null(strchr(err, '\n'));
	free(err);
	zone_store_free(zs);

	/* The fixture file: the message names the file and the line. */
	zs = zone_store_new();
	char *path = srcpath("tests/zones-unit/syntax-error.zone");
	err = NULL;
	assert_false(zone_store_load_file(zs, path, &err));
	assert_non_null(strstr(err, "syntax-error.zone line 7"));
	free(err);
	free(path);
	zone_store_free(zs);

	/* $INCLUDE would read arbitrary files: refused. */
	zs = zone_store_new();
	text = "$ORIGIN t.example.\n$INCLUDE /etc/passwd\n";
	err = NULL;
	assert_false(zone_store_load_text(zs, text, strlen(text), "inc", NULL, &err));
	assert_non_null(strstr(err, "$INCLUDE"));
	free(err);
	zone_store_free(zs);

	/* Unreadable file. */
	zs = zone_store_new();
	err = NULL;
	assert_false(zone_store_load_file(zs, "/nonexistent/x.zone", &err));
	assert_non_null(strstr(err, "/nonexistent/x.zone"));
	free(err);
	zone_store_free(zs);
}

/* Garbage must be refused with a message, never crash or leak. */
static void test_hostile_input(void **st)
{
	(void)st;
	unsigned seed = 777;
	for (int round = 0; round < 300; round++) {
		size_t n = 1 + (size_t)(round * 7 % 400);
		char *t = malloc(n);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			t[i] = (char)(seed >> 16);
		}
		struct zone_store *zs = zone_store_new();
		char *err = NULL;
		if (!zone_store_load_text(zs, t, n, "garbage", "g.example.", &err)) {
			assert_non_null(err);
			free(err);
		}
		/* Whatever loaded can be asked. */
		struct reply r = ask(zs, "g.example", DNS_T_TXT);
		reply_free(&r);
		zone_store_free(zs);
		free(t);
	}
	/* A name longer than 255 bytes. */
	struct strbuf_like {
		char s[2000];
	} b = {{0}};
	for (int i = 0; i < 60; i++)
		strcat(b.s, "abcdefgh.");
	strcat(b.s, " A 192.0.2.1\n");
	struct zone_store *zs = zone_store_new();
	char *err = NULL;
	assert_false(zone_store_load_text(zs, b.s, strlen(b.s), "long", "l.example.", &err));
	free(err);
	zone_store_free(zs);
}

static void test_apex_without_soa(void **st)
{
	(void)st;
	/* No SOA: every $ORIGIN a record was read under is an apex. */
	struct zone_store *zs = zone_store_new();
	char *err = NULL;
	const char *text = "www A 192.0.2.1\n$ORIGIN b.test.\nmail A 192.0.2.2\n";
	assert_true(zone_store_load_text(zs, text, strlen(text), "nosoa", "a.test.", &err));
	char *apexes = zone_store_apexes(zs);
	assert_string_equal(apexes, "a.test, b.test");
	free(apexes);
	struct reply r = ask(zs, "www.a.test", DNS_T_A);
	assert_int_equal(r.a->result, DNS_OK);
	reply_free(&r);
	r = ask(zs, "nothing.b.test", DNS_T_A);
	assert_int_equal(r.a->result, DNS_NXDOMAIN);
	assert_int_equal(r.nscount, 0); /* no SOA to send */
	reply_free(&r);
	r = ask(zs, "c.test", DNS_T_A);
	assert_int_equal(r.a->result, DNS_REFUSED);
	reply_free(&r);
	zone_store_free(zs);

	/* The origin from the file name: guess.example.zone has no $ORIGIN. */
	zs = load_fixture("tests/zones-unit/guess.example.zone");
	r = ask(zs, "www.guess.example", DNS_T_A);
	assert_int_equal(r.a->result, DNS_OK);
	reply_free(&r);
	r = ask(zs, "guess.example", DNS_T_MX);
	assert_int_equal(r.a->result, DNS_OK);
	assert_string_equal(dns_answer_next(r.a, DNS_T_MX, NULL)->u.mx.exchange, ""); /* null MX */
	reply_free(&r);
	zone_store_free(zs);
}

static void test_several_files_and_duplicates(void **st)
{
	(void)st;
	struct zone_store *zs = load_fixture("tests/zones-unit/unit.example.zone");
	size_t n = zone_store_records(zs);
	char *path = srcpath("tests/zones-unit/guess.example.zone"), *err = NULL;
	assert_true(zone_store_load_file(zs, path, &err));
	free(path);
	assert_true(zone_store_records(zs) > n);
	struct reply r = ask(zs, "www.guess.example", DNS_T_A);
	assert_int_equal(r.a->result, DNS_OK);
	reply_free(&r);
	r = ask(zs, "mx1.unit.example", DNS_T_A);
	assert_int_equal(r.a->result, DNS_OK);
	reply_free(&r);
	zone_store_free(zs);

	/* The same record twice is one record. */
	zs = zone_store_new();
	const char *text = "$ORIGIN d.test.\n@ SOA ns hm 1 2 3 4 5\na A 192.0.2.1\na A 192.0.2.1\na A 192.0.2.2\n";
	assert_true(zone_store_load_text(zs, text, strlen(text), "dup", NULL, &err));
	r = ask(zs, "a.d.test", DNS_T_A);
	assert_int_equal(dns_answer_count(r.a, DNS_T_A), 2);
	reply_free(&r);
	zone_store_free(zs);
}

static void test_wire_builder(void **st)
{
	(void)st;
	uint8_t q[255];
	size_t ql = zone_name_to_wire("big.example", q);
	assert_int_equal(ql, 13);
	/* 300 TXT records of 251 bytes: more than 65535 bytes. */
	uint8_t rd[251];
	memset(rd, 'x', sizeof(rd));
	rd[0] = 250;
	struct zone_wire_rr *rrs = calloc(300, sizeof(*rrs));
	for (int i = 0; i < 300; i++)
		rrs[i] = (struct zone_wire_rr){q, ql, DNS_T_TXT, 1, 60, rd, sizeof(rd)};
	size_t len;
	unsigned char *msg = zone_wire_build(q, ql, DNS_T_TXT, 0, rrs, 300, NULL, 0, &len);
	assert_true(len <= 65535);
	assert_true(msg[2] & 0x02); /* TC */
	unsigned an = (unsigned)(msg[6] << 8 | msg[7]);
	assert_true(an > 200 && an < 300);
	struct dns_answer *a = dns_parse(msg, len, "big.example", DNS_T_TXT);
	assert_int_equal(a->result, DNS_OK);
	assert_true(a->truncated);
	assert_int_equal(dns_answer_count(a, DNS_T_TXT), an);
	dns_answer_unref(a);
	free(msg);

	/* A small one: exact bytes of the header and question. */
	msg = zone_wire_build(q, ql, DNS_T_A, 3, NULL, 0, NULL, 0, &len);
	assert_int_equal(len, 12 + ql + 4);
	assert_memory_equal(msg, "\x00\x00\x84\x03\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	assert_memory_equal(msg + 12, "\x03" "big" "\x07" "example" "\x00" "\x00\x01" "\x00\x01", ql + 4);
	free(msg);
	free(rrs);
}

static void test_name_to_wire(void **st)
{
	(void)st;
	uint8_t w[255];
	assert_int_equal(zone_name_to_wire("A.b.", w), 5);
	assert_memory_equal(w, "\x01" "a" "\x01" "b" "\x00", 5);
	assert_int_equal(zone_name_to_wire(".", w), 1);
	assert_int_equal(zone_name_to_wire("", w), 0);
	assert_int_equal(zone_name_to_wire("a..b", w), 0);
	assert_int_equal(zone_name_to_wire(".a", w), 0);
	char l63[80] = {0}, l64[80] = {0};
	memset(l63, 'c', 63);
	memset(l64, 'c', 64);
	assert_int_equal(zone_name_to_wire(l63, w), 65);
	assert_int_equal(zone_name_to_wire(l64, w), 0);
	char big[400] = {0};
	for (int i = 0; i < 32; i++)
		strcat(big, "abcdefg.");
	assert_int_equal(zone_name_to_wire(big, w), 0); /* 257 bytes on the wire */
}

/* The answer grows with the RRset (it starts small) and stops at the
 * ZONE_MAX_ANSWER_RRS bound, however many records the file has. */
static void test_large_rrsets(void **st)
{
	(void)st;
	static const unsigned sizes[] = {1, 8, 9, 20, ZONE_MAX_ANSWER_RRS, ZONE_MAX_ANSWER_RRS + 100};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t cap = 128 + 40 * (size_t)sizes[k], len = 0;
		char *text = malloc(cap);
		len += (size_t)snprintf(text + len, cap - len, "$ORIGIN big.test.\n$TTL 300\n");
		for (unsigned i = 0; i < sizes[k]; i++)
			len += (size_t)snprintf(text + len, cap - len, "@ TXT \"r%u\"\n", i);
		struct zone_store *zs = zone_store_new();
		char *err = NULL;
		assert_true(zone_store_load_text(zs, text, len, "big.test.zone", NULL, &err));
		struct reply r = ask(zs, "big.test", DNS_T_TXT);
		unsigned want = sizes[k] < ZONE_MAX_ANSWER_RRS ? sizes[k] : ZONE_MAX_ANSWER_RRS;
		assert_int_equal(r.rcode, 0);
		assert_int_equal(r.ancount, want);
		assert_int_equal(r.a->result, DNS_OK);
		assert_int_equal(dns_answer_count(r.a, DNS_T_TXT), want);
		reply_free(&r);
		zone_store_free(zs);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_loaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_positive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txt_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nxdomain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodata_and_empty_non_terminals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cname, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wildcard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_outside, setup, teardown),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_apex_without_soa),
		cmocka_unit_test(test_several_files_and_duplicates),
		cmocka_unit_test(test_wire_builder),
		cmocka_unit_test(test_name_to_wire),
		cmocka_unit_test(test_large_rrsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
