#!/bin/bash
# cli-batch.sh - `mxaudit --batch FILE` against a real Knot DNS serving
# tests/zones/batch.test.zone: what a script reading the batch output relies
# on.  One JSON object per DOMAIN line (blank lines and comments skipped),
# each the `--json` report of that line plus "line"; malformed lines reported
# in place without stopping the others; the exit status of the worst line; an
# unreadable FILE; --parallel 1 / 8 / more than the lines; the identities
# (each line's own by default, --helo / --mail-from / --from-domain for every
# line when given); `-` for standard input; the progress line only on a
# terminal.  Only the SPF, DMARC and MX checks run: nothing leaves loopback.
. "$top_srcdir/tests/lib/testlib.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
knot_start batch.test || { echo "Bail out! knotd did not start"; exit 1; }
diag "knotd on $DNS_SERVER"

T=$TEST_TMPDIR
IP=192.0.2.60
OPTS=(--only spf,dmarc,mx --timeout 5 --dns-server "$DNS_SERVER")

# batch NAME ARGS...: mxaudit --batch with $OPTS; stdout in $T/NAME.out,
# stderr in $T/NAME.err, exit status in $rc.
batch() {
	local name=$1
	shift
	timeout 120 "$MXAUDIT" "${OPTS[@]}" "$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	[ -s "$T/$name.err" ] && diag "$name: stderr: $(head -c 500 "$T/$name.err")"
	return 0
}

# single NAME ARGS...: mxaudit --json with $OPTS, the same way.
single() {
	local name=$1
	shift
	timeout 60 "$MXAUDIT" --json "${OPTS[@]}" "$@" >"$T/$name.json" 2>"$T/$name.err"
	rc=$?
}

# jl FILE EXPR: evaluate the Python EXPR over FILE read as JSON lines: L is
# the list of objects, bad the numbers of the lines that are not JSON, A the
# audits (objects with "checks") by their "line", E the input errors (objects
# with "error") by their "line", norm(o) an object without its "line" and
# "duration_ms" fields (timings differ from run to run), and worst(L) the
# exit status the lines call for.  Strings print raw, the rest as JSON.
# norm() also blanks the query times of the SPF trace ("(14 ms, ").
cat >"$T/jl.py" <<'EOF'
import json, re, sys
L, bad = [], []
for n, s in enumerate(open(sys.argv[1], encoding='utf-8'), 1):
    try:
        L.append(json.loads(s))
    except ValueError:
        bad.append(n)
A = {o['line']: o for o in L if isinstance(o, dict) and 'checks' in o}
E = {o['line']: o for o in L if isinstance(o, dict) and 'error' in o}
def norm(o):
    if isinstance(o, dict):
        return {k: norm(v) for k, v in o.items() if k not in ('line', 'duration_ms')}
    if isinstance(o, list):
        return [norm(v) for v in o]
    if isinstance(o, str):
        return re.sub(r'\(\d+ ms, ', '(N ms, ', o)
    return o
def worst(L):
    rank = {'fail': 2, 'error': 3, 'warn': 1}
    st = {o['status'] for o in L}
    return 2 if 'fail' in st else 3 if 'error' in st else 1 if 'warn' in st else 0
def load(path):
    return json.load(open(path, encoding='utf-8'))
r = eval(sys.argv[2])
print(r if isinstance(r, str) else json.dumps(r, sort_keys=True))
EOF
jl() {
	"$PYTHON" "$T/jl.py" "$@"
}

# The main input: every kind of domain of the zone, the separators a script
# may write (tab, CRLF, trailing comment, indented comment, blank line), a
# line without IP, and three malformed lines between the good ones.
printf '%s\n' \
	'# batch.test: one domain of each kind' \
	"pass.batch.test $IP" \
	'' \
	"spffail.batch.test	$IP   # tab-separated, trailing comment" \
	'   # an indented comment' \
	"nomx.batch.test $IP" \
	"bad..batch.test $IP" \
	"nullmx.batch.test $IP"$'\r' \
	'nodmarc.batch.test 192.0.2.999' \
	"nodmarc.batch.test $IP" \
	"pass.batch.test $IP extra" \
	'nullmx.batch.test' >"$T/input.txt"
