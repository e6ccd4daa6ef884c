#!/bin/bash
# report-md.sh - the Markdown report (--report md) carries the evidence a mail
# admin pastes into a ticket: the DKIM selectors (record or why none, key
# type and size, testing and revoked flags), each probed address's STARTTLS
# verdict and SMTP transcript in a fenced code block, the SPF trace and where
# the DMARC record was found.  Real data: Knot serving
# tests/zones/report-md.test.zone and tests/zones/dkim.test.zone, aiosmtpd
# with a certificate from a throw-away CA.  Hostile data: a DKIM record that
# is nothing but ``` and one with ESC sequences, a longer backtick run and
# HTML; an SMTP peer whose banner carries the same and a line of ```.  They
# must come out escaped, inside their code blocks, without closing any fence
# early (checked with a CommonMark fence parser here, and with cmark-gfm,
# GitHub's renderer, when it is installed).
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/tls_pki.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
command -v openssl >/dev/null || skip_all "no openssl command"
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null || skip_all "$PYTHON has no aiosmtpd (Debian python3-aiosmtpd)"
knot_start report-md.test dkim.test || { echo "Bail out! knotd did not start"; exit 1; }
pki_init || { echo "Bail out! cannot make a test CA"; exit 1; }

T=$TEST_TMPDIR
NET=(--timeout 3 --dns-server "$DNS_SERVER")

# run OUT ARGS...: mxaudit, bounded; exit status in $rc.
run() {
	local out=$1
	shift
	timeout 60 "$MXAUDIT" "$@" >"$out" 2>"$T/stderr"
	rc=$?
	[ -s "$T/stderr" ] && diag "stderr: $(head -c 2000 "$T/stderr")"
	cat "$T/stderr" >>"$T/all-stderr"
	return 0
}

# The Python side: a CommonMark fence parser (backtick fences, 4.5 of the
# spec) and sanitize_text() (checks/sanitize.c) to predict the escaped text.
cat >"$T/mdlib.py" <<'EOF'
import json, re, sys

def san(s):
    out = []
    for ch in s:
        c = ord(ch)
        if 0x20 <= c < 0x7F:
            out.append(ch)
        elif ch == "\t":
            out.append("\\t")
        elif c < 0x80:
            out.append("\\x%02X" % c)
        elif (0x80 <= c <= 0x9F or c == 0xAD or c == 0x061C or 0x200B <= c <= 0x200F or 0x2028 <= c <= 0x202E
              or 0x2060 <= c <= 0x2069 or c == 0xFEFF or 0xFFF9 <= c <= 0xFFFB):
            out.append("\\u{%04X}" % c)
        else:
            out.append(ch)
    return "".join(out)

def blocks(md):
    """Fenced code blocks: dicts with start (line index), fence (length),
    lines, closed, end (index of the closing fence)."""
    out, cur = [], None
    lines = md.split("\n")
    for i, l in enumerate(lines):
        if cur is None:
            m = re.match(r"^ {0,3}(`{3,})([^`]*)$", l)
            if m:
                cur = {"start": i, "fence": len(m.group(1)), "lines": [], "closed": False, "end": None}
        elif re.match(r"^ {0,3}`{%d,}[ \t]*$" % cur["fence"], l):
            cur["closed"], cur["end"] = True, i
            out.append(cur)
            cur = None
        else:
            cur["lines"].append(l)
    if cur:
        out.append(cur)
    return out, lines

def outside(md):
    """The lines of md outside fenced and indented code blocks."""
    bl, lines = blocks(md)
    inside = set()
    for b in bl:
        inside.update(range(b["start"], (b["end"] if b["closed"] else len(lines) - 1) + 1))
    return [l for i, l in enumerate(lines) if i not in inside and not l.startswith("    ")]

def block_with(md, text):
    for b in blocks(md)[0]:
        if any(text in l for l in b["lines"]):
            return b
    return None

def digits(l):
    return re.sub(r"[0-9]+", "N", l)

n = 0
def check(cond, name, got=None, want=None):
    global n
    n += 1
    if cond:
        print("ok - " + name)
    else:
        print("not ok - " + name)
        if got is not None or want is not None:
            print("#  got: %r\n# want: %r" % (got, want))
EOF

