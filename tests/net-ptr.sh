#!/bin/bash
# net-ptr.sh - the PTR check against a real Knot DNS: forward confirmation
# (IPv4 and IPv6 nibbles), no PTR, several PTRs, generic names (embedded
# address digits, pattern words), PTR not resolving back, a forward lookup
# that fails, a reverse lookup that fails, and the HELO comparison.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
knot_start ptr-fwd.test 113.0.203.in-addr.arpa f.f.0.0.8.b.d.0.1.0.0.2.ip6.arpa ||
	{ echo "Bail out! knotd did not start"; exit 1; }
diag "knotd on $DNS_SERVER"

J="$TEST_TMPDIR/report.json"
# audit IP [OPTIONS]: PTR only, HELO mail.ptr-fwd.test unless given.
audit() {
	local ip=$1
	shift
	timeout 60 "$MXAUDIT" --json --only ptr --timeout 5 --dns-server "$DNS_SERVER" --helo mail.ptr-fwd.test \
		"$@" ptr-fwd.test "$ip" >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	json_get "$J" status >/dev/null 2>&1 || diag "mxaudit $ip printed no JSON (exit $rc): $(cat "$TEST_TMPDIR/stderr")"
}
P="d['checks']['ptr']"
ids() { json_eval "$J" "' '.join(sorted(f['id'] + ':' + f['status'] for f in $P['findings']))"; }
msg() { json_eval "$J" "[f['message'] for f in $P['findings'] if f['id'] == '$1'][0]"; }
get() { json_eval "$J" "$P['$1']"; }

audit 203.0.113.1
is "$rc" 0 "confirmed: exit 0"
is "$(ids)" "ptr.fcrdns:pass" "confirmed: only ptr.fcrdns"
is "$(get names)" '["mail.ptr-fwd.test"]' "confirmed: names"
is "$(get fcrdns)" true "confirmed: fcrdns true"
is "$(get generic)" false "confirmed: not generic"

audit 203.0.113.2
is "$(ids)" "ptr.fcrdns:pass ptr.multiple:warn" "two PTRs: ptr.multiple, still confirmed"
is "$(json_eval "$J" "sorted($P['names'])")" '["a.ptr-fwd.test","b.ptr-fwd.test"]' "two PTRs: both names"
is "$rc" 1 "two PTRs: exit 1"

audit 203.0.113.3
is "$(ids)" "ptr.fcrdns:pass ptr.generic:warn" "embedded digits: ptr.generic"
like "$(msg ptr.generic)" "contains the address 203\.0\.113\.3 \(reversed\)" "embedded digits: says why"
is "$(get generic)" true "embedded digits: generic true"

audit 203.0.113.4
like "$(ids)" "ptr.generic:warn" "pool/dhcp name: ptr.generic"
like "$(msg ptr.generic)" "dhcp" "pool/dhcp name: names the pattern"

audit 203.0.113.6
is "$rc" 2 "not confirmed: exit 2"
is "$(ids)" "ptr.not-confirmed:fail" "not confirmed: ptr.not-confirmed"
like "$(msg ptr.not-confirmed)" "203\.0\.113\.99" "not confirmed: says where the name points"
is "$(get fcrdns)" false "not confirmed: fcrdns false"

audit 203.0.113.7
is "$(ids)" "ptr.missing:fail" "no PTR: ptr.missing"
like "$(msg ptr.missing)" "NXDOMAIN" "no PTR: the reverse name is NXDOMAIN"

audit 203.0.113.8
is "$rc" 3 "forward lookup refused: exit 3"
like "$(ids)" "ptr.forward-lookup-failed:error" "forward lookup refused: error, not fail"
is "$(get fcrdns)" null "forward lookup refused: fcrdns undecided"

audit 198.51.100.77
is "$(ids)" "ptr.lookup-failed:error" "reverse zone not served: ptr.lookup-failed"

# --- HELO in another organisational domain ------------------------------------
audit 203.0.113.1 --helo mta.example.net
is "$(ids)" "ptr.fcrdns:pass ptr.helo-mismatch:warn" "HELO elsewhere: ptr.helo-mismatch"
like "$(msg ptr.helo-mismatch)" "mail\.ptr-fwd\.test is in ptr-fwd\.test, unrelated to the HELO name mta\.example\.net" \
	"HELO elsewhere: names both organisational domains"
audit 203.0.113.1 --helo other.mail.ptr-fwd.test
is "$(ids)" "ptr.fcrdns:pass" "HELO in the same organisational domain: fine"

# --- IPv6 ---------------------------------------------------------------------
audit 2001:db8:ff::25
is "$(ids)" "ptr.fcrdns:pass" "v6 confirmed"
is "$(get names)" '["v6mail.ptr-fwd.test"]' "v6: nibble reverse name answered"
audit 2001:db8:ff::26
is "$(ids)" "ptr.fcrdns:pass ptr.generic:warn" "v6 generic: address groups in the name"
audit 2001:db8:ff::27
is "$(ids)" "ptr.missing:fail" "v6 no PTR"
like "$(msg ptr.missing)" "7\.2\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.f\.f\.0\.0\.8\.b\.d\.0\.1\.0\.0\.2\.ip6\.arpa" \
	"v6 no PTR: names the nibble reverse name"

done_testing
