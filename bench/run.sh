#!/bin/bash
# bench/run.sh [RUNS] - the benchmark harness (issue 10).
#
# Serves the scenario zones (bench/gen_zones.py) from a real Knot DNS on
# loopback, puts bench/delay_dns.py in front of it to add DELAY_MS (default
# 50) to every answer, runs `mxaudit --json` RUNS times (default 5) and
# writes the medians, spread and ratios to docs/BENCHMARKS.md:
#   - wall time against the floor: the longest chain of dependent round
#     trips times the delay (gen_zones.py writes the chain length);
#   - peak RSS.
# Timings are reported, never asserted: `make check` does not run this.
# Run from a build directory (it uses ./mxaudit unless MXAUDIT is set).
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
MXAUDIT=${MXAUDIT:-$PWD/mxaudit}
PYTHON=${PYTHON:-/usr/bin/python3}
RUNS=${1:-5}
DELAY=${DELAY_MS:-50}
OUT=${BENCH_OUT:-$srcdir/docs/BENCHMARKS.md}
top_srcdir=$srcdir
export top_srcdir
# shellcheck source=../tests/lib/testlib.sh
. "$srcdir/tests/lib/testlib.sh"

work=$(mktemp -d)
proxy_pid=""
cleanup_bench() {
	[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup_bench EXIT

"$PYTHON" "$srcdir/bench/gen_zones.py" "$work/zones"
KNOT_ZONE_DIR="$work/zones" knot_start bench.example bench.test 2.0.192.in-addr.arpa >/dev/null
proxy_port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PYTHON" "$srcdir/bench/delay_dns.py" --listen "127.0.0.1:$proxy_port" --upstream "$DNS_SERVER" \
	--delay-ms "$DELAY" >"$work/proxy.out" 2>&1 &
proxy_pid=$!
for _ in $(seq 50); do grep -q ready "$work/proxy.out" 2>/dev/null && break; sleep 0.1; done

floor_rtts=$(cat "$work/zones/floor.txt")
floor_ms=$((floor_rtts * DELAY))
args=(--json --dns-server "127.0.0.1:$proxy_port" --from-domain news.bench.example
	--selector s1 --selector s2 --selector s3 --blocklists "$work/zones/blocklists.conf"
	--timeout 5 --skip tls bench.example 192.0.2.25)

# One run: prints "wall_ms peak_rss_kib".
measure() {
	local t0 t1
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$work/rss" "$MXAUDIT" "${args[@]}" >"$work/out.json" 2>"$work/err" || true
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000000)) $(tail -1 "$work/rss")"
}

measure >/dev/null # warm-up (page cache, python proxy)
walls=() rsss=()
for _ in $(seq "$RUNS"); do
	read -r w r < <(measure)
	walls+=("$w")
	rsss+=("$r")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; print m, a[1], a[NR]}'; }
read -r wmed wmin wmax < <(stats "${walls[@]}")
read -r rmed _ rmax < <(stats "${rsss[@]}")
ratio=$(awk -v w="$wmed" -v f="$floor_ms" 'BEGIN {printf "%.2f", w / f}')
queries=$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(", ".join("%s=%s" % (k, v["status"]) for k, v in d["checks"].items()))' "$work/out.json" 2>/dev/null || echo "?")

{
	echo "# Benchmarks"
	echo
	echo "Written by \`bench/run.sh\` (run it from a build directory). Medians of $RUNS runs after a warm-up;"
	echo "min-max in brackets. Every DNS answer is delayed ${DELAY} ms by \`bench/delay_dns.py\` in front of a"
	echo "real Knot DNS on loopback. The floor is the longest chain of DNS round trips that depend on each"
	echo "other's answers (${floor_rtts} round trips: the SPF include chain) times the delay."
	echo
	echo "| scenario | floor | mxaudit wall time | ratio to floor | peak RSS |"
	echo "| --- | --- | --- | --- | --- |"
	echo "| full audit without TLS (SPF 9 lookups / depth 3, DMARC at org domain, 3 selectors + probe list, 3 MX, PTR, 40+5 blocklists) | ${floor_ms} ms | ${wmed} ms [${wmin}-${wmax}] | ${ratio}x | $((rmed / 1024)) MiB [max $((rmax / 1024))] |"
	echo
	echo "Check verdicts in the measured run: $queries."
	echo
	echo "Machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)."
	echo
	echo "Not measured yet (see the issue notes): STARTTLS against a loopback SMTP server, the peers"
	echo "(libspf2 spfquery, pyspf, rblcheck, openssl s_client), the TUI's start-up and idle CPU, batch"
	echo "throughput."
} >"$OUT"
cat "$OUT"
