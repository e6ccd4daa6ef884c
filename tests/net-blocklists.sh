#!/bin/bash
# net-blocklists.sh - the blocklist check against a real Knot DNS serving
# test blocklists (tests/zones/bl-dnsbl.test.zone, lists in bl-lists.conf):
# listings with their codes and meanings (IPv4, IPv6 nibbles, domain lists,
# bit-flag lists), a refusal code, lists failing their self-test (dead and
# list-everything), an answer outside 127/8, a zone the server REFUSES, a
# clean run, lists that never answer, and the shipped demo lists.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
knot_start bl-dnsbl.test || { echo "Bail out! knotd did not start"; exit 1; }
diag "knotd on $DNS_SERVER"

J="$TEST_TMPDIR/report.json"
LISTS="$top_srcdir/tests/zones/bl-lists.conf"

# audit LISTFILE DOMAIN [IP]: only the blocklist check, JSON in $J, exit in $rc.
audit() {
	local lists=$1
	shift
	timeout 60 "$MXAUDIT" --json --only blocklists --timeout 5 --dns-server "${SERVER:-$DNS_SERVER}" \
		--blocklists "$lists" "$@" >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	json_get "$J" status >/dev/null 2>&1 || diag "mxaudit $* printed no JSON (exit $rc): $(cat "$TEST_TMPDIR/stderr")"
}
bl() { json_eval "$J" "$1"; }
B="d['checks']['blocklists']"
# "zone=verdict" for every list, in file order.
verdicts() { bl "' '.join(l['zone'].split('.')[0] + '=' + l['verdict'] for l in $B['lists'])"; }
ids() { bl "' '.join(sorted(set(f['id'] + ':' + f['status'] for f in $B['findings'])))"; }
err_of() { bl "[e['reason'] for e in $B['errors'] if e['zone'].startswith('$1.')][0]"; }

# --- IPv4 sender and a domain, every kind of list -----------------------------
audit "$LISTS" bad.example 192.0.2.66
is "$rc" 2 "v4: exit 2 (listed)"
is "$(bl "$B['status']")" fail "v4: blocklists fail"
is "$(bl "$B['queried']")" 9 "v4: all 9 lists queried"
is "$(verdicts)" "good=listed v4only=pass refuse=error dead=error wild=error bogus=error unserved=error dom=listed bits=listed" \
	"v4: every list's verdict"
is "$(bl "[(l['zone'], l['name'], l['kind'], l['code'], l['meaning']) for l in $B['listed']]")" \
	'[["good.bl-dnsbl.test","Good list","ip","127.0.0.2","spam-source"],["dom.bl-dnsbl.test","Domain list","domain","127.0.1.2","spam domain"],["bits.bl-dnsbl.test","Bits list","domain","127.0.0.10","black; red"]]' \
	"v4: listed entries with zone, name, kind, code and meaning (bit flags decoded)"
is "$(bl "sorted(e['zone'] for e in $B['errors'])")" \
	'["bogus.bl-dnsbl.test","dead.bl-dnsbl.test","refuse.bl-dnsbl.test","unserved.bl-unserved.test","wild.bl-dnsbl.test"]' \
	"v4: errors name the failing lists"
like "$(err_of refuse)" "127\.255\.255\.254: query refused" "refusal code: an error with its meaning, not a listing"
like "$(err_of dead)" "not answering as expected from this resolver.*127\.0\.0\.2 is not listed" "dead list: self-test fails"
like "$(err_of wild)" "not answering as expected.*lists 127\.0\.0\.1" "list-everything: self-test fails"
like "$(err_of bogus)" "192\.0\.2\.1.*outside 127\.0\.0\.0/8" "bogus answer: misbehaving list"
like "$(err_of unserved)" "." "a zone the server refuses: error"
like "$(ids)" "blocklists.listed:fail" "v4: blocklists.listed"
like "$(ids)" "blocklists.refused:error" "v4: blocklists.refused"
like "$(ids)" "blocklists.self-test-failed:error" "v4: blocklists.self-test-failed"
like "$(ids)" "blocklists.misbehaving:error" "v4: blocklists.misbehaving"
like "$(ids)" "blocklists.lookup-failed:error" "v4: blocklists.lookup-failed"
like "$(bl "[f['fix'] for f in $B['findings'] if f['id'] == 'blocklists.listed'][0]")" \
	"^Fix the cause.*compromised.*open relay.*https://bl.example/remove" "listed: fix the cause first, then the delisting page"
like "$(bl "[f['evidence'] for f in $B['findings'] if f['id'] == 'blocklists.listed'][0]")" \
	'^66\.2\.0\.192\.good\.bl-dnsbl\.test A 127\.0\.0\.2; TXT "listed: see https://bl\.example/66"$' \
	"listed: evidence is the reversed-octet query, its answer and the list's TXT reason"
