#!/bin/bash
# tui-form.sh - the interactive screen against a real Knot DNS: the input
# form (inline validation, then a run), MX and PTR panes filled from the
# network, a pane going from pending to its verdict against a server that
# never answers, Ctrl-C, ASCII mode (asked for and automatic outside
# UTF-8), and theme selection (--theme, NO_COLOR, unknown names).
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
command -v "$TMUX_BIN" >/dev/null 2>&1 || skip_all "tmux not found (install the Debian package tmux)"
knot_start mx.test 2.0.192.in-addr.arpa || { echo "Bail out! knotd did not start"; exit 1; }

export XDG_STATE_HOME="$TEST_TMPDIR/state" XDG_CONFIG_HOME="$TEST_TMPDIR/config"
unset NO_COLOR

# run_tui COLS ROWS ARGS...: mxaudit in tmux (see tui-demo.sh).
run_tui() {
	local cols=$1 rows=$2
	shift 2
	tmux_stop
	# (the shell traps SIGINT so that Ctrl-C reaches only mxaudit's handler
	# and the shell lives on to report; the trap is reset in the child)
	tmux_start "$cols" "$rows" sh -c 'echo $$ >"$TEST_TMPDIR/shell.pid"; trap : INT; "$0" "$@"; rc=$?; printf "\nEXIT=%s TTY=%s\n" "$rc" \
		"$(stty -a | tr " ;" "\n\n" | grep -x -e icanon -e -icanon -e echo -e -echo | tr "\n" " ")"' \
		"$MXAUDIT" "$@"
}
quit_ok() {
	tmux_keys q
	wait_ok 'EXIT=0 TTY=.*icanon' 5 "$1: q quits and restores the terminal"
}

NET=(--dns-server "$DNS_SERVER" --only mx,ptr --timeout 5)

# --- the form ---------------------------------------------------------------
run_tui 130 45 "${NET[@]}"
wait_ok 'What should mxaudit check' 5 "no DOMAIN: the input form opens"
has_ok 'Domain' "the form asks for the domain"
has_ok 'Sending IP' "the form asks for the sending IP"
has_ok 'Bounce \(paste\)' "the form has a box for a bounce"
tmux_keys 'bad_dom!'
wait_ok '✖ .*letters' 5 "a bad domain is flagged while typing"
tmux_keys C-u 'multi.mx.test'
wait_ok '✔ ok' 5 "a good domain is accepted while typing"
tmux_keys Tab '192.0.2.999'
wait_ok '✖ not an IPv4 or IPv6 address' 5 "a bad IP is flagged while typing"
tmux_keys Enter
wait_ok 'Sending IP: not an IPv4' 5 "Enter with a bad IP is refused with the reason"
tmux_keys C-u '192.0.2.10' Enter
wait_ok '[─▶] MX ─+ . (PASS|WARN|FAIL|ERROR) ─' 15 "Enter runs the audit: the MX pane gets its verdict"
wait_ok '[─▶] PTR ─+ . PASS ─' 15 "the PTR pane passes (forward-confirmed)"
has_ok 'mx1\.mx\.test' "the MX pane lists mx1"
has_ok 'mx2\.mx\.test' "the MX pane lists mx2"
has_ok '198\.51\.100\.20' "the MX pane shows a host's address"
has_ok 'mxaudit · multi\.mx\.test 192\.0\.2\.10' "the title bar names the domain and IP"
has_ok '[─▶] SPF ─+ – SKIP ─' "a check left out with --only shows SKIP"
tmux_keys n
wait_ok 'Domain +multi\.mx\.test' 5 "n reopens the form, filled in"
tmux_keys Escape
wait_ok 'Enter detail' 5 "Esc returns to the dashboard"
tmux_keys r
wait_ok 're-running' 5 "r re-runs the audit"
wait_ok '[─▶] PTR ─+ . PASS ─' 15 "the re-run finishes"
quit_ok "form"
[ -s "$XDG_STATE_HOME/mxaudit/history" ] && grep -qx 'multi.mx.test' "$XDG_STATE_HOME/mxaudit/history"
ok $? "the domain is kept in the history of recent domains"

run_tui 130 45 "${NET[@]}"
wait_ok 'recent: multi\.mx\.test' 5 "the form offers recent domains"
tmux_keys PageUp
wait_ok 'Domain +multi\.mx\.test' 5 "PgUp fills in a recent domain"
tmux_keys C-c
wait_ok 'EXIT=130 TTY=.*icanon' 5 "Ctrl-C in the form quits (status 130) and restores the terminal"

