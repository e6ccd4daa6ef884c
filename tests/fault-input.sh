#!/bin/bash
# fault-input.sh - the input half of the fault matrix (issue 9), beyond what
# cli-usage.sh covers (it has the 300-character domain, the 64-byte label
# and the 63-byte boundary): a 10 MB bounce (file, stdin, and in the TUI),
# NUL bytes and invalid UTF-8 in a bounce (the reports stay valid UTF-8
# with no NUL), invalid UTF-8 and control characters in the domain, long
# labels inside a 300-character name, and the IPv6 textual forms
# (compressed, full, mixed case, embedded IPv4, IPv4-mapped; zone ids,
# brackets and prefixes rejected).  Offline: --zone files, no servers.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"

Z=(--zone "$top_srcdir/tests/zones/mx.test.zone" --zone "$top_srcdir/tests/zones/8.b.d.0.1.0.0.2.ip6.arpa.zone"
	--zone "$top_srcdir/tests/zones/2.0.192.in-addr.arpa.zone")
OUT="$TEST_TMPDIR/out"
ERR="$TEST_TMPDIR/err"
SRC="$top_srcdir/tests/bounces/gmail-5.1.1.eml"

# run ARGS...: exit in $rc, peak RSS (KiB) in $rss when GNU time is there.
run() {
	local t=()
	[ -x /usr/bin/time ] && t=(/usr/bin/time -o "$TEST_TMPDIR/time" -f '%M')
	timeout 60 "${t[@]}" "$MXAUDIT" "$@" >"$OUT" 2>"$ERR"
	rc=$?
	rss=$(tail -n 1 "$TEST_TMPDIR/time" 2>/dev/null)
	rss=${rss:-0}
}
# clean_utf8 FILE: valid UTF-8, no NUL, no C0 control but tab/newline/CR.
clean_utf8() {
	"$PYTHON" - "$1" <<'EOF'
import re, sys
b = open(sys.argv[1], "rb").read()
try:
    t = b.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("not UTF-8: %s" % e)
m = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", t)
if m:
    sys.exit("control character %r at %d" % (m.group(), m.start()))
EOF
}

"$PYTHON" - "$SRC" "$TEST_TMPDIR" <<'EOF'
import sys
src = open(sys.argv[1], "rb").read()
d = sys.argv[2]
out = bytearray(src)
i = 0
while len(out) < 10 * 1024 * 1024:
    out += b"Received: from mail%d.example.net ([192.0.2.%d]) by mx.example.com; filler text filler text\r\n" % (i, i % 250)
    i += 1
open(d + "/big.eml", "wb").write(bytes(out[:10 * 1024 * 1024]))
open(d + "/nul.eml", "wb").write(src.replace(b"The email account", b"The \0email\0 account\0"))
open(d + "/badutf.eml", "wb").write(src.replace(b"The email account", b"The \xff\xfe\xc3\x28 \xe2\x82 \xed\xa0\x80 account"))
EOF

# --- a 10 MB bounce ----------------------------------------------------------------
is "$(wc -c <"$TEST_TMPDIR/big.eml")" 10485760 "the big bounce is 10 MB"
run --json --only mx "${Z[@]}" --bounce "$TEST_TMPDIR/big.eml" mx.test
like "$rc" '^[0-3]$' "10 MB bounce file: a verdict (exit $rc), no crash"
is "$(json_get "$OUT" bounce.enhanced_code)" 5.1.1 "10 MB bounce file: the DSN at its start is still read"
ok $((rss < 300000 ? 0 : 1)) "10 MB bounce file: peak memory bounded (${rss} KiB)"
clean_utf8 "$OUT"
ok $? "10 MB bounce file: the JSON is clean UTF-8"
timeout 60 "$MXAUDIT" --json --only mx "${Z[@]}" --bounce - mx.test <"$TEST_TMPDIR/big.eml" >"$OUT" 2>"$ERR"
rc=$?
like "$rc" '^[0-3]$' "10 MB bounce on stdin: a verdict (exit $rc)"
is "$(json_get "$OUT" bounce.enhanced_code)" 5.1.1 "10 MB bounce on stdin: read"
run --report md --only mx "${Z[@]}" --bounce "$TEST_TMPDIR/big.eml" mx.test
like "$rc" '^[0-3]$' "10 MB bounce, Markdown: a verdict (exit $rc)"
sz=$(wc -c <"$OUT")
ok $((sz < 1000000 ? 0 : 1)) "10 MB bounce, Markdown: the report stays small ($sz bytes)"

