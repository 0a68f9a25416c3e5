"""A local HTTP server that holds its reply until told (or a long while): a slow registry."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOLD_AT_MOST_S = 20  # the reply comes anyway after this, so a broken test fails, not hangs


class SlowServer:
    """Every request waits for `release`; `received` is set when the first one arrives."""

    def __init__(self) -> None:
        self.received = threading.Event()
        self.release = threading.Event()
        self.replied = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server.received.set()
                server.release.wait(HOLD_AT_MOST_S)
                server.replied.set()
                body = b'{"errors": [{"type": "unavailable", "message": "slow"}]}'
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> SlowServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
