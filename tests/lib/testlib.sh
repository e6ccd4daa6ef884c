#!/bin/bash
# tests/lib/testlib.sh - shared helpers for the shell tests (source it).
#
#   . "$top_srcdir/tests/lib/testlib.sh"
#
# TAP:      plan N, ok EXIT_CODE NAME, pass NAME, fail NAME, is GOT WANT NAME,
#           like GOT REGEX NAME, skip NAME, skip_all WHY, diag TEXT, done_testing
# JSON:     json_get FILE DOTTED.PATH      (checks.mx.hosts.0.host)
#           json_eval FILE PYTHON_EXPR     (the document is `d`)
# Servers:  knot_start ZONE...             (sets DNS_PORT, DNS_SERVER; KNOT_ZONE_DIR,
#                                          KNOT_SIGN_ZONES change what it serves)
#           silent_udp_start               (sets SILENT_PORT)
#           silent_tcp_start               (sets SILENT_TCP_PORT)
# Terminal: tmux_start COLS ROWS CMD..., tmux_keys KEYS..., tmux_screen,
#           tmux_wait_for REGEX [SECONDS], tmux_resize COLS ROWS
# Cleanup:  at_exit COMMAND                (run on exit, after nothing else;
#           use it instead of `trap ... EXIT`, which would drop ours)
#
# Every helper is bounded by a timeout: nothing here may hang `make check`.
# Background servers never hold the test's stdout (the TAP driver would wait
# for EOF on it), and each one dies on its own if the test shell disappears.

# ---------------------------------------------------------------- environment

if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	export top_srcdir
fi
: "${top_builddir:=$PWD}"
: "${MXAUDIT:=$top_builddir/mxaudit}"
: "${MXAUDIT_DATADIR:=$top_srcdir/data}"
: "${MXAUDIT_THEMEDIR:=$top_srcdir/themes}"
if [ -z "${PYTHON:-}" ]; then
	PYTHON=/usr/bin/python3
	[ -x "$PYTHON" ] || PYTHON=python3
fi
: "${KNOTD:=/usr/sbin/knotd}"
: "${TMUX_BIN:=tmux}"
export top_srcdir top_builddir MXAUDIT MXAUDIT_DATADIR MXAUDIT_THEMEDIR PYTHON KNOTD TMUX_BIN
# A test run from inside tmux must not talk to the user's tmux server.
unset TMUX

# One private scratch directory per test script, removed on exit.
TEST_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/mxt.XXXXXX") || exit 99
export TEST_TMPDIR

# ---------------------------------------------------------------- cleanup

_tl_cleanups=()
_tl_test_pid=$$

# at_exit COMMAND: run COMMAND (a string for eval) when the test exits.
at_exit() {
	_tl_cleanups+=("$1")
}