# line -> domain, ip of the lines that name an audit, and the lines that are
# malformed.
WANT_AUDITS='{"10": ["nodmarc.batch.test", "192.0.2.60"], "12": ["nullmx.batch.test", null], "2": ["pass.batch.test", "192.0.2.60"], "4": ["spffail.batch.test", "192.0.2.60"], "6": ["nomx.batch.test", "192.0.2.60"], "8": ["nullmx.batch.test", "192.0.2.60"]}'
WANT_ERRORS='[7, 9, 11]'

# --- one JSON object per line that names a domain -----------------------------
batch main --batch "$T/input.txt"
is "$rc" 2 "main: exit 2 (a domain fails)"
is "$(jl "$T/main.out" 'worst(L)')" "$rc" "main: the exit status is the worst line's"
is "$(wc -l <"$T/main.out" | tr -d ' ')" 9 "main: 9 output lines (6 audits, 3 malformed; comments and blank lines skipped)"
is "$(jl "$T/main.out" 'bad')" "[]" "main: every output line is valid JSON"
is "$(jl "$T/main.out" 'all(isinstance(o, dict) for o in L)')" true "main: every output line is an object"
is "$(jl "$T/main.out" 'sorted(o["line"] for o in L)')" "[2, 4, 6, 7, 8, 9, 10, 11, 12]" \
	"main: one object per domain line, each with its line number"
is "$(jl "$T/main.out" '{str(k): [o["domain"], o["ip"]] for k, o in A.items()}')" "$WANT_AUDITS" \
	"main: each audit has its line's domain and ip (null without one)"
is "$(jl "$T/main.out" 'sorted(E)')" "$WANT_ERRORS" "main: the malformed lines are the errors"

# The same top-level shape as --json (plus "line"), all seven checks.
single shape pass.batch.test $IP
is "$(jl "$T/main.out" "sorted({k for o in A.values() for k in o} - {'line'}) == sorted(load('$T/shape.json')) and all(set(o) - {'line'} == set(load('$T/shape.json')) for o in A.values())")" true \
	"main: every audit has the top-level keys of --json, and only those (plus line)"
is "$(jl "$T/main.out" 'sorted({",".join(sorted(o["checks"])) for o in A.values()})')" \
	'["blocklists,dkim,dmarc,mx,ptr,spf,tls"]' "main: every audit has the seven checks"
is "$(jl "$T/main.out" 'sorted({o["mxaudit"] for o in A.values()})')" "[\"$(json_get "$T/shape.json" mxaudit)\"]" \
	"main: every audit names the mxaudit version"

# Verdicts that come from the zone.
v() { jl "$T/main.out" "$1"; }
is "$(v 'A[2]["status"] + " " + A[2]["checks"]["spf"]["status"] + " " + A[2]["checks"]["spf"]["result"]')" "pass pass pass" \
	"pass: SPF passes 192.0.2.60, the audit passes"
is "$(v 'A[4]["checks"]["spf"]["status"] + " " + A[4]["checks"]["spf"]["result"] + " " + A[4]["status"]')" "fail fail fail" \
	"spffail: SPF fails 192.0.2.60"
is "$(v 'A[4]["checks"]["spf"]["record"]')" "v=spf1 ip4:198.51.100.60 -all" "spffail: its own SPF record"
is "$(v 'A[6]["checks"]["mx"]["status"] + " " + " ".join(f["id"] for f in A[6]["checks"]["mx"]["findings"])')" \
	"fail mx.none" "nomx: mx fails with mx.none"