# py NAME SCRIPT ARGS...: run a check script (after mdlib.py) and turn its
# "ok - " / "not ok - " lines into TAP through the library.
py() {
	local name=$1 script=$2
	shift 2
	{ cat "$T/mdlib.py"; printf '%s\n' "$script"; } >"$T/$name.py"
	timeout 60 "$PYTHON" "$T/$name.py" "$@" >"$T/$name.out" 2>&1 || fail "$name: the checker ran ($(tail -n 3 "$T/$name.out"))"
	while IFS= read -r line; do
		case $line in
		"ok - "*) pass "${line#ok - }" ;;
		"not ok - "*) fail "${line#not ok - }" ;;
		"#"*) diag "${line#\#}" ;;
		esac
	done <"$T/$name.out"
}

# --- a real STARTTLS server: verdict, certificate, transcript ----------------------
pki_leaf ok mx.ok.report-md.test || { echo "Bail out! cannot make a certificate"; exit 1; }
smtp_start ok --cert "$PKI/ok.pem" --key "$PKI/ok.key" --name mx.ok.report-md.test ||
	{ echo "Bail out! SMTP server did not start"; exit 1; }
OK=(--only tls "${NET[@]}" --smtp-port "$SMTP_PORT" --ca-file "$PKI/ca.pem" ok.report-md.test)
run "$T/ok.md" --report md "${OK[@]}"
is "$rc" 0 "STARTTLS: the Markdown run passes"
run "$T/ok.json" --json "${OK[@]}"
is "$rc" 0 "STARTTLS: the JSON run passes"
py starttls '
md, d = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
h = d["checks"]["tls"]["hosts"][0]
check("\n#### SMTP STARTTLS probes\n" in md, "STARTTLS: the probes section is there")
head = "**mx.ok.report-md.test \\[127.0.0.1\\] port %d** (MX preference 10)" % h["port"]
check(head in md.split("\n"), "STARTTLS: a heading names the host, address and port", None, head)
want = "- **Verdict:** STARTTLS works: %s, %s; the certificate is valid for the host name" % (
    h["tls_version"], h["cipher"].replace("_", "\\_"))
check(want in md.split("\n"), "STARTTLS: the verdict line gives the version and cipher from the probe", None, want)
for label, val in (("Certificate subject", h["subject"]), ("Certificate issuer", h["issuer"]),
                   ("Certificate key", "%s, %d bits" % (h["key_type"], h["key_bits"]))):
    line = "- **%s:** %s" % (label, val)
    check(line in md.split("\n"), "STARTTLS: " + label, None, line)
check("- **Chain verifies / name matches / self-signed:** yes / yes / no" in md.split("\n"),
      "STARTTLS: chain, name and self-signed flags")
b = block_with(md, "C: STARTTLS")
check(b is not None and b["closed"], "STARTTLS: the transcript is in a closed fenced code block")
if b:
    got = [digits(l) for l in b["lines"]]
    want = [digits(san(l)) for l in h["transcript"]]
    check(got == want and len(want) > 10, "STARTTLS: the block holds the whole transcript of the JSON report, line for line",
          got, want)
    lines = md.split("\n")
    check(lines[b["start"] - 2] == "<summary>SMTP transcript (%d lines)</summary>" % len(h["transcript"])
          and lines[b["start"] - 3] == "<details>" and lines[b["end"] + 2] == "</details>",
          "STARTTLS: the transcript is folded in <details> with its line count", lines[b["start"] - 3:b["end"] + 3])
' "$T/ok.md" "$T/ok.json"

# --- DKIM selectors from a real zone --------------------------------------------------
DK=(--only dkim "${NET[@]}" --selector good --selector weak --selector old --selector ed --selector missing dkim.test)
run "$T/dkim.md" --report md "${DK[@]}"
is "$rc" 2 "DKIM: the audit ran (exit 2: a revoked and a missing selector fail)"
run "$T/dkim.json" --json "${DK[@]}"
py dkim '
md, d = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
lines = md.split("\n")
check("#### DKIM selectors" in lines, "DKIM: the selectors section is there")
rows = {
    "good": "| given | PASS | NOERROR | rsa, 2048 bits | no | no |",
    "weak": "| given | WARN | NOERROR | rsa, 1024 bits | no | no |",
    "old": "| given | FAIL | NOERROR | none (revoked) | no | yes |",
    "ed": "| given | WARN | NOERROR | ed25519, 256 bits | yes | no |",
    "missing": "| given | FAIL | NXDOMAIN | no record | - | - |",
    "selector1": "| probe | PASS | NOERROR | rsa, 2048 bits | no | no |",
}
for sel, rest in rows.items():
    want = "| %s.\\_domainkey.dkim.test %s" % (sel, rest)
    check(want in lines, "DKIM: table row for selector %s" % sel, [l for l in lines if l.startswith("| %s." % sel)], want)
