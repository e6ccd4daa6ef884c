#!/bin/bash
# tui-watch.sh - step 6 in a real terminal (tmux) against two real Knot
# servers for prop.test: the what-if editor (e) evaluates a typed SPF
# record (lookup count, result for the IP, findings) and a DMARC record
# (Tab), Esc closes it; watch mode (w) asks each nameserver and shows the
# fix "visible on 0 of 2", then, as the fixed zone is loaded by ns1 and
# then ns2 (knotc zone-reload), "1 of 2" and "2 of 2 (propagated)".
#
# The audit asks ns1 as its resolver; --connect-to ns1.prop.test:53::PORT1
# and ns2.prop.test:53::PORT2 send the per-nameserver queries to each
# server's port (the NS records point at 127.0.0.1).
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
command -v "$TMUX_BIN" >/dev/null 2>&1 || skip_all "tmux not found (install the Debian package tmux)"
KNOTC=$(command -v knotc || echo /usr/sbin/knotc)
[ -x "$KNOTC" ] || skip_all "no knotc"

export XDG_STATE_HOME="$TEST_TMPDIR/state" XDG_CONFIG_HOME="$TEST_TMPDIR/config"
unset NO_COLOR
export MXAUDIT_WATCH_SECONDS=1 MXAUDIT_NO_MOUSE=1

# Two trees: knot_start serves $top_srcdir/tests/zones/ZONE.zone (see
# propagation-knot.sh).  Both start with the zone before the fix.
for ns in ns1 ns2; do
	mkdir -p "$TEST_TMPDIR/$ns/tests/zones"
	cp "$top_srcdir/tests/zones/prop-old.zone" "$TEST_TMPDIR/$ns/tests/zones/prop.test.zone"
done
top_srcdir="$TEST_TMPDIR/ns1" knot_start prop.test || { echo "Bail out! knotd (ns1) did not start"; exit 1; }
P1=$DNS_PORT S1=$DNS_SERVER D1=$KNOT_DIR
top_srcdir="$TEST_TMPDIR/ns2" knot_start prop.test || { echo "Bail out! knotd (ns2) did not start"; exit 1; }
P2=$DNS_PORT D2=$KNOT_DIR

plan 17

publish() { # NS: load the fixed zone on that server
	cp "$top_srcdir/tests/zones/prop-new.zone" "$TEST_TMPDIR/$1/tests/zones/prop.test.zone"
	timeout 10 "$KNOTC" -s "$2/run/knot.sock" zone-reload prop.test >/dev/null 2>&1
}

tmux_start 120 50 "$MXAUDIT" --only spf,dmarc --timeout 2 --dns-server "$S1" \
	--connect-to "ns1.prop.test:53::$P1" --connect-to "ns2.prop.test:53::$P2" prop.test 192.0.2.25 ||
	{ echo "Bail out! tmux did not start"; exit 1; }
wait_ok "overall .*FAIL" 20 "the audit of the unfixed zone fails"
tmux_keys s 6
wait_ok "Step 6 of 6: Fix and resend" 10 "walkthrough step 6"

# --- what-if -------------------------------------------------------------------
tmux_keys e
wait_ok "What-if: SPF record" 10 "e opens the what-if editor"
wait_ok "v=spf1 ip4:192\.0\.2\.10 ip4:192\.0\.2\.25 -all" 5 "prefilled with the proposed SPF record"
wait_ok "result for 192\.0\.2\.25: pass" 5 "the proposal is evaluated at once: pass for the IP"
tmux_keys C-u
tmux_keys -l 'v=spf1 include:_spf.example.com a mx ip4:198.51.100.0/24 ~all'
tmux_keys Enter
wait_ok "3 DNS-querying terms" 5 "typed record: its lookup count"
wait_ok "result for 192\.0\.2\.25: softfail" 5 "typed record: softfail for the IP"
wait_ok "Result for 192\.0\.2\.25: softfail, decided by ~all" 5 "typed record: the finding says which term decided"
# Keys that mean something elsewhere are text here.
tmux_keys C-u
tmux_keys -l 'v=spf1 redirect=w.example -all q'
tmux_keys Enter
wait_ok "Syntax error|redirect=w\.example -all q" 5 "w and q are typed, not commands"
tmux_keys Tab
wait_ok "What-if: DMARC record" 5 "Tab: the DMARC record"
wait_ok "v=DMARC1; p=none; rua=mailto:dmarc-reports@prop\.test" 5 "prefilled with the starter DMARC record"
wait_ok "p=none only monitors" 5 "the DMARC proposal is evaluated"
tmux_keys Escape
for ((i = 0; i < 50; i++)); do tmux_screen | grep -q "What-if:" || break; sleep 0.1; done
tmux_wait_for "Step 6 of 6" 5 && ! tmux_screen | grep -q "What-if:"
ok $? "Esc closes the editor"

# --- watch ---------------------------------------------------------------------
tmux_keys w
wait_ok "\[SPF\] TXT prop\.test: visible on 0 of 2 nameservers" 20 "watch: the SPF fix on none of the 2"
wait_ok "\[DMARC\] TXT _dmarc\.prop\.test: visible on 0 of 2" 10 "watch: the DMARC fix on none"
publish ns1 "$D1"
wait_ok "\[SPF\] TXT prop\.test: visible on 1 of 2 nameservers" 20 "ns1 reloaded: 1 of 2"
publish ns2 "$D2"
wait_ok "\[DMARC\] TXT _dmarc\.prop\.test: visible on 2 of 2 nameservers \(propagated\)" 20 \
	"ns2 reloaded: 2 of 2, propagated"
