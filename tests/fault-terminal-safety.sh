#!/bin/bash
# fault-terminal-safety.sh - hostile text must never drive the operator's
# terminal or reach a report raw (issue 9).  Knot serves SPF, DMARC and DKIM
# TXT records and a PTR name (tests/zones/fault-esc.test.zone,
# tests/zones/66.113.0.203.in-addr.arpa.zone), and a scripted SMTP peer
# (tests/lib/bad_smtp_peer.py hostile) greets with a banner, all carrying
# ESC sequences (colour, clear screen, cursor moves, OSC 52 clipboard write,
# OSC 0 title change), a C1 control (U+009B, UTF-8) and a bidi override
# (U+202E).  The TUI in tmux must show them escaped (\x1B, \u{202E}) with
# the window title and the clipboard untouched; the Markdown and JSON
# reports must hold no raw ESC/BEL/C1/bidi byte, and the JSON must decode
# back to the exact original strings.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/tls_pki.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
knot_start fault-esc.test 66.113.0.203.in-addr.arpa || { echo "Bail out! knotd did not start"; exit 1; }
bad_peer_start hostile || { echo "Bail out! the hostile SMTP peer did not start"; exit 1; }

ARGS=(--selector sel --skip blocklists --timeout 3 --dns-server "$DNS_SERVER" --smtp-port "$BAD_PORT"
	fault-esc.test 203.0.113.66)
J="$TEST_TMPDIR/report.json"
MD="$TEST_TMPDIR/report.md"

# raw_bytes FILE: list the dangerous raw characters in FILE (empty = clean).
raw_bytes() {
	"$PYTHON" - "$1" <<'EOF'
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bad = re.findall(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffd]", t)
print(" ".join(sorted(set("U+%04X" % ord(c) for c in bad))))
EOF
}

# --- JSON -----------------------------------------------------------------------
timeout 60 "$MXAUDIT" --json "${ARGS[@]}" >"$J" 2>"$TEST_TMPDIR/stderr"
rc=$?
is "$rc" 2 "JSON: the audit ran (exit 2: the hostile records fail)"
is "$(raw_bytes "$J")" "" "JSON: no raw ESC, BEL, C1 or bidi character in the text"
grep -q '\\u001b' "$J"
ok $? "JSON: ESC is written as \\u001b"
grep -qi '\\u202e' "$J"
ok $? "JSON: U+202E is written as \\u202e"
grep -qi '\\u009b' "$J"
ok $? "JSON: U+009B is written as \\u009b"
"$PYTHON" - "$J" >"$TEST_TMPDIR/roundtrip" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
mix = ("\x1b[31;1mRED\x1b[0m \x1b[2J\x1b[H\x1b[10;10H \x1b]52;c;ZXZpbA==\x07 "
       "\x1b]0;pwned-title\x07 \u009b31m \u202egnp.exe")
checks = [
    ("spf.record", d["checks"]["spf"]["record"], "v=spf1 ip4:203.0.113.66 -all EVILSPF" + mix),
    ("dmarc.record", d["checks"]["dmarc"]["record"], "v=DMARC1; p=reject; evil=EVILDMARC" + mix),
    ("dkim record", d["checks"]["dkim"]["selectors"][0]["record"].split("; p=")[0], "v=DKIM1; k=rsa; n=EVILDKIM" + mix),
    ("tls banner", d["checks"]["tls"]["hosts"][0]["transcript"][2], "S: 220-mx.tls.test EVIL-BANNER " + mix),
    ("tls EHLO", d["checks"]["tls"]["hosts"][0]["transcript"][5], "S: 250-mx.tls.test EVIL-EHLO " + mix),
]
n = 0
for name, got, want in checks:
    n += 1
    if got == want:
        print("ok - JSON round-trips the %s exactly" % name)
    else:
        print("not ok - JSON round-trips the %s exactly\n#  got: %r\n# want: %r" % (name, got, want))
EOF
while IFS= read -r line; do
	case $line in
	"ok - "*) pass "${line#ok - }" ;;
	"not ok - "*) fail "${line#not ok - }" ;;
	*) echo "$line" ;;
	esac
done <"$TEST_TMPDIR/roundtrip"
is "$(grep -c '^ok - \|^not ok - ' "$TEST_TMPDIR/roundtrip")" 5 "JSON: the five strings were compared"