# --- pending, then a verdict --------------------------------------------------
silent_udp_start || { echo "Bail out! no silent server"; exit 1; }
run_tui 100 30 --dns-server "127.0.0.1:$SILENT_PORT" --only mx --timeout 3 multi.mx.test
wait_ok '[─▶] MX ─+ . PENDING ─' 5 "against a silent server the MX pane is pending, with a spinner"
wait_ok '^ [1-9][0-9]* quer(y|ies) in flight' 5 "the status bar counts the queries in flight"
s1=$(tmux_screen | grep -o 'MX ─* . PENDING' | head -n 1)
# poll for another spinner frame (it turns every 100 ms or so; the query
# times out after 3 s, so 2.5 s of waiting still sees it pending)
for ((w = 0; w < 25; w++)); do
	s2=$(tmux_screen | grep -o 'MX ─* . PENDING' | head -n 1)
	[ -n "$s2" ] && [ "$s2" != "$s1" ] && break
	sleep 0.1
done
ok "$([ -n "$s1" ] && [ -n "$s2" ] && [ "$s1" != "$s2" ]; echo $?)" "the spinner animates while the UI waits"
tmux_keys 5 Enter
wait_ok 'MX detail' 5 "the UI answers keys while queries are outstanding"
tmux_keys Escape
wait_ok '[─▶] MX ─+ ! ERROR ─' 20 "after the timeout the pane says ERROR (not FAIL)"
wait_ok ' 0 queries in flight' 5 "nothing left in flight"
quit_ok "silent"

# --- watch mode -------------------------------------------------------------
export MXAUDIT_WATCH_SECONDS=1
run_tui 130 45 "${NET[@]}" multi.mx.test 192.0.2.10
wait_ok '[─▶] PTR ─+ . PASS ─' 15 "watch: the first run finishes"
tmux_keys w
wait_ok 'watch: re-running every 1 s' 5 "w turns watch mode on"
wait_ok '^ [0-9]+ quer(y|ies) in flight .* watch' 5 "the status bar says watch"
tmux_keys w
wait_ok 'watch off' 5 "w turns it off again"
quit_ok "watch"
# A re-run against Knot lasts a tenth of a second: too short to be seen
# reliably.  Against the silent server each run stays PENDING for the
# timeout and then shows ERROR for the interval, so both states last long
# enough to be waited for.
run_tui 100 30 --dns-server "127.0.0.1:$SILENT_PORT" --only mx --timeout 1 --tries 1 multi.mx.test
tmux_wait_for '[─▶] MX ─+ ! ERROR ─' 20 >/dev/null
tmux_keys w
wait_ok '[─▶] MX ─+ . PENDING ─' 20 "watch re-runs the audit after the interval"
wait_ok '[─▶] MX ─+ ! ERROR ─' 20 "the watched run finishes too"
quit_ok "watch, silent server"
unset MXAUDIT_WATCH_SECONDS

# --- signals restore the terminal ---------------------------------------------
# mxaudit's pid: the child of the wrapper shell that wrote shell.pid.
tui_pid() { pgrep -P "$(cat "$TEST_TMPDIR/shell.pid")" | head -n 1; }
run_tui 100 30 "${NET[@]}" multi.mx.test
wait_ok '[─▶] MX ─+ . (PASS|WARN|FAIL|ERROR) ─' 15 "SIGTERM: the screen is up"
# Idle: nothing pending, so no timer and no wakeup - the process sleeps in
# poll() (voluntary context switches count every wakeup).
wait_ok '[0-9]s done' 15 "the audit is done"
pid=$(tui_pid)
# (a measuring window, not a wait for the screen)
sw1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status")
sleep 2
sw2=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status")
ok "$([ -n "$sw1" ] && [ $((sw2 - sw1)) -le 1 ]; echo $?)" "idle: no wakeups in 2 s (context switches $sw1 -> $sw2)"
kill -TERM "$(tui_pid)"
wait_ok 'EXIT=143 TTY=.*icanon' 5 "SIGTERM ends it (status 143) with the terminal restored"
run_tui 100 30 "${NET[@]}" multi.mx.test
wait_ok '[─▶] MX ─+ . (PASS|WARN|FAIL|ERROR) ─' 15 "SIGSEGV: the screen is up"
kill -SEGV "$(tui_pid)"
wait_ok 'EXIT=139 TTY=.*icanon' 5 "a crash signal restores the terminal, then dies of the signal"
like "$(tmux_screen | grep 'EXIT=')" 'TTY=.*(^|[^-])echo\b' "after the crash echo is back on"