b = block_with(md, "good._domainkey.dkim.test")
check(b is not None and b["closed"], "DKIM: the key records are in a closed fenced code block")
recs = {s["selector"]: s["record"] for s in d["checks"]["dkim"]["selectors"]}
if b:
    for sel in ("good", "weak", "old", "ed", "selector1"):
        i = b["lines"].index("%s._domainkey.dkim.test" % sel) if "%s._domainkey.dkim.test" % sel in b["lines"] else -1
        after = b["lines"][i + 1:i + 3] if i >= 0 else []
        check(recs[sel] and "  " + recs[sel] in after, "DKIM: the record of %s is shown as published" % sel, after, recs[sel])
    check("  CNAME -> selector1-dkim-test._domainkey.esp.dkim.test" in b["lines"], "DKIM: the CNAME of selector1 is shown")
    i = b["lines"].index("missing._domainkey.dkim.test") if "missing._domainkey.dkim.test" in b["lines"] else -1
    check(i >= 0 and b["lines"][i + 1] == "  (no record: the name does not exist (NXDOMAIN))",
          "DKIM: the missing selector says why there is no record", b["lines"][i + 1:i + 2])
' "$T/dkim.md" "$T/dkim.json"

# --- hostile records and banner ---------------------------------------------------------
# A peer (tests/lib/bad_smtp_peer.py hostile-md) whose greeting and EHLO reply carry ESC sequences, a
# BEL (the end of an OSC title change), lines of backticks and HTML.
bad_peer_start hostile-md || { echo "Bail out! the hostile SMTP peer did not start"; exit 1; }
HP=$BAD_PORT
HO=(--skip ptr,blocklists "${NET[@]}" --smtp-port "$HP" --selector evil --selector fence hostile.report-md.test
	198.51.100.99)
run "$T/h.md" --report md "${HO[@]}"
is "$rc" 2 "hostile: the audit ran (exit 2: SPF and the DKIM records fail)"
run "$T/h.json" --json "${HO[@]}"
is "$("$PYTHON" - "$T/h.md" <<'EOF'
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bad = re.findall(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffd]", t)
print(" ".join(sorted(set("U+%04X" % ord(c) for c in bad))))
EOF
)" "" "hostile: no raw ESC, BEL or other control character in the Markdown"
py hostile '
md, d = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
lines = md.split("\n")
bl = blocks(md)[0]
check(bl and all(b["closed"] for b in bl), "hostile: every fenced code block is closed", [b["start"] for b in bl if not b["closed"]])

# DKIM: the record that is only ``` and the one with ESC, ````` and HTML.
sels = {s["selector"]: s for s in d["checks"]["dkim"]["selectors"]}
evil, fence = sels["evil"]["record"], sels["fence"]["record"]
check(fence == "```" and "\x1b[2J" in evil and "`````" in evil, "hostile: the JSON carries the raw records (the test data is right)")
b = block_with(md, "evil._domainkey.hostile.report-md.test")
check(b is not None and b["closed"] and b["fence"] > 5, "hostile: the DKIM records block opens with a fence longer than any backtick run",
      b and b["fence"])
if b:
    want = ["evil._domainkey.hostile.report-md.test", "  " + san(evil), "fence._domainkey.hostile.report-md.test", "  ```"]
    check(b["lines"] == want, "hostile: both records are inside it, escaped, the ``` line included", b["lines"], want)
    check("\\x1B[2J\\x1B[H\\x1B]0;pwned-title\\x07" in b["lines"][1], "hostile: ESC and BEL are shown as \\x1B and \\x07")
    nxt = [l for l in lines[b["end"] + 1:] if l.strip()][0]
    check(nxt.startswith("### DMARC - "), "hostile: after the records the report goes on with the DMARC check", nxt)

# TLS: the transcript of the hostile banner.
h = d["checks"]["tls"]["hosts"][0]
check(any(l == "S: 220-```" for l in h["transcript"]) and any("\x1b" in l for l in h["transcript"]),
      "hostile: the JSON transcript has the ``` line and raw ESC (the test data is right)")
