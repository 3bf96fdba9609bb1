"""Real delivery endpoints on loopback: an SMTP sink (aiosmtpd) and a Slack-compatible webhook (http.server)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tandem.core.testing.network import free_port, smtp_sink  # noqa: F401 - a fixture


@dataclass
class ChatServer:
    url: str
    received: list[dict[str, Any]]
    paths: list[str]
    status: list[int]  # the status to answer with (a one-item list the test may change)


@pytest.fixture
def chat_server():
    received: list[dict[str, Any]] = []
    paths: list[str] = []
    status = [200]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            with lock:
                received.append(body)
                paths.append(self.path)
            self.send_response(status[0])
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ChatServer(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/T123/secret-part",
                     received=received, paths=paths, status=status)
    server.shutdown()
    server.server_close()
