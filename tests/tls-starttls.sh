#!/bin/bash
# tls-starttls.sh - the TLS check against real SMTP servers on loopback:
# aiosmtpd with STARTTLS and certificates from a throw-away CA made here
# (valid, expiring, expired, wrong name, self-signed, no STARTTLS), IPv4 and
# IPv6 reported separately, --ca-file / SSL_CERT_FILE, --connect-to, and
# scripted misbehaving peers that must each give a clear `error` within
# the timeout.  DNS from a real Knot serving tests/zones/tls.test.zone.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/tls_pki.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
command -v openssl >/dev/null || skip_all "no openssl command"
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null || skip_all "$PYTHON has no aiosmtpd (Debian python3-aiosmtpd)"
knot_start tls.test || { echo "Bail out! knotd did not start"; exit 1; }
pki_init || { echo "Bail out! cannot make a test CA"; exit 1; }

J="$TEST_TMPDIR/report.json"

# audit DOMAIN PORT [OPTIONS...]: TLS check only; JSON in $J, exit in $rc.
audit() {
	local dom=$1 port=$2
	shift 2
	timeout 60 "$MXAUDIT" --json --only tls --timeout "${TMO:-3}" --dns-server "$DNS_SERVER" \
		--smtp-port "$port" "$@" "$dom" >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	if ! json_get "$J" status >/dev/null 2>&1; then
		diag "mxaudit $dom did not print JSON (exit $rc); stderr:"
		diag "$(cat "$TEST_TMPDIR/stderr")"
	fi
}
ids() {
	json_eval "$J" "' '.join(sorted(set(f['id'] + ':' + f['status'] for f in d['checks']['tls']['findings'])))"
}
# field N KEY: checks.tls.hosts.N.KEY
field() { json_get "$J" "checks.tls.hosts.$1.$2"; }

# --- a valid chain, both address families -----------------------------------
pki_leaf valid mx.valid.tls.test
smtp_start valid --cert "$PKI/valid.pem" --key "$PKI/valid.key" --name mx.valid.tls.test ||
	{ echo "Bail out! SMTP server did not start"; exit 1; }
audit valid.tls.test "$SMTP_PORT" --ca-file "$PKI/ca.pem"
is "$rc" 0 "valid: exit 0"
is "$(json_get "$J" checks.tls.status)" pass "valid: tls pass"
is "$(json_eval "$J" "sorted(h['address'] for h in d['checks']['tls']['hosts'])")" '["127.0.0.1","::1"]' \
	"valid: IPv4 and IPv6 probed separately"
for i in 0 1; do
	a=$(field $i address)
	is "$(field $i host)" mx.valid.tls.test "valid $a: host"
	is "$(field $i starttls)" true "valid $a: starttls"
	like "$(field $i tls_version)" '^TLSv1\.[23]$' "valid $a: tls_version"
	like "$(field $i cipher)" '^(TLS_|ECDHE)' "valid $a: cipher"
	is "$(field $i cert_valid)" true "valid $a: cert_valid"
	is "$(field $i hostname_match)" true "valid $a: hostname_match"
	like "$(field $i days_left)" '^(59|60)$' "valid $a: days_left"
	is "$(field $i dane)" null "valid $a: dane null (no TLSA)"
	is "$(field $i key_type)/$(field $i key_bits)" EC/256 "valid $a: key type and size"
	is "$(field $i self_signed)" false "valid $a: not self-signed"
done
tr=$(json_eval "$J" "'|'.join(d['checks']['tls']['hosts'][0]['transcript'])")
like "$tr" "S: 220 .*\|C: EHLO valid\.tls\.test\|S: 250-.*STARTTLS.*\|C: STARTTLS\|S: 220 .*handshake done.*\|C: EHLO valid\.tls\.test\|S: 250-.*C: QUIT\|S: 221" \
	"valid: the transcript has the whole dialogue in order"
like "$(ids)" "tls.ok:pass" "valid: tls.ok finding"

