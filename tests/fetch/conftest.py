"""A real HTTP server on 127.0.0.1 whose routes each test scripts, plus a fast FetchConfig."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from cnfiscal.fetch import FetchConfig


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server: LoopbackServer = self.server.owner  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        server.log.append((time.monotonic(), path, dict(self.headers)))
        route = server.routes.get(path)
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        route(self)

    def log_message(self, *args) -> None:  # keep test output clean
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # Clients that give up (timeouts, size caps) leave broken pipes behind; expected here.
        pass


class LoopbackServer:
    def __init__(self) -> None:
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.log: list[tuple[float, str, dict[str, str]]] = []
        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for _, p, headers in self.log if p == path]

    @staticmethod
    def reply(
        handler: BaseHTTPRequestHandler,
        status: int = 200,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_length: int | None = None,
    ) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header(
            "Content-Length", str(len(body) if content_length is None else content_length)
        )
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = LoopbackServer()
    yield srv
    srv.close()


def _fast_config(**overrides) -> FetchConfig:
    """Short timeouts and no politeness gap, so the folder runs in seconds."""
    settings = dict(
        timeout_s=2.0,
        total_deadline_s=10.0,
        retries=2,
        backoff_s=0.01,
        per_host_interval_s=0.0,
        max_redirects=5,
    )
    settings.update(overrides)
    return FetchConfig(**settings)


@pytest.fixture
def make_config():
    return _fast_config
