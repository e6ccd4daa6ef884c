# checks/flow.mk - the six-step fix flow and the bounce reader.
checks_libmxcheck_a_SOURCES += checks/flow.c checks/flow.h checks/bounce_report.h \
	checks/bounce.c checks/bounce.h checks/bounce_data.c
dist_pkgdata_DATA += data/enhanced-status-codes.txt data/bounce-patterns.txt

# The sisimai corpus: every mail read, code and category agreement.
check_PROGRAMS += tests/test_bounce_corpus
TESTS += tests/test_bounce_corpus
tests_test_bounce_corpus_SOURCES = tests/test_bounce_corpus.c
tests_test_bounce_corpus_CFLAGS = $(TEST_CFLAGS)
tests_test_bounce_corpus_LDADD = $(TEST_LIBS)

# bounce_dump: what the reader makes of a file (tests/bounce-corpus.sh).
check_PROGRAMS += tests/bounce_dump
tests_bounce_dump_SOURCES = tests/bounce_dump.c
tests_bounce_dump_CFLAGS = $(TEST_CFLAGS)
tests_bounce_dump_LDADD = $(TEST_LIBS)

checks_libmxcheck_a_SOURCES += checks/report_md.c checks/flow_whatif.c
dist_pkgdata_DATA += data/demo-bounce.txt

# The Markdown report's evidence sections, with real and hostile data.
TESTS += tests/report-md.sh
EXTRA_DIST += tests/report-md.sh tests/zones/report-md.test.zone

# The hand-written provider corpus: tests/bounces/*.expect.
TESTS += tests/bounce-corpus.sh tests/bounce-flow.sh
EXTRA_DIST += tests/bounce-corpus.sh tests/bounce-flow.sh tests/bounces/flow.test.zone \
	tests/bounces/bare-reply.expect \
	tests/bounces/bare-reply.txt \
	tests/bounces/exim-spf.eml \
	tests/bounces/exim-spf.expect \
	tests/bounces/gmail-5.1.1.eml \
	tests/bounces/gmail-5.1.1.expect \
	tests/bounces/greylist-4xx.expect \
	tests/bounces/greylist-4xx.txt \
	tests/bounces/mbox-second.expect \
	tests/bounces/mbox-second.mbox \
	tests/bounces/microsoft-5.7.708.expect \
	tests/bounces/microsoft-5.7.708.txt \
	tests/bounces/microsoft-s3150.eml \
	tests/bounces/microsoft-s3150.expect \
	tests/bounces/not-a-bounce.expect \
	tests/bounces/not-a-bounce.txt \
	tests/bounces/postfix-5.2.2-crlf-base64.eml \
	tests/bounces/postfix-5.2.2-crlf-base64.expect \
	tests/bounces/qmail-nomx.eml \
	tests/bounces/qmail-nomx.expect \
	tests/bounces/sendmail-dsn-ptr.eml \
	tests/bounces/sendmail-dsn-ptr.expect \
	tests/bounces/yahoo-tss04.expect \
	tests/bounces/yahoo-tss04.txt

check_PROGRAMS += tests/test_bounce
TESTS += tests/test_bounce
tests_test_bounce_SOURCES = tests/test_bounce.c
tests_test_bounce_CFLAGS = $(TEST_CFLAGS)
tests_test_bounce_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_bounce_whatif
TESTS += tests/test_bounce_whatif
tests_test_bounce_whatif_SOURCES = tests/test_bounce_whatif.c
tests_test_bounce_whatif_CFLAGS = $(TEST_CFLAGS)
tests_test_bounce_whatif_LDADD = $(TEST_LIBS)

# Propagation: ask each authoritative nameserver (watch mode, step 6).
checks_libmxcheck_a_SOURCES += checks/propagation.c checks/propagation.h checks/flow_watch.c
EXTRA_DIST += tests/zones/prop-old.zone tests/zones/prop-new.zone
check_PROGRAMS += tests/test_propagation
TESTS += tests/test_propagation
tests_test_propagation_SOURCES = tests/test_propagation.c
tests_test_propagation_CFLAGS = $(TEST_CFLAGS)
tests_test_propagation_LDADD = $(TEST_LIBS)

# prop_probe: one propagation check from the command line, against two
# real Knot servers serving two versions of prop.test.
check_PROGRAMS += tests/prop_probe
tests_prop_probe_SOURCES = tests/prop_probe.c
tests_prop_probe_CFLAGS = $(TEST_CFLAGS)
tests_prop_probe_LDADD = $(TEST_LIBS)
TESTS += tests/propagation-knot.sh
EXTRA_DIST += tests/propagation-knot.sh

# Memory stays flat over many audit + watch rounds (issue 9).
check_PROGRAMS += tests/test_rerun_memory
TESTS += tests/test_rerun_memory
tests_test_rerun_memory_SOURCES = tests/test_rerun_memory.c
tests_test_rerun_memory_CFLAGS = $(TEST_CFLAGS)
tests_test_rerun_memory_LDADD = $(TEST_LIBS)
