#!/bin/bash
# bounce-flow.sh - end to end: a pasted bounce leads to the right first
# step, with the checks answered by a real Knot DNS on loopback serving
# tests/bounces/flow.test.zone.  Also: --rcpt on a null-MX domain fails
# step 2, a non-bounce paste leaves the audit usable, and the Markdown
# report carries the steps without raw HTML from the bounce.
. "$top_srcdir/tests/lib/testlib.sh"
KNOT_ZONE_DIR="$top_srcdir/tests/bounces"
knot_start flow.test || skip_all "knotd did not start"
plan 16
t="$TEST_TMPDIR"
run() { "$MXAUDIT" --dns-server "$DNS_SERVER" --skip tls,blocklists,ptr --timeout 3 flow.test 192.0.2.99 "$@"; }

printf '550-5.7.26 This mail is unauthenticated, which poses a security risk\n550 5.7.26 to the sender and Gmail users, and has been blocked.\n' >"$t/auth.txt"
run --json --bounce "$t/auth.txt" >"$t/auth.json"
is "$(json_get "$t/auth.json" bounce.enhanced_code)" "5.7.26" "5.7.26 decoded"
is "$(json_get "$t/auth.json" bounce.first_step)" "3" "5.7.26 -> step 3"
is "$(json_get "$t/auth.json" steps.2.status)" "fail" "step 3 fails: 192.0.2.99 is not in SPF"
is "$(json_get "$t/auth.json" checks.spf.status)" "fail" "SPF check ran against the test server"
is "$(json_get "$t/auth.json" steps.2.summary)" \
	"SPF $(json_get "$t/auth.json" checks.spf.status), DKIM $(json_get "$t/auth.json" checks.dkim.status), DMARC $(json_get "$t/auth.json" checks.dmarc.status)" \
	"step 3's summary names each of its checks with its verdict"

printf '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown\n' >"$t/rcpt.txt"
run --json --bounce "$t/rcpt.txt" >"$t/rcpt.json"
is "$(json_get "$t/rcpt.json" bounce.first_step)" "2" "5.1.1 -> step 2"
is "$(json_get "$t/rcpt.json" steps.1.status)" "fail" "step 2 fails on a 5.1.1"

printf "550 5.7.1 Unfortunately, messages from [192.0.2.99] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).\n" >"$t/rep.txt"
run --json --bounce "$t/rep.txt" >"$t/rep.json"
is "$(json_get "$t/rep.json" bounce.category)" "sender-reputation" "S3150 -> sender-reputation"
is "$(json_get "$t/rep.json" bounce.first_step)" "4" "S3150 -> step 4"

printf 'hello, no bounce here\n' >"$t/none.txt"
run --json --bounce "$t/none.txt" >"$t/none.json"
is "$(json_get "$t/none.json" bounce.error)" "no SMTP reply code found" "not a bounce: said so"
is "$(json_get "$t/none.json" checks.spf.status)" "fail" "not a bounce: the audit still ran (SPF fails for the IP)"

run --json --rcpt someone@nullmx.flow.test >"$t/null.json"
is "$(json_get "$t/null.json" steps.1.status)" "fail" "--rcpt on a null-MX domain fails step 2"

printf '550 5.7.26 <script>alert(1)</script> [x](javascript:alert) \033]52;c;aGk=\007 unauthenticated\n' >"$t/evil.txt"
run --report md --bounce "$t/evil.txt" >"$t/evil.md"
like "$(grep -c '^### Step' "$t/evil.md")" '^6$' "Markdown report has six steps"
# Outside indented code blocks (which Markdown shows literally) no tag.
ok "$(grep -v '^    ' "$t/evil.md" | grep -q '<script>'; echo $((!$?)))" "no raw HTML from the bounce in Markdown"
ok "$(grep -q '^    550 5.7.26 <script>' "$t/evil.md"; echo $?)" "the diagnostic is shown verbatim in a code block"
ok "$(grep -q $'\033' "$t/evil.md"; echo $((!$?)))" "no escape sequence from the bounce in Markdown"
done_testing
