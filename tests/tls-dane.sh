#!/bin/bash
# tls-dane.sh - DANE in the TLS check: TLSA records at _25._tcp.<mx>, served
# by a real Knot (added at run time with knotc, since they hash keys made
# here), verified by OpenSSL against the chain a real SMTP server presents.
# DANE-EE 3 1 1 matching, DANE-TA 2 0 1 matching the CA, and a record that
# matches nothing.  Knot serves the zone unsigned, so the resolver sets no
# AD bit: the report must say the records are not DNSSEC-validated.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/tls_pki.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
command -v openssl >/dev/null || skip_all "no openssl command"
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null || skip_all "$PYTHON has no aiosmtpd (Debian python3-aiosmtpd)"
KNOTC=${KNOTD%knotd}knotc
[ -x "$KNOTC" ] || KNOTC=knotc
knot_start tls.test || { echo "Bail out! knotd did not start"; exit 1; }
pki_init || { echo "Bail out! cannot make a test CA"; exit 1; }

J="$TEST_TMPDIR/report.json"
audit() {
	local dom=$1 port=$2
	shift 2
	timeout 60 "$MXAUDIT" --json --only tls --timeout 3 --dns-server "$DNS_SERVER" \
		--smtp-port "$port" "$@" "$dom" >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	json_get "$J" status >/dev/null 2>&1 || diag "no JSON (exit $rc): $(cat "$TEST_TMPDIR/stderr")"
}
ids() {
	json_eval "$J" "' '.join(sorted(set(f['id'] + ':' + f['status'] for f in d['checks']['tls']['findings'])))"
}
field() { json_get "$J" "checks.tls.hosts.$1.$2"; }

# One key for all three names, so one server serves them.
pki_leaf ok mx.dane-ok.tls.test
smtp_start dane --cert "$PKI/ok.pem" --key "$PKI/ok.key" || { echo "Bail out! SMTP server did not start"; exit 1; }
spki=$(pki_spki_sha256 ok)
like "$spki" '^[0-9a-f]{64}$' "the SPKI SHA-256 of the server key (computed with openssl)"
ca_sha=$(openssl x509 -in "$PKI/ca.pem" -outform DER | openssl dgst -sha256 -hex | sed 's/^.*= *//')
wrong=$(printf '%s' "$spki" | tr '0-9a-f' '1-9a-f0')

kc() { "$KNOTC" -s "$KNOT_DIR/run/knot.sock" "$@" >>"$TEST_TMPDIR/knotc.log" 2>&1; }
kc zone-begin tls.test &&
	kc zone-set tls.test _25._tcp.mx.dane-ok 300 TLSA 3 1 1 "$spki" &&
	kc zone-set tls.test _25._tcp.mx.dane-ta 300 TLSA 2 0 1 "$ca_sha" &&
	kc zone-set tls.test _25._tcp.mx.dane-bad 300 TLSA 3 1 1 "$wrong" &&
	kc zone-commit tls.test
ok $? "TLSA records added to the running Knot" || diag "$(cat "$TEST_TMPDIR/knotc.log")"

# --- DANE-EE matching the server's key -------------------------------------------
audit dane-ok.tls.test "$SMTP_PORT" --ca-file "$PKI/ca.pem"
is "$(field 0 dane.records)" 1 "3 1 1: one TLSA record"
is "$(field 0 dane.tlsa)" "[\"3 1 1 $spki\"]" "3 1 1: the record as published"
is "$(field 0 dane.usable)" 1 "3 1 1: usable by OpenSSL"
is "$(field 0 dane.matched)" true "3 1 1: matched"
like "$(field 0 dane.detail)" "TLSA 3 1 1 matched .* depth 0" "3 1 1: at depth 0"
is "$(field 0 dane.authenticated)" false "3 1 1: no AD bit from an unsigned zone"
like "$(ids)" "tls.dane-match:pass" "3 1 1: tls.dane-match"
like "$(ids)" "tls.dane-unsigned:warn" "3 1 1: unsigned TLSA is a warning"
is "$(json_get "$J" checks.tls.status)" warn "3 1 1: warn (DANE senders ignore unsigned TLSA)"

# --- DANE-TA matching the CA the server sends in its chain -------------------------
pki_leaf ta mx.dane-ta.tls.test
cat "$PKI/ta.pem" "$PKI/ca.pem" >"$PKI/ta-chain.pem"
smtp_start ta --cert "$PKI/ta-chain.pem" --key "$PKI/ta.key"
audit dane-ta.tls.test "$SMTP_PORT" --ca-file "$PKI/ca.pem"
is "$(field 0 dane.matched)" true "2 0 1: the CA in the presented chain matches"
like "$(field 0 dane.detail)" "TLSA 2 0 1 matched .* depth 1" "2 0 1: at depth 1"
like "$(ids)" "tls.dane-match:pass" "2 0 1: tls.dane-match"
# The same record when the server sends only its own certificate.
audit dane-ta.tls.test "$(cat "$TEST_TMPDIR/smtp-dane.port")" --ca-file "$PKI/ca.pem"
is "$(field 0 dane.matched)" false "2 0 1: no match when the CA is not in the chain and the name differs"

# --- a record that matches nothing ---------------------------------------------------
audit dane-bad.tls.test "$(cat "$TEST_TMPDIR/smtp-dane.port")" --ca-file "$PKI/ca.pem"
is "$(field 0 dane.matched)" false "wrong hash: not matched"
like "$(field 0 dane.detail)" "no TLSA record matched" "wrong hash: says so"
like "$(ids)" "tls.dane-mismatch:warn" "wrong hash: tls.dane-mismatch (warn while unsigned)"
is "$(field 0 cert_valid)" true "wrong hash: PKIX verification reported on its own"

# --- no TLSA: dane is null ------------------------------------------------------------
audit valid.tls.test "$(cat "$TEST_TMPDIR/smtp-dane.port")" --ca-file "$PKI/ca.pem"
is "$(field 0 dane)" null "no TLSA: dane null"

done_testing
