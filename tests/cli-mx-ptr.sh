#!/bin/bash
# cli-mx-ptr.sh - `mxaudit --json --dns-server` against a real Knot DNS
# serving tests/zones/: MX hosts, preferences and addresses, null MX,
# implicit MX, MX problems, PTR and forward confirmation (IPv4 and IPv6),
# exit codes, and the shape of the JSON report.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
knot_start mx.test 2.0.192.in-addr.arpa 51.198.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa ||
	{ echo "Bail out! knotd did not start"; exit 1; }
diag "knotd on $DNS_SERVER"

J="$TEST_TMPDIR/report.json"

# audit DOMAIN [IP]: run the MX and PTR checks only (so the exit code is
# theirs), JSON in $J, exit status in $rc.
audit() {
	timeout 60 "$MXAUDIT" --json --only mx,ptr --timeout 5 --dns-server "$DNS_SERVER" "$@" >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	if ! json_get "$J" status >/dev/null 2>&1; then
		diag "mxaudit $* did not print JSON (exit $rc); stderr:"
		diag "$(cat "$TEST_TMPDIR/stderr")"
	fi
}

# A check's finding ids, sorted, space-separated.
ids() {
	json_eval "$J" "' '.join(sorted(f['id'] + ':' + f['status'] for f in d['checks']['$1']['findings']))"
}

# MX hosts as "pref host addr,addr" lines joined by ';' (addresses sorted:
# A and AAAA answers arrive in either order).
mx_hosts() {
	json_eval "$J" "';'.join('%d %s %s' % (h['preference'], h['host'], ','.join(sorted(h['addresses']))) for h in d['checks']['mx']['hosts'])"
}

# --- several MX, preferences, A + AAAA; forward-confirmed PTR ---------------
audit multi.mx.test 192.0.2.10
is "$rc" 0 "multi: exit 0 (all pass)"
is "$(json_get "$J" checks.mx.status)" pass "multi: mx pass"
is "$(mx_hosts)" "10 mx1.mx.test 192.0.2.10,2001:db8::10;20 mx2.mx.test 198.51.100.20;30 mx3.mx.test 2001:db8::30" \
	"multi: three hosts in preference order with their A and AAAA"
is "$(json_get "$J" checks.mx.null_mx)" false "multi: null_mx false"
is "$(json_get "$J" checks.ptr.names)" '["mx1.mx.test"]' "multi: ptr names"
is "$(json_get "$J" checks.ptr.fcrdns)" true "multi: fcrdns true"
is "$(json_get "$J" checks.ptr.status)" pass "multi: ptr pass"
like "$(ids ptr)" "ptr.fcrdns:pass" "multi: ptr.fcrdns finding"
is "$(json_get "$J" status)" pass "multi: overall pass"
is "$(json_get "$J" ip)" 192.0.2.10 "multi: ip echoed"

# --- null MX ------------------------------------------------------------------
audit nullmx.mx.test 192.0.2.11
is "$rc" 1 "nullmx: exit 1 (warning only)"
is "$(json_get "$J" checks.mx.null_mx)" true "nullmx: null_mx true"
is "$(json_get "$J" checks.mx.hosts)" "[]" "nullmx: no hosts"
is "$(ids mx)" "mx.null-mx:warn" "nullmx: mx.null-mx warning"
is "$(json_get "$J" checks.ptr.names)" '["confirmed.mx.test"]' "nullmx: ptr names"
is "$(json_get "$J" checks.ptr.fcrdns)" true "nullmx: 192.0.2.11 forward-confirmed"

# --- no MX: implicit MX; PTR not confirmed ------------------------------------
audit implicit.mx.test 192.0.2.12
is "$rc" 2 "implicit: exit 2 (PTR fails)"
is "$(json_get "$J" checks.mx.status)" warn "implicit: mx warn"
is "$(mx_hosts)" "0 implicit.mx.test 192.0.2.40" "implicit: the domain's own address is the MX"
like "$(ids mx)" "mx.implicit:warn" "implicit: mx.implicit finding"
is "$(json_get "$J" checks.ptr.names)" '["unconfirmed.mx.test"]' "implicit: ptr names"
is "$(json_get "$J" checks.ptr.fcrdns)" false "implicit: fcrdns false"
is "$(json_get "$J" checks.ptr.status)" fail "implicit: ptr fail"
like "$(ids ptr)" "ptr.not-confirmed:fail" "implicit: ptr.not-confirmed"

# --- no MX and no address -----------------------------------------------------
audit nothing.mx.test 192.0.2.13
is "$rc" 2 "nothing: exit 2"
is "$(json_get "$J" checks.mx.status)" fail "nothing: mx fail"
like "$(ids mx)" "mx.none:fail" "nothing: mx.none"
is "$(json_get "$J" checks.ptr.fcrdns)" false "nothing: PTR to a name that does not exist is not confirmed"

# --- MX host without address; missing PTR -------------------------------------
audit noaddr.mx.test 192.0.2.14
is "$rc" 2 "noaddr: exit 2"
is "$(json_get "$J" checks.mx.status)" fail "noaddr: mx fail"
is "$(mx_hosts)" "10 ghost.mx.test " "noaddr: host listed with no addresses"
like "$(ids mx)" "mx.host-no-address:warn" "noaddr: mx.host-no-address"
like "$(ids mx)" "mx.no-usable-host:fail" "noaddr: mx.no-usable-host"
is "$(json_get "$J" checks.ptr.names)" "[]" "noaddr: no PTR names"
is "$(json_get "$J" checks.ptr.status)" fail "noaddr: ptr fail"
like "$(ids ptr)" "ptr.missing:fail" "noaddr: ptr.missing"

