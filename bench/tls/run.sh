#!/bin/bash
# bench/tls/run.sh [RUNS] - mxaudit's TLS check against its peers (issue 6):
#   - `openssl s_client -starttls smtp`: one STARTTLS handshake, the floor;
#   - testssl.sh 3.0 (`testssl --starttls smtp`, Debian package testssl.sh,
#     installed here for the bench only): the thorough scanner.
# All three ask the same loopback SMTP server (tests/lib/smtp_server.py,
# aiosmtpd with STARTTLS) with certificates from a throw-away CA made at run
# time (tests/lib/tls_pki.sh), one scenario per certificate problem.  mxaudit
# resolves the MX host through a real Knot DNS (tests/zones/tls.test.zone,
# every MX host on 127.0.0.1 and ::1), so its time includes the MX, address,
# TLSA, MTA-STS and TLS-RPT lookups and two probes (IPv4 and IPv6) in
# parallel; s_client and testssl are given the address.
#
# Writes bench/tls/RESULTS.md: wall time (median of RUNS, min-max) as a ratio
# to the s_client floor, and which findings each tool reports per scenario.
# Run from a build directory (uses ./mxaudit unless MXAUDIT is set):
#   cd /tmp/build-X && bash /work/main/bench/tls/run.sh 5
# Timings are reported, never asserted: `make check` does not run this.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
export top_srcdir
RUNS=${1:-5}
TS_RUNS=${TS_RUNS:-1} # testssl takes minutes per scan; one run unless told
MXAUDIT=${MXAUDIT:-$PWD/mxaudit}
export MXAUDIT
out=$here/RESULTS.md
[ -x "$MXAUDIT" ] || { echo "run from a build directory (no $MXAUDIT)" >&2; exit 1; }
if ! command -v testssl >/dev/null; then
	echo "bench/tls: installing testssl.sh (Debian package) for the bench" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y testssl.sh >&2 || exit 1
fi
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/tls_pki.sh"
knot_start tls.test >/dev/null || { echo "knotd did not start" >&2; exit 1; }
pki_init >/dev/null || { echo "no test CA" >&2; exit 1; }
W=$TEST_TMPDIR/w
mkdir -p "$W"

# now_ms: a monotonic-enough clock in milliseconds.
now_ms() { date +%s%3N; }
# timed FILE CMD...: append the wall time of CMD (ms) to FILE; CMD's output
# is kept in FILE.out (the last run's).
timed() {
	local f=$1 t0 t1
	shift
	t0=$(now_ms)
	"$@" >"$f.out" 2>"$f.err" </dev/null
	t1=$(now_ms)
	echo $((t1 - t0)) >>"$f"
}
# stats FILE: "median (min-max)" in ms.
stats() { sort -n "$1" | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
	printf "%d|%d|%d", m, v[1], v[NR] }'; }

scen_start() { # NAME: the server for scenario NAME; sets SMTP_PORT, HOST
	local n=$1
	HOST=mx.$n.tls.test
	case $n in
	valid) pki_leaf valid "$HOST" >/dev/null ;;
	expired) pki_expired expired "$HOST" >/dev/null ;;
	wrongname) pki_leaf wrongname mx.other.example >/dev/null ;;
	selfsigned) pki_selfsigned selfsigned "$HOST" >/dev/null ;;
	esac
	if [ "$n" = plain ]; then
		smtp_start "$n" --no-starttls --name "$HOST" >/dev/null
	else
		smtp_start "$n" --cert "$PKI/$n.pem" --key "$PKI/$n.key" --name "$HOST" >/dev/null
	fi
}

run_mxaudit() { timeout 60 "$MXAUDIT" --json --only tls --timeout 5 --dns-server "$DNS_SERVER" \
	--smtp-port "$SMTP_PORT" --ca-file "$PKI/ca.pem" "$1.tls.test"; }
run_sclient() { echo QUIT | timeout 30 openssl s_client -starttls smtp -connect "127.0.0.1:$SMTP_PORT" \
	-servername "$HOST" -verify_hostname "$HOST" -CAfile "$PKI/ca.pem" -brief; }
run_testssl() { timeout 900 testssl --quiet --warnings off --color 0 --ip 127.0.0.1 --add-ca "$PKI/ca.pem" \
	--jsonfile "$1" --starttls smtp "$HOST:$SMTP_PORT"; }