b = block_with(md, "EVIL-MD-BANNER")
check(b is not None and b["closed"] and b["fence"] == 6, "hostile: the transcript is in a closed block with a six-backtick fence",
      b and b["fence"])
if b:
    want = [san(l) for l in h["transcript"]]
    check(b["lines"] == want, "hostile: the block holds the transcript line for line, escaped", b["lines"], want)
    check("S: 220-```" in b["lines"] and "S: 250-```" in b["lines"], "hostile: the ``` lines of the banner and EHLO reply are inside")
    check(lines[b["end"] + 2] == "</details>", "hostile: the block ends where the report closes it", lines[b["end"]:b["end"] + 3])
    check(any("Verdict:** no STARTTLS" in l for l in lines[:b["start"]]), "hostile: the verdict line says no STARTTLS")

# SPF trace with a backtick modifier; DMARC found at the organizational domain.
b = block_with(md, "x-note=```EVILSPF")
check(b is not None and b["closed"] and b["fence"] == 4, "hostile: the SPF trace is in a closed block with a four-backtick fence")
if b:
    want = "hostile.report-md.test: v=spf1 ip4:198.51.100.67 x-note=```EVILSPF -all  -> fail"
    check(b["lines"][0] == want, "hostile: the SPF trace starts with the record and its result", b["lines"][0], want)
    check(len(b["lines"]) == sum(1 + len(t["queries"]) for t in d["checks"]["spf"]["trace"]),
          "hostile: the SPF trace has every step and query of the JSON trace")
for want in ("- **Record found at:** \\_dmarc.report-md.test", "- **Organizational domain:** report-md.test",
             "- **Policy:** p=quarantine, sp=quarantine, pct=100"):
    check(want in lines, "hostile: DMARC evidence: " + want.split(":**")[0][4:])

# Outside code blocks: no HTML from outside, <details> balanced, all headings.
out = outside(md)
check(not any("<script>" in l for l in out), "hostile: no raw <script> outside code blocks")
check(out.count("<details>") == out.count("</details>") == 2, "hostile: two <details> blocks, each closed once",
      (out.count("<details>"), out.count("</details>")))
check(len([l for l in out if l.startswith("### ")]) == 13, "hostile: all six steps and seven checks are headings")
' "$T/h.md" "$T/h.json"

if command -v cmark-gfm >/dev/null 2>&1; then
	# GitHub's renderer, raw HTML allowed: a fence closed early would let
	# the <script> and </details> of the hostile text through as HTML.
	timeout 30 cmark-gfm --unsafe -e table "$T/h.md" >"$T/h.html"
	ok $? "cmark-gfm renders the hostile report"
	! grep -q '<script>' "$T/h.html"
	ok $? "cmark-gfm: no <script> element, only escaped text"
	is "$(grep -c '^</details>$' "$T/h.html")" 2 "cmark-gfm: exactly the report's own two </details>"
	is "$(grep -c '<h3>' "$T/h.html")" 13 "cmark-gfm: all 13 step and check headings survive"
	grep -q 'S: 220-````` &lt;/details&gt; &lt;script&gt;alert(1)&lt;/script&gt;' "$T/h.html"
	ok $? "cmark-gfm: the hostile banner line is shown as text"
else
	skip "cmark-gfm not installed (Debian cmark-gfm): rendering not checked"
fi

# --- the built-in demo: every evidence section ---------------------------------------------
run "$T/demo.md" --report md --demo --skip tls
is "$rc" 2 "demo: the Markdown report is written"
is "$(grep '^#### ' "$T/demo.md" | tr '\n' '|')" \
	"#### SPF evidence|#### DKIM selectors|#### DMARC evidence|#### PTR evidence|#### MX evidence|#### Blocklist queries|" \
	"demo: an evidence section for every check that ran"
grep -qxF '| old.\_domainkey.demo.example | signature | FAIL | NOERROR | none (revoked) | no | yes |' "$T/demo.md"
ok $? "demo: the revoked selector from the bounce's signature is in the DKIM table"

# Under --enable-sanitizers a report would be on stderr.
is "$(grep -cE 'AddressSanitizer|LeakSanitizer|runtime error' "$T/all-stderr")" 0 "no sanitizer report from any run"

done_testing
