# checks/net.mk - file lists for this area (included by Makefile.am).
checks_libmxcheck_a_SOURCES += checks/check_blocklists.c
checks_libmxcheck_a_SOURCES += checks/check_mx.c checks/mx.h checks/check_ptr.c
checks_libmxcheck_a_SOURCES += checks/blocklist_conf.c checks/blocklist_conf.h
dist_pkgdata_DATA += data/blocklists.conf data/demo-blocklists.conf

check_PROGRAMS += tests/test_blocklist_conf
TESTS += tests/test_blocklist_conf
tests_test_blocklist_conf_SOURCES = tests/test_blocklist_conf.c
tests_test_blocklist_conf_CFLAGS = $(TEST_CFLAGS)
tests_test_blocklist_conf_LDADD = $(TEST_LIBS)

# Integration tests against Knot DNS on loopback, and their zones.
TESTS += tests/net-blocklists.sh
EXTRA_DIST += tests/net-blocklists.sh tests/zones/bl-dnsbl.test.zone tests/zones/bl-lists.conf tests/zones/bl-clean.conf

# PTR: generic-name heuristics (pure parts in ptr.h) and their pattern data.
checks_libmxcheck_a_SOURCES += checks/ptr.h
dist_pkgdata_DATA += data/generic-ptr-patterns.txt
check_PROGRAMS += tests/test_ptr_generic
TESTS += tests/test_ptr_generic
tests_test_ptr_generic_SOURCES = tests/test_ptr_generic.c
tests_test_ptr_generic_CFLAGS = $(TEST_CFLAGS)
tests_test_ptr_generic_LDADD = $(TEST_LIBS)
TESTS += tests/net-ptr.sh
EXTRA_DIST += tests/net-ptr.sh tests/zones/ptr-fwd.test.zone tests/zones/113.0.203.in-addr.arpa.zone \
	tests/zones/f.f.0.0.8.b.d.0.1.0.0.2.ip6.arpa.zone

# MX recipient mode: the typo data and the unit test of its pure parts.
dist_pkgdata_DATA += data/mailbox-domain-typos.txt
check_PROGRAMS += tests/test_mx_rcpt
TESTS += tests/test_mx_rcpt
tests_test_mx_rcpt_SOURCES = tests/test_mx_rcpt.c
tests_test_mx_rcpt_CFLAGS = $(TEST_CFLAGS)
tests_test_mx_rcpt_LDADD = $(TEST_LIBS)
TESTS += tests/net-mx.sh
EXTRA_DIST += tests/net-mx.sh tests/zones/rcpt-mail.test.zone

# Fuzz target of the list-file parser; make check replays its corpus
# (tests/fuzz/corpus/blocklist_conf/, distributed with tests/fuzz/corpus).
check_PROGRAMS += tests/fuzz/replay_blocklist_conf
TESTS += tests/fuzz/replay_blocklist_conf
tests_fuzz_replay_blocklist_conf_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_blocklist_conf.c
tests_fuzz_replay_blocklist_conf_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"blocklist_conf"'
tests_fuzz_replay_blocklist_conf_LDADD = $(ENGINE_LIBS)
check_PROGRAMS += tests/test_blocklist_check
TESTS += tests/test_blocklist_check
tests_test_blocklist_check_SOURCES = tests/test_blocklist_check.c
tests_test_blocklist_check_CFLAGS = $(TEST_CFLAGS)
tests_test_blocklist_check_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/fuzz/replay_mx_rcpt
TESTS += tests/fuzz/replay_mx_rcpt
tests_fuzz_replay_mx_rcpt_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_mx_rcpt.c
tests_fuzz_replay_mx_rcpt_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"mx_rcpt"'
tests_fuzz_replay_mx_rcpt_LDADD = $(ENGINE_LIBS)
