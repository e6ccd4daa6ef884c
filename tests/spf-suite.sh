#!/bin/sh
# spf-suite.sh - the OpenSPF conformance suites (RFC 7208, and RFC 4408 for
# comparison) against the SPF evaluator, through the resolver interface with
# the suites' zone data.  One TAP line per suite test; the closing comments
# say "rfc7208: N passed, N failed" and the same for rfc4408.
# Expected failures are listed with reasons in tests/spf-suite-exceptions.txt
# (reported as TODO, never skipped silently).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=.}"
: "${SHARED_TESTDATA:=$top_srcdir/../shared/testdata}"
: "${PYTHON:=/usr/bin/python3}"
runner="$top_builddir/tests/test_spf_suite"
exc="$top_srcdir/tests/spf-suite-exceptions.txt"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if [ ! -r "$SHARED_TESTDATA/spf/rfc7208-tests.yml" ]; then
	echo "1..0 # SKIP no OpenSPF suite in $SHARED_TESTDATA/spf"
	exit 0
fi
for s in rfc7208 rfc4408; do
	"$PYTHON" "$top_srcdir/tests/spf-suite.py" "$SHARED_TESTDATA/spf/$s-tests.yml" >"$tmp/$s.json" || {
		echo "Bail out! cannot convert $s-tests.yml"; exit 1; }
	"$runner" "$s" "$tmp/$s.json" "$exc" >"$tmp/$s.tap" || { echo "Bail out! $runner failed"; exit 1; }
done
# One plan for both suites: renumber the second.
n7=$(sed -n 's/^1\.\.//p' "$tmp/rfc7208.tap")
n4=$(sed -n 's/^1\.\.//p' "$tmp/rfc4408.tap")
echo "1..$((n7 + n4))"
grep -v -e '^1\.\.' -e '^# rfc' "$tmp/rfc7208.tap" | sed 's/^\(\(not \)\{0,1\}ok\) \([0-9]*\) - /\1 \3 - rfc7208 /'
grep -v -e '^1\.\.' -e '^# rfc' "$tmp/rfc4408.tap" | awk -v off="$n7" '
	/^(not )?ok [0-9]+ - / { neg = ($1 == "not"); i = neg ? 3 : 2; $i = $i + off; sub(/ - /, " - rfc4408 "); print; next }
	{ print }'
grep -h '^# rfc' "$tmp/rfc7208.tap" "$tmp/rfc4408.tap"