# Without the CA the same chain does not verify: a warning, not a fail.
audit valid.tls.test "$SMTP_PORT"
is "$(json_get "$J" checks.tls.status)" warn "valid without --ca-file: warn"
is "$(field 0 cert_valid)" false "valid without --ca-file: cert_valid false"
like "$(field 0 verify_error)" "local issuer" "valid without --ca-file: why"
like "$(ids)" "tls.cert-untrusted:warn" "valid without --ca-file: tls.cert-untrusted"
# OpenSSL's default trust store honours SSL_CERT_FILE.
SSL_CERT_FILE="$PKI/ca.pem" audit valid.tls.test "$SMTP_PORT"
is "$(field 0 cert_valid)" true "SSL_CERT_FILE: the default store is used"
# ... and SSL_CERT_DIR, a directory of subject-hash links read on demand
# (how the system store in /etc/ssl/certs is used, without loading the bundle).
mkdir -p "$TEST_TMPDIR/certdir"
ln -sf "$PKI/ca.pem" "$TEST_TMPDIR/certdir/$(openssl x509 -noout -hash -in "$PKI/ca.pem").0"
SSL_CERT_DIR="$TEST_TMPDIR/certdir" audit valid.tls.test "$SMTP_PORT"
is "$(field 0 cert_valid)" true "SSL_CERT_DIR: a hashed directory is used"

# --helo names the EHLO.
audit valid.tls.test "$SMTP_PORT" --ca-file "$PKI/ca.pem" --helo client.example.org
like "$(json_eval "$J" "'|'.join(d['checks']['tls']['hosts'][0]['transcript'])")" "C: EHLO client\.example\.org" \
	"--helo: EHLO uses it"

# --connect-to sends the probe elsewhere: port 1 is closed, rewrite to the server.
audit valid.tls.test 1 --ca-file "$PKI/ca.pem" --connect-to "mx.valid.tls.test:1:127.0.0.1:$SMTP_PORT"
is "$(json_get "$J" checks.tls.status)" pass "--connect-to: pass through the redirect"
is "$(json_eval "$J" "sorted(set(h['address'] for h in d['checks']['tls']['hosts']))")" '["127.0.0.1"]' \
	"--connect-to: both published addresses go to 127.0.0.1 (one probe)"
is "$(field 0 dns_address)" 127.0.0.1 "--connect-to: the published address is kept as dns_address"
audit valid.tls.test 1 --ca-file "$PKI/ca.pem" --connect-to "other.example:1:127.0.0.1:$SMTP_PORT"
is "$(json_get "$J" checks.tls.status)" error "--connect-to for another host does not apply"

# --- expiring soon, expired, wrong name, self-signed ------------------------
pki_leaf soon mx.valid.tls.test 5
smtp_start soon --cert "$PKI/soon.pem" --key "$PKI/soon.key"
audit valid.tls.test "$SMTP_PORT" --ca-file "$PKI/ca.pem"
is "$(json_get "$J" checks.tls.status)" warn "expiring in 5 days: warn"
like "$(field 0 days_left)" '^[45]$' "expiring: days_left"
like "$(ids)" "tls.cert-expiring:warn" "expiring: tls.cert-expiring"

pki_expired expired mx.expired.tls.test
smtp_start expired --cert "$PKI/expired.pem" --key "$PKI/expired.key"
audit expired.tls.test "$SMTP_PORT" --ca-file "$PKI/ca.pem"
is "$rc" 2 "expired: exit 2"
is "$(json_get "$J" checks.tls.status)" fail "expired: fail"
is "$(field 0 cert_valid)" false "expired: cert_valid false"
like "$(field 0 days_left)" '^-[0-9]+$' "expired: days_left negative"
like "$(ids)" "tls.cert-expired:fail" "expired: tls.cert-expired"

pki_leaf wrong mx.somewhere-else.example
smtp_start wrong --cert "$PKI/wrong.pem" --key "$PKI/wrong.key"
audit wrongname.tls.test "$SMTP_PORT" --ca-file "$PKI/ca.pem"
is "$(json_get "$J" checks.tls.status)" warn "wrong name: warn"
is "$(field 0 cert_valid)" true "wrong name: chain still valid"
is "$(field 0 hostname_match)" false "wrong name: hostname_match false"
like "$(ids)" "tls.cert-name-mismatch:warn" "wrong name: tls.cert-name-mismatch"

