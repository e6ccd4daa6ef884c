#!/bin/bash
# tui-demo.sh - the interactive screen on the built-in demo, in a real
# terminal (tmux): the seven panes with their indicators, the MX pane's
# hosts, a detail view with search and copy, the help overlay, the six-step
# walkthrough, theme cycling, resizing across layouts, and a clean quit that
# leaves the terminal in its normal mode.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
command -v "$TMUX_BIN" >/dev/null 2>&1 || skip_all "tmux not found (install the Debian package tmux)"
[ -r "$MXAUDIT_DATADIR/demo.zone" ] || skip_all "no demo zone in $MXAUDIT_DATADIR"

# Keep the operator's history and themes out of it.
export XDG_STATE_HOME="$TEST_TMPDIR/state" XDG_CONFIG_HOME="$TEST_TMPDIR/config"
unset NO_COLOR

# run_tui COLS ROWS ARGS...: mxaudit in tmux.  When it exits, the shell
# prints its exit status and whether the terminal is back in cooked mode.
run_tui() {
	local cols=$1 rows=$2
	shift 2
	tmux_stop
	# (the shell traps SIGINT so that Ctrl-C reaches only mxaudit's handler
	# and the shell lives on to report; the trap is reset in the child)
	tmux_start "$cols" "$rows" sh -c 'trap : INT; "$0" "$@"; rc=$?; printf "\nEXIT=%s TTY=%s\n" "$rc" \
		"$(stty -a | tr " ;" "\n\n" | grep -x -e icanon -e -icanon -e echo -e -echo | tr "\n" " ")"' \
		"$MXAUDIT" "$@"
}

# wait_line N OP TEXT SECONDS: wait until screen line N is (OP "=") or is no
# longer (OP "!=") TEXT; prints the line.
wait_line() {
	local n=$1 op=$2 want=$3 i tries line
	tries=$(awk -v s="$4" 'BEGIN { printf "%d", s * 10 }')
	for ((i = 0; i <= tries; i++)); do
		line=$(tmux_screen | sed -n "${n}p")
		if { [ "$op" = "=" ] && [ "$line" = "$want" ]; } || { [ "$op" = "!=" ] && [ "$line" != "$want" ]; }; then
			printf '%s\n' "$line"
			return 0
		fi
		sleep 0.1
	done
	printf '%s\n' "$line"
	return 1
}
# theme_name: the theme named in the status bar (empty while it is redrawn).
theme_name() { tmux_screen | grep -Eo 'theme [a-z-]+  overall' | head -n 1 | cut -d' ' -f2; }

run_tui 100 30 --demo || { echo "Bail out! tmux did not start"; exit 1; }

# --- the dashboard ---------------------------------------------------------
wait_ok 'Blocklists' 10 "the dashboard appears"
for p in SPF DKIM DMARC PTR MX TLS Blocklists; do
	has_ok "[─▶] $p ─" "pane $p has a framed title"
done
wait_ok '[─▶] MX ─+ . (PASS|WARN|FAIL|ERROR) ─' 10 "the MX pane's title carries a verdict as symbol and word"
wait_ok '[─▶] PTR ─+ . (PASS|WARN|FAIL|ERROR) ─' 10 "the PTR pane gets a verdict"
has_ok 'mx1\.demo\.example' "the MX pane shows its hosts"
has_ok '^ [0-9]+ quer(y|ies) in flight · [0-9]+\.[0-9]s' "the status bar shows queries in flight and the elapsed time"
has_ok 'q quit' "the status bar shows key hints"

# --- mouse (SGR reports, as xterm sends them; 1-based column;row) ----------
tmux_keys -l $'\e[<0;60;17M\e[<0;60;17m'
wait_ok '┌─▶ TLS' 5 "a click focuses the pane under the mouse"
tmux_keys -l $'\e[<0;60;17M\e[<0;60;17m'
wait_ok 'TLS detail' 5 "a click on the focused pane opens it"
# Line 2 is the check's status, a spinner while TLS still probes the demo's
# unreachable addresses: wait for the verdict (and the whole audit's, so the
# screen is idle) so that only the wheel can change that line.
tmux_wait_for '^ TLS +. (PASS|WARN|FAIL|ERROR)' 30 >/dev/null
tmux_wait_for 'overall . (PASS|WARN|FAIL|ERROR)' 30 >/dev/null
top1=$(tmux_screen | sed -n 2p)
tmux_keys -l $'\e[<65;10;10M'
top2=$(wait_line 2 != "$top1" 10)
# The screen is idle here (audit done): the wheel itself must redraw it
# (it once did not: handle_mouse returned before marking the screen dirty).
is "$([ "$top1" != "$top2" ]; echo $?)" 0 "the wheel scrolls the detail view on an idle screen"
tmux_keys -l $'\e[<64;10;10M'
is "$(wait_line 2 = "$top1" 10)" "$top1" "and scrolls back"
tmux_keys Escape
wait_ok 'Enter detail' 5 "back to the dashboard"

