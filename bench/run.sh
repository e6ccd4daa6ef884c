#!/bin/bash
# bench/run.sh [RUNS] - the benchmark harness (issue 10): one command runs it
# all and writes the results table to docs/BENCHMARKS.md.
#
# Run it as root from a build directory (it uses ./mxaudit unless MXAUDIT is
# set):   cd /tmp/build-X && bash /work/main/bench/run.sh 5
#
# It re-executes itself in a private network + mount namespace (unshare -mn,
# as bench/spf/run.sh does) where /etc/resolv.conf says 127.0.0.1, so the
# peers that can only use the system resolver (libspf2 spfquery, pyspf,
# rblcheck) ask the same server as mxaudit.  Inside:
#   - Knot DNS (tests/lib/testlib.sh knot_start) serves the scenario zones of
#     bench/gen_zones.py; bench/delay_dns.py on 127.0.0.1:53 forwards to it
#     adding DELAY_MS (default 50) to every answer, UDP and TCP;
#   - a STARTTLS SMTP server (tests/lib/smtp_server.py, throw-away PKI from
#     tests/lib/tls_pki.sh) on 127.0.0.1 and ::1 stands for the 3 MX hosts;
#   - sections: full audit vs the floor, peers (SPF, blocklists, STARTTLS),
#     resources (RSS, TUI first frame and idle CPU), batch scale, callgrind
#     instruction counts.
# Medians of RUNS runs (default 5) after a warm-up, min-max in brackets.
# Timings are reported, never asserted: `make check` does not run this.
# Packages it needs beyond the test suite's: see bench/README.md (installed
# here when missing).
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-5}
if [ -z "${MXBENCH_IN_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "bench/run.sh needs root (a private network namespace)" >&2; exit 1; }
	missing=()
	command -v rblcheck >/dev/null || missing+=(rblcheck)
	command -v spfquery >/dev/null || missing+=(spfquery)
	/usr/bin/python3 -c 'import spf' 2>/dev/null || missing+=(python3-spf)
	command -v valgrind >/dev/null || missing+=(valgrind)
	command -v ip >/dev/null || missing+=(iproute2)
	if [ ${#missing[@]} -gt 0 ]; then
		echo "bench: installing ${missing[*]}" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
	fi
	MXBENCH_IN_NS=1 MXAUDIT=${MXAUDIT:-$PWD/mxaudit} exec unshare -mn bash "$0" "$@"
fi

MXAUDIT=${MXAUDIT:-$PWD/mxaudit}
PYTHON=${PYTHON:-/usr/bin/python3}
KNOTD=${KNOTD:-/usr/sbin/knotd}
TMUX_BIN=${TMUX_BIN:-tmux}
DELAY=${DELAY_MS:-50}
BATCH_N=${BATCH_N:-10000}
IDLE_S=${IDLE_S:-30}
OUT=${BENCH_OUT:-$srcdir/docs/BENCHMARKS.md}
MXAUDIT_DATADIR=${MXAUDIT_DATADIR:-$srcdir/data}
top_srcdir=$srcdir
export top_srcdir PYTHON KNOTD TMUX_BIN MXAUDIT_DATADIR
[ -x "$MXAUDIT" ] || { echo "no mxaudit at $MXAUDIT: run from a build directory" >&2; exit 1; }
# shellcheck source=../tests/lib/testlib.sh
. "$srcdir/tests/lib/testlib.sh"
# shellcheck source=../tests/lib/tls_pki.sh
. "$srcdir/tests/lib/tls_pki.sh"
work=$TEST_TMPDIR/bench
mkdir -p "$work"
log() { echo "bench: $*" >&2; }

# --- the private network ------------------------------------------------------
ip link set lo up
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' >"$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf

# --- zones, DNS, delay, SMTP ------------------------------------------------------
log "generating zones ($BATCH_N batch domains)"
"$PYTHON" "$srcdir/bench/gen_zones.py" "$work/zones" "$BATCH_N"
# knot_start serves $top_srcdir/tests/zones: give it a tree whose zones are ours.
mkdir -p "$work/src/tests"
ln -s "$work/zones" "$work/src/tests/zones"
top_srcdir=$work/src
knot_start bench.example bench.test 2.0.192.in-addr.arpa batch.example >/dev/null ||
	{ echo "knot did not start" >&2; exit 1; }
top_srcdir=$srcdir
KNOT=$DNS_SERVER
"$PYTHON" "$srcdir/bench/delay_dns.py" --listen 127.0.0.1:53 --upstream "$KNOT" --delay-ms "$DELAY" \
	>"$work/proxy.out" 2>&1 &
proxy_pid=$!
at_exit "kill $proxy_pid"
for _ in $(seq 50); do grep -q ready "$work/proxy.out" 2>/dev/null && break; sleep 0.1; done
DELAYED=127.0.0.1:53

# (not `VAR=x function`: bash then loses track of its variable contexts at exit)
PKI_EXTRA_SAN="DNS:mx2.bench.example,DNS:mx3.bench.example"
pki_init && pki_leaf mx mx1.bench.example || { echo "PKI failed" >&2; exit 1; }
unset PKI_EXTRA_SAN
# One server process per MX host (each on 127.0.0.1 and ::1, its own port;
# --connect-to sends each host's probes to its port): three MX hosts are three
# machines, and one single-threaded server would serialise their handshakes.
declare -A PORT
TLSARGS=(--ca-file "$PKI/ca.pem")
for h in mx1 mx2 mx3; do
	smtp_start "$h" --cert "$PKI/mx.pem" --key "$PKI/mx.key" --name "$h.bench.example" ||
		{ echo "SMTP server did not start" >&2; exit 1; }
	PORT[$h]=$SMTP_PORT
	TLSARGS+=(--connect-to "$h.bench.example:25::$SMTP_PORT")
done

grep -v ' domain ' "$work/zones/blocklists.conf" >"$work/ip40.conf"
for i in $(seq -w 1 40); do printf -- '-s bl%s.bench.test ' "$i"; done >"$work/rbl.args"

# --- helpers ------------------------------------------------------------------------
# ms CMD...: run CMD, print its wall time in ms (output to $work/out, $work/err).
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >"$work/out" 2>"$work/err" || true
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
# sample N CMD...: warm-up, then N wall times, one a line.
sample() {
	local n=$1 i
	shift
	ms "$@" >/dev/null
	for ((i = 0; i < n; i++)); do ms "$@"; done
}
# stats: numbers on stdin -> "median min max" (median of an even count: mean of the middle two).
stats() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%g %g %g\n", m, a[1], a[NR]}'; }
fmt() { awk '{printf "%g ms [%g-%g]", $1, $2, $3}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
jget() { "$PYTHON" -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d)' "$@" 2>/dev/null || echo "?"; }

COMMON=(--json --timeout 5 --selector s1 --selector s2 --selector s3 --from-domain news.bench.example)

# --- 1. the full audit, with STARTTLS, against the floor ----------------------------
log "STARTTLS handshake (openssl s_client)"
# s_client HOST [ADDRESS]
s_client() {
	openssl s_client -starttls smtp -connect "${2:-127.0.0.1}:${PORT[$1]}" -servername "$1.bench.example" \
		-CAfile "$PKI/ca.pem" -verify_return_error </dev/null
}
sample "$RUNS" s_client mx1 >"$work/hs.t"
# The same conversation as mxaudit's probe: EHLO again over TLS, then QUIT
# (s_client alone stops after the handshake).
s_client_full() {
	printf 'EHLO bench.example\nQUIT\n' | openssl s_client -starttls smtp -connect "127.0.0.1:${PORT[$1]}" \
		-servername "$1.bench.example" -CAfile "$PKI/ca.pem" -verify_return_error -crlf -ign_eof
}
sample "$RUNS" s_client_full mx1 >"$work/hsf.t"
read -r hsf_med hsf_min hsf_max < <(stats <"$work/hsf.t")
read -r hs_med hs_min hs_max < <(stats <"$work/hs.t")
per_host() { for h in mx1 mx2 mx3; do s_client "$h" >/dev/null 2>&1; done; }
sample "$RUNS" per_host >"$work/hs3.t"
# the same with both addresses of every host, as mxaudit probes them
per_addr() {
	for h in mx1 mx2 mx3; do
		s_client "$h" >/dev/null 2>&1
		s_client "$h" "[::1]" >/dev/null 2>&1
	done
}
sample "$RUNS" per_addr >"$work/hs6.t"

log "full audit through the delaying DNS ($RUNS runs)"
full() { "$MXAUDIT" "${COMMON[@]}" --dns-server "$DELAYED" "${TLSARGS[@]}" --blocklists "$work/zones/blocklists.conf" \
	bench.example 192.0.2.25; }
full >"$work/full.json" 2>/dev/null || true
sample "$RUNS" full >"$work/full.t"
read -r w_med w_min w_max < <(stats <"$work/full.t")
verdicts=$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(", ".join("%s=%s" % (k, v["status"]) for k, v in d["checks"].items()))' "$work/full.json" 2>/dev/null || echo "?")
for _ in 1 2 3; do /usr/bin/time -f '%M' -o "$work/rss" "$MXAUDIT" "${COMMON[@]}" --dns-server "$DELAYED" "${TLSARGS[@]}" \
	--blocklists "$work/zones/blocklists.conf" bench.example 192.0.2.25 >/dev/null 2>&1 || true; tail -1 "$work/rss"; done >"$work/rss.t"
read -r rss_med _ rss_max < <(stats <"$work/rss.t")
dns_rtts=$(cat "$work/zones/floor.txt")
# The floor: the longest dependent chain.  DNS: the SPF include chain
# (dns_rtts round trips).  TLS: MX -> host addresses (2 round trips), then the
# STARTTLS exchange, which is one s_client run (an upper bound: it includes
# openssl's start-up).
floor_dns=$((dns_rtts * DELAY))
floor_tls=$(awk -v d="$DELAY" -v h="$hs_med" 'BEGIN {printf "%g", 2 * d + h}')
floor=$(awk -v a="$floor_dns" -v b="$floor_tls" 'BEGIN {printf "%g", (a > b) ? a : b}')
floor_why=$(awk -v a="$floor_dns" -v b="$floor_tls" -v n="$dns_rtts" 'BEGIN {print (a >= b) ? n " DNS round trips (the SPF include chain)" : "MX -> address -> STARTTLS handshake"}')

# --- 2. peers ------------------------------------------------------------------------
log "peers: SPF"
spf_ours() { "$MXAUDIT" --json --only spf --timeout 5 --dns-server "$DELAYED" bench.example 192.0.2.25; }
spf_libspf2() { spfquery -ip 192.0.2.25 -sender postmaster@bench.example -helo bench.example; }
PYSPF='import spf, sys, time
t = time.perf_counter()
r = spf.check2(i="192.0.2.25", s="postmaster@bench.example", h="bench.example")
print("%.0f %s" % ((time.perf_counter() - t) * 1000, r[0]))'
sample "$RUNS" spf_ours >"$work/spf_ours.t"
spf_ours >"$work/spf.json" 2>/dev/null || true
spf_res="$(jget "$work/spf.json" checks.spf.result), $(jget "$work/spf.json" checks.spf.lookups) lookups"
sample "$RUNS" spf_libspf2 >"$work/spf_lib.t"
spf_lib_res=$(spfquery -ip 192.0.2.25 -sender postmaster@bench.example -helo bench.example 2>/dev/null | head -1 || true)
"$PYTHON" -c "$PYSPF" >/dev/null 2>&1 || true
for ((i = 0; i < RUNS; i++)); do "$PYTHON" -c "$PYSPF" 2>/dev/null | awk '{print $1}'; done >"$work/spf_py.t"
spf_py_res=$("$PYTHON" -c "$PYSPF" 2>/dev/null | awk '{print $2}')
read -r so _ < <(stats <"$work/spf_ours.t")
read -r sl _ < <(stats <"$work/spf_lib.t")
read -r sp _ < <(stats <"$work/spf_py.t")
spf_best=$(awk -v a="$sl" -v b="$sp" 'BEGIN {print (a < b) ? a : b}')

log "peers: blocklists"
bl_ours() { "$MXAUDIT" --json --only blocklists --timeout 5 --dns-server "$DELAYED" --blocklists "$work/ip40.conf" \
	bench.example 192.0.2.25; }
# shellcheck disable=SC2046
bl_rbl() { rblcheck -c $(cat "$work/rbl.args") 192.0.2.25; }
sample "$RUNS" bl_ours >"$work/bl_ours.t"
bl_ours >"$work/bl.json" 2>/dev/null || true
bl_res=$(jget "$work/bl.json" checks.blocklists.summary)
sample "$RUNS" bl_rbl >"$work/bl_rbl.t"
bl_rbl >"$work/rbl.out" 2>&1 || true
rbl_res=$(grep -v -c -e 'not listed' -e '^$' "$work/rbl.out" || true)
read -r bo _ < <(stats <"$work/bl_ours.t")
read -r br _ < <(stats <"$work/bl_rbl.t")

log "peers: STARTTLS"
tls_ours() { "$MXAUDIT" --json --only tls --timeout 5 --dns-server "$KNOT" "${TLSARGS[@]}" bench.example; }
sample "$RUNS" tls_ours >"$work/tls_ours.t"
tls_ours >"$work/tls.json" 2>/dev/null || true
tls_res=$(jget "$work/tls.json" checks.tls.summary)
read -r to to_min to_max < <(stats <"$work/tls_ours.t")
read -r h3 _ < <(stats <"$work/hs3.t")
read -r h6 _ < <(stats <"$work/hs6.t")

# --- 3. resources: the TUI on the demo ---------------------------------------------------
log "TUI on the demo"
export XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config"
tui_once() {
	local t0 t1 i scr
	t0=$(date +%s%N)
	tmux_start 100 30 "$MXAUDIT" --demo || return 1
	t_frame=
	for ((i = 0; i < 1000; i++)); do
		scr=$(tmux_screen 2>/dev/null)
		if [ -z "$t_frame" ] && printf '%s\n' "$scr" | grep -q 'Blocklists ─' &&
			[ "$(printf '%s\n' "$scr" | grep -Eo '(SPF|DKIM|DMARC|PTR|MX|TLS|Blocklists) ─' | sort -u | wc -l)" -ge 7 ]; then
			t_frame=$(date +%s%N)
		fi
		if printf '%s\n' "$scr" | grep -Eq '[0-9]s done'; then
			t1=$(date +%s%N)
			break
		fi
		sleep 0.01
	done
	[ -n "${t1:-}" ] || return 1
	[ -n "$t_frame" ] || t_frame=$t1
	tui_res="$(((t_frame - t0) / 1000000)) $(((t1 - t0) / 1000000))"
}
: >"$work/tui.t"
for ((r = 0; r <= RUNS; r++)); do
	# (not in $(...): tmux_start's socket name must stay in this shell)
	t1=
	tui_once || { log "the TUI did not finish: $(tmux_screen 2>&1 | tail -3)"; break; }
	[ "$r" = 0 ] || echo "$tui_res" >>"$work/tui.t" # the first is a warm-up
	if [ "$r" = "$RUNS" ]; then
		# the last one stays: idle CPU and peak RSS
		pid=$(_tl_tmux display -p -t "$_tl_tmux_target" '#{pane_pid}')
		read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
		sleep "$IDLE_S"
		read -r u2 s2 < <(awk '{print $14, $15}' "/proc/$pid/stat")
		tui_hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
		tui_idle=$(awk -v t="$(getconf CLK_TCK)" -v d=$(((u2 + s2) - (u1 + s1))) 'BEGIN {printf "%.2f", d / t}')
		tui_ticks=$(((u2 + s2) - (u1 + s1)))
	fi
	_tl_tmux kill-server >/dev/null 2>&1 || true
done
# Every tmux server is stopped already; drop their at_exit entries (bash 5.2
# aborts the whole EXIT trap on an eval'd `VAR=x command` there, and the
# servers below would be left running).
for i in "${!_tl_cleanups[@]}"; do
	case ${_tl_cleanups[$i]} in *kill-server*) unset '_tl_cleanups[i]' ;; esac
done
_tl_cleanups=("${_tl_cleanups[@]}")
read -r tf_med tf_min tf_max < <(awk '{print $1}' "$work/tui.t" | stats)
read -r td_med td_min td_max < <(awk '{print $2}' "$work/tui.t" | stats)
demo_rss=$(/usr/bin/time -f '%M' "$MXAUDIT" --json --demo 2>&1 >/dev/null | tail -1)

# --- 4. batch --------------------------------------------------------------------------
log "batch: 1000 and $BATCH_N domains against Knot without delay"
BARGS=(--dns-server "$KNOT" --blocklists "$work/zones/blocklists.conf" --skip tls --parallel 16)
batch() {
	local n=$1
	/usr/bin/time -f '%e %M %U %S' -o "$work/batch.time" "$MXAUDIT" --batch "$work/zones/batch-$n.txt" "${BARGS[@]}" \
		>"$work/batch-$n.out" 2>/dev/null || true
	read -r e m u s < <(tail -1 "$work/batch.time")
	lines=$(wc -l <"$work/batch-$n.out")
	slow=$("$PYTHON" -c 'import json,sys
n=0
for l in open(sys.argv[1]):
    if json.loads(l).get("duration_ms", 0) > 1000: n += 1
print(n)' "$work/batch-$n.out")
	printf '| %s | %s | %s s | %.0f | %s MiB | %.2f ms | %s |\n' "$n" "$lines" "$e" "$(awk -v n="$n" -v e="$e" 'BEGIN {print n / e}')" \
		"$((m / 1024))" "$(awk -v n="$n" -v u="$u" -v s="$s" 'BEGIN {print (u + s) * 1000 / n}')" "$slow"
}
SMALL=$((BATCH_N < 1000 ? BATCH_N : 1000))
batch_rows=$(batch "$SMALL"; [ "$BATCH_N" = "$SMALL" ] || batch "$BATCH_N")
batch_rows_p64=$(BARGS=(--dns-server "$KNOT" --blocklists "$work/zones/blocklists.conf" --skip tls --parallel 64); batch "$SMALL")

# --- 5. instruction counts ---------------------------------------------------------------
log "callgrind"
cg() {
	valgrind --tool=callgrind --callgrind-out-file="$work/cg.$1" "${@:2}" >/dev/null 2>&1 || true
	callgrind_annotate "$work/cg.$1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
head -200 "$work/zones/batch-$SMALL.txt" >"$work/batch-200.txt"
ir_single=$(cg single "$MXAUDIT" "${COMMON[@]}" --dns-server "$KNOT" --skip tls --blocklists "$work/zones/blocklists.conf" \
	bench.example 192.0.2.25)
ir_batch=$(cg batch "$MXAUDIT" --batch "$work/batch-200.txt" "${BARGS[@]}")
top_batch=$(callgrind_annotate --inclusive=yes "$work/cg.batch" 2>/dev/null |
	grep -E '/(checks|tui)/[a-z_]+\.c:' | grep -vE ':(main|cli_run|batch_run|evloop_run_once|on_io|on_answer|resolver_deliver)( |$)' |
	head -12 | sed 's/( */(/' | awk '{ir=$1; gsub(",", "", ir); pct=$2; fn=$3; sub(".*/", "", fn); printf "| %s | %.1fM | %s |\n", fn, ir / 200 / 1e6, pct}')

# --- the report ------------------------------------------------------------------------
ver=$(dpkg-query -W -f='${Version}' rblcheck 2>/dev/null || echo "?")
{
	echo "# Benchmarks"
	echo
	echo "Written by \`bench/run.sh\` (run it as root from a build directory: \`bash /work/main/bench/run.sh 5\`)."
	echo "Medians of $RUNS runs after a warm-up, min-max in brackets. Everything runs in a private network"
	echo "namespace: Knot DNS serves the scenario zones (\`bench/gen_zones.py\`), \`bench/delay_dns.py\` on"
	echo "127.0.0.1:53 adds ${DELAY} ms to every DNS answer, and a STARTTLS SMTP server"
	echo "(\`tests/lib/smtp_server.py\`, aiosmtpd, throw-away EC P-256 PKI) listens on 127.0.0.1 and ::1 for"
	echo "the 3 MX hosts. Machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d); shared with other"
	echo "builds, so wall times carry noise - the instruction counts below do not."
	echo
	echo "## The whole audit against the floor"
	echo
	echo "Scenario: SPF 9 lookups / include depth 3, DMARC at the organizational domain only, 3 DKIM"
	echo "selectors + the built-in probe list, 3 MX hosts with A and AAAA, PTR + forward confirmation,"
	echo "40 IP + 5 domain blocklists, STARTTLS to the 3 MX hosts (6 addresses)."
	echo "The floor is the longest chain of steps that wait for each other: ${dns_rtts} DNS round trips"
	echo "(${floor_dns} ms), or MX -> address (2 round trips) -> STARTTLS (${floor_tls} ms, the handshake taken as"
	echo "one \`openssl s_client -starttls smtp\` run, ${hs_med} ms, start-up included)."
	echo
	echo "| scenario | floor | mxaudit wall time | ratio to floor (target <= 1.2) | peak RSS |"
	echo "| --- | --- | --- | --- | --- |"
	echo "| full audit with STARTTLS | ${floor} ms (${floor_why}) | $(echo "$w_med $w_min $w_max" | fmt) | $(ratio "$w_med" "$floor")x | $((rss_med / 1024)) MiB [max $((rss_max / 1024))] |"
	echo
	echo "Verdicts in the measured run: $verdicts."
	echo
	echo "## Peers, same zones, same ${DELAY} ms delay, same run"
	echo
	echo "| what | mxaudit | peer | peer time | ratio peer / mxaudit (target) |"
	echo "| --- | --- | --- | --- | --- |"
	echo "| SPF, bench.example for 192.0.2.25 (9 lookups, depth 3; mxaudit: $spf_res) | $(stats <"$work/spf_ours.t" | fmt) | libspf2 spfquery ($spf_lib_res) | $(stats <"$work/spf_lib.t" | fmt) | $(ratio "$sl" "$so") |"
	echo "| | | pyspf 2.0.14 ($spf_py_res; timed inside python, start-up excluded) | $(stats <"$work/spf_py.t" | fmt) | $(ratio "$sp" "$so") (faster peer: $(ratio "$spf_best" "$so"), target >= 3) |"
	echo "| 40 IP blocklists for 192.0.2.25 (one listed; mxaudit: $bl_res) | $(stats <"$work/bl_ours.t" | fmt) | rblcheck $ver (listed in $rbl_res) | $(stats <"$work/bl_rbl.t" | fmt) | $(ratio "$br" "$bo") (target >= 10) |"
	echo "| STARTTLS to 3 MX hosts, both addresses each (mxaudit --only tls against Knot without delay: $tls_res) | $(echo "$to $to_min $to_max" | fmt) | openssl s_client, 1 handshake | $(echo "$hs_med $hs_min $hs_max" | fmt) | mxaudit / one handshake: $(ratio "$to" "$hs_med") (target <= 1.2) |"
	echo "| | | openssl s_client, 1 host, the probe's whole conversation (EHLO over TLS, QUIT) | $(echo "$hsf_med $hsf_min $hsf_max" | fmt) | mxaudit / one such conversation: $(ratio "$to" "$hsf_med") |"
	echo "| | | openssl s_client per host, 3 hosts one after the other | $(stats <"$work/hs3.t" | fmt) | $(ratio "$h3" "$to") |"
	echo "| | | openssl s_client per address, 6 one after the other | $(stats <"$work/hs6.t" | fmt) | $(ratio "$h6" "$to") |"
	echo
	echo "mxaudit, spfquery, rblcheck and openssl s_client are timed as whole processes (start-up included)."
	echo "bench/spf/RESULTS.md (\`bench/spf/run.sh\`) compares the SPF evaluators' conformance and other trees."
	echo
	echo "## Resources"
	echo
	echo "| what | figure | target |"
	echo "| --- | --- | --- |"
	echo "| peak RSS, \`mxaudit --json\`, the full audit above | $((rss_med / 1024)) MiB | < 16 MiB |"
	echo "| peak RSS, \`mxaudit --json --demo\` | $((demo_rss / 1024)) MiB | < 16 MiB |"
	echo "| peak RSS (VmHWM), the TUI on the demo after the audit and ${IDLE_S} s idle | $((${tui_hwm:-0} / 1024)) MiB | < 16 MiB |"
	echo "| TUI start (tmux) to the first frame with all 7 panes | $(echo "$tf_med $tf_min $tf_max" | fmt) | |"
	echo "| TUI start (tmux) to 'done' in the status bar | $(echo "$td_med $td_min $td_max" | fmt) | |"
	echo "| TUI CPU time (utime+stime, /proc/PID/stat) idling ${IDLE_S} s after the audit | ${tui_idle:-?} s (${tui_ticks:-?} ticks) | < 0.05 s |"
	echo
	echo "The TUI times include starting tmux and polling its screen every 10 ms."
	echo
	echo "## Batch mode"
	echo
	echo "\`mxaudit --batch FILE --parallel 16 --skip tls\` against Knot without added delay; every line"
	echo "'dNNNNN.batch.example 192.0.2.25' (SPF with an include, MX, DMARC at the domain, PTR, DKIM probe"
	echo "list, the 40 + 5 benchmark blocklists: about 100 queries a domain). One run each."
	echo
	echo "| domains | JSON lines | wall | domains/s | peak RSS | CPU (user+sys) per domain | audits > 1 s |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	echo "$batch_rows"
	echo
	echo "With --parallel 64:"
	echo
	echo "| domains | JSON lines | wall | domains/s | peak RSS | CPU (user+sys) per domain | audits > 1 s |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	echo "$batch_rows_p64"
	echo
	echo "## Instruction counts (callgrind, repeatable)"
	echo
	echo "| run | instructions |"
	echo "| --- | --- |"
	echo "| one audit, no TLS, Knot without delay (the scenario above) | $(awk -v n="$ir_single" 'BEGIN {printf "%.1fM", n / 1e6}') |"
	echo "| batch, 200 domains | $(awk -v n="$ir_batch" 'BEGIN {printf "%.1fM (%.2fM a domain)", n / 1e6, n / 200e6}') |"
	echo
	echo "Where a batch domain's instructions go (inclusive, project functions, per domain):"
	echo
	echo "| function | instructions a domain | share |"
	echo "| --- | --- | --- |"
	echo "$top_batch"
	echo
	[ -r "$srcdir/bench/NOTES.md" ] && cat "$srcdir/bench/NOTES.md"
} >"$OUT"
cat "$OUT"
# Clean up here rather than in testlib's EXIT trap: after tmux_start's
# `VAR=x function` calls, bash 5.2 aborts that trap half-way ("pop_var_context")
# and leaves the servers running.
trap - EXIT
for ((i = ${#_tl_cleanups[@]} - 1; i >= 0; i--)); do
	eval "${_tl_cleanups[$i]}" >/dev/null 2>&1 || true
done
rm -rf "$TEST_TMPDIR"
exit 0
