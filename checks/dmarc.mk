# checks/dmarc.mk - file lists for this area (included by Makefile.am).
checks_libmxcheck_a_SOURCES += checks/check_dkim.c
checks_libmxcheck_a_SOURCES += checks/check_dmarc.c
checks_libmxcheck_a_SOURCES += checks/dmarc_issues.c checks/dmarc_issues.h
checks_libmxcheck_a_SOURCES += checks/dmarc_parse.c checks/dmarc_parse.h

check_PROGRAMS += tests/test_dmarc_parse
TESTS += tests/test_dmarc_parse
tests_test_dmarc_parse_SOURCES = tests/test_dmarc_parse.c
tests_test_dmarc_parse_CFLAGS = $(TEST_CFLAGS)
tests_test_dmarc_parse_LDADD = $(TEST_LIBS)
checks_libmxcheck_a_SOURCES += checks/dkim_key.c checks/dkim_key.h
checks_libmxcheck_a_SOURCES += checks/dkim_sig.c checks/dkim_sig.h

check_PROGRAMS += tests/test_dkim_key
TESTS += tests/test_dkim_key
tests_test_dkim_key_SOURCES = tests/test_dkim_key.c
tests_test_dkim_key_CFLAGS = $(TEST_CFLAGS)
tests_test_dkim_key_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_dkim_sig
TESTS += tests/test_dkim_sig
tests_test_dkim_sig_SOURCES = tests/test_dkim_sig.c
tests_test_dkim_sig_CFLAGS = $(TEST_CFLAGS)
tests_test_dkim_sig_LDADD = $(TEST_LIBS)
checks_libmxcheck_a_SOURCES += checks/dkim.h
dist_pkgdata_DATA += data/dkim-selectors.txt
checks_libmxcheck_a_SOURCES += checks/dmarc_align.c checks/dmarc_align.h

# Integration tests through Knot.
TESTS += tests/dkim-cli.sh tests/dmarc-cli.sh
EXTRA_DIST += tests/dkim-cli.sh tests/dmarc-cli.sh tests/dkim-signed.eml \
	tests/zones/dkim.test.zone tests/zones/dmarc.test.zone tests/zones/dmarcreports.test.zone \
	tests/zones/nodmarc.test.zone

check_PROGRAMS += tests/test_dmarc_align
TESTS += tests/test_dmarc_align
tests_test_dmarc_align_SOURCES = tests/test_dmarc_align.c
tests_test_dmarc_align_CFLAGS = $(TEST_CFLAGS)
tests_test_dmarc_align_LDADD = $(TEST_LIBS)
