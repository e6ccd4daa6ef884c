#!/bin/bash
# tls-dane-validated.sh - DANE in the TLS check when the TLSA records ARE
# DNSSEC-validated.  A real Knot signs tests/zones/dane.test as it loads it
# (knot_start with KNOT_SIGN_ZONES) and signs the TLSA records the test adds
# with knotc; a real validating resolver (unbound) sits in front of it with
# the zone's DS as its trust anchor, so TLSA answers carry the AD bit; a real
# STARTTLS server presents a certificate from tests/lib/tls_pki.sh.
# A matching DANE-EE 3 1 1 record is a pass, a record that matches nothing a
# fail (tests/tls-dane.sh: only a warning while unsigned).  A broken TLSA
# signature and a wrong trust anchor make unbound answer SERVFAIL: a lookup
# error, never a DANE pass.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/tls_pki.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
command -v openssl >/dev/null || skip_all "no openssl command"
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null || skip_all "$PYTHON has no aiosmtpd (Debian python3-aiosmtpd)"
: "${UNBOUND:=/usr/sbin/unbound}"
[ -x "$UNBOUND" ] || UNBOUND=$(command -v unbound) || skip_all "no unbound (Debian package unbound)"
KNOTC=${KNOTD%knotd}knotc
[ -x "$KNOTC" ] || KNOTC=knotc
KEYMGR=${KNOTD%knotd}keymgr
[ -x "$KEYMGR" ] || KEYMGR=$(command -v keymgr) || skip_all "no keymgr: this Knot cannot sign zones"

# dns_flags PORT NAME TYPE AD: one UDP query to 127.0.0.1:PORT, with the AD
# bit set when AD=1 (no EDNS, no DO bit); prints "RCODE AD ANCOUNT" of the
# answer, "timeout" or "unreachable".
dns_flags() {
	timeout 10 "$PYTHON" - "$@" <<'EOF'
import socket, struct, sys, random
port, name, qtype, ad = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
qid = random.randint(0, 0xffff)
q = struct.pack("!HHHHHH", qid, 0x0100 | (0x0020 if ad else 0), 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.strip(".").split(".")) + b"\0"
q += struct.pack("!HH", qtype, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, ("127.0.0.1", port))
try:
    while True:
        r = s.recv(4096)
        if len(r) >= 12 and struct.unpack("!H", r[:2])[0] == qid:
            break
except socket.timeout:
    print("timeout"); sys.exit(0)
except OSError:
    print("unreachable"); sys.exit(0)   # nobody listening (yet)
flags, = struct.unpack("!H", r[2:4])
print(flags & 0xf, 1 if flags & 0x20 else 0, struct.unpack("!H", r[6:8])[0])
EOF
}

# unbound_start NAME KNOT_PORT TRUST_ANCHOR: a validating unbound on
# 127.0.0.1 (a free port, reserved like knot_start's), in the foreground, no
# chroot, no user change, that sends dane.test to Knot on KNOT_PORT and
# trusts TRUST_ANCHOR (a DS or DNSKEY record) for it; everything else is
# refused, so nothing leaves the machine.  Waits (10 s) until it answers;
# sets UNBOUND_SERVER and UNBOUND_LOG.  Stopped on exit; a watchdog kills it
# if the test shell dies.
unbound_start() {
	local name=$1 kport=$2 ta=$3 dir="$TEST_TMPDIR/unbound-$1" attempt port pid deadline r
	mkdir -p "$dir" || return 1
	for attempt in 1 2 3 4 5; do
		_tl_reserve_port || { diag "unbound_start: no free port"; return 1; }
		port=$_tl_port
		cat >"$dir/unbound.conf" <<EOF
server:
    interface: 127.0.0.1@$port
    port: $port
    do-ip6: no
    username: ""
    chroot: ""
    directory: "$dir"
    pidfile: "$dir/unbound.pid"
    use-syslog: no
    logfile: "$dir/unbound.log"
    verbosity: 1
    val-log-level: 2
    do-daemonize: no
    num-threads: 1
    do-not-query-localhost: no
    module-config: "validator iterator"
    trust-anchor: "$ta"
    local-zone: "." refuse
    local-zone: "dane.test." transparent
stub-zone:
    name: "dane.test."
    stub-addr: 127.0.0.1@$kport
remote-control:
    control-enable: no
EOF
		: >"$dir/unbound.log"
		"$UNBOUND" -d -c "$dir/unbound.conf" </dev/null >"$dir/unbound.out" 2>&1 &
		pid=$!
		at_exit "_tl_kill $pid"
		_tl_watchdog "$pid"
		deadline=$((SECONDS + 10))
		while ((SECONDS < deadline)); do
			kill -0 "$pid" 2>/dev/null || break
			r=$(dns_flags "$port" dane.test 6 0)
			case $r in
			timeout | unreachable | "") ;;
			*)
				UNBOUND_SERVER="127.0.0.1:$port"
				UNBOUND_LOG="$dir/unbound.log"
				return 0
				;;
			esac
			sleep 0.1
		done
		_tl_kill "$pid"
		grep -qi "can't bind\|cannot bind\|address already in use" "$dir/unbound.log" "$dir/unbound.out" ||
			break
	done
	diag "unbound_start $name: unbound did not answer; its log:"
	diag "$(cat "$dir/unbound.log" "$dir/unbound.out" 2>/dev/null | tail -n 30)"
	return 1
}