is "$(v 'A[8]["checks"]["mx"]["status"] + " " + str(A[8]["checks"]["mx"]["null_mx"]) + " " + A[8]["status"]')" \
	"warn True warn" "nullmx: null MX, a warning (CRLF line)"
is "$(v 'A[10]["checks"]["dmarc"]["status"] + " " + " ".join(f["id"] for f in A[10]["checks"]["dmarc"]["findings"])')" \
	"fail dmarc.missing" "nodmarc: DMARC missing"
is "$(v 'str(A[12]["checks"]["spf"]["result"]) + " " + A[12]["checks"]["mx"]["status"]')" "None warn" \
	"nullmx without IP: no SPF result, null MX"

# Each audit is the --json report of the same domain and IP.
for line in 2 4 6 8 10 12; do
	read -r d ip < <(jl "$T/main.out" "A[$line]['domain'] + ' ' + (A[$line]['ip'] or '')")
	single "one$line" $d $ip
	is "$(jl "$T/main.out" "norm(A[$line]) == norm(load('$T/one$line.json'))")" true \
		"line $line ($d${ip:+ $ip}) is the --json report of the same domain"
done

# --- malformed lines: an error object each, the other lines still run --------
is "$(jl "$T/main.out" 'sorted({",".join(sorted(o)) for o in E.values()})')" '["error,input,line,status"]' \
	"errors: each is {line, input, status, error}"
is "$(jl "$T/main.out" 'sorted({o["status"] for o in E.values()})')" '["error"]' "errors: status error"
is "$(v 'E[7]["input"]')" "bad..batch.test $IP" "bad domain: input is the line as written"
like "$(v 'E[7]["error"]')" "^'bad\.\.batch\.test' is not a valid domain: " "bad domain: says why"
is "$(v 'E[9]["input"]')" "nodmarc.batch.test 192.0.2.999" "bad IP: input is the whole line"
like "$(v 'E[9]["error"]')" "^'192\.0\.2\.999' is not an IP address" "bad IP: names the IP"
is "$(v 'E[11]["input"]')" "pass.batch.test $IP extra" "third field: input is the whole line"
like "$(v 'E[11]["error"]')" "^expected 'DOMAIN \[IP\]', got a third field 'extra'" "third field: names it"
is "$(v 'A[10]["status"] + " " + A[12]["status"]')" "fail warn" "the lines after the malformed ones were audited"

# --- exit status: the worst over all lines ------------------------------------
# exit_case NAME WANT LINE...: a batch of these lines exits WANT, which is
# also what its output lines call for.
exit_case() {
	local name=$1 want=$2
	shift 2
	printf '%s\n' "$@" >"$T/$name.txt"
	batch "$name" --batch "$T/$name.txt"
	is "$rc" "$want" "exit: $name: $want"
	is "$(jl "$T/$name.out" 'str(len(L)) + " " + str(worst(L))')" "$# $want" "exit: $name: $# lines that call for $want"
}
exit_case all-pass 0 "pass.batch.test $IP" "pass.batch.test $IP"
exit_case warn 1 "pass.batch.test $IP" "nullmx.batch.test $IP"
exit_case fail 2 "nullmx.batch.test $IP" "pass.batch.test $IP" "spffail.batch.test $IP"
exit_case error 3 "pass.batch.test $IP" "nullmx.batch.test $IP" "bad..batch.test"
exit_case fail-and-error 2 "bad..batch.test" "nodmarc.batch.test $IP"
printf '# nothing but comments\n\n   \n# and blanks\n' >"$T/empty.txt"
batch empty --batch "$T/empty.txt"
is "$rc" 0 "exit: no domain lines: exit 0"
is "$(wc -c <"$T/empty.out" | tr -d ' ')" 0 "exit: no domain lines: no output"

