#!/usr/bin/python3
"""bad_smtp_peer.py - scripted misbehaving SMTP peers for the TLS tests.

Each mode breaks the dialogue at one point; the probe must end with a
clear error within its timeout, never hang and never claim "no STARTTLS".

modes:
  hang-banner     greet, then never answer EHLO
  silent          accept and never say a word (no banner)
  tarpit          drip the banner one byte a second
  greet-421       "421 too busy" and close
  greet-554       "554 no service here" and stay open
  garbage-tls     offer STARTTLS, say 220, then send bytes that are not TLS
  close-handshake offer STARTTLS, say 220, read the ClientHello and close
  hang-handshake  offer STARTTLS, say 220, read the ClientHello, never answer
  not-smtp        answer with an HTTP error page
  split-greeting  a three-line 220 greeting written in small pieces with
                  pauses (mid-line, mid-code), then a real STARTTLS (needs
                  CERT KEY): the probe must assemble it and pass
  tls-ok          a plain greeting and a real STARTTLS with CERT KEY (a
                  chain file is sent as it is: e.g. 20 certificates)
  endless-greeting "220-" continuation lines forever, never the last line
  hostile         greeting and EHLO reply full of terminal escapes (ESC
                  colour, cursor moves, OSC 52, title), C1 controls and
                  bidi overrides; no STARTTLS
  hostile-md      the same dialogue, with what breaks Markdown on top:
                  lines of backticks, "</details>" and HTML (the Markdown
                  report's test looks for "EVIL-MD-BANNER", "EVIL-MD-EHLO")

usage: bad_smtp_peer.py PORT_FILE PARENT_PID MODE [CERT KEY]

Listens on 127.0.0.1 and ::1 (same port); writes the port to PORT_FILE;
stops when PARENT_PID is gone or after 10 minutes."""
import asyncio
import os
import socket
import ssl
import sys
import time

EHLO = b"250-mx.tls.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
EHLO_TLS = b"250-mx.tls.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
# The hostile strings (tests/fault-terminal-safety.sh looks for their
# visible parts: "EVIL-BANNER", "EVIL-EHLO").
ESC_MIX = ("\x1b[31;1mRED\x1b[0m \x1b[2J\x1b[H\x1b[10;10H \x1b]52;c;ZXZpbA==\x07 "
           "\x1b]0;pwned-title\x07 \u009b31m \u202egnp.exe")
HOSTILE_GREETING = ("220-mx.tls.test EVIL-BANNER " + ESC_MIX + "\r\n220 ready\r\n").encode()
HOSTILE_EHLO = ("250-mx.tls.test EVIL-EHLO " + ESC_MIX + "\r\n250 8BITMIME\r\n").encode()
MD_MIX = "\x1b[31;1mRED\x1b[0m \x1b[2J\x1b[H \x1b]0;pwned-title\x07"
HOSTILE_MD_GREETING = ("220-mx.hostile.report-md.test EVIL-MD-BANNER " + MD_MIX + "\r\n220-```\r\n"
                       "220-````` </details> <script>alert(1)</script>\r\n220 ready\r\n").encode()
HOSTILE_MD_EHLO = ("250-mx.hostile.report-md.test EVIL-MD-EHLO " + MD_MIX +
                   "\r\n250-```\r\n250 8BITMIME\r\n").encode()
SSL_CTX = None


async def readline(r):
    try:
        return await r.readline()
    except (ConnectionError, asyncio.IncompleteReadError):
        return b""


async def handle(mode, r, w):
    try:
        if mode == "silent":
            await asyncio.sleep(600)
        elif mode == "tarpit":
            for b in b"220 mx.tls.test slow ESMTP\r\n":
                w.write(bytes([b]))
                await w.drain()
                await asyncio.sleep(1)
            await asyncio.sleep(600)
        elif mode == "greet-421":
            w.write(b"421-mx.tls.test too busy\r\n421 try again later\r\n")
            await w.drain()
        elif mode == "greet-554":
            w.write(b"554 mx.tls.test no SMTP service here\r\n")
            await w.drain()
            await asyncio.sleep(600)
        elif mode == "endless-greeting":
            n = 0
            while True:
                w.write(b"220-mx.tls.test line %d of a greeting that never ends\r\n" % n)
                n += 1
                if n % 50 == 0:
                    await w.drain()
                    await asyncio.sleep(0.01)
        elif mode in ("hostile", "hostile-md"):
            md = mode == "hostile-md"
            w.write(HOSTILE_MD_GREETING if md else HOSTILE_GREETING)
            await w.drain()
            while True:
                line = await readline(r)
                if not line:
                    return
                cmd = line.upper()
                if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
                    w.write(HOSTILE_MD_EHLO if md else HOSTILE_EHLO)
                elif cmd.startswith(b"QUIT"):
                    w.write(b"221 bye \x1b[5mBLINK\x1b[0m\r\n")
                    await w.drain()
                    return
                else:
                    w.write(b"502 \x1b]0;title\x07 no\r\n")
                await w.drain()
        elif mode == "not-smtp":
            w.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            await w.drain()
            await asyncio.sleep(600)
        else:
            if mode == "split-greeting":
                # Pieces cut mid-code and mid-line, each its own segment.
                for piece in (b"22", b"0-mx.tls.test ES", b"MTP first line\r\n220-sec",
                              b"ond line\r", b"\n220 third and last line\r\n"):
                    w.write(piece)
                    await w.drain()
                    await asyncio.sleep(0.15)
            else:
                w.write(b"220 mx.tls.test ESMTP\r\n")
                await w.drain()
            line = await readline(r)
            if not line:
                return
            if mode == "hang-banner":
                await asyncio.sleep(600)
                return
            w.write(EHLO)
            await w.drain()
            line = await readline(r)
            if not line.upper().startswith(b"STARTTLS"):
                w.write(b"221 bye\r\n")
                return
            w.write(b"220 go ahead\r\n")
            await w.drain()
            if SSL_CTX is not None and mode in ("split-greeting", "tls-ok"):
                await w.start_tls(SSL_CTX)
                while True:
                    line = await readline(r)
                    if not line:
                        return
                    if line.upper().startswith(b"QUIT"):
                        w.write(b"221 bye\r\n")
                        await w.drain()
                        return
                    w.write(EHLO_TLS if line.upper().startswith(b"EHLO") else b"250 ok\r\n")
                    await w.drain()
            hello = await r.read(5)  # a TLS record header at least
            if mode == "garbage-tls":
                w.write(b"this is not TLS at all, sorry\r\n" * 4)
                await w.drain()
                await asyncio.sleep(600)
            elif mode == "close-handshake":
                pass
            elif mode == "hang-handshake":
                if hello:
                    await asyncio.sleep(600)
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            w.close()
        except Exception:
            pass


async def main():
    global SSL_CTX
    port_file, parent, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if len(sys.argv) > 5:
        SSL_CTX = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        SSL_CTX.load_cert_chain(sys.argv[4], sys.argv[5])
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
            break
        except OSError:
            s4.close()
    else:
        sys.exit("no free port pair")
    servers = []
    for s in (s4, s6):
        s.listen(64)
        servers.append(await asyncio.start_server(lambda r, w: handle(mode, r, w), sock=s))
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
