#!/usr/bin/env python3
"""delay_dns.py - a DNS forwarder that adds a fixed delay to every answer.

    delay_dns.py --listen 127.0.0.1:PORT --upstream 127.0.0.1:PORT --delay-ms 50

Used by bench/run.sh to give the loopback DNS server a realistic round-trip
time, so a benchmark measures how many round trips sit on the audit's
critical path rather than how fast loopback is.  UDP and TCP (two-byte length
framing) are both forwarded; each query is delayed independently, so
parallel queries overlap exactly as they would on a real network.  It prints
"ready" once listening and exits on SIGTERM.
"""
import argparse
import asyncio
import signal
import struct


def hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


class UDPForwarder(asyncio.DatagramProtocol):
    def __init__(self, upstream, delay):
        self.upstream = upstream
        self.delay = delay

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        asyncio.get_running_loop().create_task(self.forward(data, addr))

    async def forward(self, data, addr):
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        class Once(asyncio.DatagramProtocol):
            def datagram_received(self, reply, _):
                if not fut.done():
                    fut.set_result(reply)

        transport, _ = await loop.create_datagram_endpoint(Once, remote_addr=self.upstream)
        try:
            transport.sendto(data)
            reply = await asyncio.wait_for(fut, 5)
        except asyncio.TimeoutError:
            return
        finally:
            transport.close()
        await asyncio.sleep(self.delay)
        self.transport.sendto(reply, addr)


async def tcp_client(reader, writer, upstream, delay):
    try:
        while True:
            hdr = await reader.readexactly(2)
            (n,) = struct.unpack(">H", hdr)
            query = await reader.readexactly(n)
            ur, uw = await asyncio.open_connection(*upstream)
            uw.write(hdr + query)
            await uw.drain()
            rh = await ur.readexactly(2)
            (m,) = struct.unpack(">H", rh)
            reply = await ur.readexactly(m)
            uw.close()
            await asyncio.sleep(delay)
            writer.write(rh + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--delay-ms", type=float, default=50)
    args = ap.parse_args()
    listen, upstream, delay = hostport(args.listen), hostport(args.upstream), args.delay_ms / 1000
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(lambda: UDPForwarder(upstream, delay), local_addr=listen)
    server = await asyncio.start_server(lambda r, w: tcp_client(r, w, upstream, delay), *listen)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    print("ready", flush=True)
    async with server:
        await stop


if __name__ == "__main__":
    asyncio.run(main())
