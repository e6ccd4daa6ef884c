# checks/tls.mk - file lists for this area (included by Makefile.am).
checks_libmxcheck_a_SOURCES += checks/check_tls.c
checks_libmxcheck_a_SOURCES += checks/smtp_reply.c checks/smtp_reply.h
checks_libmxcheck_a_SOURCES += checks/tls_probe.c checks/tls_probe.h
checks_libmxcheck_a_SOURCES += checks/mta_sts.c checks/mta_sts.h

check_PROGRAMS += tests/test_smtp_reply
TESTS += tests/test_smtp_reply
tests_test_smtp_reply_SOURCES = tests/test_smtp_reply.c
tests_test_smtp_reply_CFLAGS = $(TEST_CFLAGS)
tests_test_smtp_reply_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_mta_sts
TESTS += tests/test_mta_sts
tests_test_mta_sts_SOURCES = tests/test_mta_sts.c
tests_test_mta_sts_CFLAGS = $(TEST_CFLAGS)
tests_test_mta_sts_LDADD = $(TEST_LIBS)

# Integration tests: real SMTP servers and misbehaving peers on loopback.
TESTS += tests/tls-starttls.sh tests/tls-dane.sh tests/tls-mta-sts.sh
EXTRA_DIST += tests/tls-starttls.sh tests/tls-dane.sh tests/tls-mta-sts.sh tests/lib/https_server.py tests/lib/tls_pki.sh tests/lib/smtp_server.py tests/lib/bad_smtp_peer.py \
	tests/zones/tls.test.zone

# DANE with DNSSEC: Knot signs tests/zones/dane.test, unbound validates (skipped without unbound).
TESTS += tests/tls-dane-validated.sh
EXTRA_DIST += tests/tls-dane-validated.sh tests/zones/dane.test.zone
