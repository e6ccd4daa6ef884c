#!/usr/bin/env python3
"""gen_zones.py OUTDIR [BATCH_N] - write the benchmark scenario's zones and list file.

The scenario (issue 10): SPF with nested includes (9 lookups, include depth
3), DMARC only at the organizational domain, 3 DKIM selectors, 3 MX hosts
with A and AAAA (loopback, for the STARTTLS probes), PTR with forward
confirmation, 40 IP blocklists and 5 domain lists.  It also writes
OUTDIR/floor.txt: the longest chain of DNS round trips that depend on each
other's answers, which bench/run.sh multiplies by the injected delay.

With BATCH_N it also writes batch.example.zone (BATCH_N domains dNNNNN, each
with SPF including a shared record, MX to a shared host, DMARC) and
OUTDIR/batch-N.txt for N in 1000 and BATCH_N: the first N domains, one
'DOMAIN IP' a line, for `mxaudit --batch`.
"""
import os
import subprocess
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
SOA = "@ 3600 IN SOA ns.{o}. hostmaster.{o}. 1 3600 600 86400 60\n@ 3600 IN NS ns.{o}.\nns 3600 IN A 127.0.0.1\n"


def dkim_key():
    key = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
                         check=True, capture_output=True).stdout
    pub = subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER"], input=key, check=True,
                         capture_output=True).stdout
    import base64
    b = base64.b64encode(pub).decode()
    return '"v=DKIM1; k=rsa; p=%s" "%s"' % (b[:200], b[200:])


def zone(name, body):
    with open(os.path.join(out, name + ".zone"), "w") as f:
        f.write("$ORIGIN %s.\n$TTL 300\n" % name)
        f.write(SOA.format(o=name))
        f.write(body)


# SPF: bench.example -> _a -> _a1 -> _a11 is the include chain of depth 3;
# lookups in evaluation order: _a, _a1, _a11, _a2, a:out, _b, exists, mx, a = 9.
body = """
@ IN TXT "v=spf1 include:_a.bench.example include:_b.bench.example mx a -all"
_a IN TXT "v=spf1 include:_a1.bench.example include:_a2.bench.example ip4:198.51.100.0/24 -all"
_a1 IN TXT "v=spf1 include:_a11.bench.example ip4:198.51.100.10 -all"
_a11 IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
_a2 IN TXT "v=spf1 a:out.bench.example -all"
_b IN TXT "v=spf1 exists:%{i}.ok.bench.example ip4:198.51.100.77 -all"
25.2.0.192.ok IN A 127.0.0.2
out IN A 198.51.100.5
@ IN A 198.51.100.6
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@bench.example; adkim=r; aspf=r"
@ IN MX 10 mx1.bench.example.
@ IN MX 20 mx2.bench.example.
@ IN MX 30 mx3.bench.example.
mx1 IN A 127.0.0.1
mx1 IN AAAA ::1
mx2 IN A 127.0.0.1
mx2 IN AAAA ::1
mx3 IN A 127.0.0.1
mx3 IN AAAA ::1
mail IN A 192.0.2.25
news IN A 198.51.100.8
"""
for sel in ("s1", "s2", "s3"):
    body += "%s._domainkey IN TXT %s\n" % (sel, dkim_key())
zone("bench.example", body)

zone("2.0.192.in-addr.arpa", "25 IN PTR mail.bench.example.\n")

lists, body = [], ""
for i in range(1, 41):
    z = "bl%02d" % i
    body += "2.0.0.127.%s IN A 127.0.0.2\n" % z
    if i == 7:
        body += "25.2.0.192.%s IN A 127.0.0.2\n25.2.0.192.%s IN TXT \"listed for the benchmark\"\n" % (z, z)
    lists.append("%s.bench.test ip Bench list %d 127.0.0.2=listed" % (z, i))
for i in range(1, 6):
    z = "dbl%d" % i
    body += "test.%s IN A 127.0.1.2\n" % z
    lists.append("%s.bench.test domain Bench domain list %d 127.0.1.2=listed" % (z, i))
zone("bench.test", body)
with open(os.path.join(out, "blocklists.conf"), "w") as f:
    f.write("# benchmark lists: 40 IP lists and 5 domain lists, all in bench.test\n")
    f.write("\n".join(lists) + "\n")

# The critical path in round trips: the SPF include chain bench.example ->
# _a -> _a1 -> _a11 is 4 dependent TXT answers; everything else is shorter
# (MX -> A -> STARTTLS is 2 plus the handshake, PTR -> A is 2, DMARC at the
# org domain 2, blocklists and DKIM 1).
with open(os.path.join(out, "floor.txt"), "w") as f:
    f.write("4\n")

if len(sys.argv) > 2:
    n = int(sys.argv[2])
    body = ['_spf IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n', 'mx IN A 192.0.2.25\n']
    for i in range(n):
        d = "d%05d" % i
        body.append('%s IN TXT "v=spf1 include:_spf.batch.example -all"\n%s IN MX 10 mx.batch.example.\n'
                    '_dmarc.%s IN TXT "v=DMARC1; p=none"\n' % (d, d, d))
    zone("batch.example", "".join(body))
    for m in sorted({min(1000, n), n}):
        with open(os.path.join(out, "batch-%d.txt" % m), "w") as f:
            f.write("".join("d%05d.batch.example 192.0.2.25\n" % i for i in range(m)))
