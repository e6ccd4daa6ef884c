#!/usr/bin/python3
"""https_server.py - a small HTTPS server for the MTA-STS tests.

Serves DIR/<Host header>/<path> (so one server hosts the policies of several
mta-sts.* names) with Content-Type text/plain, 404 otherwise.  Listens on
127.0.0.1; writes the port to PORT_FILE; stops when PARENT_PID is gone or
after 10 minutes.

usage: https_server.py PORT_FILE PARENT_PID DIR CERT KEY"""
import http.server
import os
import ssl
import sys
import threading
import time

port_file, parent, root, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        path = os.path.normpath(os.path.join(root, host, self.path.lstrip("/")))
        if not path.startswith(os.path.abspath(root) + os.sep) or not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
threading.Thread(target=srv.serve_forever, daemon=True).start()
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(port_file + ".tmp", port_file)
end = time.time() + 600
while time.time() < end:
    try:
        os.kill(parent, 0)
    except OSError:
        break
    time.sleep(1)
