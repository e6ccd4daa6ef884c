#!/bin/bash
# fault-smtp.sh - the SMTP/TLS half of the fault matrix (issue 9), the cases
# tls-starttls.sh does not already cover (it has: silent, tarpit, 421/554
# greetings, hang after EHLO, garbage instead of a ServerHello, close and
# hang mid-handshake, not SMTP): connection refused, a multi-line greeting
# split across packets (assembled, then a pass), endless continuation lines
# (bounded, an error), a chain of 20 certificates (handled), and the TUI
# answering keys while a probe hangs.  Scripted peers:
# tests/lib/bad_smtp_peer.py; DNS: Knot with tests/zones/tls.test.zone.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/tls_pki.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
command -v openssl >/dev/null || skip_all "no openssl command"
knot_start tls.test || { echo "Bail out! knotd did not start"; exit 1; }
pki_init || { echo "Bail out! cannot make a test CA"; exit 1; }

J="$TEST_TMPDIR/report.json"
audit() {
	local port=$1
	shift
	local t0=$(date +%s%N)
	timeout 60 "$MXAUDIT" --json --only tls --timeout "${TMO:-3}" --dns-server "$DNS_SERVER" \
		--smtp-port "$port" "$@" bad.tls.test >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	json_get "$J" status >/dev/null 2>&1 || diag "no JSON (exit $rc): $(head -c 600 "$TEST_TMPDIR/stderr")"
}
field() { json_get "$J" "checks.tls.hosts.0.$1"; }
# peer MODE [CERT KEY]: tests/lib/bad_smtp_peer.py, sets BAD_PORT.
peer() {
	local mode=$1
	shift
	_tls_server "peer-$mode-$RANDOM" "$top_srcdir/tests/lib/bad_smtp_peer.py" "$mode" "$@" || return 1
	BAD_PORT=$_tls_port
}

# --- connection refused ---------------------------------------------------------
closed=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TMO=2 audit "$closed"
is "$(json_get "$J" checks.tls.status)" error "refused: error, never fail"
is "$rc" 3 "refused: exit 3"
like "$(field error)" "could not connect.*(refused|Connection refused)" "refused: says the connection was refused"
ok $((ms < 5000 ? 0 : 1)) "refused: immediate (${ms} ms)"

# --- a multi-line greeting split across packets ------------------------------------
pki_leaf bad mx.bad.tls.test
peer split-greeting "$PKI/bad.pem" "$PKI/bad.key" || fail "split-greeting: peer did not start"
audit "$BAD_PORT" --ca-file "$PKI/ca.pem"
is "$(json_get "$J" checks.tls.status)" pass "split greeting: assembled, then pass"
is "$rc" 0 "split greeting: exit 0"
tr=$(json_eval "$J" "'|'.join(d['checks']['tls']['hosts'][0]['transcript'])")
like "$tr" "S: 220-mx\.tls\.test ESMTP first line\|S: 220-second line\|S: 220 third and last line\|C: EHLO" \
	"split greeting: the three lines, whole, in order"

# --- endless continuation lines: bounded --------------------------------------------
peer endless-greeting || fail "endless: peer did not start"
TMO=2 audit "$BAD_PORT"
is "$(json_get "$J" checks.tls.status)" error "endless greeting: error, never fail"
is "$rc" 3 "endless greeting: exit 3"
like "$(field error)" "more lines than the limit|too (many|long)" "endless greeting: says the reply is too long"
ok $((ms < 6000 ? 0 : 1)) "endless greeting: over in ${ms} ms (timeout 2 s)"
n=$(json_eval "$J" "len(d['checks']['tls']['hosts'][0].get('transcript') or [])")
ok $((n <= 200 ? 0 : 1)) "endless greeting: the transcript is bounded ($n lines)"
sz=$(wc -c <"$J")
ok $((sz < 200000 ? 0 : 1)) "endless greeting: the report is bounded ($sz bytes)"

# --- a chain of 20 certificates -------------------------------------------------------
# CA -> int1 -> ... -> int19 -> leaf; the server sends the leaf and the 19
# intermediates (20 certificates).
prev=ca
mkchain() {
	local i
	printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$PKI/int.ext"
	for ((i = 1; i <= 19; i++)); do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$PKI/int$i.key" \
			-out "$PKI/int$i.csr" -subj "/CN=mxaudit test intermediate $i" >>"$PKI/log" 2>&1 &&
			openssl x509 -req -in "$PKI/int$i.csr" -CA "$PKI/$prev.pem" -CAkey "$PKI/$prev.key" \
				-CAcreateserial -days 30 -extfile "$PKI/int.ext" -out "$PKI/int$i.pem" >>"$PKI/log" 2>&1 ||
			return 1
		prev=int$i
	done
	_pki_csr long mx.bad.tls.test &&
		openssl x509 -req -in "$PKI/long.csr" -CA "$PKI/$prev.pem" -CAkey "$PKI/$prev.key" -CAcreateserial \
			-days 30 -extfile "$PKI/long.ext" -out "$PKI/long-leaf.pem" >>"$PKI/log" 2>&1 || return 1
	cat "$PKI/long-leaf.pem" >"$PKI/long.pem"
	for ((i = 19; i >= 1; i--)); do cat "$PKI/int$i.pem" >>"$PKI/long.pem"; done
}
mkchain || diag "$(tail -n 20 "$PKI/log")"
is "$(grep -c 'BEGIN CERTIFICATE' "$PKI/long.pem")" 20 "the chain file has 20 certificates"
peer tls-ok "$PKI/long.pem" "$PKI/long.key" || fail "chain: peer did not start"
audit "$BAD_PORT" --ca-file "$PKI/ca.pem"
like "$(json_get "$J" checks.tls.status)" '^(pass|warn)$' "20-certificate chain: handled (a verdict, not an error)"
is "$(field cert_valid)" true "20-certificate chain: verified up to the CA"
is "$(field hostname_match)" true "20-certificate chain: the leaf names the host"
like "$(field tls_version)" '^TLSv1\.[23]$' "20-certificate chain: the handshake completed"
# Without the root it is untrusted: a warning, still not an error or a crash.
audit "$BAD_PORT"
is "$(json_get "$J" checks.tls.status)" warn "20-certificate chain, unknown root: warn"

# --- the TUI answers keys while a probe hangs ---------------------------------------
if command -v "$TMUX_BIN" >/dev/null 2>&1; then
	export XDG_STATE_HOME="$TEST_TMPDIR/state" XDG_CONFIG_HOME="$TEST_TMPDIR/config"
	peer silent || fail "silent: peer did not start"
	tmux_start 100 30 "$MXAUDIT" --dns-server "$DNS_SERVER" --only tls --timeout 4 --smtp-port "$BAD_PORT" bad.tls.test
	tmux_wait_for 'TLS ─+ . PENDING' 5
	ok $? "silent SMTP (TUI): the TLS pane is pending"
	tmux_keys '?'
	tmux_wait_for 'mxaudit keys' 2
	ok $? "silent SMTP (TUI): ? is answered while the probe waits for a greeting"
	tmux_keys Escape
	tmux_wait_for 'TLS ─+ ! ERROR' 20
	ok $? "silent SMTP (TUI): then the pane says ERROR, not FAIL"
else
	skip "tmux not found"
	skip "tmux not found"
	skip "tmux not found"
fi

done_testing
