# checks/zone.mk - the zone-file resolver backend, the demo zone, and the
# unit tests of the DNS layer (parser, resolver, zone backend).
checks_libmxcheck_a_SOURCES += checks/resolver_zone.c checks/resolver_zone.h
dist_pkgdata_DATA += data/demo.zone

# Unit tests of the DNS layer.
check_PROGRAMS += tests/test_dns tests/test_resolver tests/test_zone
TESTS += tests/test_dns tests/test_resolver tests/test_zone
tests_test_dns_SOURCES = tests/test_dns.c
tests_test_dns_CFLAGS = $(TEST_CFLAGS)
tests_test_dns_LDADD = $(TEST_LIBS)
tests_test_resolver_SOURCES = tests/test_resolver.c
tests_test_resolver_CFLAGS = $(TEST_CFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'
tests_test_resolver_LDADD = $(TEST_LIBS)
tests_test_zone_SOURCES = tests/test_zone.c
tests_test_zone_CFLAGS = $(TEST_CFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'
tests_test_zone_LDADD = $(TEST_LIBS)
# Fixture zones the unit tests read from $(top_srcdir).
EXTRA_DIST += \
	tests/zones-unit/unit.example.zone \
	tests/zones-unit/guess.example.zone \
	tests/zones-unit/syntax-error.zone

# End to end: the demo and --zone through the command line.
TESTS += tests/zone-cli.sh
EXTRA_DIST += tests/zone-cli.sh