pki_selfsigned self mx.selfsigned.tls.test
smtp_start self --cert "$PKI/self.pem" --key "$PKI/self.key"
audit selfsigned.tls.test "$SMTP_PORT" --ca-file "$PKI/ca.pem"
is "$(json_get "$J" checks.tls.status)" warn "self-signed: warn"
is "$(field 0 self_signed)" true "self-signed: self_signed true"
is "$(field 0 cert_valid)" false "self-signed: cert_valid false"
is "$(field 0 hostname_match)" true "self-signed: the name matches"
like "$(ids)" "tls.cert-self-signed:warn" "self-signed: tls.cert-self-signed"

# --- no STARTTLS ---------------------------------------------------------------
smtp_start plain --no-starttls
audit plain.tls.test "$SMTP_PORT" --ca-file "$PKI/ca.pem"
is "$(json_get "$J" checks.tls.status)" fail "no STARTTLS: fail"
is "$(field 0 starttls)" false "no STARTTLS: starttls false"
is "$(field 0 tls_version)" null "no STARTTLS: no tls_version"
like "$(ids)" "tls.no-starttls:fail" "no STARTTLS: tls.no-starttls"

# --- misbehaving peers: each a clear error within the timeout ------------------
# mode|expected error (regex)|phase
cases=(
	"hang-banner|no answer to EHLO within|ehlo"
	"silent|refused or throttled this probe: no complete greeting|banner"
	"tarpit|refused or throttled this probe.*tarpit|banner"
	"greet-421|refused or throttled this probe: it greeted with 421|banner"
	"greet-554|refused or throttled this probe: it greeted with 554|banner"
	"garbage-tls|TLS error during the TLS handshake|handshake"
	"close-handshake|closed the connection during the TLS handshake|handshake"
	"hang-handshake|TLS handshake did not complete within|handshake"
	"not-smtp|did not speak SMTP|banner"
)
for c in "${cases[@]}"; do
	IFS='|' read -r mode re phase <<<"$c"
	bad_peer_start "$mode" || { fail "$mode: peer did not start"; continue; }
	TMO=2 audit bad.tls.test "$BAD_PORT"
	is "$(json_get "$J" checks.tls.status)" error "$mode: error, never fail"
	is "$rc" 3 "$mode: exit 3"
	like "$(field 0 error)" "$re" "$mode: says what happened"
	is "$(field 0 phase)" "$phase" "$mode: in phase $phase"
	ms=$(field 0 elapsed_ms)
	[ "${ms:-99999}" -le 3500 ]
	ok $? "$mode: ended within the 2 s phase timeout (+slack): ${ms} ms"
	is "$(field 0 starttls)" "$([ "$phase" = handshake ] && echo true || echo null)" "$mode: starttls not claimed absent"
done

# --- several MX hosts: one dead, one good; null MX ------------------------------
TMO=2 audit mixed.tls.test "$(cat "$TEST_TMPDIR/smtp-valid.port")" --ca-file "$PKI/ca.pem"
is "$(json_get "$J" checks.tls.status)" error "mixed: the dead host makes it error, not fail"
is "$(json_eval "$J" "sorted((h['host'], h['result']) for h in d['checks']['tls']['hosts'])")" \
	'[["mx.gone.tls.test","error"],["mx.valid.tls.test","tls"],["mx.valid.tls.test","tls"]]' \
	"mixed: the good host still probed on both addresses"
like "$(json_eval "$J" "[h['error'] for h in d['checks']['tls']['hosts'] if h['host']=='mx.gone.tls.test'][0]")" \
	"could not connect" "mixed: the dead host could not be connected"

audit nullmx.tls.test 25
is "$(json_get "$J" checks.tls.status)" skip "null MX: skip"
is "$(json_get "$J" checks.tls.hosts)" "[]" "null MX: no hosts"

done_testing