# --- an unreadable FILE: exit 64, one line on stderr, nothing on stdout --------
# unreadable NAME ARGS...
unreadable() {
	local name=$1
	shift
	"$@" >"$T/unr.out" 2>"$T/unr.err"
	rc=$?
	is "$rc" 64 "$name: exit 64"
	is "$(wc -l <"$T/unr.err" | tr -d ' ')" 1 "$name: one line on stderr"
	like "$(head -n 1 "$T/unr.err")" '^mxaudit: cannot read .{5,}' "$name: it says the file cannot be read"
	is "$(wc -c <"$T/unr.out" | tr -d ' ')" 0 "$name: nothing on stdout"
}
unreadable "missing FILE" timeout 30 "$MXAUDIT" --batch "$T/no-such-file" "${OPTS[@]}"
mkdir "$T/a-directory"
unreadable "FILE is a directory" timeout 30 "$MXAUDIT" --batch "$T/a-directory" "${OPTS[@]}"
unreadable "standard input is a directory" timeout 30 "$MXAUDIT" --batch - "${OPTS[@]}" <"$T/a-directory"
cp "$T/input.txt" "$T/secret.txt"
chmod 000 "$T/secret.txt"
if [ "$(id -u)" != 0 ]; then
	unreadable "FILE without read permission" timeout 30 "$MXAUDIT" --batch "$T/secret.txt" "${OPTS[@]}"
elif command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups test -x "$MXAUDIT"; then
	# Root reads everything: run as nobody to meet the permission check.
	chmod 711 "$T"
	unreadable "FILE without read permission (as nobody)" timeout 30 \
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$MXAUDIT" --batch "$T/secret.txt" "${OPTS[@]}"
else
	for _ in 1 2 3 4; do skip "FILE without read permission (root reads everything; no setpriv or nobody may not run $MXAUDIT)"; done
fi

# --- --parallel: the same results whatever the number of slots ----------------
# Sorted by line (the same domain appears on several lines).
SORTED='[norm(o) for o in sorted(L, key=lambda o: o["line"])]'
jl "$T/main.out" "$SORTED" >"$T/main.sorted"
batch p1 --batch "$T/input.txt" --parallel 1
is "$rc" 2 "--parallel 1: exit 2"
is "$(jl "$T/p1.out" '[o["line"] for o in L]')" "[2, 4, 6, 7, 8, 9, 10, 11, 12]" \
	"--parallel 1: one at a time, so in input order"
for n in 8 64; do
	batch "p$n" --batch "$T/input.txt" --parallel $n
	is "$rc" 2 "--parallel $n: exit 2"
	is "$(jl "$T/p$n.out" 'len(L)')" 9 "--parallel $n: every line finished"
done
jl "$T/p1.out" "$SORTED" >"$T/p1.sorted"
ok "$(cmp -s "$T/p1.sorted" "$T/main.sorted"; echo $?)" "--parallel 1 and the default (16) give the same results"
for n in 8 64; do
	jl "$T/p$n.out" "$SORTED" >"$T/p$n.sorted"
	ok "$(cmp -s "$T/p1.sorted" "$T/p$n.sorted"; echo $?)" "--parallel 1 and --parallel $n give the same results"
done
# More lines than slots, so slots are refilled while others run.
for i in $(seq 1 8); do
	printf '%s\n' "pass.batch.test $IP" "spffail.batch.test $IP" "nomx.batch.test $IP" \
		"nullmx.batch.test $IP" "nodmarc.batch.test $IP" "bad..batch.test"
done >"$T/many.txt"
batch many1 --batch "$T/many.txt" --parallel 1
batch many8 --batch "$T/many.txt" --parallel 8
is "$(jl "$T/many8.out" 'sorted(o["line"] for o in L) == list(range(1, 49))')" true \
	"48 lines, --parallel 8: each line once"
ok "$(cmp -s <(jl "$T/many1.out" "$SORTED") <(jl "$T/many8.out" "$SORTED"); echo $?)" \
	"48 lines: --parallel 1 and --parallel 8 give the same results"