# --- NUL bytes and invalid UTF-8 in a bounce -----------------------------------------
for f in nul badutf; do
	run --json --only mx "${Z[@]}" --bounce "$TEST_TMPDIR/$f.eml" mx.test
	like "$rc" '^[0-3]$' "$f bounce: a verdict (exit $rc)"
	is "$(json_get "$OUT" bounce.enhanced_code)" 5.1.1 "$f bounce: still read"
	clean_utf8 "$OUT"
	ok $? "$f bounce: the JSON is valid UTF-8 without NUL"
	like "$(json_get "$OUT" bounce.diagnostic)" 'account +that you tried' "$f bounce: the diagnostic around the bad bytes survives"
	run --report md --only mx "${Z[@]}" --bounce "$TEST_TMPDIR/$f.eml" mx.test
	clean_utf8 "$OUT"
	ok $? "$f bounce: the Markdown report is valid UTF-8 without NUL"
done

# --- hostile domains ------------------------------------------------------------------
usage() {
	run --json "$@"
	is "$rc" 64 "$name: exit 64"
	ok $([ -s "$OUT" ] && echo 1 || echo 0) "$name: nothing on stdout"
	clean_utf8 "$ERR"
	ok $? "$name: the error message is clean (no raw bytes from the input)"
}
name="invalid UTF-8 in the domain" usage $'\xff\xfe.example.com'
name="ESC in the domain" usage $'\e[31mred.example.com'
name="C1 control in the domain" usage $'\xc2\x9bred.example.com'
name="bidi override in the domain" usage $'\xe2\x80\xaemoc.example.com'
l63=$(printf 'a%.0s' $(seq 1 63))
name="300 characters of 63-byte labels" usage "$l63.$l63.$l63.$l63.$(printf 'b%.0s' $(seq 1 40)).com"
name="a 64-byte label in the middle" usage "www.${l63}x.example.com"
name="an empty label" usage "www..example.com"

# --- IPv6 in every textual form --------------------------------------------------------
# want: the normalised address in the report, and the PTR found for it.
forms=(
	"2001:db8::25|2001:db8::25|compressed"
	"2001:0db8:0000:0000:0000:0000:0000:0025|2001:db8::25|full"
	"2001:DB8::25|2001:db8::25|upper case"
	"2001:Db8:0:0::25|2001:db8::25|mixed case, partly compressed"
	"2001:db8::0.0.0.37|2001:db8::25|embedded IPv4 notation"
	"::ffff:192.0.2.10|192.0.2.10|IPv4-mapped: the IPv4 sender"
	"::FFFF:C000:020A|192.0.2.10|IPv4-mapped in hex"
)
for f in "${forms[@]}"; do
	IFS='|' read -r in want what <<<"$f"
	run --json --only ptr "${Z[@]}" v6host.mx.test "$in"
	is "$(json_get "$OUT" ip)" "$want" "IPv6 $what ($in): normalised to $want"
	is "$(json_get "$OUT" checks.ptr.status)" pass "IPv6 $what: the PTR lookup found its name"
done
for bad in 'fe80::1%eth0' 'fe80::1%25eth0' '[2001:db8::25]' '2001:db8::25/64' '2001:db8:::25' '2001:db8::25::1' \
	'2001:db8:0:0:0:0:0:0:25' '::ffff:192.0.2.999'; do
	name="IPv6 $bad rejected" usage mx.test "$bad"
done

# --- a 10 MB bounce in the TUI -----------------------------------------------------------
if command -v "$TMUX_BIN" >/dev/null 2>&1; then
	export XDG_STATE_HOME="$TEST_TMPDIR/state" XDG_CONFIG_HOME="$TEST_TMPDIR/config"
	tmux_start 100 30 "$MXAUDIT" --only mx "${Z[@]}" --bounce "$TEST_TMPDIR/big.eml" mx.test
	tmux_wait_for 'MX ─+ . (PASS|WARN)' 10
	ok $? "10 MB bounce (TUI): the audit runs"
	tmux_keys '?'
	tmux_wait_for 'mxaudit keys' 3
	ok $? "10 MB bounce (TUI): keys are answered"
	tmux_keys Escape q
else
	skip "tmux not found"
	skip "tmux not found"
fi

done_testing
