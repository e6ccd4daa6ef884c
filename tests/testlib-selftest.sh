#!/bin/bash
# testlib-selftest.sh - the test helpers themselves: TAP output, json_get,
# Knot DNS really answering, the silent servers really silent, tmux really
# driving a terminal, and everything cleaned up on exit.  Other tests trust
# these helpers; this one makes sure they can be trusted.
. "$top_srcdir/tests/lib/testlib.sh"

# --- TAP helpers report failures as failures ----------------------------------
out=$(
	bash -c '. "$top_srcdir/tests/lib/testlib.sh"
		is a b "is-mismatch"; is a a "is-match"; like abc "^b" "like-mismatch"; like abc "^a" "like-match"
		ok 1 "ok-nonzero"; ok 0 "ok-zero"; done_testing' 2>&1
)
rc=$?
like "$out" "not ok 1 - is-mismatch" "is: a mismatch is 'not ok'"
like "$out" "ok 2 - is-match" "is: a match is 'ok'"
like "$out" "not ok 3 - like-mismatch" "like: a mismatch is 'not ok'"
like "$out" "not ok 5 - ok-nonzero" "ok: a non-zero code is 'not ok'"
like "$out" "1\.\.6" "done_testing prints the plan"
is "$rc" 1 "done_testing exits 1 after a failure"
out=$(bash -c '. "$top_srcdir/tests/lib/testlib.sh"; skip_all "no reason"; echo after')
is "$out" "1..0 # SKIP no reason" "skip_all stops the script"

# --- json_get -------------------------------------------------------------------
cat >"$TEST_TMPDIR/j.json" <<'EOF'
{"a": {"list": [10, {"n": null, "t": true, "f": false, "s": "text"}]}, "empty": []}
EOF
is "$(json_get "$TEST_TMPDIR/j.json" a.list.0)" 10 "json_get: list index"
is "$(json_get "$TEST_TMPDIR/j.json" a.list.1.n)" null "json_get: null"
is "$(json_get "$TEST_TMPDIR/j.json" a.list.1.t)" true "json_get: true"
is "$(json_get "$TEST_TMPDIR/j.json" a.list.1.f)" false "json_get: false"
is "$(json_get "$TEST_TMPDIR/j.json" a.list.1.s)" text "json_get: string unquoted"
is "$(json_get "$TEST_TMPDIR/j.json" empty)" "[]" "json_get: list as JSON"
json_get "$TEST_TMPDIR/j.json" a.nosuch >/dev/null 2>&1
is "$?" 1 "json_get: missing path exits 1"
echo 'not json' >"$TEST_TMPDIR/bad.json"
json_get "$TEST_TMPDIR/bad.json" a >/dev/null 2>&1
is "$?" 2 "json_get: not JSON exits 2"

# dns_ask HOST PORT NAME TYPE: "rcode aa ancount" of one UDP query, or "timeout".
dns_ask() {
	timeout 10 "$PYTHON" - "$@" <<'EOF'
import socket, struct, sys
host, port, name, qtype = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
q = struct.pack("!HHHHHH", 0x1234, 0, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.strip(".").split(".")) + b"\0"
q += struct.pack("!HH", qtype, 1)
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
s.sendto(q, (host, port))
try:
    r = s.recv(4096)
except socket.timeout:
    print("timeout"); sys.exit(0)
flags, = struct.unpack("!H", r[2:4])
print(flags & 0xf, 1 if flags & 0x400 else 0, struct.unpack("!H", r[6:8])[0])
EOF
}

