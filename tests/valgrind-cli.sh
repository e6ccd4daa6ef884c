#!/bin/bash
# valgrind-cli.sh - the command-line integration cases under valgrind
# memcheck (issue 9): --json against a real Knot for MX, PTR, SPF, DMARC,
# DKIM and blocklists, a STARTTLS probe, misbehaving DNS and SMTP peers,
# --report md, --bounce, --batch, and bad input.  Every run must have zero
# memcheck errors and no definitely or indirectly lost block
# (--errors-for-leak-kinds=definite,indirect makes those errors too, so
# --error-exitcode=99 catches both).
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/tls_pki.sh"

[ -x "$MXAUDIT" ] || skip_all "no mxaudit binary at $MXAUDIT"
command -v valgrind >/dev/null 2>&1 || skip_all "valgrind not found (install the Debian package valgrind)"
# A sanitizer build cannot run under valgrind.
if nm -a "$MXAUDIT" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
	skip_all "$MXAUDIT is built with sanitizers"
fi
knot_start mx.test 2.0.192.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa spf.test dkim.test dmarc.test bl-dnsbl.test \
	tls.test fault-cname.test fault-esc.test 66.113.0.203.in-addr.arpa ||
	{ echo "Bail out! knotd did not start"; exit 1; }

VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect --track-fds=no --num-callers=30)
NET=(--timeout 5 --dns-server "$DNS_SERVER")
n=0

# vg NAME WANT_EXIT_REGEX ARGS...: mxaudit under memcheck (stdin from $VG_STDIN
# or /dev/null).
vg() {
	local name=$1 want=$2 log
	shift 2
	n=$((n + 1))
	log="$TEST_TMPDIR/vg.$n.log"
	timeout 300 "${VG[@]}" --log-file="$log" "$MXAUDIT" "$@" <"${VG_STDIN:-/dev/null}" \
		>"$TEST_TMPDIR/out.$n" 2>"$TEST_TMPDIR/err.$n"
	local rc=$?
	if [ "$rc" = 99 ] || [ -s "$log" ]; then
		fail "$name: memcheck clean (exit $rc)"
		diag "$(head -c 6000 "$log")"
	else
		pass "$name: memcheck clean"
	fi
	like "$rc" "$want" "$name: exit $rc"
}

pki_init || { echo "Bail out! cannot make a test CA"; exit 1; }
pki_leaf valid mx.valid.tls.test
smtp_start valid --cert "$PKI/valid.pem" --key "$PKI/valid.key" --name mx.valid.tls.test ||
	{ echo "Bail out! SMTP server did not start"; exit 1; }

vg "MX+PTR" '^[0-3]$' --json --only mx,ptr "${NET[@]}" multi.mx.test 192.0.2.10
vg "PTR IPv6" '^[0-3]$' --json --only ptr "${NET[@]}" v6host.mx.test 2001:db8::25
vg "SPF" '^[0-3]$' --json --only spf "${NET[@]}" pass.spf.test 192.0.2.20
vg "DMARC+DKIM" '^[0-3]$' --json --only dkim,dmarc "${NET[@]}" --selector good --selector weak --selector missing \
	dkim.test
vg "DMARC" '^[0-3]$' --json --only dmarc "${NET[@]}" dmarc.test
vg "blocklists" '^[0-3]$' --json --only blocklists "${NET[@]}" --blocklists "$top_srcdir/tests/zones/bl-lists.conf" \
	bad.example 192.0.2.66
vg "TLS STARTTLS" '^[0-3]$' --json --only tls "${NET[@]}" --smtp-port "$SMTP_PORT" --ca-file "$PKI/ca.pem" \
	valid.tls.test
vg "whole audit" '^[0-3]$' --json "${NET[@]}" --smtp-port "$SMTP_PORT" --blocklists \
	"$top_srcdir/tests/zones/bl-lists.conf" multi.mx.test 192.0.2.10
vg "Markdown report" '^[0-3]$' --report md "${NET[@]}" --skip tls,blocklists multi.mx.test 192.0.2.10
vg "bounce" '^[0-3]$' --json --only mx "${NET[@]}" --bounce "$top_srcdir/tests/bounces/gmail-5.1.1.eml" mx.test
VG_STDIN="$top_srcdir/tests/bounces/gmail-5.1.1.eml" vg "bounce on stdin" '^[0-3]$' --report md --only mx "${NET[@]}" \
	--bounce - mx.test
vg "CNAME loop" '^3$' --json --only mx,spf,dmarc "${NET[@]}" loop.fault-cname.test
vg "hostile text" '^[0-3]$' --json --selector sel --skip blocklists,tls "${NET[@]}" fault-esc.test 203.0.113.66
printf 'multi.mx.test 192.0.2.10\n# a comment\nmx.test\nbad..example\nv6host.mx.test 2001:db8::25\n' \
	>"$TEST_TMPDIR/batch.txt"
vg "batch" '^[0-9]+$' --batch "$TEST_TMPDIR/batch.txt" --only mx,ptr "${NET[@]}"

# Faults: a silent DNS server, a truncating one, a hanging SMTP peer.
silent_udp_start && vg "silent DNS" '^3$' --json --only mx,spf --timeout 1 --dns-server "127.0.0.1:$SILENT_PORT" \
	mx.test
_tls_server dns-tc "$top_srcdir/tests/lib/bad_dns.py" tc &&
	vg "TC then TCP" '^[0-3]$' --json --only mx,spf --timeout 5 --dns-server "127.0.0.1:$_tls_port" fault.test
_tls_server dns-servfail "$top_srcdir/tests/lib/bad_dns.py" servfail &&
	vg "SERVFAIL" '^3$' --json --only mx,spf --timeout 5 --dns-server "127.0.0.1:$_tls_port" fault.test
bad_peer_start garbage-tls && vg "garbage TLS" '^3$' --json --only tls "${NET[@]}" --smtp-port "$BAD_PORT" bad.tls.test
bad_peer_start hang-handshake &&
	vg "hanging handshake" '^3$' --json --only tls --timeout 2 --dns-server "$DNS_SERVER" --smtp-port "$BAD_PORT" \
		bad.tls.test

# Bad input.
vg "malformed domain" '^64$' --json 'bad..example.com'
vg "bad IP" '^64$' --json example.com 192.0.2.999
vg "unknown option" '^64$' --json --no-such-option example.com
vg "unreadable zone" '^64$' --json --zone "$TEST_TMPDIR/none.zone" example.com
vg "--help" '^0$' --help

done_testing