is "$(jl "$T/many8.out" 'sorted({o.get("domain", o.get("input")) + " " + o["status"] for o in L})')" \
	'["bad..batch.test error", "nodmarc.batch.test fail", "nomx.batch.test fail", "nullmx.batch.test warn", "pass.batch.test pass", "spffail.batch.test fail"]' \
	"48 lines, --parallel 8: every copy of a domain has its domain's verdict"

# --- identities ---------------------------------------------------------------
# ids FILE: "domain from_domain mail_from helo" of each audit, by line.
ids() {
	jl "$1" '";".join(" ".join([o["domain"], o["from_domain"], o["mail_from"], o["helo"]]) for _, o in sorted(A.items()))'
}
is "$(ids "$T/main.out")" "$(jl "$T/main.out" '";".join(" ".join([o["domain"], o["domain"], "postmaster@" + o["domain"], o["domain"]]) for _, o in sorted(A.items()))')" \
	"default: from_domain, mail_from and helo follow each line's domain"
is "$(v 'A[2]["mail_from"] + " " + A[10]["mail_from"]')" "postmaster@pass.batch.test postmaster@nodmarc.batch.test" \
	"default: postmaster@ each line's domain"

printf '%s\n' "pass.batch.test $IP" "spffail.batch.test $IP" "nodmarc.batch.test $IP" >"$T/ident.txt"
ALL=(--helo helo.batch.test --mail-from bounce@sender.batch.test --from-domain pass.batch.test)
batch ident --batch "$T/ident.txt" "${ALL[@]}"
is "$(jl "$T/ident.out" 'len(A)')" 3 "all three given: three audits"
is "$(ids "$T/ident.out")" "pass.batch.test pass.batch.test bounce@sender.batch.test helo.batch.test;spffail.batch.test pass.batch.test bounce@sender.batch.test helo.batch.test;nodmarc.batch.test pass.batch.test bounce@sender.batch.test helo.batch.test" \
	"all three given: they apply to every line"
is "$(jl "$T/ident.out" 'sorted({o["checks"]["spf"]["result"] + " " + o["checks"]["spf"]["record"] for o in A.values()})')" \
	'["pass v=spf1 ip4:192.0.2.0/24 -all"]' \
	"--mail-from: SPF is evaluated for sender.batch.test on every line (spffail's own record would fail)"
is "$(jl "$T/ident.out" 'sorted({"spf.helo-fail" in [f["id"] for f in o["checks"]["spf"]["findings"]] for o in A.values()})')" \
	'[true]' "--helo: SPF of the HELO name is evaluated on every line (helo.batch.test authorises nobody)"
is "$(jl "$T/ident.out" '" ".join(f["id"] + ":" + f["status"] for f in A[3]["checks"]["dmarc"]["findings"] if f["id"] == "dmarc.missing") or "none"')" \
	"none" "--from-domain: nodmarc's line takes pass.batch.test's DMARC record"
is "$(jl "$T/ident.out" 'A[3]["checks"]["dmarc"]["record"] + " " + A[3]["checks"]["dmarc"]["policy"]')" \
	"v=DMARC1; p=reject; rua=mailto:dmarc@batch.test reject" "--from-domain: its record and policy"
single ident-one spffail.batch.test $IP "${ALL[@]}"
is "$(jl "$T/ident.out" "norm(A[2]) == norm(load('$T/ident-one.json'))")" true \
	"all three given: a line is the --json report with the same options"

# One given, the other two follow each line.
batch helo --batch "$T/ident.txt" --helo helo.batch.test
is "$(ids "$T/helo.out")" "pass.batch.test pass.batch.test postmaster@pass.batch.test helo.batch.test;spffail.batch.test spffail.batch.test postmaster@spffail.batch.test helo.batch.test;nodmarc.batch.test nodmarc.batch.test postmaster@nodmarc.batch.test helo.batch.test" \
	"--helo alone: HELO for every line, the rest per line"