# --- hostile text is shown escaped, wide characters measured ---------------
cat >"$TEST_TMPDIR/evil.zone" <<'ZONE'
$ORIGIN evil.test.
$TTL 300
@	SOA	ns hostmaster 1 3600 600 86400 300
@	NS	ns
ns	A	192.0.2.53
@	MX	10 mx
mx	A	192.0.2.30
@	TXT	"v=spf1 ip4:192.0.2.30 \027]52;c;ZXZpbA==\007 \027[2J -all"
_dmarc	TXT	"v=DMARC1; p=reject; rua=mailto:\027[31m\230\181\139\232\175\149\230\181\139\232\175\149@evil.test"
ZONE
run_tui 120 40 --zone "$TEST_TMPDIR/evil.zone" --only spf,dmarc,mx evil.test 192.0.2.30
wait_ok '[─▶] DMARC ─+ . (PASS|WARN|FAIL|ERROR) ─' 15 "hostile zone: the audit runs"
has_ok '\\x1B\]52;c;ZXZpbA==\\x07' "an OSC 52 sequence in a TXT record is shown as escapes"
has_ok '\\x1B\[2J' "a clear-screen sequence is shown as escapes"
has_ok '^ mxaudit · evil\.test' "the screen was not cleared or moved"
has_ok '测试' "wide characters are shown"
tmux_wait_for '测试' 5 >/dev/null
bad=$(tmux_screen | grep '^[│|]' | grep -cv '[│|]$')
is "$bad" 0 "every pane line still ends with its border (wide characters measured)"
quit_ok "hostile"

# --- ASCII ------------------------------------------------------------------
run_tui 80 24 --ascii "${NET[@]}" multi.mx.test 192.0.2.10
wait_ok '\[PASS\]' 15 "--ascii: verdicts as [PASS]"
hasnt_ok '[┌─│✔✖▲]' "--ascii: no box drawing or symbols"
has_ok '^\+-' "--ascii: frames drawn with + and -"
quit_ok "ascii"

tmux_stop
tmux_start 80 24 sh -c 'LC_ALL=C LANG=C "$0" "$@"; printf "\nEXIT=%s\n" $?' "$MXAUDIT" "${NET[@]}" multi.mx.test 192.0.2.10
wait_ok '\[PASS\]' 15 "a non-UTF-8 locale switches to ASCII by itself"
hasnt_ok '[┌─│✔✖▲]' "non-UTF-8: no box drawing or symbols"
tmux_keys q
wait_ok 'EXIT=0' 5 "non-UTF-8: quits"

# --- themes -------------------------------------------------------------------
run_tui 100 30 --theme high-contrast "${NET[@]}" multi.mx.test
wait_ok 'theme high-contrast ' 5 "--theme picks a theme"
quit_ok "--theme"
tmux_stop
tmux_start 100 30 sh -c 'NO_COLOR=1 "$0" "$@"; printf "\nEXIT=%s\n" $?' "$MXAUDIT" "${NET[@]}" multi.mx.test
wait_ok 'theme mono ' 5 "NO_COLOR selects the mono theme"
tmux_keys q
wait_ok 'EXIT=0' 5 "NO_COLOR: quits"
run_tui 100 30 --theme no-such-theme "${NET[@]}" multi.mx.test
wait_ok "theme 'no-such-theme' not found" 5 "an unknown theme is reported"
has_ok 'theme default ' "and the default theme is used instead"
quit_ok "unknown theme"
mkdir -p "$XDG_CONFIG_HOME/mxaudit/themes"
printf 'normal = default default\nstatus.pass = blue default bold\n' >"$XDG_CONFIG_HOME/mxaudit/themes/mine.theme"
run_tui 100 30 --theme mine "${NET[@]}" multi.mx.test
wait_ok 'theme mine ' 5 "a theme in \$XDG_CONFIG_HOME/mxaudit/themes is found"
quit_ok "user theme"

done_testing
