#!/bin/bash
# cli-timeout.sh - a DNS server that never answers gives an "error" verdict
# (never "fail") and exit 3 within the timeout, not a hang.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
silent_udp_start || { echo "Bail out! no silent UDP server"; exit 1; }
diag "silent DNS server on 127.0.0.1:$SILENT_PORT"

J="$TEST_TMPDIR/report.json"
start=$(date +%s)
# The outer timeout only keeps a broken build from hanging the suite.
timeout 60 "$MXAUDIT" --json --only mx,ptr --timeout 1 --dns-server "127.0.0.1:$SILENT_PORT" \
	example.com 192.0.2.10 >"$J" 2>"$TEST_TMPDIR/stderr"
rc=$?
elapsed=$(($(date +%s) - start))

is "$rc" 3 "exit 3: an error prevented a verdict"
ok $(( elapsed < 15 ? 0 : 1 )) "returned in bounded time (${elapsed}s with --timeout 1)"
is "$(json_get "$J" checks.mx.status)" error "mx: error, not fail"
is "$(json_get "$J" checks.ptr.status)" error "ptr: error, not fail"
is "$(json_get "$J" status)" error "overall status error"
like "$(json_eval "$J" "' '.join(f['id'] for f in d['checks']['mx']['findings'])")" '^mx\.[a-z-]+' "mx has an error finding"
is "$(json_eval "$J" "sum(f['status'] == 'fail' for c in d['checks'].values() for f in c['findings'])")" 0 \
	"no finding says fail"
is "$(json_get "$J" checks.spf.status)" skip "--only: spf skipped"

# The full audit (every check) against the silent server: still an error
# verdict, still bounded.
start=$(date +%s)
timeout 90 "$MXAUDIT" --json --timeout 1 --dns-server "127.0.0.1:$SILENT_PORT" example.com 192.0.2.10 \
	>"$J" 2>"$TEST_TMPDIR/stderr"
rc=$?
elapsed=$(($(date +%s) - start))
is "$rc" 3 "full audit: exit 3"
ok $(( elapsed < 30 ? 0 : 1 )) "full audit returned in bounded time (${elapsed}s)"
is "$(json_get "$J" checks.mx.status)" error "full audit: mx error"
is "$(json_get "$J" checks.ptr.status)" error "full audit: ptr error"
is "$(json_eval "$J" "[n for n, c in d['checks'].items() if c['status'] == 'fail']")" "[]" \
	"full audit: no check fails because the network did not answer"

done_testing
