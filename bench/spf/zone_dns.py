#!/usr/bin/python3
"""zone_dns.py - a small DNS server answering from OpenSPF-suite style zone
data (the JSON written by tests/spf-suite.py), for the SPF benchmark.

    zone_dns.py --json FILE [--scenario N] [--listen 127.0.0.1:53] [--delay-ms MS]

Semantics are those of the suite's reference driver and of the C test
backend (tests/test_spf_dns.c): an absent name is NXDOMAIN, a name without
records of the type is NODATA, a TIMEOUT entry reached before any record of
the type means no reply at all, CNAMEs are followed.  Every answer waits
--delay-ms in its own thread, so parallel queries overlap as on a real
network.  UDP answers over 512 bytes are truncated (TC) and TCP is served.
Prints "ready" when listening.
"""
import argparse
import json
import socket
import socketserver
import struct
import sys
import threading
import time

TYPES = {'A': 1, 'NS': 2, 'CNAME': 5, 'PTR': 12, 'MX': 15, 'TXT': 16, 'AAAA': 28, 'SPF': 99}


def enc_name(name):
    out = b''
    for label in name.rstrip('.').split('.'):
        if label:
            b = label.encode('utf-8', 'surrogateescape')[:63]
            out += bytes([len(b)]) + b
    return out + b'\0'


def rdata(t, v):
    if t == 'A':
        return socket.inet_pton(socket.AF_INET, v)
    if t == 'AAAA':
        return socket.inet_pton(socket.AF_INET6, v)
    if t == 'MX':
        return struct.pack('!H', v[0]) + enc_name(v[1])
    if t in ('PTR', 'CNAME'):
        return enc_name(v)
    out = b''
    for s in v:  # TXT / SPF: character-strings of at most 255 bytes
        b = s.encode('utf-8', 'surrogateescape')
        while True:
            out += bytes([len(b[:255])]) + b[:255]
            b = b[255:]
            if not b:
                break
    return out


def lookup(zone, qname, qtype):
    """(rcode, [rr bytes]) or None for a timeout."""
    rrs, name = [], qname.lower().rstrip('.')
    for _ in range(8):
        entries = zone.get(name)
        if entries is None:
            return 3, rrs
        found, cname = False, None
        for e in entries:
            if e[0] == 'TIMEOUT':
                if not found:
                    return None
                break
            t = TYPES.get(e[0])
            if t == qtype:
                rd = rdata(e[0], e[1])
                rrs.append(enc_name(name) + struct.pack('!HHIH', t, 1, 300, len(rd)) + rd)
                found = True
            elif e[0] == 'CNAME' and cname is None:
                cname = e[1]
        if found or cname is None or qtype == 5:
            return 0, rrs
        rd = enc_name(cname)
        rrs.append(enc_name(name) + struct.pack('!HHIH', 5, 1, 300, len(rd)) + rd)
        name = cname.lower().rstrip('.')
    return 0, rrs


def respond(zone, query, udp):
    if len(query) < 12:
        return None
    qid, flags = struct.unpack('!HH', query[:4])
    i, labels = 12, []
    while i < len(query) and query[i]:
        labels.append(query[i + 1:i + 1 + query[i]].decode('latin-1'))
        i += 1 + query[i]
    qend = i + 5
    qtype = struct.unpack('!H', query[i + 1:i + 3])[0]
    res = lookup(zone, '.'.join(labels), qtype)
    if res is None:
        return None
    rcode, rrs = res
    hdr = struct.pack('!HHHHHH', qid, 0x8180 | (flags & 0x0100) | rcode, 1, len(rrs), 0, 0)
    msg = hdr + query[12:qend] + b''.join(rrs)
    if udp and len(msg) > 512:
        msg = struct.pack('!HHHHHH', qid, 0x8380 | rcode, 1, 0, 0, 0) + query[12:qend]
    return msg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--json', required=True)
    ap.add_argument('--scenario', type=int, default=-1, help='suite scenario index; -1 = the file is a zone')
    ap.add_argument('--listen', default='127.0.0.1:53')
    ap.add_argument('--delay-ms', type=float, default=0)
    a = ap.parse_args()
    data = json.load(open(a.json, encoding='utf-8'))
    zone = data['scenarios'][a.scenario]['zone'] if a.scenario >= 0 else data
    host, port = a.listen.rsplit(':', 1)
    delay = a.delay_ms / 1000.0

    class UDP(socketserver.BaseRequestHandler):
        def handle(self):
            q, sock = self.request
            time.sleep(delay)
            r = respond(zone, q, True)
            if r:
                sock.sendto(r, self.client_address)

    class TCP(socketserver.BaseRequestHandler):
        def handle(self):
            try:
                n = struct.unpack('!H', self.request.recv(2))[0]
                q = b''
                while len(q) < n:
                    q += self.request.recv(n - len(q))
                time.sleep(delay)
                r = respond(zone, q, False)
                if r:
                    self.request.sendall(struct.pack('!H', len(r)) + r)
            except Exception:
                pass

    for cls in (socketserver.ThreadingUDPServer, socketserver.ThreadingTCPServer):
        cls.allow_reuse_address = True
        cls.daemon_threads = True
    u = socketserver.ThreadingUDPServer((host, int(port)), UDP)
    t = socketserver.ThreadingTCPServer((host, int(port)), TCP)
    threading.Thread(target=t.serve_forever, daemon=True).start()
    print('ready', flush=True)
    u.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
