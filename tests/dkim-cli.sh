#!/bin/bash
# dkim-cli.sh - the DKIM check through a real Knot DNS (tests/zones/
# dkim.test): key sizes (2048, 1024, 512), a revoked key, Ed25519 in testing
# mode, a CNAME'd selector found by the built-in probes, a broken record, a
# missing selector, no key at all, and verification of pasted messages.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
knot_start dkim.test || { echo "Bail out! knotd did not start"; exit 1; }
diag "knotd on $DNS_SERVER"

J="$TEST_TMPDIR/report.json"
audit() {
	timeout 60 "$MXAUDIT" --json --only dkim --timeout 5 --dns-server "$DNS_SERVER" "$@" >"$J" \
		2>"$TEST_TMPDIR/stderr"
	rc=$?
	sanitizer_clean "$TEST_TMPDIR/stderr" "mxaudit $*"
	json_get "$J" status >/dev/null 2>&1 || diag "mxaudit $* printed no JSON (exit $rc): $(cat "$TEST_TMPDIR/stderr")"
}
sel() { # SELECTOR FIELD
	json_eval "$J" "[s['$2'] for s in d['checks']['dkim']['selectors'] if s['selector'] == '$1'][0]"
}
ids() {
	json_eval "$J" "' '.join(sorted(f['id'] + ':' + f['status'] for f in d['checks']['dkim']['findings']))"
}

audit --selector good --selector weak --selector tiny --selector old --selector ed --selector broken \
	--selector missing dkim.test
is "$(sel good key_bits)" 2048 "good: 2048 bits"
is "$(sel good key_type)" rsa "good: rsa"
is "$(sel good status)" pass "good: pass"
like "$(sel good record)" '^v=DKIM1; k=rsa; p=MIIBIjAN.*IDAQAB$' "good: the two TXT strings joined"
is "$(sel weak key_bits)" 1024 "weak: 1024 bits"
is "$(sel weak status)" warn "weak: warn"
is "$(sel tiny key_bits)" 512 "tiny: 512 bits"
is "$(sel tiny status)" fail "tiny: fail"
is "$(sel old revoked)" true "old: revoked"
is "$(sel old status)" fail "old: a given selector that is revoked fails"
is "$(sel ed key_type)" ed25519 "ed: ed25519"
is "$(sel ed testing)" true "ed: t=y"
is "$(sel ed status)" warn "ed: testing mode warns"
is "$(sel broken status)" fail "broken: fail"
like "$(ids)" "dkim.bad-key:fail" "broken: key does not decode"
like "$(ids)" "dkim.syntax:fail" "broken: stray tag"
is "$(sel missing dns)" NXDOMAIN "missing: NXDOMAIN"
like "$(ids)" "dkim.selector-missing:fail" "missing: a given selector with no key fails"
# Found by the built-in probes: selector1, delegated by CNAME.
is "$(sel selector1 source)" probe "cname: selector1 found by probing"
is "$(sel selector1 cname)" '["selector1-dkim-test._domainkey.esp.dkim.test"]' "cname: chain reported"
is "$(sel selector1 key_bits)" 2048 "cname: key read through the CNAME"
like "$(ids)" "dkim.cname:pass" "cname: finding"
# Probed selectors that do not exist are not listed.
is "$(json_eval "$J" "len(d['checks']['dkim']['selectors'])")" 8 "only existing or given selectors are listed"
like "$(json_get "$J" checks.dkim.summary)" '^7 selectors found \([0-9]+ looked up\)' "summary counts the lookups"
is "$rc" 2 "exit 2 (fail)"

# --- no key under any selector -------------------------------------------------
audit nokeys.dkim.test
is "$(json_get "$J" checks.dkim.selectors)" "[]" "nokeys: nothing listed"
like "$(ids)" "dkim.no-selector-found:warn" "nokeys: warn, asks for --selector"

# --- a pasted message ---------------------------------------------------------
audit --bounce "$top_srcdir/tests/dkim-signed.eml" dkim.test
is "$(json_get "$J" checks.dkim.message)" verified "message: verified"
is "$(json_get "$J" checks.dkim.signatures.0.result)" pass "message: signature passes"
is "$(sel good source)" signature "message: selector taken from the signature"

sed 's/signed by dkim.test/signed by someone else/' "$top_srcdir/tests/dkim-signed.eml" >"$TEST_TMPDIR/tampered.eml"
audit --bounce "$TEST_TMPDIR/tampered.eml" dkim.test
is "$(json_get "$J" checks.dkim.signatures.0.result)" fail "tampered: fails"
like "$(json_get "$J" checks.dkim.signatures.0.reason)" "body hash mismatch" "tampered: reason"

sed 's/^ t=1704110400; h=/ t=1704110400; h=/; s/s=good;/s=weak;/' "$top_srcdir/tests/dkim-signed.eml" \
	>"$TEST_TMPDIR/wrongkey.eml"
audit --bounce "$TEST_TMPDIR/wrongkey.eml" dkim.test
is "$(json_get "$J" checks.dkim.signatures.0.result)" fail "wrong selector: fails"

printf 'Hi, my mail to bob bounced, what is wrong?\n' >"$TEST_TMPDIR/notmsg.txt"
audit --bounce "$TEST_TMPDIR/notmsg.txt" dkim.test
is "$(json_get "$J" checks.dkim.message)" not-a-message "not a message: said so"
like "$(ids)" "dkim.not-a-message:skip" "not a message: finding"

done_testing
