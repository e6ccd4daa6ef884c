#!/bin/bash
# scripts/ci-sanitizers.sh [BUILDDIR] - the CI sanitizer pass (issue 9):
# configure with --enable-sanitizers (AddressSanitizer + UBSan) and
# --enable-werror (a new compiler warning fails CI) in a
# separate build directory (default: a new one under ${TMPDIR:-/tmp}), build,
# run the whole `make check` there with leak detection on and UBSan fatal,
# and print one summary line.  Exit status: that of `make check`.
#
#   JOBS=N   parallel make jobs (default: the number of CPUs)
#
# Never builds in the source tree: several people build from it at once.
set -u
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$(mktemp -d "${TMPDIR:-/tmp}/mxaudit-sanitizers.XXXXXX")}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# Leaks fail the run (LeakSanitizer is on by default on x86-64 Linux, but
# say so); any UBSan report stops the program with a stack trace, so a test
# sees a failure instead of a message nobody reads.
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

t0=$(date +%s)
mkdir -p "$builddir" && cd "$builddir" || exit 1
echo "ci-sanitizers: building in $builddir"
if [ ! -f Makefile ]; then
	"$srcdir/configure" --enable-sanitizers --enable-werror >configure.log 2>&1 || {
		tail -n 30 configure.log
		echo "ci-sanitizers: configure failed"
		exit 1
	}
fi
make -j"$jobs" >build.log 2>&1 || {
	tail -n 40 build.log
	echo "ci-sanitizers: build failed"
	exit 1
}
t1=$(date +%s)
make -j"$jobs" check >check.log 2>&1
rc=$?
t2=$(date +%s)

# Show what failed (the tap driver's .log of each failing test).
if [ "$rc" != 0 ]; then
	grep -E '^(FAIL|ERROR|XPASS):' check.log | sed 's/^/ci-sanitizers: /' | sort -u | head -n 50
	for log in $(grep -lE '^(not ok|Bail out)|ERROR: (Address|Leak)Sanitizer|runtime error:' \
		$(find . -name '*.log' -path '*tests*' -o -name '*.log' -path '*tui*' 2>/dev/null) 2>/dev/null | head -n 5); do
		echo "---- $log"
		grep -E -A12 '^not ok|Sanitizer|runtime error:' "$log" | head -n 40
	done
fi
summary=$(grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' test-suite.log 2>/dev/null |
	sed 's/^# //; s/: */ /' | tr '\n' ' ')
echo "ci-sanitizers: ${summary:-no test-suite.log} (build $((t1 - t0)) s, check $((t2 - t1)) s) -> $([ "$rc" = 0 ] && echo ok || echo FAILED)"
exit "$rc"
