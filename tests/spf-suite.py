#!/usr/bin/python3
"""Convert an OpenSPF YAML test suite into JSON for tests/test_spf_suite.

Zone data is normalised the way the suite's reference driver (pyspf's
test/testspf.py) reads it, so the C runner only has to serve records:
  - a name's SPF records are also served as TXT unless the name lists TXT
    records of its own ("TXT: NONE" counts as listing, and serves nothing);
  - TIMEOUT stays in place: a query times out when it reaches TIMEOUT
    before any record of its type;
  - TXT/SPF values become lists of character-strings; MX [pref, host].
Usage: spf-suite.py SUITE.yml > suite.json
"""
import json
import sys

import yaml


def records(rrs):
    out, gen, has_txt = [], [], False
    for rr in rrs:
        if rr == 'TIMEOUT':
            out.append(['TIMEOUT'])
            continue
        for t, v in rr.items():
            if t == 'TXT':
                has_txt = True
            if t in ('TXT', 'SPF'):
                if v == 'NONE':
                    continue
                v = [v] if isinstance(v, str) else list(v)
                if t == 'SPF':
                    gen.append(['TXT', v])
            out.append([t, v])
    if not has_txt:
        out.extend(gen)
    return out


def main():
    docs = [d for d in yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')) if d]
    scenarios = []
    for d in docs:
        zone = {}
        for name, rrs in (d.get('zonedata') or {}).items():
            zone.setdefault(name.lower().rstrip('.'), []).extend(records(rrs or []))
        tests = []
        for tname, t in d['tests'].items():
            res = t['result']
            tests.append({
                'name': tname,
                'spec': str(t.get('spec', '')),
                'host': t['host'],
                'mailfrom': t.get('mailfrom', ''),
                'helo': t.get('helo', ''),
                'result': res if isinstance(res, list) else [res],
                'explanation': t.get('explanation'),
            })
        scenarios.append({'description': d.get('description', ''), 'zone': zone, 'tests': tests})
    json.dump({'scenarios': scenarios}, sys.stdout, indent=1)


if __name__ == '__main__':
    main()
