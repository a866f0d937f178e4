"""The page cache: a news board is read far more often than it changes.

``PageCache`` is a small pure-ASGI layer in front of the routes. A page it has seen is answered
from memory (or with 304 when the browser's ETag still matches) without touching Starlette's
routing, the database or Jinja. Every cached page belongs to one "board token": the
``board_version`` counter that each write bumps (store/db.py) plus today's date in the board's
time zone (the board shows HH:MM for today's posts). ``BoardClock`` re-reads the counters at
most every ``page_cache_check_seconds``, so other processes' imports and takedowns reach
readers within that delay; a new token drops every cached page.

A page may also depend on another counter (``depends_on``): the home page, /rank and /trends
show the precomputed rank pages, whose ``rank_version`` moves after every crawl pass. Such a
page keeps the counter's value it was rendered with and is dropped when it moves, while the
board's other pages stay cached.

Only GET 200 responses without ``no-store`` or ``private`` and without ``Set-Cookie`` are
kept, up to ``max_entries`` (oldest dropped first). ``/static/`` files are left to
StaticFiles. The operator's console (``/admin`` and below) never passes through the cache at
all, neither served from it nor stored in it: its pages belong to one session.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, Callable

from ranknews.store.db import (
    BOARD_VERSION,
    RANK_VERSION,
    SEARCH_VERSION,
    Database,
    site_versions,
)
from ranknews.web.format import zone

log = logging.getLogger("ranknews.web")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Counters a page can depend on besides board_version (see ``depends_on``).
WATCHED = (RANK_VERSION, SEARCH_VERSION)
_DEPENDS = "ranknews.cache_depends"  # scope key: the counters the rendered page depends on


def depends_on(scope: Scope, key: str) -> None:
    """Mark the page being rendered as showing data that ``key`` versions (a view calls it
    with ``request.scope``); the page cache then drops it when that counter moves."""
    if key not in WATCHED:
        raise ValueError(f"unknown cache counter {key!r}")
    scope.setdefault(_DEPENDS, set()).add(key)


class BoardClock:
    """The current board token (board_version, today's date) and the other watched counters,
    re-read at most every interval (one query)."""

    def __init__(self, db: Database, timezone: str, interval: float) -> None:
        self.db = db
        self.tz = zone(timezone)
        self.interval = interval
        self._checked = float("-inf")
        self._token: tuple[int, str] = (-1, "")
        self._others: dict[str, int] = dict.fromkeys(WATCHED, -1)

    def token(self) -> tuple[int, str]:
        self._refresh()
        return self._token

    def versions(self) -> dict[str, int]:
        """The watched counters other than board_version (``WATCHED``)."""
        self._refresh()
        return self._others

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.interval:
            return
        self._checked = now
        try:
            with self.db.read() as conn:
                found = site_versions(conn, (BOARD_VERSION, *WATCHED))
        except Exception:  # an unreachable database must not break cached reading
            log.exception("board_version check failed")
            found = {BOARD_VERSION: self._token[0], **self._others}
        self._token = (found.pop(BOARD_VERSION), f"{datetime.now(self.tz):%Y%m%d}")
        self._others = found


def _private_path(path: str) -> bool:
    """The console's pages: never cached, whatever their headers say."""
    return path == "/admin" or path.startswith("/admin/")


@dataclass(slots=True)
class CachedPage:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    depends: tuple[tuple[str, int], ...] = ()  # (counter, value it was rendered with)


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    if if_none_match.strip() == b"*":
        return True
    tags = (t.strip() for t in if_none_match.split(b","))
    return any(t.removeprefix(b"W/") == etag for t in tags)


class PageCache:
    """Pure-ASGI page cache with ETag/304; everything else passes through untouched."""

    def __init__(self, app: ASGIApp, *, clock: BoardClock, max_entries: int = 2000,
                 max_age: int = 10, enabled: bool = True) -> None:
        self.app = app
        self.clock = clock
        self.max_entries = max_entries
        self.cache_control = f"public, max-age={max_age}".encode()
        self.enabled = enabled and max_entries > 0
        self._pages: dict[bytes, CachedPage] = {}
        self._token: tuple[int, str] | None = None

    def clear(self) -> None:
        self._pages.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (not self.enabled or scope["type"] != "http"
                or scope["method"] not in ("GET", "HEAD")
                or scope["path"].startswith("/static/") or _private_path(scope["path"])):
            await self.app(scope, receive, send)
            return
        token = self.clock.token()
        if token != self._token:
            self._pages.clear()
            self._token = token
        key = scope["path"].encode() + b"?" + scope["query_string"]
        page = self._pages.get(key)
        if page is not None and page.depends:
            versions = self.clock.versions()
            if any(versions.get(name) != value for name, value in page.depends):
                del self._pages[key]  # e.g. new trends: this page shows them, render again
                page = None
        if page is not None:
            await self._send(scope, send, page)
            return
        await self._fill(scope, receive, send, key, token)

    async def _send(self, scope: Scope, send: Send, page: CachedPage) -> None:
        for name, value in scope["headers"]:
            if name == b"if-none-match" and etag_matches(value, page.etag):
                await send({"type": "http.response.start", "status": 304,
                            "headers": [(b"etag", page.etag),
                                        (b"cache-control", self.cache_control)]})
                await send({"type": "http.response.body", "body": b""})
                return
        await send({"type": "http.response.start", "status": page.status,
                    "headers": page.headers})
        body = b"" if scope["method"] == "HEAD" else page.body
        await send({"type": "http.response.body", "body": body})

    async def _fill(self, scope: Scope, receive: Receive, send: Send, key: bytes,
                    token: tuple[int, str]) -> None:
        versions = dict(self.clock.versions())  # as the page is rendered
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            if message["type"] == "http.response.body" and not message.get("more_body"):
                await self._finish(scope, send, key, token, versions, start,
                                   b"".join(chunks))

        await self.app(scope, receive, capture)

    async def _finish(self, scope: Scope, send: Send, key: bytes, token: tuple[int, str],
                      versions: dict[str, int], start: Message, body: bytes) -> None:
        headers = list(start.get("headers", []))
        status = start.get("status", 200)
        cacheable = status == 200 and scope["method"] == "GET" and not any(
            (n == b"cache-control" and (b"no-store" in v or b"private" in v))
            or n == b"set-cookie" for n, v in headers)
        if not cacheable:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        etag = b'"' + hashlib.blake2b(body, digest_size=10).hexdigest().encode() + b'"'
        headers = [(n, v) for n, v in headers if n not in (b"etag", b"cache-control")]
        headers += [(b"etag", etag), (b"cache-control", self.cache_control)]
        depends = tuple((name, versions[name]) for name in sorted(scope.get(_DEPENDS, ())))
        page = CachedPage(status, headers, body, etag, depends)
        # a page rendered while the board changed may be stale: serve it, but don't keep it
        current = self.clock.versions()
        if token == self._token and all(current.get(n) == v for n, v in depends):
            if len(self._pages) >= self.max_entries:
                self._pages.pop(next(iter(self._pages)))
            self._pages[key] = page
        await self._send(scope, send, page)
