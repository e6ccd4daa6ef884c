#!/bin/bash
# propagation-knot.sh - the propagation check against two real Knot servers
# for the same zone, prop.test: ns1 has loaded the fixed zone
# (tests/zones/prop-new.zone), ns2 still serves the old one (prop-old.zone),
# so the new DMARC record is visible on 1 of 2 nameservers.  Then ns2
# reloads the new zone (knotc zone-reload) and it is on 2 of 2; then ns2
# stops and is reported as an error, never as "not there".
#
# The NS records of prop.test point ns1 and ns2 at 127.0.0.1; --connect-to
# ns1.prop.test:53::PORT1 (empty address: keep the resolved one) sends each
# to its own server's port.
. "$top_srcdir/tests/lib/testlib.sh"

PROBE="$top_builddir/tests/prop_probe"
[ -x "$PROBE" ] || skip_all "no $PROBE"
command -v knotc >/dev/null 2>&1 || [ -x /usr/sbin/knotc ] || skip_all "no knotc"
KNOTC=$(command -v knotc || echo /usr/sbin/knotc)

# knot_start serves $top_srcdir/tests/zones/ZONE.zone; two servers with two
# versions of one zone need two trees.  The copies are ours to change.
for ns in ns1 ns2; do
	mkdir -p "$TEST_TMPDIR/$ns/tests/zones"
done
cp "$top_srcdir/tests/zones/prop-new.zone" "$TEST_TMPDIR/ns1/tests/zones/prop.test.zone"
cp "$top_srcdir/tests/zones/prop-old.zone" "$TEST_TMPDIR/ns2/tests/zones/prop.test.zone"
top_srcdir="$TEST_TMPDIR/ns1" knot_start prop.test || { echo "Bail out! knotd (ns1) did not start"; exit 1; }
P1=$DNS_PORT S1=$DNS_SERVER D1=$KNOT_DIR
top_srcdir="$TEST_TMPDIR/ns2" knot_start prop.test || { echo "Bail out! knotd (ns2) did not start"; exit 1; }
P2=$DNS_PORT D2=$KNOT_DIR K2=$KNOT_PID
diag "ns1 on $P1, ns2 on $P2"

plan 15

DMARC="v=DMARC1; p=none; rua=mailto:dmarc-reports@prop.test"
OUT="$TEST_TMPDIR/out"
probe() {
	timeout 30 "$PROBE" --dns-server "$S1" --connect-to "ns1.prop.test:53::$P1" \
		--connect-to "ns2.prop.test:53::$P2" "$@" >"$OUT" 2>&1
}

probe _dmarc.prop.test TXT "$DMARC"
is "$(sed -n 1p "$OUT")" "zone prop.test" "the NS set is found by walking up from _dmarc.prop.test"
is "$(tail -n 1 "$OUT")" "visible 1 of 2 agree 0" "new record on ns1 only: 1 of 2, servers disagree"
like "$(grep '^server ns1' "$OUT")" "127\.0\.0\.1:$P1 NOERROR serial 2026112302 visible 1 \[v=DMARC1; p=none" "ns1: has it, new serial"
like "$(grep '^server ns2' "$OUT")" "127\.0\.0\.1:$P2 NXDOMAIN serial 2026112301 visible 0" "ns2: NXDOMAIN, old serial"

probe prop.test TXT "v=spf1 ip4:192.0.2.10 ip4:192.0.2.25 -all"
is "$(tail -n 1 "$OUT")" "visible 1 of 2 agree 0" "SPF: the fixed record on ns1 only"
like "$(grep '^server ns2' "$OUT")" "visible 0 \[v=spf1 ip4:192\.0\.2\.10 -all\]" "SPF: ns2 still serves the old record"

probe prop.test MX
is "$(tail -n 1 "$OUT")" "visible 2 of 2 agree 1" "an unchanged record is on both and they agree"

# ns2 picks up the change.
cp "$top_srcdir/tests/zones/prop-new.zone" "$TEST_TMPDIR/ns2/tests/zones/prop.test.zone"
timeout 10 "$KNOTC" -s "$D2/run/knot.sock" zone-reload prop.test >"$TEST_TMPDIR/knotc.out" 2>&1
ok $? "knotc zone-reload on ns2"
for i in $(seq 1 50); do
	probe _dmarc.prop.test TXT "$DMARC"
	[ "$(tail -n 1 "$OUT")" = "visible 2 of 2 agree 1" ] && break
	sleep 0.1
done
is "$(tail -n 1 "$OUT")" "visible 2 of 2 agree 1" "after the reload: on 2 of 2, propagated"
like "$(grep '^server ns2' "$OUT")" "NOERROR serial 2026112302 visible 1" "ns2: the new serial"

# A server that is down is an error for that server, never "not there".
kill "$K2" 2>/dev/null
for i in $(seq 1 50); do kill -0 "$K2" 2>/dev/null || break; sleep 0.1; done
probe --timeout 300 _dmarc.prop.test TXT "$DMARC"
is "$(tail -n 1 "$OUT")" "visible 1 of 2 agree 0" "ns2 down: 1 of 2"
like "$(grep '^server ns2' "$OUT")" "(timeout|NETERR|network|refused).* visible 0" "ns2 down: an error result"

# No NS set: a name outside the zone the server knows.
probe www.example.org A
like "$(sed -n 1p "$OUT")" "^error " "outside every zone: an error, no servers"
is "$(tail -n 1 "$OUT")" "visible 0 of 0 agree 0" "outside every zone: 0 of 0"

# A bad --connect-to is ignored (port 53 kept): nothing answers there.
timeout 30 "$PROBE" --timeout 300 --dns-server "$S1" --connect-to "ns1.prop.test:53::notaport" \
	prop.test MX >"$OUT" 2>&1
like "$(grep '^server ns1' "$OUT")" "127\.0\.0\.1:53 " "a malformed --connect-to is not applied"
