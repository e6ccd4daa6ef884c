#!/usr/bin/python3
"""bad_dns.py - a scripted, misbehaving DNS server for the fault tests.

Knot answers correctly; these are the faults a real server will not produce
on demand.  It serves a tiny built-in zone, fault.test (see ZONE below),
on 127.0.0.1, UDP and TCP on the same port, and breaks the dialogue as MODE
says:

  normal          answer correctly over UDP and TCP (a control)
  servfail        SERVFAIL to everything
  refused         REFUSED to everything
  tc              UDP: an empty reply with TC=1; TCP: the full answer
  tc-hang         UDP: TC=1; TCP: accept and never answer
  wrong-id        a full, correct answer, but with another message id
  wrong-name      the right id, but the question (and answer) for another name
  huge-txt        like tc, and fault.test has 300 TXT records (about 58 KB over TCP)
  disappear=N     answer the first N queries, then close every socket and exit

usage: bad_dns.py PORT_FILE PARENT_PID MODE

Writes the port to PORT_FILE once it listens; logs one line per query to
stdout; stops when PARENT_PID is gone or after 10 minutes."""
import asyncio
import os
import socket
import struct
import sys
import time

ORIGIN = "fault.test"
# The long SPF record: 100 ip4 terms (about 2 KB, several character-strings),
# too big for any UDP answer we would send, so it needs TCP.
SPF_LONG = "v=spf1 " + " ".join("ip4:198.51.100.%d" % i for i in range(1, 101)) + " ip4:192.0.2.25 -all"


def name_wire(name):
    out = b""
    for label in name.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def txt_rdata(text):
    data = text.encode()
    out = b""
    for i in range(0, len(data), 255):
        chunk = data[i:i + 255]
        out += bytes([len(chunk)]) + chunk
    return out or b"\0"


def build_zone(huge):
    z = {}

    def add(name, qtype, rdata):
        z.setdefault((name.lower(), qtype), []).append(rdata)

    add(ORIGIN, 6, name_wire("ns." + ORIGIN) + name_wire("hostmaster." + ORIGIN) +
        struct.pack("!IIIII", 1, 3600, 600, 86400, 300))
    add(ORIGIN, 15, struct.pack("!H", 10) + name_wire("mx." + ORIGIN))
    add("mx." + ORIGIN, 1, bytes([192, 0, 2, 25]))
    add(ORIGIN, 16, txt_rdata(SPF_LONG))
    if huge:
        for i in range(299):
            add(ORIGIN, 16, txt_rdata(("filler-%03d-" % i) + "x" * 170))
    add("_dmarc." + ORIGIN, 16, txt_rdata("v=DMARC1; p=reject; rua=mailto:dmarc@fault.test"))
    add("25.2.0.192.in-addr.arpa", 12, name_wire("mx." + ORIGIN))
    return z


def parse_query(msg):
    """(id, flags, qname, qtype, qclass, question bytes) or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1:
        return None
    p, labels = 12, []
    while p < len(msg) and msg[p]:
        ln = msg[p]
        if ln > 63:
            return None
        labels.append(msg[p + 1:p + 1 + ln].decode("ascii", "replace"))
        p += 1 + ln
    if p + 5 > len(msg):
        return None
    qtype, qclass = struct.unpack("!HH", msg[p + 1:p + 5])
    return qid, flags, ".".join(labels), qtype, qclass, msg[12:p + 5]


def names_known(zone):
    return {n for n, _ in zone}


def answer(zone, q, mode, transport):
    qid, flags, qname, qtype, qclass, question = q
    rd = flags & 0x0100
    rcode, tc, rrs = 0, 0, []
    if mode == "servfail":
        rcode = 2
    elif mode == "refused":
        rcode = 5
    elif mode in ("tc", "tc-hang", "huge-txt") and transport == "udp":
        tc = 1
    else:
        key = (qname.lower().rstrip("."), qtype)
        if key in zone:
            rrs = [(qname, qtype, r) for r in zone[key]]
        elif qname.lower().rstrip(".") not in names_known(zone) and \
                not qname.lower().rstrip(".").endswith("in-addr.arpa"):
            rcode = 3
    if mode == "wrong-id":
        qid ^= 0x5a5a
    if mode == "wrong-name":
        # Same id, but the answer is for another name: c-ares must drop it.
        qname = "other." + ORIGIN
        question = name_wire(qname) + struct.pack("!HH", qtype, qclass)
        rrs = [(qname, t, r) for _, t, r in rrs]
    hflags = 0x8000 | 0x0400 | (tc << 9) | rd | rcode
    out = struct.pack("!HHHHHH", qid, hflags, 1, len(rrs), 0, 0) + question
    for owner, t, rdata in rrs:
        out += name_wire(owner) + struct.pack("!HHIH", t, 1, 300, len(rdata)) + rdata
    return out


class State:
    def __init__(self, mode):
        self.mode, self.limit = mode, None
        if mode.startswith("disappear="):
            self.mode, self.limit = "disappear", int(mode.split("=", 1)[1])
        self.zone = build_zone(self.mode == "huge-txt")
        self.answered = 0
        self.closing = False
        self.closers = []

    def log(self, *args):
        print(*args, flush=True)

    def count(self):
        """Count an answer; after the limit, everything goes away."""
        self.answered += 1
        if self.limit is not None and self.answered >= self.limit and not self.closing:
            self.closing = True
            asyncio.get_event_loop().call_soon(self.shutdown)

    def shutdown(self):
        self.log("disappearing after %d answers" % self.answered)
        for c in self.closers:
            try:
                c()
            except Exception:
                pass
        os._exit(0)


class Udp(asyncio.DatagramProtocol):
    def __init__(self, st):
        self.st = st

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        st = self.st
        if st.closing:
            return
        q = parse_query(data)
        if not q:
            return
        st.log("udp", q[2], q[3])
        self.transport.sendto(answer(st.zone, q, st.mode, "udp"), addr)
        st.count()


async def tcp_client(st, r, w):
    try:
        while True:
            hdr = await r.readexactly(2)
            msg = await r.readexactly(struct.unpack("!H", hdr)[0])
            q = parse_query(msg)
            if not q:
                return
            st.log("tcp", q[2], q[3])
            if st.mode == "tc-hang":
                await asyncio.sleep(600)
                return
            out = answer(st.zone, q, st.mode, "tcp")
            w.write(struct.pack("!H", len(out)) + out)
            await w.drain()
            st.count()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        w.close()


async def main():
    port_file, parent, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    st = State(mode)
    loop = asyncio.get_running_loop()
    for _ in range(100):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            break
        except OSError:
            t.close()
            u.close()
    else:
        sys.exit("no free port")
    t.listen(64)
    server = await asyncio.start_server(lambda r, w: tcp_client(st, r, w), sock=t)
    transport, _ = await loop.create_datagram_endpoint(lambda: Udp(st), sock=u)
    st.closers = [transport.close, server.close]
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, port_file)
    end = time.time() + 600
    while time.time() < end:
        try:
            os.kill(parent, 0)
        except OSError:
            break
        await asyncio.sleep(1)


if __name__ == "__main__":
    asyncio.run(main())
