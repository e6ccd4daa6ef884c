# checks/core.mk - the engine's core: loop, resolver, audit model, reports.
checks_libmxcheck_a_SOURCES += \
	checks/status.c checks/status.h \
	checks/util.c checks/util.h \
	checks/textlines.c checks/textlines.h \
	checks/sanitize.c checks/sanitize.h \
	checks/evloop.c checks/evloop.h \
	checks/dns.c checks/dns.h \
	checks/resolver.c checks/resolver.h \
	checks/resolver_ares.c \
	checks/audit.c checks/audit.h \
	checks/options.c checks/options.h \
	checks/report_json.c checks/report.h
checks_libmxcheck_a_SOURCES += checks/cli.c checks/cli.h checks/batch.c

check_PROGRAMS += tests/test_core
TESTS += tests/test_core
tests_test_core_SOURCES = tests/test_core.c
tests_test_core_CFLAGS = $(TEST_CFLAGS)
tests_test_core_LDADD = $(TEST_LIBS)
