# tests/fault.mk - the fault matrix, terminal-safety and valgrind tests (issue 9).
TESTS += tests/fault-dns.sh tests/fault-smtp.sh tests/fault-input.sh tests/fault-terminal-safety.sh
EXTRA_DIST += tests/fault-dns.sh tests/fault-smtp.sh tests/fault-input.sh tests/fault-terminal-safety.sh \
	tests/lib/bad_dns.py tests/zones/fault-cname.test.zone tests/zones/fault-esc.test.zone \
	tests/zones/66.113.0.203.in-addr.arpa.zone

# The CLI integration cases under valgrind memcheck: about 75 s, so in the
# default list (it skips itself without valgrind or in a sanitizer build).
TESTS += tests/valgrind-cli.sh
EXTRA_DIST += tests/valgrind-cli.sh

# The whole suite with ASan+UBSan in a separate build directory (CI).
EXTRA_DIST += scripts/ci-sanitizers.sh
