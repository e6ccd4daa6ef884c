#!/bin/bash
# bench/spf/run.sh [RUNS] [DELAY_MS] - the SPF evaluator against libspf2
# (spfquery) and pyspf (python3-spf), Debian packages listed in
# scripts/debian-packages.txt:
#   1. conformance: the OpenSPF suites rfc7208 and rfc4408, side by side;
#   2. wall time of one evaluation through a DNS server that delays every
#      answer by DELAY_MS (default 50), on generated record trees.
# Writes bench/spf/RESULTS.md.  Needs root: it runs everything in a private
# network + mount namespace (unshare -mn) whose /etc/resolv.conf points at
# bench/spf/zone_dns.py on 127.0.0.1:53, because spfquery and pyspf can only
# use the system resolver.  Nothing outside the namespace is touched.
# Run from a build directory (uses ./mxaudit and ./tests/test_spf_suite).
# Timings are reported, never asserted: `make check` does not run this.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
build=$PWD
RUNS=${1:-5}
DELAY=${2:-50}
PYTHON=${PYTHON:-/usr/bin/python3}
SHARED_TESTDATA=${SHARED_TESTDATA:-$srcdir/../shared/testdata}
out=$here/RESULTS.md
for t in "$build/mxaudit" "$build/tests/test_spf_suite"; do
	[ -x "$t" ] || { echo "run from a build directory (no $t)" >&2; exit 1; }
done
command -v spfquery >/dev/null || { echo "install spfquery (libspf2)" >&2; exit 1; }
"$PYTHON" -c 'import spf' || { echo "install python3-spf" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in rfc7208 rfc4408; do
	"$PYTHON" "$srcdir/tests/spf-suite.py" "$SHARED_TESTDATA/spf/$s-tests.yml" >"$tmp/$s.json"
done
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$tmp/resolv.conf"
export tmp here build RUNS DELAY PYTHON srcdir
unshare -mn bash -eu -c '
	ip link set lo up
	mount --bind "$tmp/resolv.conf" /etc/resolv.conf
	{
		echo "# SPF evaluators compared (bench/spf/run.sh)"
		echo
		echo "Generated $(date -u +%Y-%m-%d) on $(uname -m); libspf2 $(dpkg-query -W -f=\${Version} spfquery 2>/dev/null), pyspf $(dpkg-query -W -f=\${Version} python3-spf 2>/dev/null)."
		echo
		echo "## Conformance (OpenSPF suites, result compared; any listed result passes)"
		echo
		echo "mxaudit runs the suites through the resolver interface (tests/test_spf_suite, as in make check, explanations checked too);"
		echo "libspf2 and pyspf query tests-suite zone data served by bench/spf/zone_dns.py through the system resolver."
		echo
		echo "| suite | mxaudit | libspf2 spfquery | pyspf |"
		echo "| --- | --- | --- | --- |"
		for s in rfc7208 rfc4408; do
			o=$("$build/tests/test_spf_suite" $s "$tmp/$s.json" /dev/null | sed -n "s/^# $s: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 passed, \2 failed/p")
			l=$("$PYTHON" "$here/ext_suite.py" libspf2 "$tmp/$s.json" $s > "$tmp/$s.libspf2"; sed -n "1s/^[^:]*: \([^(]*\) (.*/\1/p" "$tmp/$s.libspf2")
			p=$("$PYTHON" "$here/ext_suite.py" pyspf "$tmp/$s.json" $s > "$tmp/$s.pyspf"; sed -n "1s/^[^:]*: \([^(]*\) (.*/\1/p" "$tmp/$s.pyspf")
			echo "| $s | $o | $l | $p |"
		done
		echo
		echo "Tests pyspf fails:"
		echo
		grep -h "not ok" "$tmp"/*.pyspf | sed "s/^ */- /" || echo "- none"
		echo
		echo "## Wall time through a DNS server adding ${DELAY} ms to every answer (median of $RUNS)"
		echo
		echo "mxaudit prefetches the record tree in parallel, so its time follows the depth of the tree"
		echo "(deep: 4 records + MX host addresses = 5 dependent round trips; wide: 2), the others the number of queries."
		echo
		MXAUDIT_DATADIR="$srcdir/data" "$PYTHON" "$here/timing.py" "$build/mxaudit" "$DELAY" "$RUNS"
	} > "$tmp/RESULTS.md"
'
cp "$tmp/RESULTS.md" "$out"
cat "$out"
