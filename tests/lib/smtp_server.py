#!/usr/bin/python3
"""smtp_server.py - a real SMTP server with STARTTLS for the TLS tests.

aiosmtpd (Debian python3-aiosmtpd) on 127.0.0.1 and ::1, same port on both
(so one --smtp-port reaches the IPv4 and the IPv6 address of an MX host).
The port is picked free and written to PORT_FILE once both listen.

usage: smtp_server.py PORT_FILE PARENT_PID [--cert C --key K] [--no-starttls]
                      [--name HOSTNAME]

The server stops on its own when PARENT_PID is gone or after 10 minutes,
so a killed test never leaves it behind."""
import argparse
import asyncio
import os
import socket
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP


class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def bind_pair():
    """Sockets on 127.0.0.1 and ::1 with the same free port."""
    for _ in range(100):
        s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s4.bind(("127.0.0.1", 0))
        port = s4.getsockname()[1]
        try:
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s6.bind(("::1", port))
        except OSError:
            s4.close()
            continue
        return [s4, s6], port
    sys.exit("no free port pair")


async def watch_parent(parent):
    end = time.time() + 600
    while time.time() < end:
        try:
            os.kill(parent, 0)
        except OSError:
            break
        await asyncio.sleep(1)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port_file")
    ap.add_argument("parent", type=int)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--no-starttls", action="store_true")
    ap.add_argument("--name", default="mx.tls.test")
    args = ap.parse_args()

    ctx = None
    if args.cert and not args.no_starttls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)

    def factory():
        return SMTP(Sink(), hostname=args.name, tls_context=ctx, require_starttls=False)

    socks, port = bind_pair()
    loop = asyncio.get_running_loop()
    servers = []
    for s in socks:
        s.listen(64)
        servers.append(await loop.create_server(factory, sock=s))
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    await watch_parent(args.parent)
    for srv in servers:
        srv.close()


if __name__ == "__main__":
    asyncio.run(main())