# --- detail view: open, search, copy ---------------------------------------
tmux_keys 5 Enter
wait_ok 'MX detail' 5 "Enter opens the focused pane's detail view"
has_ok 'Queries and answers' "the detail view shows the query log"
has_ok 'MX demo\.example -> NOERROR' "the log shows the MX query and its rcode"
has_ok 'Findings \([0-9]+\)' "the detail view lists the findings"
tmux_keys / m x 2
wait_ok '^search: mx2' 5 "/ opens a search prompt"
tmux_keys Enter
wait_ok 'c copy fix' 5 "Enter ends the search"
tmux_keys c
wait_ok 'Copied to the clipboard|nothing to copy' 5 "c copies the fix (or says there is none)"
# The fix the report gives for MX must be in the popup, in plain text.
timeout 60 "$MXAUDIT" --demo --json >"$TEST_TMPDIR/demo.json" 2>/dev/null
fix=$(json_eval "$TEST_TMPDIR/demo.json" "[f['fix'] for f in d['checks']['mx']['findings'] if f.get('fix')][0][:30]" 2>/dev/null)
if [ -n "$fix" ]; then
	has_ok "Copied to the clipboard \\(OSC 52\\)" "the copy popup is shown"
	ok "$(tmux_screen | grep -Fq -- "$fix"; echo $?)" "the popup shows the fix plainly: $fix"
else
	skip "the demo's MX check has no fix to copy"
	skip "the demo's MX check has no fix to copy"
fi
tmux_keys Escape
tmux_keys Escape
wait_ok 'Enter detail' 5 "Esc goes back to the dashboard"

# --- help -------------------------------------------------------------------
tmux_keys '?'
wait_ok 'mxaudit keys' 5 "? shows the help overlay"
has_ok 'copy fixes \(OSC 52\)' "the help lists the keys"
tmux_keys x
hasnt_ok 'mxaudit keys' "any key closes the help"

# --- walkthrough through the six steps -------------------------------------
tmux_keys s
wait_ok 'Step [1-6] of 6: ' 5 "s opens the walkthrough"
tmux_keys 1
wait_ok 'Step 1 of 6: Read the bounce' 5 "step 1: Read the bounce"
for n in 2 3 4 5 6; do
	tmux_keys Right
	wait_ok "Step $n of 6: " 5 "Right goes to step $n"
done
# Right on the last step must change nothing; the help overlay opened by the
# next key shows when Right has been handled (the step title stays visible
# above the overlay).
tmux_keys Right '?'
tmux_wait_for 'mxaudit keys' 10 >/dev/null
ok "$(screen_has 'Step 6 of 6: ' && ! screen_has 'Step [07] of'; echo $?)" "there is no step 7"
tmux_keys x
wait_gone 'mxaudit keys' 10
tmux_keys Left
wait_ok 'Step 5 of 6: ' 5 "Left goes back"
for n in 1 2 3 4 5 6; do
	has_ok "$n . (PASS|WARN|FAIL|ERROR|SKIP|PENDING) " "the stepper shows step $n with its status"
done
tmux_keys Escape
wait_ok 'Enter detail' 5 "Esc leaves the walkthrough"

# --- themes -----------------------------------------------------------------
has_ok 'theme default' "the default theme is loaded from the theme directory"
seen="default"
prev=default
for i in 1 2 3 4; do
	tmux_keys t
	# wait for the status bar to name another theme (a theme change repaints
	# the whole screen, so the name may be missing for a moment)
	for ((w = 0; w < 100; w++)); do
		cur=$(theme_name)
		[ -n "$cur" ] && [ "$cur" != "$prev" ] && break
		sleep 0.1
	done
	seen="$seen $cur"
	prev=$cur
done
is "$(echo "$seen" | tr ' ' '\n' | sort | tr '\n' ' ')" "colorblind default high-contrast light mono " \
	"t cycles through the five themes"
tmux_keys t
wait_ok 'theme default ' 5 "and wraps around to default"

# --- resize -----------------------------------------------------------------
tmux_resize 60 20
wait_ok '^▶ .*MX' 5 "a small window shows a list with the focused pane marked"
hasnt_ok '┌' "the list has no pane frames"
ok "$(screen_has 'Blocklists' && screen_has ' SPF '; echo $?)" "the list has every pane"
has_ok 'mx1\.demo\.example' "the focused pane is expanded"
tmux_resize 80 24
wait_ok '┌─ SPF' 5 "80x24 shows the pane grid"
tmux_resize 200 50
wait_ok 'SPF.*DKIM.*DMARC.*PTR' 5 "a wide window puts four panes in a row"
tmux_resize 100 30

# --- quit -------------------------------------------------------------------
tmux_keys q
wait_ok 'EXIT=0' 5 "q quits with status 0"
like "$(tmux_screen | grep 'EXIT=')" 'TTY=.*\bicanon\b' "the terminal is back in canonical mode"
like "$(tmux_screen | grep 'EXIT=')" 'TTY=.*(^|[^-])echo\b' "echo is back on"

done_testing