J="$TEST_TMPDIR/report.json"
audit() {
	local server=$1 dom=$2
	shift 2
	timeout 60 "$MXAUDIT" --json --only tls --timeout 3 --dns-server "$server" \
		--smtp-port "$SMTP_PORT" --ca-file "$PKI/ca.pem" "$@" "$dom" >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	sanitizer_clean "$TEST_TMPDIR/stderr" "mxaudit $dom via $server"
	json_get "$J" status >/dev/null 2>&1 || diag "no JSON (exit $rc): $(cat "$TEST_TMPDIR/stderr")"
}
ids() {
	json_eval "$J" "' '.join(sorted(set(f['id'] + ':' + f['status'] for f in d['checks']['tls']['findings'])))"
}
field() { json_get "$J" "checks.tls.hosts.$1.$2"; }

# --- a signed zone, its TLSA records, its trust anchor ------------------------------
KNOT_SIGN_ZONES=dane.test knot_start dane.test || { echo "Bail out! knotd did not start a signed zone"; exit 1; }
KNOT1_SERVER=$DNS_SERVER KNOT1_PORT=$DNS_PORT KNOT1_DIR=$KNOT_DIR
r=$(dns_flags "$KNOT1_PORT" dane.test 48 0)
[[ $r =~ ^0\ 0\ [1-9] ]] || skip_all "knotd serves no DNSKEY for dane.test (no DNSSEC signing here): $r"
pki_init || { echo "Bail out! cannot make a test CA"; exit 1; }

pki_leaf ok mx.ok.dane.test
smtp_start dane --cert "$PKI/ok.pem" --key "$PKI/ok.key" || { echo "Bail out! SMTP server did not start"; exit 1; }
spki=$(pki_spki_sha256 ok)
like "$spki" '^[0-9a-f]{64}$' "the SPKI SHA-256 of the server key (computed with openssl)"
wrong=$(printf '%s' "$spki" | tr '0-9a-f' '1-9a-f0')

kc() { "$KNOTC" -s "$KNOT1_DIR/run/knot.sock" "$@" >>"$TEST_TMPDIR/knotc.log" 2>&1; }
kc zone-begin dane.test &&
	kc zone-set dane.test _25._tcp.mx.ok 300 TLSA 3 1 1 "$spki" &&
	kc zone-set dane.test _25._tcp.mx.bad 300 TLSA 3 1 1 "$wrong" &&
	kc zone-commit dane.test
ok $? "TLSA records added to the running Knot" || diag "$(cat "$TEST_TMPDIR/knotc.log")"
"$KNOTC" -s "$KNOT1_DIR/run/knot.sock" zone-read dane.test _25._tcp.mx.ok.dane.test. RRSIG >"$TEST_TMPDIR/rrsig" 2>&1
like "$(cat "$TEST_TMPDIR/rrsig")" "RRSIG TLSA 13 " "Knot signed the TLSA records it was given (ECDSA P-256)"

