"""A real HTTP server on 127.0.0.1 for tests: fixture feeds and pages, slow drips, redirect
loops, huge bodies, Retry-After. No mocks: the crawler talks HTTP to it over a socket.

    server.add("/feed.xml", body, content_type="application/rss+xml")
    server.add("/slow", drip=(b"x", 0.2, 100))       # 100 chunks, one every 0.2 s
    @server.route("/dynamic")
    def _(request): return Reply(200, b"...")
"""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    at: float


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds before the status line
    drip: tuple[bytes, float, int] | None = None  # (chunk, pause, count), no Content-Length
    chunks: Callable[[], Iterator[bytes]] | None = None  # streamed, no Content-Length
    etag: str | None = None  # answer 304 when If-None-Match matches
    gzip: bool = False


Handler = Callable[[Request], Reply]


class FixtureServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self.in_flight = 0  # requests being answered now
        self.most_in_flight = 0  # the most answered at once (politeness: 1)
        self.delay = 0.0  # seconds added before every reply (a realistic remote host)
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs

            def do_GET(self) -> None:  # noqa: N802
                server._handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str = b"", **reply: object) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        fixed = Reply(body=data, **reply)  # type: ignore[arg-type]
        self.routes[path] = lambda _request: fixed
        return self.url(path)

    def route(self, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes[path] = handler
            return handler
        return register

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> "FixtureServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        request = Request("GET", handler.path, {k.lower(): v for k, v in handler.headers.items()},
                          time.monotonic())
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        route = self.routes.get(handler.path.split("#")[0])
        reply = route(request) if route else Reply(404, b"not here")
        try:
            if self.delay:
                time.sleep(self.delay)
            _send(handler, request, reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size limit, deadline): that is what some tests want
        finally:
            with self._lock:
                self.in_flight -= 1


def _send(handler: BaseHTTPRequestHandler, request: Request, reply: Reply) -> None:
    if reply.delay:
        time.sleep(reply.delay)
    if reply.etag and request.headers.get("if-none-match") == reply.etag:
        handler.send_response(304)
        handler.send_header("ETag", reply.etag)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    handler.send_response(reply.status)
    handler.send_header("Content-Type", reply.content_type)
    handler.send_header("Date", formatdate(usegmt=True))
    if reply.etag:
        handler.send_header("ETag", reply.etag)
    for key, value in reply.headers.items():
        handler.send_header(key, value)
    if reply.drip or reply.chunks:
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        for chunk in _stream(reply):
            handler.wfile.write(chunk)
            handler.wfile.flush()
        return
    body = gzip.compress(reply.body) if reply.gzip else reply.body
    if reply.gzip:
        handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _stream(reply: Reply) -> Iterator[bytes]:
    if reply.chunks:
        yield from reply.chunks()
        return
    assert reply.drip
    chunk, pause, count = reply.drip
    for _ in range(count):
        yield chunk
        time.sleep(pause)
