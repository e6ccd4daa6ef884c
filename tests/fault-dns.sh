#!/bin/bash
# fault-dns.sh - the DNS half of the fault matrix (issue 9): a server that
# answers SERVFAIL / REFUSED, truncates over UDP (with the full answer over
# TCP, or a TCP side that never answers), answers with the wrong id or the
# wrong question, sends 300 TXT records, disappears mid-audit; a CNAME loop
# served by Knot.  Every fault must end in `error` (SPF `temperror`), never
# `fail`, with exit 3 when nothing else failed, within the timeout; the TUI
# must keep answering keys while such a fault is in progress.
# The misbehaving server is tests/lib/bad_dns.py.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/tls_pki.sh" # _tls_server: a python peer with arguments

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"

J="$TEST_TMPDIR/report.json"
ONLY=mx,spf,dmarc,ptr

# bad_dns MODE: start tests/lib/bad_dns.py; sets BAD_DNS (server) and BAD_LOG.
bad_dns() {
	_tls_server "dns-$1" "$top_srcdir/tests/lib/bad_dns.py" "$1" || return 1
	BAD_DNS="127.0.0.1:$_tls_port"
	BAD_LOG="$TEST_TMPDIR/dns-$1.log"
}

# audit SERVER DOMAIN [IP] [OPTIONS...]: JSON in $J, exit in $rc, seconds in $secs.
audit() {
	local server=$1
	shift
	local t0=$(date +%s%N)
	timeout 60 "$MXAUDIT" --json --only "${ONLY}" --timeout 1 --dns-server "$server" "$@" >"$J" \
		2>"$TEST_TMPDIR/stderr"
	rc=$?
	secs=$((($(date +%s%N) - t0) / 1000000000))
	json_get "$J" status >/dev/null 2>&1 || diag "no JSON (exit $rc): $(head -c 600 "$TEST_TMPDIR/stderr")"
}
# nofail NAME: no check and no finding says fail.
nofail() {
	is "$(json_eval "$J" "sorted(set(n for n, c in d['checks'].items() if c['status'] == 'fail' or any(f['status'] == 'fail' for f in c['findings'])))")" \
		"[]" "$1: nothing says fail"
}
status_of() { json_eval "$J" "' '.join(d['checks'][c]['status'] for c in '$ONLY'.split(','))"; }

# --- the control: the scripted server answering properly ---------------------
bad_dns normal || { echo "Bail out! bad_dns.py did not start"; exit 1; }
audit "$BAD_DNS" fault.test 192.0.2.25
is "$(status_of)" "pass warn pass pass" "control: mx pass, spf warn (long record), dmarc pass, ptr pass"

# --- rcodes and silence: error, exit 3, bounded --------------------------------
# mode|what the MX evidence must say
cases=(
	"servfail|the server answered SERVFAIL"
	"refused|the server answered REFUSED"
	"tc-hang|no answer from 127\.0\.0\.1:[0-9]+ \(timed out"
	"wrong-id|no answer from 127\.0\.0\.1:[0-9]+ \(timed out"
	"wrong-name|no answer from 127\.0\.0\.1:[0-9]+ \(timed out"
)
for c in "${cases[@]}"; do
	IFS='|' read -r mode re <<<"$c"
	bad_dns "$mode" || { fail "$mode: server did not start"; continue; }
	audit "$BAD_DNS" fault.test 192.0.2.25
	is "$rc" 3 "$mode: exit 3"
	is "$(status_of)" "error error error error" "$mode: every check is error"
	is "$(json_get "$J" checks.spf.result)" temperror "$mode: SPF result temperror"
	nofail "$mode"
	like "$(json_get "$J" checks.mx.summary)" "$re" "$mode: the MX evidence says what happened"
	ok $((secs <= 10 ? 0 : 1)) "$mode: over in ${secs}s (timeout 1 s, 2 tries)"
done
# The server did answer in these two: mxaudit must have dropped the answers.
grep -q '^udp fault.test 15$' "$TEST_TMPDIR/dns-wrong-id.log"
ok $? "wrong-id: the server answered (and the answer was ignored)"
grep -q '^tcp fault.test' "$TEST_TMPDIR/dns-tc-hang.log"
ok $? "tc-hang: mxaudit retried over TCP after TC=1"