batch mailfrom --batch "$T/ident.txt" --mail-from bounce@sender.batch.test
is "$(ids "$T/mailfrom.out")" "pass.batch.test pass.batch.test bounce@sender.batch.test pass.batch.test;spffail.batch.test spffail.batch.test bounce@sender.batch.test spffail.batch.test;nodmarc.batch.test nodmarc.batch.test bounce@sender.batch.test nodmarc.batch.test" \
	"--mail-from alone: MAIL FROM for every line, the rest per line"
is "$(jl "$T/mailfrom.out" 'A[2]["checks"]["spf"]["result"]')" pass "--mail-from alone: spffail's line passes SPF as sender.batch.test"
batch fromdom --batch "$T/ident.txt" --from-domain pass.batch.test
is "$(ids "$T/fromdom.out")" "pass.batch.test pass.batch.test postmaster@pass.batch.test pass.batch.test;spffail.batch.test pass.batch.test postmaster@spffail.batch.test spffail.batch.test;nodmarc.batch.test pass.batch.test postmaster@nodmarc.batch.test nodmarc.batch.test" \
	"--from-domain alone: From domain for every line, the rest per line"
is "$(jl "$T/fromdom.out" 'A[2]["checks"]["spf"]["result"]')" fail "--from-domain alone: SPF still for each line's own domain"

# --- `-`: the list from standard input ---------------------------------------
timeout 120 "$MXAUDIT" "${OPTS[@]}" --batch - <"$T/input.txt" >"$T/stdin.out" 2>"$T/stdin.err"
rc=$?
is "$rc" 2 "stdin: exit 2"
ok "$(cmp -s <(jl "$T/stdin.out" "$SORTED") "$T/main.sorted"; echo $?)" "stdin: the same results as the file"
printf 'pass.batch.test %s\n' "$IP" | timeout 60 "$MXAUDIT" "${OPTS[@]}" --batch - >"$T/pipe.out" 2>"$T/pipe.err"
rc=$?
is "$rc $(jl "$T/pipe.out" '[[o["line"], o["domain"], o["status"]] for o in L]')" '0 [[1, "pass.batch.test", "pass"]]' "stdin from a pipe"

# --- progress: standard error, and only on a terminal -------------------------
is "$(cat "$T/main.err")" "" "stderr to a file: no progress output"
is "$(cat "$T/many8.err")" "" "stderr to a file (48 lines, --parallel 8): no progress output"
LC_ALL=C grep -q $'[\r\033]' "$T/main.out"
isnt0=$?
is "$isnt0" 1 "stdout holds no carriage return or escape (no progress text)"

# On a terminal: stdout to a file, stderr to the terminal.  The batch starts
# on a key, once tmux has settled the window's size: a resize right after
# the start can drop what was already on the screen.
TERM_OUT=$T/term.out
if tmux_start 100 8 bash -c "echo 'press Enter'; read -r _; $(printf '%q ' "$MXAUDIT" "${OPTS[@]}" --batch "$T/input.txt") >$(printf '%q' "$TERM_OUT"); echo \"exit=\$?\""; then
	tmux_wait_for 'press Enter' 10
	tmux_keys Enter
	tmux_wait_for 'exit=[0-9]+' 60
	screen=$(tmux_screen)
	like "$screen" 'mxaudit: 9 done, 0 running, line 12' "terminal: the progress line ends at 9 done, 0 running"
	like "$screen" 'exit=2' "terminal: exit 2"
	is "$(jl "$TERM_OUT" 'str(len(L)) + " " + str(bad)')" "9 []" "terminal: stdout (a file) has the 9 JSON lines"
	grep -q 'running' "$TERM_OUT"
	is "$?" 1 "terminal: no progress text in stdout"
else
	for _ in 1 2 3 4; do skip "terminal: tmux did not start"; done
fi

# --- sanitizers ---------------------------------------------------------------
san=$(cat "$T"/*.err 2>/dev/null | grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' | head -n 3)
is "$san" "" "no sanitizer report in any run's stderr"

done_testing
