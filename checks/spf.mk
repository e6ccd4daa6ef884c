# checks/spf.mk - file lists for this area (included by Makefile.am).
checks_libmxcheck_a_SOURCES += checks/check_spf.c checks/spf.h \
	checks/spf_parse.c checks/spf_parse.h checks/spf_macro.c \
	checks/spf_eval.c checks/spf_eval.h

# The OpenSPF conformance suites (tests/spf-suite.sh drives the runner).
check_PROGRAMS += tests/test_spf_suite
tests_test_spf_suite_SOURCES = tests/test_spf_suite.c tests/test_spf_dns.c tests/test_spf_dns.h
tests_test_spf_suite_CFLAGS = $(TEST_CFLAGS)
tests_test_spf_suite_LDADD = $(TEST_LIBS)
TESTS += tests/spf-suite.sh
EXTRA_DIST += tests/spf-suite.sh tests/spf-suite.py tests/spf-suite-exceptions.txt

# Parser and macro unit tests (RFC 7208 12 syntax, 7.4 examples).
check_PROGRAMS += tests/test_spf_parse
TESTS += tests/test_spf_parse
tests_test_spf_parse_SOURCES = tests/test_spf_parse.c
tests_test_spf_parse_CFLAGS = $(TEST_CFLAGS)
tests_test_spf_parse_LDADD = $(TEST_LIBS)

# The check through mxaudit --json against Knot DNS (tests/zones/spf.test.zone).
TESTS += tests/spf-check.sh
EXTRA_DIST += tests/spf-check.sh tests/zones/spf.test.zone

# The evaluator: prefetch waves, exact counting, trace, loops, no-IP mode.
check_PROGRAMS += tests/test_spf_eval
TESTS += tests/test_spf_eval
tests_test_spf_eval_SOURCES = tests/test_spf_eval.c tests/test_spf_dns.c tests/test_spf_dns.h
tests_test_spf_eval_CFLAGS = $(TEST_CFLAGS)
tests_test_spf_eval_LDADD = $(TEST_LIBS)

# The comparison with libspf2 and pyspf (run by hand: bench/spf/run.sh).
EXTRA_DIST += bench/spf/run.sh bench/spf/zone_dns.py bench/spf/ext_suite.py bench/spf/timing.py bench/spf/RESULTS.md