_tl_run_cleanups() {
	local rc=$? i
	trap - EXIT
	# Last registered first, like a stack.
	for ((i = ${#_tl_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_tl_cleanups[$i]}" >/dev/null 2>&1
	done
	rm -rf "$TEST_TMPDIR"
	exit "$rc"
}
trap _tl_run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# _tl_kill PID: stop a background process, harder if it does not go.
_tl_kill() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 30; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
}

# _tl_watchdog PID: kill PID when this test shell goes away, even if it was
# killed with SIGKILL and could not run its EXIT trap.
_tl_watchdog() {
	local pid=$1
	(
		trap - EXIT INT TERM HUP
		while kill -0 "$_tl_test_pid" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do
			sleep 1
		done
		kill -9 "$pid" 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	at_exit "kill $! 2>/dev/null"
}

# ---------------------------------------------------------------- TAP

_tl_n=0
_tl_failed=0
_tl_planned=

plan() {
	_tl_planned=$1
	echo "1..$1"
}

# diag TEXT...: TAP comments (shown in the test's .log), one line per
# argument and per line in it.
diag() {
	local line
	printf '%s\n' "$@" | while IFS= read -r line; do
		printf '# %s\n' "$line"
	done
}

pass() {
	_tl_n=$((_tl_n + 1))
	echo "ok $_tl_n - $*"
}

fail() {
	_tl_n=$((_tl_n + 1))
	_tl_failed=$((_tl_failed + 1))
	echo "not ok $_tl_n - $*"
}

# ok EXIT_CODE NAME: passes when EXIT_CODE is 0 (e.g. `ok $? "name"` or
# `test -s f; ok $? "non-empty"`).
ok() {
	local cond=$1
	shift
	if [ "$cond" = 0 ]; then
		pass "$@"
	else
		fail "$@"
	fi
}

# is GOT WANT NAME
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "     got: '$1'" "    want: '$2'"
	fi
}

# like GOT REGEX NAME (extended regular expression, bash =~)
like() {
	if [[ $1 =~ $2 ]]; then
		pass "$3"
	else
		fail "$3"
		diag "     got: '$1'" "    want: /$2/"
	fi
}

# skip NAME: one skipped test.
skip() {
	_tl_n=$((_tl_n + 1))
	echo "ok $_tl_n # SKIP $*"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# sanitizer_clean FILE WHAT: under --enable-sanitizers, an ASan/LSan/UBSan
# report in FILE (a run's stderr) is a failure of its own, "sanitizer report
# for WHAT", with the start of the report as diagnostics.  Silent otherwise.
sanitizer_clean() {
	if grep -q -E 'Sanitizer|runtime error' "$1"; then
		fail "sanitizer report for $2"
		diag "$(head -20 "$1")"
	fi
}

# done_testing: print the plan if none was given; exit 1 if anything failed.
done_testing() {
	[ -n "$_tl_planned" ] || echo "1..$_tl_n"
	[ "$_tl_failed" -eq 0 ] && exit 0
	exit 1
}

# ---------------------------------------------------------------- JSON

# json_get FILE PATH: print the value at a dotted PATH (list indexes are
# numbers).  Strings print raw, null as "null", booleans as true/false,
# lists and objects as compact JSON.  Exit 1 (printing nothing) when the
# path does not exist, 2 when the file is not JSON.
json_get() {
	timeout 10 "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        v = json.load(f)
except Exception as e:
    print("json_get: %s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(2)
for part in sys.argv[2].split(".") if sys.argv[2] else []:
    try:
        v = v[int(part)] if isinstance(v, list) else v[part]
    except (KeyError, IndexError, ValueError, TypeError):
        sys.exit(1)
if isinstance(v, str):
    print(v)
else:
    print(json.dumps(v, separators=(",", ":")))
EOF
}

# json_eval FILE EXPR: evaluate a python expression with the document as
# `d` (e.g. 'sorted(h["host"] for h in d["checks"]["mx"]["hosts"])') and
# print the result like json_get does.
json_eval() {
	timeout 10 "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        d = json.load(f)
except Exception as e:
    print("json_eval: %s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(2)
try:
    v = eval(sys.argv[2], {"d": d})
except Exception as e:
    print("json_eval: %s: %r" % (sys.argv[2], e), file=sys.stderr)
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
EOF
}

# ---------------------------------------------------------------- DNS server

# _tl_free_port: a port free for both UDP and TCP on 127.0.0.1 and ::1 right
# now.  Someone may take it before we bind it: callers retry.
_tl_free_port() {
	timeout 10 "$PYTHON" - <<'EOF'
import socket, random
for _ in range(200):
    port = random.randint(20000, 60000)
    socks = []
    try:
        for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                try:
                    s = socket.socket(fam, typ)
                except OSError:
                    if fam == socket.AF_INET6:
                        continue  # no IPv6 here: fine
                    raise
                socks.append(s)
                s.bind((host, port))
        print(port)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
EOF
}

# _tl_reserve_port: pick a port free on 127.0.0.1 and ::1 (UDP and TCP) and
# hold an flock on it for the life of the test, so that two tests running in
# parallel never pick the same one.  (knotd binds UDP with SO_REUSEPORT: two
# of them on one port would both start and share the queries.)  Sets
# _tl_port.
_tl_reserve_port() {
	local dir="${TMPDIR:-/tmp}/mxaudit-test-ports.$(id -u)" i port fd
	mkdir -p "$dir" 2>/dev/null
	for ((i = 0; i < 20; i++)); do
		port=$(_tl_free_port)
		[ -n "$port" ] || return 1
		if ! command -v flock >/dev/null 2>&1 || ! [ -w "$dir" ]; then
			_tl_port=$port
			return 0
		fi
		exec {fd}>"$dir/$port" || continue
		if flock -n "$fd"; then
			# The fd stays open (and locked) until the test shell exits.
			at_exit "rm -f '$dir/$port'"
			_tl_port=$port
			return 0
		fi
		exec {fd}>&-
	done
	return 1
}

# _tl_knot_ready PID LOG PORT ZONE HAS6: wait (10 s) until knotd PID
# answers an authoritative SOA for ZONE on 127.0.0.1 (and ::1 when HAS6=1).
# Exit 0 ready, 2 knotd died, 3 it could not bind the port (retry on
# another), 1 timeout.
_tl_knot_ready() {
	timeout 15 "$PYTHON" - "$@" <<'EOF'
import os, socket, struct, sys, time
pid, log, port, zone, has6 = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1"
qname = b"".join(bytes([len(l)]) + l.encode() for l in zone.strip(".").split(".") if l) + b"\0"

def answers(host):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    try:
        qid = int(time.time() * 1000) & 0xffff
        s.sendto(struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + qname + struct.pack("!HH", 6, 1), (host, port))
        data = s.recv(4096)
        if len(data) >= 12:
            rid, flags = struct.unpack("!HH", data[:4])
            return rid == qid and flags & 0x8000 and flags & 0x0400 and flags & 0xf == 0
    except OSError:
        pass
    finally:
        s.close()
    return False

hosts = ["127.0.0.1"] + (["::1"] if has6 else [])
deadline = time.time() + 10
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(2)
    try:
        text = open(log, errors="replace").read()
        if "cannot bind" in text or "failed to bind" in text:
            sys.exit(3)
    except OSError:
        pass
    hosts = [h for h in hosts if not answers(h)]
    if not hosts:
        sys.exit(0)
    time.sleep(0.05)
sys.exit(1)
EOF
}

# knot_start ZONE...: start knotd serving $top_srcdir/tests/zones/ZONE.zone (or
# $KNOT_ZONE_DIR/ZONE.zone)
# for each ZONE on 127.0.0.1@PORT (and ::1@PORT when the host has IPv6).
# Sets and exports DNS_PORT, DNS_SERVER (127.0.0.1:PORT), KNOT_DIR, KNOT_LOG,
# KNOT_PID.  May be called more than once (each call starts another server).
# Returns non-zero (after printing the log as diag) if it cannot start.
# KNOT_ZONE_DIR overrides the zone directory (bench/ generates its zones,
# tests/bounce-flow.sh keeps its zone with its bounces).
# KNOT_SIGN_ZONES="ZONE..." signs those zones with DNSSEC as knotd loads them
# (one ECDSA P-256 key per zone, made at start-up, kept in $KNOT_DIR/keys;
# records added with knotc are signed on commit).  `keymgr -c $KNOT_DIR/knot.conf
# ZONE ds` prints the DS records to use as a trust anchor.
knot_start() {
	local zone attempt port dir conf pid rc has6=0 sign
	local zdir="${KNOT_ZONE_DIR:-$top_srcdir/tests/zones}"
	if [ ! -x "$KNOTD" ] && ! command -v "$KNOTD" >/dev/null 2>&1; then
		diag "knotd not found (KNOTD=$KNOTD): install the Debian package knot"
		return 1
	fi
	if [ $# -eq 0 ]; then
		diag "knot_start: no zone given"
		return 1
	fi
	for zone in "$@"; do
		if [ ! -r "$zdir/$zone.zone" ]; then
			diag "knot_start: no zone file $zdir/$zone.zone"
			return 1
		fi
	done
	"$PYTHON" -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' \
		2>/dev/null && has6=1
	for attempt in 1 2 3 4 5; do
		_tl_reserve_port || { diag "knot_start: no free port"; return 1; }
		port=$_tl_port
		dir=$(mktemp -d "$TEST_TMPDIR/knot.XXXXXX") || return 1
		mkdir -p "$dir/storage" "$dir/run"
		conf="$dir/knot.conf"
		{
			echo "server:"
			echo "    rundir: \"$dir/run\""
			echo "    pidfile: \"$dir/run/knot.pid\""
			echo "    listen: 127.0.0.1@$port"
			[ "$has6" = 1 ] && echo "    listen: ::1@$port"
			echo "    udp-workers: 1"
			echo "    tcp-workers: 1"
			echo "    background-workers: 1"
			echo "database:"
			echo "    storage: \"$dir/storage\""
			[ -n "${KNOT_SIGN_ZONES:-}" ] && echo "    kasp-db: \"$dir/keys\""
			echo "control:"
			echo "    listen: \"$dir/run/knot.sock\""
			echo "log:"
			echo "  - target: \"$dir/knot.log\""
			echo "    any: info"
			echo "template:"
			echo "  - id: default"
			echo "    storage: \"$zdir\""
			echo "    semantic-checks: off"
			echo "    journal-content: none"
			echo "    zonefile-sync: -1"
			echo "    zonefile-load: whole"
			if [ -n "${KNOT_SIGN_ZONES:-}" ]; then
				# One combined signing key, no rollovers within a test's life.
				echo "policy:"
				echo "  - id: mxtest"
				echo "    algorithm: ecdsap256sha256"
				echo "    single-type-signing: on"
				echo "    nsec3: off"
			fi
			echo "zone:"
			for zone in "$@"; do
				echo "  - domain: \"$zone\""
				echo "    file: \"$zdir/$zone.zone\""
				for sign in ${KNOT_SIGN_ZONES:-}; do
					[ "$sign" = "$zone" ] || continue
					echo "    dnssec-signing: on"
					echo "    dnssec-policy: mxtest"
				done
			done
		} >"$conf"
		# No `user:` in the config, so knotd keeps the caller's identity
		# (root in CI) and writes nothing outside $dir (the zone files are
		# only read: no journal, no zone-file sync).
		"$KNOTD" -c "$conf" </dev/null >"$dir/knotd.out" 2>&1 &
		pid=$!
		at_exit "_tl_kill $pid"
		_tl_watchdog "$pid"
		_tl_knot_ready "$pid" "$dir/knot.log" "$port" "$1" "$has6"
		rc=$?
		if [ "$rc" = 0 ]; then
			DNS_PORT=$port
			DNS_SERVER="127.0.0.1:$port"
			KNOT_DIR=$dir
			KNOT_LOG="$dir/knot.log"
			KNOT_PID=$pid
			export DNS_PORT DNS_SERVER KNOT_DIR KNOT_LOG KNOT_PID
			return 0
		fi
		_tl_kill "$pid"
		# Lost a race for the port (knotd may log it and exit before the
		# probe sees it): try another.  Anything else is reported.
		grep -q 'cannot bind\|failed to bind\|already in use' "$dir/knot.log" "$dir/knotd.out" 2>/dev/null && rc=3
		[ "$rc" = 3 ] || break
	done
	diag "knot_start: knotd did not start; its log:"
	diag "$(cat "$dir/knot.log" "$dir/knotd.out" 2>/dev/null | tail -n 30)"
	return 1
}

# ---------------------------------------------------------------- silent servers

# _tl_py_server NAME SCRIPT: run a python server in the background that
# writes its port to a file; wait for it (5 s) and set _tl_port.  (Not
# called in $(...): the at_exit it registers must reach the test shell.)
_tl_py_server() {
	local name=$1 script=$2 portfile="$TEST_TMPDIR/$1.port" pid i
	_tl_port=
	rm -f "$portfile"
	"$PYTHON" -c "$script" "$portfile" "$_tl_test_pid" </dev/null >"$TEST_TMPDIR/$name.log" 2>&1 &
	pid=$!
	at_exit "_tl_kill $pid"
	for ((i = 0; i < 50; i++)); do
		if [ -s "$portfile" ] && grep -q '^[0-9][0-9]*$' "$portfile"; then
			_tl_port=$(cat "$portfile")
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	diag "$name did not start: $(cat "$TEST_TMPDIR/$name.log" 2>/dev/null)"
	return 1
}

# Both silent servers stop by themselves when the test shell goes away or
# after 10 minutes.
_tl_silent_udp_py='
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
tmp = sys.argv[1] + ".tmp"
open(tmp, "w").write("%d\n" % s.getsockname()[1]); os.rename(tmp, sys.argv[1])
parent, end = int(sys.argv[2]), time.time() + 600
s.settimeout(1)
while time.time() < end:
    try:
        s.recvfrom(65535)          # read and never answer
    except socket.timeout:
        try: os.kill(parent, 0)
        except OSError: break
'

_tl_silent_tcp_py='
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(64)
tmp = sys.argv[1] + ".tmp"
open(tmp, "w").write("%d\n" % s.getsockname()[1]); os.rename(tmp, sys.argv[1])
parent, end, conns = int(sys.argv[2]), time.time() + 600, []
s.settimeout(1)
while time.time() < end:
    try:
        c, _ = s.accept()          # accept, keep open, never say a word
        conns.append(c)
    except socket.timeout:
        try: os.kill(parent, 0)
        except OSError: break
'

# silent_udp_start: a UDP port on 127.0.0.1 that reads and never answers.
silent_udp_start() {
	_tl_py_server silent-udp "$_tl_silent_udp_py" || return 1
	SILENT_PORT=$_tl_port
	export SILENT_PORT
}

# silent_tcp_start: a TCP port on 127.0.0.1 that accepts and never answers.
silent_tcp_start() {
	_tl_py_server silent-tcp "$_tl_silent_tcp_py" || return 1
	SILENT_TCP_PORT=$_tl_port
	export SILENT_TCP_PORT
}

# ---------------------------------------------------------------- terminal

_tl_tmux_sock=
_tl_tmux_target=mxt

_tl_tmux() {
	TMUX_TMPDIR="$TEST_TMPDIR" timeout 10 "$TMUX_BIN" -L "$_tl_tmux_sock" "$@"
}

# tmux_start COLS ROWS CMD...: run CMD in a private tmux server (its own
# socket, no user config) in a COLS x ROWS window with TERM=xterm-256color
# and a UTF-8 locale.  The pane stays after CMD exits so its last screen can
# still be read.
tmux_start() {
	local cols=$1 rows=$2 loc=C
	shift 2
	if ! command -v "$TMUX_BIN" >/dev/null 2>&1; then
		diag "tmux not found (TMUX_BIN=$TMUX_BIN): install the Debian package tmux"
		return 1
	fi
	locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && loc=C.UTF-8
	_tl_tmux_sock="mxt$$.$RANDOM"
	# The socket name is fixed now: a second tmux_start must not make this
	# cleanup stop the wrong server.
	# (env, not an assignment prefix: bash 5.2 can abandon the rest of an EXIT
	# trap at an eval'd `VAR=x command` when the trap runs inside a function
	# that was itself called as `VAR=x func`.)
	at_exit "env TMUX_TMPDIR='$TEST_TMPDIR' timeout 10 '$TMUX_BIN' -L '$_tl_tmux_sock' kill-server"
	LC_ALL=$loc LANG=$loc _tl_tmux -u -f /dev/null \
		start-server \; \
		set-option -g default-terminal xterm-256color \; \
		set-option -g remain-on-exit on \; \
		set-option -g history-limit 0 \; \
		set-option -g status off \; \
		new-session -d -s "$_tl_tmux_target" -x "$cols" -y "$rows" \
		env TERM=xterm-256color LC_ALL=$loc LANG=$loc "$@" || {
		diag "tmux_start: tmux failed"
		return 1
	}
	# A detached session keeps the size we asked for, not a client's.
	_tl_tmux set-option -t "$_tl_tmux_target" window-size manual >/dev/null 2>&1
	return 0
}

# tmux_keys KEYS...: send keys (tmux key names: Enter, Tab, Escape, C-c,
# Up, ...; anything else is typed literally).
tmux_keys() {
	_tl_tmux send-keys -t "$_tl_tmux_target" "$@"
}

# tmux_screen: the visible screen as text.
tmux_screen() {
	_tl_tmux capture-pane -p -t "$_tl_tmux_target"
}

# tmux_wait_for REGEX [SECONDS]: wait (default 10 s) until the screen
# matches the extended REGEX (grep -E).  On timeout print the screen as TAP
# diagnostics and return 1.
tmux_wait_for() {
	local re=$1 secs=${2:-10} tries i screen
	tries=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 10 }')
	for ((i = 0; i <= tries; i++)); do
		screen=$(tmux_screen 2>/dev/null)
		if printf '%s\n' "$screen" | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.1
	done
	diag "tmux_wait_for: /$re/ not seen within ${secs}s; the screen was:"
	diag "$screen"
	return 1
}

# tmux_resize COLS ROWS: resize the window (the program gets SIGWINCH).
tmux_resize() {
	_tl_tmux resize-window -t "$_tl_tmux_target" -x "$1" -y "$2"
}

# --- screen assertions for TUI tests (no fixed sleeps: under load a key can
# take seconds to be drawn, so every check waits for the screen to show what
# the key does; for a key that must change nothing, wait for a later key's
# effect - keys are handled in order) ---------------------------------------
# tmux_stop: end the previous terminal's tmux server before starting the
# next one (its pane stays open after mxaudit exits; a test starts many).
tmux_stop() { [ -z "${_tl_tmux_sock:-}" ] || _tl_tmux kill-server >/dev/null 2>&1 || true; }
screen_has() { tmux_screen | grep -Eq -- "$1"; }
# wait_ok REGEX SECONDS NAME: the screen comes to match REGEX.
wait_ok() { tmux_wait_for "$1" "$2"; ok $? "$3"; }
# has_ok REGEX NAME: the screen shows REGEX (waits a little: the screen may be
# mid-redraw when read).
has_ok() { tmux_wait_for "$1" 5; ok $? "$2"; }
# wait_gone REGEX SECONDS: wait until the screen no longer matches REGEX.
wait_gone() {
	local i tries
	tries=$(awk -v s="$2" 'BEGIN { printf "%d", s * 10 }')
	for ((i = 0; i <= tries; i++)); do
		screen_has "$1" || return 0
		sleep 0.1
	done
	diag "wait_gone: /$1/ still on the screen after ${2}s:"
	diag "$(tmux_screen)"
	return 1
}
# hasnt_ok REGEX NAME: the screen stops showing REGEX within 5 s.
hasnt_ok() { wait_gone "$1" 5; ok $? "$2"; }
