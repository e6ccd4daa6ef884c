#!/bin/bash
# net-mx.sh - the MX check against a real Knot DNS (tests/zones/
# rcpt-mail.test.zone): private / loopback / unique-local MX addresses,
# backups that cannot receive mail, equal preferences, IP-literal targets,
# and the recipient mode (--rcpt): syntax, NXDOMAIN, null MX, implicit MX,
# no mail servers, hosts on private addresses only, typos of mailbox
# domains, the audited domain shared, and the JSON "recipient" field.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
knot_start rcpt-mail.test || { echo "Bail out! knotd did not start"; exit 1; }
diag "knotd on $DNS_SERVER"

J="$TEST_TMPDIR/report.json"
audit() {
	timeout 60 "$MXAUDIT" --json --only mx --timeout 5 --dns-server "$DNS_SERVER" "$@" >"$J" 2>"$TEST_TMPDIR/stderr"
	rc=$?
	json_get "$J" status >/dev/null 2>&1 || diag "mxaudit $* printed no JSON (exit $rc): $(cat "$TEST_TMPDIR/stderr")"
}
M="d['checks']['mx']"
ids() { json_eval "$J" "' '.join(sorted(set(f['id'] + ':' + f['status'] for f in $M['findings'])))"; }
rids() { json_eval "$J" "' '.join(sorted(f['id'] + ':' + f['status'] for f in $M['findings'] if f['id'].startswith('mx.rcpt-')))"; }
msg() { json_eval "$J" "[f['message'] for f in $M['findings'] if f['id'] == '$1'][0]"; }
rget() { json_eval "$J" "$M['recipient']['$1']"; }

# --- the domain's own MX ------------------------------------------------------
audit private.rcpt-mail.test
is "$(ids)" "mx.host-unroutable:warn mx.no-usable-host:fail" "private/loopback/ULA only: unroutable + no usable host"
is "$(json_eval "$J" "sorted(f['evidence'] for f in $M['findings'] if f['id'] == 'mx.host-unroutable')")" \
	'["10.0.0.5","127.0.0.1","fd00::25"]' "each private, loopback and unique-local address is named"
like "$(json_eval "$J" "' '.join(f['message'] for f in $M['findings'])")" "private \(RFC 1918\).*loopback.*unique local" \
	"the kind of each address is said"
is "$rc" 2 "private only: exit 2"

audit backup.rcpt-mail.test
is "$(ids)" "mx.backup-unreachable:warn mx.host-no-address:warn mx.host-unroutable:warn" "backups: noted"
is "$(json_eval "$J" "sorted(f['evidence'] for f in $M['findings'] if f['id'] == 'mx.backup-unreachable')")" \
	'["ghost.rcpt-mail.test","lan.rcpt-mail.test"]' "backups: both unusable backups named"
like "$(msg mx.backup-unreachable)" "preference 20.*primary mx\.rcpt-mail\.test" "backups: says the primary works"
is "$rc" 1 "backups: exit 1 (warnings)"

audit equal.rcpt-mail.test
like "$(ids)" "mx.equal-preference:pass" "equal preferences noted"
audit literal.rcpt-mail.test
like "$(ids)" "mx.ip-literal:fail" "IP literal as MX target"
audit missing.rcpt-mail.test
is "$(ids)" "mx.domain-nxdomain:fail" "audited domain NXDOMAIN: fail, not a lookup error"
audit good.rcpt-mail.test
is "$(json_get "$J" checks.mx.recipient)" null "no --rcpt: recipient is null"

# --- recipient mode -----------------------------------------------------------
audit good.rcpt-mail.test --rcpt someone@implicit.rcpt-mail.test
is "$(rids)" "mx.rcpt-implicit:warn" "rcpt implicit MX: warn"
is "$(rget mail_capable)" true "rcpt implicit: mail_capable"
is "$(rget implicit)" true "rcpt implicit: implicit true"
is "$(json_eval "$J" "$M['recipient']['hosts'][0]['addresses']")" '["192.0.2.31"]' "rcpt implicit: the domain's address"

audit good.rcpt-mail.test --rcpt '<Someone@NullMX.rcpt-mail.test>'
is "$(rids)" "mx.rcpt-null-mx:fail" "rcpt null MX: fail"
is "$(rget domain)" nullmx.rcpt-mail.test "rcpt: domain lower-cased, <> stripped"
is "$(rget null_mx)" true "rcpt null MX: null_mx true"
is "$(rget mail_capable)" false "rcpt null MX: not mail capable"

audit good.rcpt-mail.test --rcpt someone@missing.rcpt-mail.test
is "$(rids)" "mx.rcpt-nxdomain:fail" "rcpt NXDOMAIN: fail"
is "$(rget exists)" false "rcpt NXDOMAIN: exists false"

audit good.rcpt-mail.test --rcpt someone@nomail.rcpt-mail.test
is "$(rids)" "mx.rcpt-no-mail:fail" "rcpt no MX, no address: fail"
is "$(rget exists)" true "rcpt no mail: the domain exists"

audit good.rcpt-mail.test --rcpt someone@private.rcpt-mail.test
is "$(rids)" "mx.rcpt-no-mail:fail" "rcpt MX hosts on private addresses only: no mail"
is "$(json_eval "$J" "[h['host'] for h in $M['recipient']['hosts']]")" \
	'["lan.rcpt-mail.test","lo.rcpt-mail.test","ula.rcpt-mail.test"]' "rcpt: the recipient's MX hosts in order"

audit good.rcpt-mail.test --rcpt someone@backup.rcpt-mail.test
is "$(rids)" "mx.rcpt-ok:pass" "rcpt receives mail: ok"
is "$(ids)" "mx.rcpt-ok:pass" "the recipient's backups are not the audited domain's findings"
is "$rc" 0 "rcpt ok: exit 0"

audit good.rcpt-mail.test --rcpt someone@good.rcpt-mail.test
is "$(rids)" "mx.rcpt-ok:pass" "rcpt at the audited domain: ok"
is "$(json_eval "$J" "[h['host'] for h in $M['recipient']['hosts']]")" '["mx.rcpt-mail.test"]' "rcpt at the audited domain: shared hosts"

audit good.rcpt-mail.test --rcpt 'some one@good.rcpt-mail.test'
is "$(rids)" "mx.rcpt-syntax:fail" "rcpt syntax: fail"
is "$(rget syntax_ok)" false "rcpt syntax: syntax_ok false"
like "$(rget syntax_error)" "space" "rcpt syntax: says why"
is "$rc" 2 "rcpt syntax: exit 2"

audit good.rcpt-mail.test --rcpt 'someone@[192.0.2.30]'
is "$(rids)" "mx.rcpt-literal:warn" "rcpt address literal: warn"
is "$(rget domain)" "[192.0.2.30]" "rcpt address literal: domain kept as the literal"

audit good.rcpt-mail.test --rcpt someone@gmial.com
like "$(rids)" "mx.rcpt-typo:warn" "rcpt typo of a mailbox domain: warn"
like "$(msg mx.rcpt-typo)" "did you mean gmail\.com" "rcpt typo: suggests gmail.com"
is "$(rget typo_of)" gmail.com "rcpt typo: typo_of"
like "$(rids)" "mx.rcpt-lookup-failed:error" "rcpt domain the server refuses: error, not fail"
is "$(rget mail_capable)" null "rcpt lookup failed: mail_capable undecided"

done_testing
