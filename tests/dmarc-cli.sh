#!/bin/bash
# dmarc-cli.sh - the DMARC check through a real Knot DNS (tests/zones/
# dmarc.test, dmarcreports.test, nodmarc.test, dkim.test): organizational
# domain fallback, external report authorization, broken and misordered
# records, multiple records, no record at all, and the alignment a receiver
# computes for a pasted signed message.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
knot_start dmarc.test dmarcreports.test nodmarc.test dkim.test ||
	{ echo "Bail out! knotd did not start"; exit 1; }
diag "knotd on $DNS_SERVER"

J="$TEST_TMPDIR/report.json"
audit() {
	timeout 60 "$MXAUDIT" --json --only dkim,dmarc --timeout 5 --dns-server "$DNS_SERVER" "$@" >"$J" \
		2>"$TEST_TMPDIR/stderr"
	rc=$?
	sanitizer_clean "$TEST_TMPDIR/stderr" "mxaudit $*"
	json_get "$J" status >/dev/null 2>&1 || diag "mxaudit $* printed no JSON (exit $rc): $(cat "$TEST_TMPDIR/stderr")"
}
# "id:status" of the DMARC findings, sorted.
ids() {
	json_eval "$J" "' '.join(sorted(f['id'] + ':' + f['status'] for f in d['checks']['dmarc']['findings']))"
}
finding() { # ID FIELD
	json_eval "$J" "[f['$2'] for f in d['checks']['dmarc']['findings'] if f['id'] == '$1'][0]"
}

# --- org-domain fallback: sub.dmarc.test has no record, dmarc.test has -----
audit sub.dmarc.test
is "$(json_get "$J" checks.dmarc.record_domain)" dmarc.test "fallback: record found at the org domain"
is "$(json_get "$J" checks.dmarc.org_domain)" dmarc.test "fallback: org_domain"
is "$(json_get "$J" checks.dmarc.policy)" reject "fallback: policy"
is "$(json_get "$J" checks.dmarc.subdomain_policy)" quarantine "fallback: subdomain_policy"
is "$(json_get "$J" checks.dmarc.alignment.applied_policy)" quarantine "fallback: sp applies to the subdomain"
is "$(json_get "$J" checks.dmarc.alignment.adkim)" s "fallback: adkim=s parsed"
like "$(ids)" "dmarc.org-domain:pass" "fallback: org-domain finding"

# --- the org domain itself ---------------------------------------------------
audit dmarc.test
is "$(json_get "$J" checks.dmarc.record_domain)" dmarc.test "apex: record at the domain"
is "$(json_get "$J" checks.dmarc.status)" pass "apex: p=reject passes"
is "$(json_get "$J" checks.dmarc.pct)" 100 "apex: pct defaults to 100"

# --- external rua: authorized and not --------------------------------------
audit authz.dmarc.test
is "$(json_get "$J" checks.dmarc.external_destinations.0.authorized)" true "authz: dmarcreports.test authorizes"
like "$(ids)" "dmarc.external-authorized:pass" "authz: finding"
like "$(ids)" "dmarc.policy-none:warn" "authz: p=none is a warning"
like "$(finding dmarc.policy-none fix)" 'v=DMARC1; p=quarantine; rua=mailto:r@dmarcreports.test' \
	"authz: the fix is the next step of the progression"
is "$(json_get "$J" checks.dmarc.status)" warn "authz: status warn"

audit unauth.dmarc.test
is "$(json_get "$J" checks.dmarc.external_destinations.0.query)" \
	unauth.dmarc.test._report._dmarc.dmarcreports.test "unauth: the authorization name queried"
is "$(json_get "$J" checks.dmarc.external_destinations.0.authorized)" false "unauth: not authorized"
like "$(ids)" "dmarc.external-unauthorized:warn" "unauth: finding"
like "$(ids)" "dmarc.pct:warn" "unauth: pct=50 is a warning"
is "$(json_get "$J" checks.dmarc.pct)" 50 "unauth: pct"
is "$(json_eval "$J" "len(d['checks']['dmarc']['external_destinations'])")" 1 \
	"unauth: the in-domain rua is not external"

# --- broken record -----------------------------------------------------------
audit broken.dmarc.test
is "$(json_get "$J" checks.dmarc.status)" fail "broken: fail"
is "$rc" 2 "broken: exit 2"
is "$(finding dmarc.bad-policy evidence)" "p=rejct" "broken: bad p quoted"
is "$(finding dmarc.bad-uri evidence)" "dmarc@dmarc.test" "broken: rua without mailto: quoted"
is "$(finding dmarc.unknown-tag evidence)" "foo=bar" "broken: unknown tag quoted"
like "$(ids)" "dmarc.bad-pct:fail" "broken: pct=200"
is "$(json_get "$J" checks.dmarc.policy)" null "broken: no usable policy"
like "$(finding dmarc.bad-policy fix)" '_dmarc.broken.dmarc.test. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@broken.dmarc.test"' \
	"broken: fix is a starter record for the operator's domain"

audit order.dmarc.test
like "$(ids)" "dmarc.discarded-record:fail" "order: v=DMARC1 not first, discarded"
like "$(finding dmarc.discarded-record message)" "does not start with v=DMARC1" "order: says why"
is "$(json_get "$J" checks.dmarc.record_domain)" dmarc.test "order: receivers fall back to the org domain"
is "$(json_get "$J" checks.dmarc.alignment.applied_policy)" quarantine "order: and apply its sp"

audit multi.dmarc.test
like "$(ids)" "dmarc.multiple-records:fail" "multi: two records"
is "$(json_get "$J" checks.dmarc.records)" 2 "multi: records counted"

# --- no record at all --------------------------------------------------------
audit nodmarc.test
is "$(json_get "$J" checks.dmarc.status)" fail "none: fail"
is "$(json_get "$J" checks.dmarc.record)" null "none: record null"
is "$(json_get "$J" checks.dmarc.record_domain)" null "none: record_domain null"
like "$(finding dmarc.missing fix)" '_dmarc.nodmarc.test. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@nodmarc.test"' \
	"none: starter record with the domain filled in"

# --- alignment from a pasted signed message (DKIM verified, d= aligned) ------
audit --bounce "$top_srcdir/tests/dkim-signed.eml" dkim.test
is "$(json_get "$J" checks.dkim.signatures.0.result)" pass "aligned: the signature verifies"
is "$(json_get "$J" checks.dmarc.alignment.dkim_aligned)" true "aligned: DKIM aligned"
is "$(json_get "$J" checks.dmarc.alignment.result)" pass "aligned: DMARC passes"

audit --bounce "$top_srcdir/tests/dkim-signed.eml" --from-domain example.com dkim.test
is "$(json_get "$J" checks.dmarc.alignment.dkim_aligned)" false "misaligned: d=dkim.test vs From example.com"

# --- a DNS server that never answers: error, never fail ----------------------
if silent_udp_start; then
	timeout 60 "$MXAUDIT" --json --only dkim,dmarc --timeout 1 --dns-server "127.0.0.1:$SILENT_PORT" \
		dmarc.test >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	is "$(json_get "$J" checks.dmarc.status)" error "timeout: dmarc error"
	is "$(json_get "$J" checks.dkim.status)" error "timeout: dkim error"
	is "$rc" 3 "timeout: exit 3"
else
	fail "silent UDP server did not start"
fi

done_testing