# --- knot_start: a real authoritative server --------------------------------------
if knot_start mx.test 2.0.192.in-addr.arpa; then
	pass "knot_start succeeded"
	like "$DNS_SERVER" "^127\.0\.0\.1:[0-9]+$" "DNS_SERVER is 127.0.0.1:PORT"
	is "$(dns_ask 127.0.0.1 "$DNS_PORT" multi.mx.test 15)" "0 1 3" "knot answers MX authoritatively (3 records)"
	is "$(dns_ask 127.0.0.1 "$DNS_PORT" 10.2.0.192.in-addr.arpa 12)" "0 1 1" "knot serves the second zone"
	is "$(dns_ask 127.0.0.1 "$DNS_PORT" nosuch.mx.test 1)" "3 1 0" "knot answers NXDOMAIN"
	if "$PYTHON" -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null; then
		is "$(dns_ask ::1 "$DNS_PORT" mx.test 6)" "0 1 1" "knot answers on ::1 too"
	else
		skip "no IPv6 loopback"
	fi
else
	fail "knot_start succeeded"
	for i in 1 2 3 4 5; do skip "knotd did not start"; done
fi

# --- the silent servers ---------------------------------------------------------
if silent_udp_start; then
	is "$(dns_ask 127.0.0.1 "$SILENT_PORT" example.com 1)" timeout "silent UDP server never answers"
else
	fail "silent_udp_start"
fi
if silent_tcp_start; then
	res=$(timeout 10 "$PYTHON" - "$SILENT_TCP_PORT" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
s.sendall(b"EHLO example.com\r\n")
s.settimeout(0.5)
try:
    print("answered: %r" % s.recv(100))
except socket.timeout:
    print("connected, silent")
EOF
)
	is "$res" "connected, silent" "silent TCP server accepts and never answers"
else
	fail "silent_tcp_start"
fi

# --- tmux ---------------------------------------------------------------------------
if command -v "$TMUX_BIN" >/dev/null 2>&1; then
	tmux_start 90 20 sh -c 'echo "term=$TERM"; stty size; while read l; do echo "got $l"; stty size; done'
	ok $? "tmux_start"
	tmux_wait_for "term=xterm-256color" 5
	ok $? "TERM is xterm-256color"
	tmux_wait_for "^20 90$" 5
	ok $? "the terminal is 90x20"
	tmux_resize 100 30
	ok $? "tmux_resize"
	tmux_keys "hello" Enter
	tmux_wait_for "got hello" 5
	ok $? "tmux_keys types into the program"
	tmux_wait_for "^30 100$" 5
	ok $? "the program sees the new size"
	like "$(tmux_screen)" "got hello" "tmux_screen returns the screen text"
	t0=$(date +%s)
	tmux_wait_for "never on screen" 1 >"$TEST_TMPDIR/diag"
	rc=$?
	is "$rc" 1 "tmux_wait_for times out with 1"
	ok $(($(date +%s) - t0 < 5 ? 0 : 1)) "tmux_wait_for respects its timeout"
	like "$(cat "$TEST_TMPDIR/diag")" "^# .*got hello" "on timeout the screen is printed as TAP diagnostics"
else
	for i in 1 2 3 4 5 6 7 8 9 10; do skip "no tmux"; done
fi

# --- everything is gone after the test exits --------------------------------------
info=$(bash -c '. "$top_srcdir/tests/lib/testlib.sh"
	knot_start mx.test >/dev/null && silent_udp_start && silent_tcp_start &&
	tmux_start 40 10 sleep 60 &&
	echo "$KNOT_PID $TEST_TMPDIR" && exit 0' 2>/dev/null | tail -n 1)
set -- $info
sleep 0.5
if [ -n "${1:-}" ]; then
	kill -0 "$1" 2>/dev/null
	ok $((! $?)) "knotd is stopped when the test exits"
	ok $([ -e "$2" ] && echo 1 || echo 0) "the test's temp directory is removed"
else
	fail "child test started its servers"
	skip "no child"
fi
# (/proc, not pgrep: procps is not in every minimal Debian.)
# The dots as [.] so that grep's own command line does not match.
dir_re=${2:-/nonexistent}
left=$(grep -l -- "${dir_re//./[.]}" /proc/[0-9]*/cmdline 2>/dev/null | wc -l)
is "$left" 0 "no process of the child test is left"

done_testing
