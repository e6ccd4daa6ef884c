#!/bin/bash
# zone-cli.sh - `mxaudit --json` answering from zone files: the demo (MX and
# PTR panes), --zone with the same file, several files, a file without SOA,
# names outside the loaded zones (error, never fail), and bad files (exit 64
# with the line number).
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"

J="$TEST_TMPDIR/report.json"
E="$TEST_TMPDIR/stderr"
DEMO="$top_srcdir/data/demo.zone"

run() {
	timeout 60 "$MXAUDIT" --json "$@" >"$J" 2>"$E"
	rc=$?
}

mx_hosts() {
	json_eval "$J" "';'.join('%d %s %s' % (h['preference'], h['host'], ','.join(sorted(h['addresses']))) for h in d['checks']['mx']['hosts'])"
}

ids() {
	json_eval "$J" "' '.join(sorted(f['id'] + ':' + f['status'] for f in d['checks']['$1']['findings']))"
}

DEMO_MX="10 mx1.demo.example 192.0.2.10,2001:db8::10;20 mx2.demo.example "

# --- the demo ------------------------------------------------------------------
run --demo --only mx,ptr
is "$rc" 2 "demo: exit 2 (the PTR fails)"
is "$(json_get "$J" domain)" demo.example "demo: domain"
is "$(json_get "$J" ip)" 192.0.2.25 "demo: ip"
is "$(mx_hosts)" "$DEMO_MX" "demo: two MX hosts, mx2 without an address"
is "$(json_get "$J" checks.mx.status)" warn "demo: mx warn"
like "$(ids mx)" "mx.host-no-address:warn" "demo: mx2 has no address"
is "$(json_get "$J" checks.ptr.status)" fail "demo: ptr fail"
is "$(json_get "$J" checks.ptr.names)" '["192-0-2-25.dyn.provider.example"]' "demo: the PTR name"
is "$(json_get "$J" checks.ptr.fcrdns)" false "demo: not forward-confirmed"

# The demo stays offline: its STARTTLS and MTA-STS probes do not connect to
# the documentation addresses (on a connected machine each would wait out its
# timeout), they end at once with an error that says why.
run --demo --only tls
is "$(json_get "$J" checks.tls.status)" error "demo tls: error (nothing could be checked)"
is "$(json_eval "$J" "sorted(set(h['result'] for h in d['checks']['tls']['hosts']))")" '["error"]' \
	"demo tls: every address is an error"
like "$(json_eval "$J" "' | '.join(h['error'] for h in d['checks']['tls']['hosts'])")" \
	"^not connected to 192\.0\.2\.10 port 25: the demo is offline .* \| not connected to 2001:db8::10 port 25: the demo is offline" \
	"demo tls: the probes say the demo is offline"
like "$(json_get "$J" checks.tls.mta_sts.error)" "^not connected to 192\.0\.2\.80 port 443: the demo is offline" \
	"demo tls: the MTA-STS fetch does not connect either"
ok "$([ "$(json_get "$J" checks.tls.duration_ms)" -lt 3000 ] && echo 0 || echo 1)" \
	"demo tls: done without waiting for a connection timeout"

# --- the same file given with --zone ---------------------------------------------
run --only mx,ptr --zone "$DEMO" demo.example 192.0.2.25
is "$rc" 2 "--zone demo.zone: exit 2"
is "$(mx_hosts)" "$DEMO_MX" "--zone demo.zone: same MX hosts"
is "$(json_get "$J" checks.ptr.fcrdns)" false "--zone demo.zone: same PTR verdict"

# The sending IP of mx1 has a PTR that resolves back.
run --only ptr --zone "$DEMO" demo.example 192.0.2.10
is "$(json_get "$J" checks.ptr.status)" pass "--zone demo.zone: 192.0.2.10 is forward-confirmed"

# --- a name outside every loaded zone: error, not fail ---------------------------
run --only mx --zone "$DEMO" example.org
is "$rc" 3 "outside the zones: exit 3 (error)"
is "$(json_get "$J" checks.mx.status)" error "outside the zones: mx error"
like "$(json_get "$J" checks.mx.summary)" "not in the loaded zone files" "outside the zones: says why"

# --- a file without SOA or \$ORIGIN, named after its zone, plus a second file ------
cat >"$TEST_TMPDIR/nosoa.test.zone" <<'EOF'
@       MX      10 mail
mail    A       192.0.2.40
EOF
run --only mx --zone "$TEST_TMPDIR/nosoa.test.zone" --zone "$DEMO" nosoa.test
is "$rc" 0 "no SOA: exit 0"
is "$(mx_hosts)" "10 mail.nosoa.test 192.0.2.40" "no SOA: the origin comes from the file name"
run --only mx --zone "$TEST_TMPDIR/nosoa.test.zone" --zone "$DEMO" demo.example
is "$(mx_hosts)" "$DEMO_MX" "two files: the second one answers too"

# --- bad files: one line, exit 64 ------------------------------------------------------
run --zone "$top_srcdir/tests/zones-unit/syntax-error.zone" example.com
is "$rc" 64 "syntax error: exit 64"
like "$(cat "$E")" "syntax-error.zone line 7" "syntax error: file and line named"
is "$(wc -l <"$E" | tr -d ' ')" 1 "syntax error: one line"
is "$(wc -c <"$J" | tr -d ' ')" 0 "syntax error: no report"

head -c 4096 /dev/urandom >"$TEST_TMPDIR/garbage.zone"
run --zone "$TEST_TMPDIR/garbage.zone" example.com
is "$rc" 64 "garbage: exit 64, no crash"

printf '$ORIGIN x.example.\n$INCLUDE /etc/passwd\n' >"$TEST_TMPDIR/include.zone"
run --zone "$TEST_TMPDIR/include.zone" x.example
is "$rc" 64 "\$INCLUDE: exit 64"
like "$(cat "$E")" 'INCLUDE is not supported' "\$INCLUDE: refused with a reason"

done_testing
