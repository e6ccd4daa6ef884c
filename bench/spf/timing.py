#!/usr/bin/python3
"""timing.py - wall time of one SPF evaluation per tool through a DNS
server that delays every answer (zone_dns.py --delay-ms), on generated
record trees.  Runs inside bench/spf/run.sh's namespace (resolv.conf ->
127.0.0.1).

    timing.py MXAUDIT DELAY_MS RUNS

Prints a Markdown table: median wall time per tool and scenario, and the
ratio to mxaudit.  pyspf is timed inside its process (interpreter start-up
excluded); mxaudit and spfquery as whole processes (start-up included).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
D = 'bench.example'


def txt(s):
    return ['TXT', [s]]


def trees():
    z = {}
    # deep: an include chain of depth 4, the first three levels with a and mx
    # terms (9 lookups, 6 more for the MX hosts' addresses).
    for i in range(4):
        name = D if i == 0 else 'l%d.%s' % (i, D)
        nxt = 'l%d.%s' % (i + 1, D)
        terms = 'a mx include:%s ~all' % nxt if i < 3 else 'ip4:198.51.100.0/24 -all'
        z['deep.' + name if i == 0 else name] = [txt('v=spf1 ' + terms), ['A', '192.0.2.%d' % (10 + i)],
                                                 ['MX', [10, 'mx%d.%s' % (i, D)]], ['MX', [20, 'mx%db.%s' % (i, D)]]]
        z['mx%d.%s' % (i, D)] = [['A', '192.0.2.%d' % (20 + i)]]
        z['mx%db.%s' % (i, D)] = [['A', '192.0.2.%d' % (30 + i)]]
    # the top of the deep chain is deep.bench.example (its a/mx are its own)
    # wide: eight includes of address-only records.
    z['wide.' + D] = [txt('v=spf1 ' + ' '.join('include:w%d.%s' % (i, D) for i in range(8)) + ' -all')]
    for i in range(8):
        z['w%d.%s' % (i, D)] = [txt('v=spf1 ip4:203.0.113.%d -all' % (i + 1))]
    return z


SCENARIOS = [  # (label, domain, ip)
    ('deep include chain, pass at depth 4', 'deep.' + D, '198.51.100.7'),
    ('8 includes side by side, pass in the last', 'wide.' + D, '203.0.113.8'),
    ('8 includes side by side, fail', 'wide.' + D, '192.0.2.200'),
]


def time_proc(cmd):
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    return (time.perf_counter() - t) * 1000, out


def ours(mx, dom, ip):
    ms, out = time_proc([mx, '--json', '--only', 'spf', '--dns-server', '127.0.0.1:53', '--timeout', '5',
                         '--mail-from', 'postmaster@' + dom, dom, ip])
    try:
        spf = json.loads(out)['checks']['spf']
        return ms, spf['result'], spf['lookups']
    except Exception:
        return ms, '?', None


def libspf2(dom, ip):
    ms, out = time_proc(['spfquery', '-ip', ip, '-sender', 'postmaster@' + dom, '-helo', dom])
    lines = [l for l in out.splitlines() if l.strip()]
    return ms, lines[0] if lines else '?', None


PYSPF = ('import spf, sys, time\n'
         't = time.perf_counter()\n'
         'r = spf.check2(i=sys.argv[1], s="postmaster@" + sys.argv[2], h=sys.argv[2])\n'
         'print((time.perf_counter() - t) * 1000, r[0])\n')


def pyspf(dom, ip):
    _, out = time_proc([sys.executable, '-c', PYSPF, ip, dom])
    ms, res = out.split()[:2]
    return float(ms), res, None


def main():
    mx, delay, runs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        json.dump(trees(), f)
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, 'zone_dns.py'), '--json', f.name,
                            '--delay-ms', str(delay)], stdout=subprocess.PIPE, text=True)
    srv.stdout.readline()
    try:
        print('| scenario | mxaudit | libspf2 spfquery | pyspf | ratio libspf2/mxaudit | ratio pyspf/mxaudit |')
        print('| --- | --- | --- | --- | --- | --- |')
        for label, dom, ip in SCENARIOS:
            res = {}
            for tool, fn in (('ours', lambda: ours(mx, dom, ip)), ('libspf2', lambda: libspf2(dom, ip)),
                             ('pyspf', lambda: pyspf(dom, ip))):
                samples = [fn() for _ in range(runs)]
                res[tool] = (statistics.median(s[0] for s in samples), samples[0][1], samples[0][2])
            o = res['ours'][0]
            print('| %s | %.0f ms (%s, %s lookups) | %.0f ms (%s) | %.0f ms (%s) | %.1f | %.1f |' % (
                label, o, res['ours'][1], res['ours'][2], res['libspf2'][0], res['libspf2'][1],
                res['pyspf'][0], res['pyspf'][1], res['libspf2'][0] / o, res['pyspf'][0] / o))
    finally:
        srv.terminate()
        srv.wait()
        os.unlink(f.name)


if __name__ == '__main__':
    main()
