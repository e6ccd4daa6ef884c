#!/bin/bash
# tls-mta-sts.sh - MTA-STS and TLS-RPT in the TLS check: the _mta-sts TXT
# record from a real Knot, the policy fetched over HTTPS (the same
# non-blocking probe) from a loopback web server reached with --connect-to,
# the policy's mx patterns against the MX hosts, and _smtp._tls.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/tls_pki.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
command -v openssl >/dev/null || skip_all "no openssl command"
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null || skip_all "$PYTHON has no aiosmtpd (Debian python3-aiosmtpd)"
knot_start tls.test || { echo "Bail out! knotd did not start"; exit 1; }
pki_init || { echo "Bail out! cannot make a test CA"; exit 1; }

pki_leaf mx mx.valid.tls.test
smtp_start mx --cert "$PKI/mx.pem" --key "$PKI/mx.key" || { echo "Bail out! SMTP server did not start"; exit 1; }
# One web certificate for every mta-sts name (several subjectAltNames).
PKI_EXTRA_SAN="DNS:mta-sts.stsmis.tls.test,DNS:mta-sts.sts404.tls.test" pki_leaf web mta-sts.sts.tls.test
W="$TEST_TMPDIR/www"
mkdir -p "$W/mta-sts.sts.tls.test/.well-known" "$W/mta-sts.stsmis.tls.test/.well-known"
printf 'version: STSv1\r\nmode: enforce\r\nmx: *.valid.tls.test\r\nmax_age: 604800\r\n' \
	>"$W/mta-sts.sts.tls.test/.well-known/mta-sts.txt"
printf 'version: STSv1\nmode: enforce\nmx: mx.elsewhere.example\nmax_age: 604800\n' \
	>"$W/mta-sts.stsmis.tls.test/.well-known/mta-sts.txt"
_tls_server web "$top_srcdir/tests/lib/https_server.py" "$W" "$PKI/web.pem" "$PKI/web.key" ||
	{ echo "Bail out! HTTPS server did not start"; exit 1; }
WEB=$_tls_port

J="$TEST_TMPDIR/report.json"
audit() {
	local dom=$1
	shift
	timeout 60 "$MXAUDIT" --json --only tls --timeout 3 --dns-server "$DNS_SERVER" --smtp-port "$SMTP_PORT" \
		"$@" --connect-to ":443:127.0.0.1:$WEB" "$dom" >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	json_get "$J" status >/dev/null 2>&1 || diag "no JSON (exit $rc): $(cat "$TEST_TMPDIR/stderr")"
}
ids() {
	json_eval "$J" "' '.join(sorted(set(f['id'] + ':' + f['status'] for f in d['checks']['tls']['findings'])))"
}

audit sts.tls.test --ca-file "$PKI/ca.pem"
is "$(json_get "$J" checks.tls.status)" pass "policy: pass"
is "$(json_get "$J" checks.tls.mta_sts.id)" 20240101T000000 "policy: id from the TXT record"
is "$(json_get "$J" checks.tls.mta_sts.http_status)" 200 "policy: fetched over HTTPS"
is "$(json_get "$J" checks.tls.mta_sts.cert_valid)" true "policy: web certificate valid"
is "$(json_get "$J" checks.tls.mta_sts.mode)" enforce "policy: mode"
is "$(json_get "$J" checks.tls.mta_sts.max_age)" 604800 "policy: max_age"
is "$(json_get "$J" checks.tls.mta_sts.mx)" '["*.valid.tls.test"]' "policy: mx patterns"
like "$(ids)" "tls.mta-sts-ok:pass" "policy: tls.mta-sts-ok (the wildcard covers the MX)"
is "$(json_get "$J" checks.tls.tls_rpt.rua)" '["mailto:tlsrpt@sts.tls.test"]' "TLS-RPT: rua"
like "$(ids)" "tls.tlsrpt-ok:pass" "TLS-RPT: tls.tlsrpt-ok"
is "$(json_get "$J" checks.tls.hosts.0.cert_valid)" true "the MX itself still probed"

# Without the CA the web certificate does not verify: the policy is void.
audit sts.tls.test
like "$(ids)" "tls.mta-sts-cert-invalid:fail" "policy over an untrusted certificate: fail"

# Enforce + an MX certificate problem: the warning becomes a fail.
pki_leaf other mx.other.example
MXPORT=$SMTP_PORT
smtp_start other --cert "$PKI/other.pem" --key "$PKI/other.key"
audit sts.tls.test --ca-file "$PKI/ca.pem"
like "$(ids)" "tls.cert-name-mismatch:fail" "enforce: a wrong MX certificate name is a fail"
SMTP_PORT=$MXPORT

audit stsmis.tls.test --ca-file "$PKI/ca.pem"
is "$(json_get "$J" checks.tls.status)" fail "policy without the MX: fail"
like "$(ids)" "tls.mta-sts-mx-mismatch:fail" "policy without the MX: tls.mta-sts-mx-mismatch"
like "$(ids)" "tls.tlsrpt-none:warn" "MTA-STS without TLS-RPT: warn"

audit sts404.tls.test --ca-file "$PKI/ca.pem"
is "$(json_get "$J" checks.tls.mta_sts.http_status)" 404 "no policy file: 404"
like "$(ids)" "tls.mta-sts-http-status:fail" "no policy file: fail"
like "$(ids)" "tls.tlsrpt-invalid:warn" "TLS-RPT without rua: warn"

audit ststxt.tls.test --ca-file "$PKI/ca.pem"
like "$(ids)" "tls.mta-sts-txt-invalid:fail" "bad id in the TXT record: fail"

# The web server gone: an error, not a fail.
audit sts.tls.test --ca-file "$PKI/ca.pem" --connect-to ":443:127.0.0.1:1"
like "$(ids)" "tls.mta-sts-fetch-failed:error" "policy server unreachable: error"

audit valid.tls.test --ca-file "$PKI/ca.pem"
like "$(ids)" "tls.mta-sts-none:pass" "no MTA-STS: pass (optional)"
is "$(json_get "$J" checks.tls.mta_sts.record)" null "no MTA-STS: record null"

done_testing
