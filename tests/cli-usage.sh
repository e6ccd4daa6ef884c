#!/bin/bash
# cli-usage.sh - the command line: --help, --version, and bad input, which
# must get exit 64, exactly one line on stderr and nothing on stdout (never
# a crash, never a terminal).
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"

OUT="$TEST_TMPDIR/out"
ERR="$TEST_TMPDIR/err"

MXAUDIT_PREFIX=()
run() {
	timeout 20 "${MXAUDIT_PREFIX[@]}" "$MXAUDIT" "$@" </dev/null >"$OUT" 2>"$ERR"
	rc=$?
}

# usage_error NAME ARGS...: exit 64, one line on stderr, empty stdout.
usage_error() {
	local name=$1
	shift
	run "$@"
	is "$rc" 64 "$name: exit 64"
	is "$(wc -l <"$ERR" | tr -d ' ')" 1 "$name: one line on stderr"
	like "$(head -n 1 "$ERR")" '^mxaudit: .{10,}' "$name: the line says what is wrong"
	ok $([ -s "$OUT" ] && echo 1 || echo 0) "$name: nothing on stdout"
	[ "$rc" = 64 ] || diag "stderr: $(head -c 500 "$ERR")"
}

run --help
is "$rc" 0 "--help: exit 0"
like "$(cat "$OUT")" '--json' "--help mentions --json"
like "$(cat "$OUT")" '--dns-server' "--help mentions --dns-server"
like "$(head -n 1 "$OUT")" '^Usage: mxaudit' "--help starts with Usage"

run -h
is "$rc" 0 "-h: exit 0"

run --version
is "$rc" 0 "--version: exit 0"
like "$(cat "$OUT")" '^mxaudit [0-9]+\.[0-9]+' "--version prints the version"

usage_error "unknown option" --json --no-such-option example.com
usage_error "unknown option, no --json" --no-such-option
usage_error "option without its value" --json example.com --dns-server
usage_error "malformed domain" --json 'bad..example.com'
usage_error "domain with a space" --json 'bad domain.example'
usage_error "malformed domain, no --json" 'bad..example.com'
usage_error "bad IP" --json example.com 192.0.2.999
usage_error "IP that is a word" --json example.com not-an-ip
usage_error "unreadable --zone file" --json --zone "$TEST_TMPDIR/no-such.zone" example.com
: >"$TEST_TMPDIR/list.txt"
usage_error "--batch with a DOMAIN on the command line" --batch "$TEST_TMPDIR/list.txt" example.com
usage_error "--batch - with --bounce -" --batch - --bounce -
# A file the user may not read.  Root reads everything, so as root the
# command runs as nobody (setpriv, util-linux) to meet the permission check.
: >"$TEST_TMPDIR/secret.zone"
chmod 000 "$TEST_TMPDIR/secret.zone"
if [ "$(id -u)" != 0 ]; then
	usage_error "--zone file without read permission" --json --zone "$TEST_TMPDIR/secret.zone" example.com
elif command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups test -x "$MXAUDIT"; then
	chmod 711 "$TEST_TMPDIR" # nobody may pass through, not list or read
	MXAUDIT_PREFIX=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
	usage_error "--zone file without read permission (as nobody)" --json --zone "$TEST_TMPDIR/secret.zone" example.com
	MXAUDIT_PREFIX=()
else
	for _ in 1 2 3 4; do skip "--zone file without read permission (root reads everything; no setpriv or nobody may not run $MXAUDIT)"; done
fi
usage_error "bad --dns-server" --json --dns-server not-a-server example.com
usage_error "bad --dns-server port" --json --dns-server 127.0.0.1:99999 example.com
long=$(printf 'a%.0s' $(seq 1 296)).com
is "${#long}" 300 "the long domain is 300 characters"
usage_error "300-character domain" --json "$long"
label=$(printf 'b%.0s' $(seq 1 64))
usage_error "64-character label" --json "$label.example.com"
usage_error "--json without a domain" --json
usage_error "too many arguments" --json example.com 192.0.2.1 extra
usage_error "bad --timeout" --json --timeout 0 example.com
usage_error "unknown check in --only" --json --only mx,nosuch example.com

# A 63-character label is fine: the boundary is not off by one.
ok_label=$(printf 'c%.0s' $(seq 1 63))
run --json --only mx --timeout 1 --dns-server 127.0.0.1:9 "$ok_label.example.com"
ok $([ "$rc" != 64 ] && echo 0 || echo 1) "63-character label is accepted (exit $rc)"

done_testing
