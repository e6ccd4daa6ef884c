#!/bin/bash
# spf-check.sh - the SPF check through `mxaudit --json` against a real Knot
# DNS serving tests/zones/spf.test.zone: results for an IP (pass, fail,
# softfail, none, permerror for syntax / several records / loops, temperror
# on a silent server), exact lookup counts, the static tree cost, findings
# with their fixes, exp= explanations, HELO identity, huge records.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
knot_start spf.test || { echo "Bail out! knotd did not start"; exit 1; }
diag "knotd on $DNS_SERVER"
plan 46

J="$TEST_TMPDIR/report.json"
audit() {
	timeout 60 "$MXAUDIT" --json --only spf --timeout 3 --dns-server "$DNS_SERVER" "$@" >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	json_get "$J" status >/dev/null 2>&1 || diag "mxaudit $* printed no JSON (exit $rc): $(cat "$TEST_TMPDIR/stderr")"
}
spf() { json_get "$J" "checks.spf.$1"; }
ids() { json_eval "$J" "' '.join(sorted(f['id'] + ':' + f['status'] for f in d['checks']['spf']['findings']))"; }
finding() { json_eval "$J" "[f['$2'] for f in d['checks']['spf']['findings'] if f['id'] == '$1'][0]"; }

# pass through a two-level include chain: a (1) mx (2) include (3) include (4)
audit pass.spf.test 198.51.100.77
is "$rc" 0 "pass: exit 0"
is "$(spf result)" pass "pass: result"
is "$(spf status)" pass "pass: status"
is "$(spf lookups)" 4 "pass: 4 lookups counted"
is "$(spf void_lookups)" 0 "pass: no void lookups"
is "$(spf lookups_total)" 4 "pass: tree cost 4"
like "$(spf record)" '^v=spf1 a mx include:_i1' "pass: record"
is "$(json_eval "$J" "' '.join(t['term'] for t in d['checks']['spf']['trace'] if t['decisive'] and t['kind'] == 'term')")" \
	"include:_i1.spf.test include:_i2.spf.test ip4:198.51.100.0/24" "pass: the deciding path is marked in the trace"

# the a and mx terms match before any include
audit pass.spf.test 192.0.2.21
is "$(spf result)" pass "mx: result pass"
is "$(spf lookups)" 2 "mx: evaluation stopped after 2 lookups"

# fail: the fix is the record with the IP added before -all
audit pass.spf.test 203.0.113.50
is "$rc" 2 "fail: exit 2"
is "$(spf result)" fail "fail: result"
like "$(ids)" 'spf.ip-not-permitted:fail' "fail: finding"
is "$(finding spf.ip-not-permitted fix)" "v=spf1 a mx include:_i1.spf.test ip4:203.0.113.50 -all" "fail: record to publish"

audit soft.spf.test 203.0.113.50
is "$(spf result)" softfail "softfail: result"
is "$(spf status)" fail "softfail: status fail"

# IPv6 sender through the includes
audit pass.spf.test 2001:db8:5::25
is "$(spf result)" pass "ipv6: pass via ip6 in the second include"

# none
audit nospf.spf.test 192.0.2.1
is "$(spf result)" none "none: result"
is "$(spf record)" null "none: record null"
like "$(ids)" 'spf.missing:fail' "none: spf.missing"

# several records, syntax error (term and column quoted), loop
audit twice.spf.test 192.0.2.1
is "$(spf result)" permerror "two records: permerror"
like "$(ids)" 'spf.multiple-records:fail' "two records: finding"
audit bad.spf.test 192.0.2.1
is "$(spf result)" permerror "syntax: permerror even though ip4 would match first"
like "$(finding spf.syntax message)" '"foo:bar" at column 22' "syntax: term and column quoted"
audit loop-a.spf.test 192.0.2.1
is "$(spf result)" permerror "loop: permerror"
is "$(spf lookups)" 11 "loop: stopped at the 11th lookup"
like "$(finding spf.include-loop message)" 'loop-a.spf.test -> loop-b.spf.test -> loop-a.spf.test' "loop: finding names the cycle"

# over 10 lookups in the tree: found without an IP, fix collapses includes
audit many.spf.test
is "$(spf result)" null "many, no IP: result null"
is "$(spf lookups_total)" 11 "many: tree cost 11"
like "$(ids)" 'spf.too-many-lookups:fail' "many: too many lookups"
like "$(finding spf.too-many-lookups fix)" 'v=spf1 ip4:192.0.2.1 ip4:203.0.113.1 ip4:203.0.113.2 .*ip4:203.0.113.11 -all' "many: collapsed record"
audit many.spf.test 192.0.2.1
is "$(spf result)" pass "many: an IP matched before the limit passes"
audit many.spf.test 203.0.113.11
is "$(spf result)" permerror "many: the 11th include is a permerror"

# sloppy: ptr, +all, include of a domain without SPF
audit sloppy.spf.test
like "$(ids)" 'spf.include-no-spf:fail.*spf.plus-all:fail.*spf.ptr-deprecated:warn' "sloppy: findings"

# a huge record in many strings: parsed whole
audit huge.spf.test 198.51.100.119
is "$(spf result)" pass "huge: last ip4 of a 2 kB record matches"
like "$(ids)" 'spf.record-too-long:warn' "huge: too long"
is "$(json_eval "$J" "len(d['checks']['spf']['record'])")" 2164 "huge: record not truncated"

# exp= with macro expansion
audit exp.spf.test 192.0.2.99
is "$(spf result)" fail "exp: fail"
is "$(spf explanation)" "192.0.2.99 is not one of exp.spf.test's servers" "exp: explanation expanded"

# HELO identity and empty MAIL FROM (postmaster@helo)
audit pass.spf.test 198.51.100.77 --helo helo.spf.test
is "$(spf result)" pass "helo: MAIL FROM still passes"
is "$(spf helo_result)" fail "helo: HELO identity fails"
like "$(ids)" 'spf.helo-fail:fail' "helo: finding"
audit pass.spf.test 198.51.100.77 --mail-from '' --helo soft.spf.test
is "$(spf domain)" soft.spf.test "empty MAIL FROM: the HELO domain is checked"
is "$(spf result)" softfail "empty MAIL FROM: result of the HELO domain"

# temperror on a server that never answers: error, never fail
silent_udp_start || { echo "Bail out! no silent port"; exit 1; }
timeout 60 "$MXAUDIT" --json --only spf --timeout 1 --dns-server "127.0.0.1:$SILENT_PORT" pass.spf.test 192.0.2.1 >"$J" 2>/dev/null
rc=$?
is "$(spf result)" temperror "silent server: temperror"
is "$rc" 3 "silent server: exit 3 (error, not fail)"