ds=$(timeout 10 "$KEYMGR" -c "$KNOT1_DIR/knot.conf" dane.test ds 2>&1 | grep -E '^dane\.test\. DS [0-9]+ 13 2 ' | head -n 1)
like "$ds" '^dane\.test\. DS [0-9]+ 13 2 [0-9a-f]{64}$' "the zone's DS (SHA-256) from keymgr" || diag "$(cat "$KNOT_LOG")"

unbound_start good "$KNOT1_PORT" "$ds" || { echo "Bail out! unbound did not start"; exit 1; }
GOOD=$UNBOUND_SERVER
diag "knotd on $KNOT1_SERVER, unbound on $GOOD with trust anchor: $ds"

# --- the AD bit is really there, and only through the validating resolver ----------
# (So that the cases below cannot pass because of something else: mxaudit
# reports "authenticated" from the AD bit of the TLSA answer.)
is "$(dns_flags "${GOOD##*:}" _25._tcp.mx.ok.dane.test 52 1)" "0 1 1" \
	"unbound: TLSA answer with the AD bit (validated)"
is "$(dns_flags "${GOOD##*:}" _25._tcp.mx.ok.dane.test 52 0)" "0 0 1" \
	"unbound: no AD bit when the query does not ask for it (RFC 6840 5.7)"
is "$(dns_flags "$KNOT1_PORT" _25._tcp.mx.ok.dane.test 52 1)" "0 0 1" \
	"Knot directly: the same TLSA without the AD bit (an authoritative server does not validate)"

# --- DANE-EE 3 1 1 matching the server's key, validated ---------------------------------
audit "$GOOD" ok.dane.test
is "$(field 0 host)" mx.ok.dane.test "3 1 1: the MX host from the signed zone"
is "$(field 0 dane.tlsa)" "[\"3 1 1 $spki\"]" "3 1 1: the record as published"
is "$(field 0 dane.authenticated)" true "3 1 1: the TLSA answer was DNSSEC-validated (AD bit)"
is "$(field 0 dane.matched)" true "3 1 1: matched"
like "$(field 0 dane.detail)" "TLSA 3 1 1 matched .* depth 0" "3 1 1: at depth 0"
like "$(ids)" "tls.dane-match:pass" "3 1 1: tls.dane-match pass"
[[ $(ids) != *tls.dane-unsigned* ]]
ok $? "3 1 1: no tls.dane-unsigned warning" || diag "$(ids)"
is "$(json_get "$J" checks.tls.status)" pass "3 1 1: the TLS check passes"

# --- a record that matches nothing, validated: fail -----------------------------------
audit "$GOOD" bad.dane.test
is "$(field 0 dane.authenticated)" true "wrong hash: validated"
is "$(field 0 dane.matched)" false "wrong hash: not matched"
like "$(field 0 dane.detail)" "no TLSA record matched" "wrong hash: says so"
like "$(ids)" "tls.dane-mismatch:fail" "wrong hash: tls.dane-mismatch is a fail once validated"
is "$(field 0 cert_valid)" true "wrong hash: PKIX verification reported on its own"
is "$(json_get "$J" checks.tls.status)" fail "wrong hash: the TLS check fails (DANE senders will not deliver)"

# The same records from Knot directly (no validation): only a warning, as in
# tests/tls-dane.sh - the AD bit is the whole difference.
audit "$KNOT1_SERVER" bad.dane.test
is "$(field 0 dane.authenticated)" false "wrong hash, not validated: authenticated false"
like "$(ids)" "tls.dane-mismatch:warn" "wrong hash, not validated: tls.dane-mismatch is a warning"
like "$(ids)" "tls.dane-unsigned:warn" "wrong hash, not validated: tls.dane-unsigned"
is "$(json_get "$J" checks.tls.status)" warn "wrong hash, not validated: warn"

# --- bogus: the TLSA signature broken -------------------------------------------------
# A second Knot serves a copy of the signed zone (same key, so the same trust
# anchor) in which one byte of the RRSIG over the matching TLSA record is
# changed.  The record itself still matches the server's key: a resolver that
# validates must refuse it, and mxaudit must report a lookup error, not a match.
mkdir -p "$TEST_TMPDIR/bogus"
"$KNOTC" -s "$KNOT1_DIR/run/knot.sock" zone-read dane.test >"$TEST_TMPDIR/signed.txt" 2>&1
timeout 10 "$PYTHON" - "$TEST_TMPDIR/signed.txt" "$TEST_TMPDIR/bogus/dane.test.zone" <<'EOF'
import sys
out, broken = [], 0
for line in open(sys.argv[1]):
    if not line.startswith("[dane.test.] "):
        continue
    f = line.split(" ", 1)[1].split()
    # owner ttl RRSIG covered alg labels ttl exp inc tag signer sig...
    if f[0] == "_25._tcp.mx.ok.dane.test." and f[2] == "RRSIG" and f[3] == "TLSA":
        sig = list("".join(f[11:]))
        sig[10] = "B" if sig[10] != "B" else "C"
        f = f[:11] + ["".join(sig)]
        broken += 1
    out.append(" ".join(f))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
sys.exit(0 if broken == 1 else 1)
EOF
ok $? "a copy of the signed zone with the TLSA signature broken" || diag "$(head -n 20 "$TEST_TMPDIR/signed.txt")"
KNOT_ZONE_DIR="$TEST_TMPDIR/bogus" knot_start dane.test || { echo "Bail out! the second knotd did not start"; exit 1; }
is "$(dns_flags "$DNS_PORT" _25._tcp.mx.ok.dane.test 52 0)" "0 0 1" "the second Knot serves the TLSA record as it is"
unbound_start broken "$DNS_PORT" "$ds" || { echo "Bail out! unbound did not start"; exit 1; }
BROKEN=$UNBOUND_SERVER
is "$(dns_flags "${BROKEN##*:}" mx.ok.dane.test 1 1)" "0 1 1" "broken signature: the rest of the zone still validates"
is "$(dns_flags "${BROKEN##*:}" _25._tcp.mx.ok.dane.test 52 1)" "2 0 0" "broken signature: unbound answers SERVFAIL for the TLSA"
audit "$BROKEN" ok.dane.test
like "$(ids)" "tls.tlsa-lookup-failed:error" "broken signature: tls.tlsa-lookup-failed"
[[ $(ids) != *tls.dane-match* ]]
ok $? "broken signature: no tls.dane-match" || diag "$(ids)"
is "$(field 0 dane.records)" 0 "broken signature: no TLSA record used"
is "$(field 0 dane.authenticated)" false "broken signature: not authenticated"
like "$(field 0 dane.error)" "SERVFAIL|server failure" "broken signature: the error says SERVFAIL"
is "$(json_get "$J" checks.tls.status)" error "broken signature: the TLS check is an error, never a pass"
grep -q "validation failure <_25._tcp.mx.ok.dane.test. TLSA IN>" "$UNBOUND_LOG"
ok $? "broken signature: unbound logged the validation failure of the TLSA" || diag "$(tail -n 5 "$UNBOUND_LOG")"

# --- bogus: a trust anchor that is not the zone's key -------------------------------------
wrong_ds=$(printf '%s' "$ds" | awk '{ $NF = substr($NF, 2) substr($NF, 1, 1); print }')
unbound_start wrongta "$KNOT1_PORT" "$wrong_ds" || { echo "Bail out! unbound did not start"; exit 1; }
audit "$UNBOUND_SERVER" ok.dane.test
like "$(ids)" "tls.mx-lookup-failed:error" "wrong trust anchor: the whole zone is bogus, the MX lookup fails"
[[ $(ids) != *tls.dane-match* ]]
ok $? "wrong trust anchor: no tls.dane-match" || diag "$(ids)"
is "$(json_get "$J" checks.tls.status)" error "wrong trust anchor: the TLS check is an error, never a pass"

done_testing
