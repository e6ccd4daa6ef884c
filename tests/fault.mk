# tests/fault.mk - the fault matrix and terminal-safety tests (issue 9).
TESTS += tests/fault-dns.sh tests/fault-smtp.sh tests/fault-input.sh
EXTRA_DIST += tests/fault-dns.sh tests/fault-smtp.sh tests/fault-input.sh tests/lib/bad_dns.py \
	tests/zones/fault-cname.test.zone
