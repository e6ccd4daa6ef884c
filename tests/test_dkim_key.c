/* test_dkim_key.c - DKIM key records: RFC 8463 A.2 keys, keys of every size
 * generated here with OpenSSL, revoked and testing keys, garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "dkim_key.h"
#include "util.h"

/* RFC 8463 appendix A.2 */
#define RFC8463_ED_RECORD "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define RFC8463_RSA_RECORD                                                                                             \
	"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"                                         \
	"iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"                                        \
	"jxFwTwIO3QZ8M+1xnGBIbsTeBXKaEhb4kolXb0W6N3ahXI/Wu5yFR/eu6HyTvQpNGSP5+"                                        \
	"tRW43S/d9r/lPlmTQzLi2QIDAQAB"

static struct dkim_key *parse(const char *s)
{
	return dkim_key_parse(s, strlen(s));
}

static bool has(const struct dkim_key *k, const char *id)
{
	return rec_issues_find(&k->issues, id) != NULL;
}

/* base64 of the SubjectPublicKeyInfo of a fresh RSA key of this size. */
static char *rsa_spki_b64(int bits)
{
	EVP_PKEY *pk = EVP_RSA_gen((unsigned)bits);
	assert_non_null(pk);
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pk, &der);
	assert_true(n > 0);
	char *b64 = xmalloc((size_t)n * 2 + 4);
	EVP_EncodeBlock((unsigned char *)b64, der, n);
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
	return b64;
}

static void test_rfc8463_ed25519(void **st)
{
	(void)st;
	struct dkim_key *k = parse(RFC8463_ED_RECORD);
	assert_non_null(k->pkey);
	assert_string_equal(k->key_type, "ed25519");
	assert_int_equal(k->strength, STATUS_PASS);
	assert_int_equal(k->issues.n, 0);
	dkim_key_free(k);
}

static void test_rfc8463_rsa_1024(void **st)
{
	(void)st;
	struct dkim_key *k = parse(RFC8463_RSA_RECORD);
	assert_non_null(k->pkey);
	assert_string_equal(k->key_type, "rsa");
	assert_int_equal(k->key_bits, 1024);
	assert_int_equal(k->strength, STATUS_WARN);
	dkim_key_free(k);
}

static void test_sizes(void **st)
{
	(void)st;
	static const struct {
		int bits;
		enum status want;
	} cases[] = {{512, STATUS_FAIL}, {1024, STATUS_WARN}, {2048, STATUS_PASS}, {4096, STATUS_PASS}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *b64 = rsa_spki_b64(cases[i].bits);
		/* Split the key over strings with folding whitespace, as zone files do. */
		size_t half = strlen(b64) / 2;
		char *rec = xasprintf("v=DKIM1; k=rsa; p=%.*s \t %s", (int)half, b64, b64 + half);
		struct dkim_key *k = parse(rec);
		assert_non_null(k->pkey);
		assert_int_equal(k->key_bits, cases[i].bits);
		assert_int_equal(k->strength, cases[i].want);
		assert_string_equal(k->p, b64);
		dkim_key_free(k);
		free(rec);
		free(b64);
	}
}

static void test_revoked_testing_strict(void **st)
{
	(void)st;
	struct dkim_key *k = parse("v=DKIM1; p=");
	assert_true(k->revoked);
	assert_null(k->pkey);
	assert_true(has(k, "dkim.revoked"));
	dkim_key_free(k);

	k = parse("v=DKIM1; k=ed25519; t=y:s; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
	assert_true(k->testing);
	assert_true(k->strict);
	assert_true(has(k, "dkim.testing"));
	dkim_key_free(k);
}

static void test_bad_records(void **st)
{
	(void)st;
	struct dkim_key *k = parse("k=rsa; v=DKIM1; p=!!notbase64!!");
	assert_true(has(k, "dkim.version-not-first"));
	assert_true(has(k, "dkim.bad-key"));
	assert_string_equal(rec_issues_find(&k->issues, "dkim.bad-key")->evidence, "!!notbase64!!");
	dkim_key_free(k);

	k = parse("v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"); /* truncated */
	assert_true(has(k, "dkim.bad-key"));
	assert_null(k->pkey);
	dkim_key_free(k);

	k = parse("v=DKIM1; h=sha1; s=other; x=y; k=dsa; p=AAAA");
	assert_true(has(k, "dkim.sha1-only"));
	assert_true(has(k, "dkim.not-email"));
	assert_true(has(k, "dkim.unknown-tag"));
	assert_true(has(k, "dkim.bad-key-type"));
	dkim_key_free(k);

	k = parse("v=DKIM1; k=ed25519; p="
	          "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR");
	assert_true(has(k, "dkim.bad-key"));
	dkim_key_free(k);

	k = parse("garbage \x1b]52;c;AAAA\x07");
	assert_true(has(k, "dkim.missing-key"));
	dkim_key_free(k);

	k = dkim_key_parse("", 0);
	assert_true(has(k, "dkim.missing-key"));
	dkim_key_free(k);
}

static void test_base64(void **st)
{
	(void)st;
	size_t n = 0;
	unsigned char *d = dkim_base64_decode("aGVs bG8=", 9, &n);
	assert_non_null(d);
	assert_int_equal(n, 5);
	assert_memory_equal(d, "hello", 5);
	free(d);
	assert_null(dkim_base64_decode("aGVsbG8", 7, &n));
	assert_null(dkim_base64_decode("aG=Vs", 5, &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc8463_ed25519), cmocka_unit_test(test_rfc8463_rsa_1024),
	    cmocka_unit_test(test_sizes),           cmocka_unit_test(test_revoked_testing_strict),
	    cmocka_unit_test(test_bad_records),     cmocka_unit_test(test_base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
