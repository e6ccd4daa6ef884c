# checks/tls.mk - file lists for this area (included by Makefile.am).
checks_libmxcheck_a_SOURCES += checks/check_tls.c
checks_libmxcheck_a_SOURCES += checks/smtp_reply.c checks/smtp_reply.h

check_PROGRAMS += tests/test_smtp_reply
TESTS += tests/test_smtp_reply
tests_test_smtp_reply_SOURCES = tests/test_smtp_reply.c
tests_test_smtp_reply_CFLAGS = $(TEST_CFLAGS)
tests_test_smtp_reply_LDADD = $(TEST_LIBS)
