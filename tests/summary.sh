#!/bin/sh
# Sum the automake .trs files given as arguments into one closing line:
# "N passed, N failed" (skipped and TODO counted apart).  Used by `make check`
# (check-local) and by .ci/run.
pass=0; fail=0; skip=0; todo=0
for trs in "$@"; do
	[ -f "$trs" ] || continue
	while IFS= read -r line; do
		case "$line" in
		":test-result: PASS"*) pass=$((pass + 1)) ;;
		":test-result: XFAIL"*) todo=$((todo + 1)) ;;
		":test-result: FAIL"*|":test-result: XPASS"*|":test-result: ERROR"*) fail=$((fail + 1)) ;;
		":test-result: SKIP"*) skip=$((skip + 1)) ;;
		esac
	done < "$trs"
done
# Skips and expected failures (TAP "# TODO") are neither passes nor
# failures: say how many, after the two numbers that matter.
line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
[ "$todo" -gt 0 ] && line="$line, $todo todo"
echo "$line"
[ "$fail" -eq 0 ]