# --- CNAME as MX target; IPv6 PTR forward-confirmed ---------------------------
audit cname.mx.test 2001:db8::25
is "$rc" 1 "cname: exit 1 (warning only)"
is "$(json_get "$J" checks.mx.status)" warn "cname: mx warn"
is "$(mx_hosts)" "10 alias.mx.test 192.0.2.10,2001:db8::10" "cname: alias resolves through the CNAME"
like "$(ids mx)" "mx.cname:warn" "cname: mx.cname"
is "$(json_get "$J" checks.ptr.names)" '["v6host.mx.test"]' "ipv6: ptr names"
is "$(json_get "$J" checks.ptr.fcrdns)" true "ipv6: fcrdns true"
is "$(json_get "$J" ip)" 2001:db8::25 "ipv6: ip echoed"

# --- IPv6 PTR not confirmed ---------------------------------------------------
audit mx.test 2001:db8::26
is "$rc" 2 "ipv6 unconfirmed: exit 2"
is "$(json_get "$J" checks.ptr.names)" '["mx1.mx.test"]' "ipv6 unconfirmed: ptr names"
is "$(json_get "$J" checks.ptr.fcrdns)" false "ipv6 unconfirmed: fcrdns false"

# --- second reverse zone; no IP -> PTR skipped --------------------------------
audit mx.test 198.51.100.20
is "$rc" 0 "198.51.100.20: exit 0"
is "$(json_get "$J" checks.ptr.fcrdns)" true "198.51.100.20: forward-confirmed via 51.198.in-addr.arpa"
audit mx.test
is "$rc" 0 "no IP: exit 0"
is "$(json_get "$J" ip)" null "no IP: ip is null"
is "$(json_get "$J" checks.ptr.status)" skip "no IP: ptr skip"

# --- the server is queried over IPv6 too --------------------------------------
if "$PYTHON" -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null; then
	timeout 60 "$MXAUDIT" --json --only mx --dns-server "[::1]:$DNS_PORT" multi.mx.test >"$J" 2>/dev/null
	is "$?" 0 "--dns-server [::1]:PORT works"
	is "$(json_get "$J" checks.mx.hosts.2.host)" mx3.mx.test "--dns-server [::1]:PORT answers"
else
	skip "no IPv6 loopback"
	skip "no IPv6 loopback"
fi

# --- the JSON report shape (CONVENTIONS.md), full audit -----------------------
timeout 60 "$MXAUDIT" --json --timeout 5 --dns-server "$DNS_SERVER" multi.mx.test 192.0.2.10 >"$J" 2>"$TEST_TMPDIR/stderr"
rc=$?
like "$rc" '^[0-3]$' "full audit: exit code 0-3 (got $rc)"
shape=$(timeout 10 "$PYTHON" - "$J" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
problems = []
statuses = {"pass", "warn", "fail", "error", "skip"}
for k in ("mxaudit", "domain", "ip", "status", "checks", "steps"):
    if k not in d:
        problems.append("missing top-level key " + k)
if d.get("domain") != "multi.mx.test":
    problems.append("domain is %r" % d.get("domain"))
if d.get("status") not in statuses:
    problems.append("status %r" % d.get("status"))
names = ["spf", "dkim", "dmarc", "ptr", "mx", "tls", "blocklists"]
checks = d.get("checks", {})
if sorted(checks) != sorted(names):
    problems.append("checks keys %r" % sorted(checks))
for n in names:
    c = checks.get(n, {})
    if c.get("status") not in statuses:
        problems.append("%s.status %r" % (n, c.get("status")))
    if not isinstance(c.get("summary"), str):
        problems.append("%s.summary not a string" % n)
    if not isinstance(c.get("findings"), list):
        problems.append("%s.findings not a list" % n)
        continue
    for f in c["findings"]:
        for k in ("id", "status", "message", "evidence", "fix"):
            if k not in f:
                problems.append("%s finding without %s" % (n, k))
        if not str(f.get("id", "")).startswith(n + "."):
            problems.append("%s finding id %r" % (n, f.get("id")))
        if f.get("status") not in statuses:
            problems.append("%s finding status %r" % (n, f.get("status")))
for k, t in (("null_mx", bool), ("hosts", list)):
    if not isinstance(checks.get("mx", {}).get(k), t):
        problems.append("mx.%s" % k)
if not isinstance(checks.get("ptr", {}).get("names"), list) or "fcrdns" not in checks.get("ptr", {}):
    problems.append("ptr names/fcrdns")
steps = d.get("steps")
if not isinstance(steps, list) or len(steps) != 6:
    problems.append("steps is not a list of 6")
else:
    for i, s in enumerate(steps):
        if s.get("step") != i + 1 or not isinstance(s.get("title"), str) or s.get("status") not in statuses \
                or not isinstance(s.get("summary"), str):
            problems.append("step %d: %r" % (i + 1, s))
# The worst check decides the overall status.
order = ["pass", "warn", "error", "fail"]
worst = max((checks[n]["status"] for n in names if checks.get(n, {}).get("status") in order),
            key=order.index, default="pass")
if d.get("status") != worst:
    problems.append("overall status %r but worst check is %r" % (d.get("status"), worst))
print("; ".join(problems) or "ok")
EOF
)
is "$shape" ok "JSON report has the documented shape"
expected_rc=$(json_eval "$J" "{'pass': 0, 'warn': 1, 'fail': 2, 'error': 3}[d['status']]")
is "$rc" "$expected_rc" "full audit: exit code matches the overall status"

done_testing