scenarios="valid expired wrongname selfsigned plain"
load0=$(cut -d' ' -f1 /proc/loadavg)
tsver=$(testssl --version 2>/dev/null | grep -o 'testssl *[0-9][0-9.]*' | head -n 1 | tr -s ' ')
for s in $scenarios; do
	scen_start "$s" || { echo "no server for $s" >&2; exit 1; }
	echo "bench/tls: $s on port $SMTP_PORT" >&2
	run_mxaudit "$s" >/dev/null 2>&1 # warm-up (page cache, Knot, the new server)
	run_sclient >/dev/null 2>&1
	for ((i = 0; i < RUNS; i++)); do
		timed "$W/$s.mxaudit" run_mxaudit "$s"
		timed "$W/$s.sclient" run_sclient
	done
	for ((i = 0; i < TS_RUNS; i++)); do
		rm -f "$W/$s.testssl.json"
		timed "$W/$s.testssl" run_testssl "$W/$s.testssl.json"
	done
done

# Findings: mxaudit's ids; s_client's verdict line; testssl's ids with a
# severity other than OK/INFO (what it flags), plus the facts it reports.
{
	echo "# mxaudit's TLS check against openssl s_client and testssl.sh (bench/tls/run.sh)"
	echo
	echo "Same loopback SMTP server (aiosmtpd with STARTTLS, \`tests/lib/smtp_server.py\`), certificates from a"
	echo "throw-away CA made at run time (\`tests/lib/tls_pki.sh\`), one scenario per certificate problem."
	echo "$(uname -sr), $(nproc) CPUs, load average $load0 at the start and $(cut -d' ' -f1 /proc/loadavg) at the end,"
	echo "$(openssl version | cut -d' ' -f1-2), $tsver, $("$MXAUDIT" --version 2>&1 | head -n 1); $(date -u +%Y-%m-%d)."
	echo
	echo "## Wall time"
	echo
	echo "Median of $RUNS runs (testssl: $TS_RUNS) in milliseconds, min-max in brackets, and the ratio to the"
	echo "one-handshake floor (\`openssl s_client -starttls smtp\`, which connects, reads the banner, EHLO, STARTTLS,"
	echo "handshake and leaves). mxaudit's time is the whole TLS check: MX and address lookups through Knot, TLSA,"
	echo "\`_mta-sts\` and \`_smtp._tls\` lookups, and two probes (127.0.0.1 and ::1) in parallel, each a full"
	echo "dialogue (banner, EHLO, STARTTLS, handshake, EHLO, QUIT)."
	echo
	echo "| scenario | s_client (floor) | mxaudit --only tls | ratio | testssl --starttls smtp | ratio |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for s in $scenarios; do
		IFS='|' read -r fm fa fb <<<"$(stats "$W/$s.sclient")"
		IFS='|' read -r mm ma mb <<<"$(stats "$W/$s.mxaudit")"
		IFS='|' read -r tm ta tb <<<"$(stats "$W/$s.testssl")"
		printf '| %s | %d [%d-%d] | %d [%d-%d] | %s | %d [%d-%d] | %s |\n' "$s" "$fm" "$fa" "$fb" "$mm" "$ma" "$mb" \
			"$(awk -v a="$mm" -v b="$fm" 'BEGIN { printf "%.1fx", b ? a / b : 0 }')" "$tm" "$ta" "$tb" \
			"$(awk -v a="$tm" -v b="$fm" 'BEGIN { printf "%.0fx", b ? a / b : 0 }')"
	done
	echo
	echo "## What each reports, per scenario"
	echo
	echo "mxaudit: finding ids with their status (\`--only tls\`). s_client: its verification line. testssl: the ids"
	echo "of its JSON output whose severity is not OK or INFO (what it flags), with the severity."
	echo
	for s in $scenarios; do
		echo "### $s"
		echo
		echo "- mxaudit: $(json_eval "$W/$s.mxaudit.out" "', '.join(sorted(set('\`%s\` %s' % (f['id'], f['status']) for f in d['checks']['tls']['findings'])))" 2>/dev/null)"
		echo "- s_client: $(grep -hE 'Verification|verify error|didn.t find starttls|STARTTLS|Protocol version|Ciphersuite' "$W/$s.sclient.out" "$W/$s.sclient.err" | sort -u | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
		echo "- testssl: $("$PYTHON" - "$W/$s.testssl.json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("(no JSON: %s)" % e); sys.exit()
items = d if isinstance(d, list) else d.get("scanResult", [])
out = sorted({"`%s` %s" % (i["id"], i["severity"]) for i in items if i.get("severity") not in ("OK", "INFO", "DEBUG")})
print(", ".join(out) if out else "(nothing flagged)")
PY
)"
		echo
	done
} >"$out.tmp"
# the comparison table of findings is hand-written below the marker and kept
if [ -f "$out" ] && grep -q '^<!-- hand-written -->' "$out"; then
	sed -n '/^<!-- hand-written -->/,$p' "$out" >>"$out.tmp"
fi
mv "$out.tmp" "$out"
echo "bench/tls: wrote $out" >&2
