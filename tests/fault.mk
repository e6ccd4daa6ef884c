# tests/fault.mk - the fault matrix and terminal-safety tests (issue 9).
TESTS += tests/fault-dns.sh tests/fault-smtp.sh tests/fault-input.sh tests/fault-terminal-safety.sh
EXTRA_DIST += tests/fault-dns.sh tests/fault-smtp.sh tests/fault-input.sh tests/fault-terminal-safety.sh \
	tests/lib/bad_dns.py tests/zones/fault-cname.test.zone tests/zones/fault-esc.test.zone \
	tests/zones/66.113.0.203.in-addr.arpa.zone
