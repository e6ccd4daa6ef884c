#!/bin/bash
# scripts/fuzz.sh - build and run the libFuzzer targets (tests/fuzz/fuzz_*.c).
#
#   scripts/fuzz.sh build                 build with clang into $FUZZ_BUILD
#   scripts/fuzz.sh run SECONDS [NAME...] run each target (all by default) for
#                                         SECONDS, then add its executions and
#                                         coverage to its row in docs/FUZZING.md
#
# The engine is compiled a second time with clang and coverage
# instrumentation (-fsanitize=fuzzer-no-link) so libFuzzer sees inside the
# parsers, with ASan and UBSan.  Crashes land in $FUZZ_BUILD/artifacts/; once
# fixed, copy the input into tests/fuzz/corpus/NAME/ so `make check` replays
# it for ever.
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
out=${FUZZ_BUILD:-$PWD/fuzz-build}
cmd=${1:-build}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

build() {
	mkdir -p "$out/lib" "$out/artifacts"
	(
		cd "$out/lib"
		if [ ! -f Makefile ]; then
			CC=clang "$srcdir/configure" --quiet \
				CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $SAN" \
				LDFLAGS="$SAN" >/dev/null
		fi
		make -s checks/libmxcheck.a
	)
	libs=$(pkg-config --libs libcares openssl json-c libpsl libzscanner)
	cflags=$(pkg-config --cflags libcares openssl json-c libpsl libzscanner)
	for f in "$srcdir"/tests/fuzz/fuzz_*.c; do
		name=$(basename "$f" .c)
		name=${name#fuzz_}
		clang -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer $SAN -I"$srcdir/checks" $cflags \
			-o "$out/fuzz_$name" "$f" "$out/lib/checks/libmxcheck.a" $libs
		echo "built $out/fuzz_$name"
	done
}

# The results table in docs/FUZZING.md has one row per target:
#   | target | executions | time | coverage (edges) | features | corpus | bugs found and fixed |
# A run adds its executions and seconds to the target's totals and replaces
# coverage, features and corpus size with this run's (the corpus carries over
# between runs in $FUZZ_BUILD/corpus, so the latest numbers are the best);
# the bugs column is written by hand and kept.  A new target gets a new row
# at the end of the table.
table_update() {
	local report=$1 name=$2 execs=$3 secs=$4 cov=$5 ft=$6 corpus=$7 tmp
	tmp=$(mktemp)
	awk -v name="$name" -v execs="$execs" -v secs="$secs" -v cov="$cov" -v ft="$ft" -v corpus="$corpus" '
		function row(e, t, bugs) {
			return sprintf("| %s | %.0f | %.0f s | %s | %s | %s | %s |", name, e, t, cov, ft, corpus, bugs)
		}
		/^<!-- fuzz-results -->/ { marker = 1; print; next }
		marker == 1 && /^\|/ { intable = 1 }
		intable && !/^\|/ {
			if (!done) print row(execs, secs, "")
			done = 1; intable = 0; marker = 2
		}
		intable {
			n = split($0, f, "|")
			gsub(/^ +| +$/, "", f[2])
			if (f[2] == name && n >= 9) {
				e = f[3]; t = f[4]; b = f[8]
				gsub(/[^0-9]/, "", e); gsub(/[^0-9]/, "", t); gsub(/^ +| +$/, "", b)
				print row(e + execs, t + secs, b)
				done = 1
				next
			}
		}
		{ print }
		END {
			if (intable && !done) print row(execs, secs, "")
			if (!marker) print "fuzz.sh: no <!-- fuzz-results --> table in the report" > "/dev/stderr"
		}
	' "$report" >"$tmp" && cat "$tmp" >"$report"
	rm -f "$tmp"
}

run() {
	secs=${1:-60}
	shift || true
	names=("$@")
	if [ ${#names[@]} -eq 0 ]; then
		for f in "$out"/fuzz_*; do names+=("$(basename "$f" | sed 's/^fuzz_//')"); done
	fi
	report="$srcdir/docs/FUZZING.md"
	for name in "${names[@]}"; do
		mkdir -p "$out/corpus/$name"
		seeds="$srcdir/tests/fuzz/corpus/$name"
		[ -d "$seeds" ] || seeds=""
		log="$out/$name.log"
		"$out/fuzz_$name" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix="$out/artifacts/$name-" "$out/corpus/$name" $seeds >"$log" 2>&1 || {
			echo "fuzz_$name: FOUND A PROBLEM, see $log and $out/artifacts/"
			tail -30 "$log"
		}
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
		ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | sed 's/ft: //')
		corpus=$(ls "$out/corpus/$name" | wc -l)
		table_update "$report" "$name" "${execs:-0}" "$secs" "${cov:-?}" "${ft:-?}" "$corpus"
		echo "fuzz_$name: ${execs:-?} executions, coverage ${cov:-?} edges, ${ft:-?} features"
	done
}

case "$cmd" in
build) build ;;
run) shift; run "$@" ;;
*) echo "usage: $0 build | run SECONDS [NAME...]" >&2; exit 64 ;;
esac