is "$(bl "[l['txt'] for l in $B['lists'] if l['zone'].startswith('good.')][0]")" "listed: see https://bl.example/66" \
	"listed: the TXT reason in the JSON list entry"
is "$(bl "$B['public_resolver']")" null "a loopback server is not a public resolver"

# --- IPv6 sender: nibble names, IPv4-only lists not asked ---------------------
audit "$LISTS" refused.example 2001:db8::66
is "$rc" 2 "v6: exit 2"
is "$(verdicts)" "good=listed v4only=skip refuse=skip dead=error wild=skip bogus=skip unserved=skip dom=pass bits=error" \
	"v6: IPv4-only lists skipped, ipv6=yes lists asked"
is "$(bl "$B['queried']")" 4 "v6: 4 lists queried"
is "$(bl "[l['query'] for l in $B['lists'] if l['zone'].startswith('good.')][0]")" \
	6.6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.good.bl-dnsbl.test "v6: nibble query name"
is "$(bl "[(l['code'], l['meaning']) for l in $B['listed']]")" '[["127.0.0.4","exploited host"]]' "v6: listed with 127.0.0.4"
like "$(err_of bits)" "127\.0\.0\.1: query refused" "URIBL-style 127.0.0.1 is a refusal, not bit 1"

# --- clean --------------------------------------------------------------------
audit "$top_srcdir/tests/zones/bl-clean.conf" clean.example 192.0.2.67
is "$rc" 0 "clean: exit 0"
is "$(bl "$B['status']")" pass "clean: pass"
is "$(ids)" "blocklists.clean:pass" "clean: blocklists.clean"
is "$(bl "$B['listed']")" "[]" "clean: listed empty"
is "$(bl "$B['errors']")" "[]" "clean: errors empty"
audit "$top_srcdir/tests/zones/bl-clean.conf" clean.example
is "$(verdicts)" "good=skip v4only=skip dom=pass" "no IP: only the domain lists are asked"

# --- lists that never answer --------------------------------------------------
# Knot cannot be made to stay silent for one zone, so this run points the
# resolver at a UDP port that never answers: every list times out.
if silent_udp_start; then
	SERVER="127.0.0.1:$SILENT_PORT" audit "$top_srcdir/tests/zones/bl-clean.conf" clean.example 192.0.2.67 --timeout 1
	is "$rc" 3 "silent: exit 3 (error, nothing failed)"
	is "$(bl "$B['status']")" error "silent: blocklists error, never fail"
	is "$(verdicts)" "good=error v4only=error dom=error" "silent: every list is an error"
	like "$(ids)" "blocklists.timeout:error" "silent: blocklists.timeout"
	is "$(bl "$B['listed']")" "[]" "silent: nothing listed"
else
	for i in 1 2 3 4 5; do skip "no silent server"; done
fi

# --- offline (--zone): lists outside the zone files are not asked ---------------
timeout 60 "$MXAUDIT" --json --only blocklists --zone "$top_srcdir/tests/zones/bl-dnsbl.test.zone" \
	--blocklists "$LISTS" bad.example 192.0.2.66 >"$J" 2>/dev/null
is "$(verdicts)" "good=listed v4only=pass refuse=error dead=error wild=error bogus=error unserved=skip dom=listed bits=listed" \
	"--zone: the same verdicts from the zone file; the list outside it is not asked"
is "$(bl "$B['queried']")" 8 "--zone: 8 lists queried"
timeout 60 "$MXAUDIT" --json --only blocklists --zone "$top_srcdir/tests/zones/bl-dnsbl.test.zone" \
	bad.example 192.0.2.66 >"$J" 2>/dev/null
rc=$?
is "$(bl "$B['status']")" skip "--zone with the built-in lists: skip, not 49 errors"
is "$rc" 0 "--zone with the built-in lists: exit 0"

# --- a broken list file -------------------------------------------------------
printf 'good.bl-dnsbl.test ip Good 127.0.0.2=x bogus-option=1\n' >"$TEST_TMPDIR/bad.conf"
audit "$TEST_TMPDIR/bad.conf" clean.example 192.0.2.67
is "$(bl "$B['status']")" error "bad list file: error"
like "$(bl "$B['findings'][0]['message']")" "line 1: unknown option" "bad list file: says which line"

# --- the demo -----------------------------------------------------------------
timeout 60 "$MXAUDIT" --demo --json --only blocklists >"$J" 2>/dev/null
is "$(bl "[(l['zone'], l['code']) for l in $B['listed']]")" '[["zen.dnsbl.example","127.0.0.11"]]' \
	"demo: 192.0.2.25 listed on the demo list with the policy code"
is "$(bl "$B['errors']")" "[]" "demo: every demo list passes its self-test"

done_testing