# --- truncated over UDP, the full answer over TCP ------------------------------
want_spf=$("$PYTHON" -c 'print("v=spf1 " + " ".join("ip4:198.51.100.%d" % i for i in range(1, 101)) + " ip4:192.0.2.25 -all")')
for mode in tc huge-txt; do
	bad_dns "$mode" || { fail "$mode: server did not start"; continue; }
	audit "$BAD_DNS" fault.test 192.0.2.25
	is "$rc" 1 "$mode: exit 1 (the long record is a warning)"
	is "$(status_of)" "pass warn pass pass" "$mode: every check decided over TCP"
	is "$(json_get "$J" checks.spf.record)" "$want_spf" "$mode: the whole ${#want_spf}-byte SPF record arrived"
	is "$(json_get "$J" checks.spf.result)" pass "$mode: its last term matched the IP"
	grep -q '^tcp fault.test 16$' "$BAD_LOG"
	ok $? "$mode: the TXT answer came over TCP"
	ok $((secs <= 5 ? 0 : 1)) "$mode: over in ${secs}s"
done
# huge-txt: 299 filler records besides the SPF one - about 58 KB in one answer.
like "$(json_eval "$J" "[f['id'] for f in d['checks']['spf']['findings']]")" 'spf\.record-too-long' \
	"huge-txt: the fillers are not taken for SPF records (one record, no spf.multiple)"

# --- a resolver that disappears mid-audit --------------------------------------
bad_dns disappear=3 || fail "disappear: server did not start"
audit "$BAD_DNS" fault.test 192.0.2.25
is "$rc" 3 "disappear: exit 3"
nofail "disappear"
like "$(status_of)" "error" "disappear: the unanswered checks are error"
grep -q 'disappearing after 3 answers' "$BAD_LOG"
ok $? "disappear: the server answered 3 queries, then went away"
ok $((secs <= 10 ? 0 : 1)) "disappear: over in ${secs}s"

# --- a CNAME loop, served by Knot ----------------------------------------------
knot_start fault-cname.test || { echo "Bail out! knotd did not start"; exit 1; }
ONLY=mx,spf,dmarc
audit "$DNS_SERVER" loop.fault-cname.test
is "$rc" 3 "CNAME loop: exit 3"
is "$(status_of)" "error error error" "CNAME loop: mx, spf and dmarc are error"
like "$(json_get "$J" checks.mx.summary)" "CNAME loop" "CNAME loop: the evidence names it"
nofail "CNAME loop"
ONLY=mx
audit "$DNS_SERVER" mxloop.fault-cname.test
is "$(json_get "$J" checks.mx.status)" error "CNAME loop at the MX host: error"
like "$(json_eval "$J" "[f['id'] for f in d['checks']['mx']['findings']]")" 'mx\.host-lookup-failed' \
	"CNAME loop at the MX host: mx.host-lookup-failed"
nofail "CNAME loop at the MX host"

# --- the TUI stays responsive while a fault is in progress ----------------------
if ! command -v "$TMUX_BIN" >/dev/null 2>&1; then
	for i in 1 2 3 4 5 6; do skip "tmux not found"; done
	done_testing
fi
export XDG_STATE_HOME="$TEST_TMPDIR/state" XDG_CONFIG_HOME="$TEST_TMPDIR/config"
tui_stop() { [ -z "${_tl_tmux_sock:-}" ] || _tl_tmux kill-server >/dev/null 2>&1 || true; }
silent_udp_start || { echo "Bail out! no silent server"; exit 1; }
bad_dns tc-hang || fail "tc-hang: server did not start"
for server in "silent|127.0.0.1:$SILENT_PORT" "tc-hang|$BAD_DNS"; do
	IFS='|' read -r name addr <<<"$server"
	tui_stop
	tmux_start 100 30 "$MXAUDIT" --dns-server "$addr" --only mx --timeout 4 fault.test
	tmux_wait_for 'MX ─+ . PENDING' 5
	ok $? "$name (TUI): the MX pane is pending"
	tmux_keys '?'
	tmux_wait_for 'mxaudit keys' 2
	ok $? "$name (TUI): ? is answered while the queries hang"
	tmux_keys Escape
	tmux_wait_for 'MX ─+ ! ERROR' 20
	ok $? "$name (TUI): then the pane says ERROR, not FAIL"
done
tui_stop

done_testing
