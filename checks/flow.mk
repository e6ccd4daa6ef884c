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

checks_libmxcheck_a_SOURCES += checks/report_md.c
dist_pkgdata_DATA += data/demo-bounce.txt