# --- Markdown ---------------------------------------------------------------------
timeout 60 "$MXAUDIT" --report md "${ARGS[@]}" >"$MD" 2>"$TEST_TMPDIR/stderr"
is "$?" 2 "Markdown: the audit ran"
is "$(raw_bytes "$MD")" "" "Markdown: no raw ESC, BEL, C1 or bidi character"
for m in EVILSPF EVILDMARC evilptr; do
	grep -q "$m" "$MD"
	ok $? "Markdown: the $m text is there"
done
grep -qF '\\x1B\[2J' "$MD"
ok $? "Markdown: a clear-screen sequence is shown as \\x1B[2J (Markdown-escaped)"
grep -qF '\u{202E}' "$MD"
ok $? "Markdown: the bidi override is shown as \\u{202E}"

# --- the TUI in tmux ----------------------------------------------------------------
command -v "$TMUX_BIN" >/dev/null 2>&1 || { skip "tmux not found"; done_testing; }
export XDG_STATE_HOME="$TEST_TMPDIR/state" XDG_CONFIG_HOME="$TEST_TMPDIR/config"
# mxaudit starts a second after tmux, so that the clipboard option is set
# first: with set-clipboard on, an OSC 52 write would land in a tmux buffer.
tmux_start 160 50 sh -c 'sleep 1; exec "$0" "$@"' "$MXAUDIT" "${ARGS[@]}"
_tl_tmux set-option -g set-clipboard on
tmux_wait_for 'TLS ─+ . FAIL' 20
ok $? "TUI: the audit finished"
sleep 0.5
screen=$(tmux_screen)
for m in EVILSPF EVILDMARC EVILDKIM evilptr EVIL-BANNER EVIL-EHLO; do
	grep -q -- "$m" <<<"$screen"
	ok $? "TUI: the $m text is on the screen"
done
grep -qF '\x1B[2J\x1B[H\x1B[10;10H' <<<"$screen"
ok $? "TUI: clear screen and cursor moves are shown as \\x1B..., not done"
grep -qF '\x1B]52;c;ZXZpbA==\x07' <<<"$screen"
ok $? "TUI: the OSC 52 clipboard write is shown escaped"
grep -qF '\u{009B}31m \u{202E}gnp.exe' <<<"$screen"
ok $? "TUI: the C1 CSI and the bidi override are shown as \\u{...}"
printf '%s\n' "$screen" >"$TEST_TMPDIR/screen.txt"
is "$(raw_bytes "$TEST_TMPDIR/screen.txt")" "" "TUI: no raw control, C1 or bidi character on the screen"
like "$(head -n 1 "$TEST_TMPDIR/screen.txt")" 'mxaudit · fault-esc\.test 203\.0\.113\.66' \
	"TUI: the header is still on the first line (the screen was not cleared or scrolled)"
like "$(tail -n 1 "$TEST_TMPDIR/screen.txt")" 'q quit' "TUI: the status bar is still on the last line"
_tl_tmux capture-pane -e -p -t "$_tl_tmux_target" >"$TEST_TMPDIR/screen-e.txt"
is "$("$PYTHON" -c '
import re, sys
t = open(sys.argv[1], encoding="utf-8", errors="replace").read()
print(" ".join(sorted(set(repr(s) for s in re.findall(r"\x1b[^a-zA-Z]*[a-zA-Z]?", t) if not re.fullmatch(r"\x1b\[[0-9;:]*m", s)))))
' "$TEST_TMPDIR/screen-e.txt")" "" "TUI: capture-pane -e holds only colour attributes (no OSC, no cursor move)"
title=$(_tl_tmux display-message -p -t "$_tl_tmux_target" '#{pane_title}')
[[ $title != *pwned* ]]
ok $? "TUI: the pane title was not changed (it is '$title')"
is "$(_tl_tmux list-buffers 2>/dev/null)" "" "TUI: no clipboard write (no tmux paste buffer)"
# A detail view shows the record in full: still escaped.
tmux_keys Enter
tmux_wait_for 'SPF detail' 5
ok $? "TUI: the SPF detail opens"
printf '%s\n' "$(tmux_screen)" >"$TEST_TMPDIR/detail.txt"
grep -q 'EVILSPF\\x1B\[31;1mRED' "$TEST_TMPDIR/detail.txt"
ok $? "TUI detail: the record is shown escaped"
is "$(raw_bytes "$TEST_TMPDIR/detail.txt")" "" "TUI detail: no raw control, C1 or bidi character"
tmux_keys Escape q

done_testing
