# tests/tests.mk - core tests and test infrastructure.

# The shell test library (tests/lib/testlib.sh) and the zones its Knot DNS
# serves.  Tests read them from $(top_srcdir), so they must be distributed.
EXTRA_DIST += tests/lib/testlib.sh
# ...which checks itself first.
TESTS += tests/testlib-selftest.sh
EXTRA_DIST += tests/testlib-selftest.sh
EXTRA_DIST += \
	tests/zones/mx.test.zone \
	tests/zones/2.0.192.in-addr.arpa.zone \
	tests/zones/51.198.in-addr.arpa.zone \
	tests/zones/8.b.d.0.1.0.0.2.ip6.arpa.zone

# Integration tests of the command line (issue 2): real Knot DNS on loopback.
TESTS += tests/cli-usage.sh tests/cli-mx-ptr.sh tests/cli-timeout.sh
EXTRA_DIST += tests/cli-usage.sh tests/cli-mx-ptr.sh tests/cli-timeout.sh
# Batch mode (--batch, --parallel) against tests/zones/batch.test.zone.
TESTS += tests/cli-batch.sh
EXTRA_DIST += tests/cli-batch.sh tests/zones/batch.test.zone

# Static analysis: cppcheck on a documented set of checks (issue 9).
TESTS += tests/lint-cppcheck.sh
EXTRA_DIST += tests/lint-cppcheck.sh

# The man page lists every finding id the checks emit.
TESTS += tests/man-finding-ids.sh
EXTRA_DIST += tests/man-finding-ids.sh
