#!/usr/bin/python3
"""ext_suite.py - run an OpenSPF suite (JSON from tests/spf-suite.py) against
pyspf (python3-spf) or libspf2 (spfquery), through zone_dns.py on
127.0.0.1:53.  Meant to run inside the private network/mount namespace that
bench/spf/run.sh sets up (its /etc/resolv.conf points at 127.0.0.1).

    ext_suite.py pyspf|libspf2 SUITE.json LABEL

Prints "LABEL TOOL: N passed, N failed" and the failing test names.
Only the result is compared (any of the acceptable ones); explanations are
not, since spfquery does not print the exp= text on its own line.
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# libspf2 names: "(invalid)" is what it prints when the record does not
# compile, which RFC 7208 calls permerror; counted generously as such.
LIBSPF2_MAP = {'error': 'temperror', 'unknown': 'permerror', '(invalid)': 'permerror'}


def run_pyspf(t):
    import spf
    try:
        q = spf.query(i=t['host'], s=t['mailfrom'], h=t['helo'], timeout=2)
        return q.check()[0]
    except Exception as e:  # pyspf raising is a failure of the test
        return 'exception: %s' % e


def run_libspf2(t):
    cmd = ['spfquery', '-ip', t['host'], '-helo', t['helo'] or 'unknown']
    if t['mailfrom']:
        cmd += ['-sender', t['mailfrom']]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20, errors='replace').stdout
    except subprocess.TimeoutExpired:
        return 'timeout'
    lines = [l.strip() for l in out.splitlines()]
    # Errors come first as a StartError ... EndError block; the result follows.
    if lines and lines[0] == 'StartError' and 'EndError' in lines:
        lines = lines[lines.index('EndError') + 1:]
    first = lines[0] if lines and lines[0] else '(no output)'
    return LIBSPF2_MAP.get(first, first)


def main():
    tool, path, label = sys.argv[1], sys.argv[2], sys.argv[3]
    run = run_pyspf if tool == 'pyspf' else run_libspf2
    data = json.load(open(path, encoding='utf-8'))
    passed, failed, bad = 0, 0, []
    t0 = time.time()
    for i, sc in enumerate(data['scenarios']):
        srv = subprocess.Popen([sys.executable, os.path.join(HERE, 'zone_dns.py'), '--json', path,
                                '--scenario', str(i)], stdout=subprocess.PIPE, text=True)
        srv.stdout.readline()  # "ready"
        try:
            for t in sc['tests']:
                got = run(t)
                if got in t['result']:
                    passed += 1
                else:
                    failed += 1
                    bad.append('%s (got %s, want %s)' % (t['name'], got, '/'.join(t['result'])))
        finally:
            srv.terminate()
            srv.wait()
    print('%s %s: %d passed, %d failed (%.1f s)' % (label, tool, passed, failed, time.time() - t0))
    for b in bad:
        print('  not ok: ' + b)


if __name__ == '__main__':
    main()
