#!/bin/bash
# bounce-corpus.sh - every bounce in tests/bounces/ (written from the
# providers' published formats) decodes as its .expect sidecar says: each
# "key: value" line of the .expect must appear in bounce_dump's output.
. "$top_srcdir/tests/lib/testlib.sh"
dump="$top_builddir/tests/bounce_dump"
dir="$top_srcdir/tests/bounces"
n=0
for e in "$dir"/*.expect; do n=$((n + $(grep -c . "$e"))); done
plan "$n"
for e in "$dir"/*.expect; do
	base=${e%.expect}
	input=$(ls "$base".* | grep -v '\.expect$' | head -n 1)
	name=$(basename "$input")
	out=$("$dump" "$input" 2>&1)
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		key=${line%%:*}
		got=$(printf '%s\n' "$out" | grep "^$key: " | head -n 1)
		is "$got" "$line" "$name: $key"
	done < "$e"
done
done_testing
