"""GET one URL politely and safely. Every failure becomes a FetchError with a ``kind``.

One ``Fetcher.get``:
1. checks the URL and robots.txt for the host (cached);
2. waits its turn at the host (HostGate: concurrency, delay, Retry-After holds);
3. sends a conditional GET when it has an ETag / Last-Modified (304 → ``not_modified``);
4. streams the body, stopping at ``max_bytes`` and at the total deadline (slow drips);
5. follows redirects itself, with a limit and loop detection, checking robots per hop;
6. retries connection errors, 429 and 5xx with exponential backoff and full jitter,
   waiting a server's Retry-After in place when it is short, else holding the host.
"""

from __future__ import annotations

import asyncio
import random
import time
import zlib
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import AsyncIterator, Awaitable, Callable
from urllib.parse import urljoin, urlsplit

import brotli
import httpx

from ranknews.config import Settings
from ranknews.errors import FetchError
from ranknews.extract.encoding import decode_html
from ranknews.fetch.addresses import blocked
from ranknews.fetch.decompress import BoundedDecoder, TooLarge
from ranknews.fetch.politeness import HostGate, HostHeld, SharedHosts
from ranknews.fetch.robots import RobotsCache

_RETRY_STATUSES = {429, 500, 502, 503, 504}
_REDIRECTS = {301, 302, 303, 307, 308}
_ROBOTS_MAX_BYTES = 512_000


@dataclass(frozen=True)
class FetchPolicy:
    host_concurrency: int = 1
    host_delay: float = 1.0
    total_timeout: float = 60.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_wait: float = 30.0
    max_retry_after: float = 1800.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    robots_ttl: float = 3600.0
    user_agent: str = "ranknews"

    @classmethod
    def from_settings(cls, settings: Settings) -> "FetchPolicy":
        return cls(host_concurrency=settings.fetch_host_concurrency,
                   host_delay=settings.fetch_host_delay,
                   total_timeout=settings.fetch_total_timeout,
                   retries=settings.fetch_retries, backoff=settings.fetch_backoff,
                   max_retry_wait=settings.fetch_max_retry_wait,
                   max_retry_after=settings.fetch_max_retry_after,
                   max_bytes=settings.fetch_max_bytes,
                   max_redirects=settings.fetch_max_redirects,
                   robots_ttl=float(settings.robots_cache_seconds),
                   user_agent=settings.effective_user_agent)


@dataclass(frozen=True)
class Fetched:
    """A response body that passed every check; ``url`` is the final URL after redirects."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes
    elapsed: float = 0.0
    redirects: tuple[str, ...] = field(default=())

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def text(self) -> str:
        return decode_html(self.content, self.content_type)


# Called after every finished HTTP exchange: (url, status or None, bytes, seconds, error kind)
FetchObserver = Callable[[str, int | None, int, float, str | None], None]


class Fetcher:
    def __init__(self, client: httpx.AsyncClient, policy: FetchPolicy, *,
                 observe: FetchObserver | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 shared: SharedHosts | None = None) -> None:
        self.client = client
        self.policy = policy
        self.gate = HostGate(concurrency=policy.host_concurrency, delay=policy.host_delay,
                             max_wait=policy.max_retry_wait, shared=shared)
        self.robots = RobotsCache(self._get_robots, agent=policy.user_agent,
                                  ttl=policy.robots_ttl)
        self._observe = observe
        self._sleep = sleep

    async def get(self, url: str, *, etag: str | None = None,
                  last_modified: str | None = None) -> Fetched:
        """The body at ``url`` (or a 304 ``Fetched`` when the validators still match)."""
        seen: list[str] = []
        current = url
        while True:
            _check_url(current)
            if current in seen:
                raise FetchError(f"리디렉션 순환: {' → '.join([*seen, current])[:300]}",
                                 url=url, kind="redirect_loop")
            if len(seen) > self.policy.max_redirects:
                raise FetchError(f"리디렉션이 {self.policy.max_redirects}회를 넘습니다",
                                 url=url, kind="too_many_redirects")
            seen.append(current)
            await self._check_robots(current)
            # Validators belong to the URL we stored them for, not to a redirect target.
            conditional = (etag, last_modified) if current == url else (None, None)
            fetched = await self._get_with_retries(current, *conditional)
            if fetched.status not in _REDIRECTS:
                return Fetched(fetched.url, fetched.status, fetched.headers, fetched.content,
                               fetched.elapsed, tuple(seen[1:]))
            location = fetched.headers.get("location")
            if not location:
                raise FetchError(f"Location 없는 리디렉션 ({fetched.status})", url=current,
                                 kind="protocol", status=fetched.status)
            current = urljoin(current, location)

    async def _check_robots(self, url: str) -> None:
        origin = _origin(url)
        if not await self.robots.allowed(origin, url):
            raise FetchError("robots.txt가 수집을 금지합니다", url=url, kind="robots")
        delay = await self.robots.crawl_delay(origin)
        if delay:
            self.gate.set_crawl_delay(urlsplit(url).netloc, delay)

    async def _get_with_retries(self, url: str, etag: str | None,
                                last_modified: str | None) -> Fetched:
        attempt = 0
        while True:
            try:
                fetched = await self._get_once(url, etag, last_modified)
            except FetchError as exc:
                if exc.kind not in ("connect", "protocol") or attempt >= self.policy.retries:
                    raise
                await self._sleep(self._backoff(attempt))
                attempt += 1
                continue
            if fetched.status not in _RETRY_STATUSES:
                return _raise_for_status(fetched)
            wait = self._retry_wait(fetched, attempt)
            if wait is None or attempt >= self.policy.retries:
                raise _status_error(fetched, self.policy.max_retry_after)
            await self._sleep(wait)
            attempt += 1

    def _retry_wait(self, fetched: Fetched, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when we should give up for now."""
        backoff = self._backoff(attempt)
        retry_after = parse_retry_after(fetched.headers.get("retry-after"),
                                        cap=self.policy.max_retry_after)
        if retry_after is None:
            return backoff
        host = urlsplit(fetched.url).netloc
        self.gate.hold(host, retry_after)
        if retry_after > self.policy.max_retry_wait:
            return None
        return retry_after  # the gate holds the host for exactly this long

    def _backoff(self, attempt: int) -> float:
        # Full jitter: spreads retries of many clients instead of synchronising them.
        return random.uniform(0.5, 1.0) * self.policy.backoff * (2 ** attempt)

    async def _get_once(self, url: str, etag: str | None, last_modified: str | None,
                        *, max_bytes: int | None = None) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        size = 0
        status: int | None = None
        try:
            async with self._slot(url):
                started = time.monotonic()
                async with asyncio.timeout(self.policy.total_timeout):
                    status, response_headers, content = await self._stream(
                        url, headers, max_bytes or self.policy.max_bytes)
                size = len(content)
        except FetchError as exc:
            self._report(url, exc.status, size, started, exc.kind)
            raise
        except (TimeoutError, httpx.TimeoutException) as exc:
            self._report(url, status, size, started, "timeout")
            raise FetchError(f"시간 초과 ({_describe(exc)})", url=url, kind="timeout") from exc
        except httpx.ConnectError as exc:
            refused = blocked(exc)
            if refused is not None:  # an internal address: never retried
                self._report(url, None, 0, started, "blocked")
                raise FetchError(f"내부 주소라 가져오지 않습니다 ({refused})", url=url,
                                 kind="blocked") from exc
            self._report(url, None, 0, started, "connect")
            raise FetchError(f"연결 실패: {_describe(exc)}", url=url, kind="connect") from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            self._report(url, status, size, started, "protocol")
            raise FetchError(f"HTTP 오류: {_describe(exc)}", url=url,
                             kind="protocol") from exc
        elapsed = time.monotonic() - started
        self._report(url, status, size, started, None)
        return Fetched(url, status, response_headers, content, elapsed)

    @asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        """The host's turn; a host that asked for a long pause is skipped, not waited for."""
        try:
            async with self.gate.slot(urlsplit(url).netloc):
                yield
        except HostHeld as exc:
            raise FetchError(f"서버가 요청을 미뤄 달라고 해 건너뜁니다 ({exc.seconds:.0f}초 남음)",
                             url=url, kind="deferred", retry_after=exc.seconds) from None

    async def _stream(self, url: str, headers: dict[str, str],
                      max_bytes: int) -> tuple[int, httpx.Headers, bytes]:
        async with self.client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(url, max_bytes, response.status_code)
            try:
                decoder = BoundedDecoder(response.headers.get("content-encoding", ""),
                                         max_bytes)
            except ValueError as exc:
                raise FetchError(f"HTTP 오류: {exc}", url=url, kind="protocol",
                                 status=response.status_code) from exc
            chunks: list[bytes] = []
            # decompressed here, never more than max_bytes at a time: a gzip or brotli bomb
            # is cut off before it is inflated (fetch/decompress.py)
            try:
                async for raw in response.aiter_raw():
                    chunks.append(decoder.feed(raw))
            except TooLarge:
                raise _too_large(url, max_bytes, response.status_code) from None
            except (zlib.error, brotli.error) as exc:
                raise FetchError(f"압축을 풀 수 없습니다: {exc}", url=url, kind="protocol",
                                 status=response.status_code) from exc
            return response.status_code, response.headers, b"".join(chunks)

    async def _get_robots(self, url: str) -> tuple[int, bytes] | None:
        try:
            fetched = await self._get_once(url, None, None, max_bytes=_ROBOTS_MAX_BYTES)
        except FetchError as exc:
            # An oversized robots.txt is treated as missing, as Google does past its limit.
            if exc.kind == "too_large":
                return (404, b"")
            if exc.kind in ("connect", "timeout", "blocked"):
                raise  # the host is down or refused: say so, rather than "robots forbids"
            return None
        if fetched.status in _REDIRECTS:
            return (404, b"")  # a redirected robots.txt: allow, rather than chase it
        return fetched.status, fetched.content

    def _report(self, url: str, status: int | None, size: int, started: float,
                kind: str | None) -> None:
        if self._observe is not None:
            self._observe(url, status, size, time.monotonic() - started, kind)


def parse_retry_after(value: str | None, *, now: datetime | None = None,
                      cap: float = 1800.0) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), at most ``cap``
    (setting ``fetch_max_retry_after``): a server cannot park a feed for a year."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value[:12]), cap)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return min(max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds()), cap)


def _raise_for_status(fetched: Fetched) -> Fetched:
    if fetched.status < 400 or fetched.status in _REDIRECTS:
        return fetched
    raise _status_error(fetched)


def _status_error(fetched: Fetched, max_retry_after: float = 1800.0) -> FetchError:
    status = fetched.status
    if status in (404, 410):
        return FetchError(f"페이지가 없습니다 (HTTP {status})", url=fetched.url,
                          kind="not_found", status=status)
    retry_after = parse_retry_after(fetched.headers.get("retry-after"), cap=max_retry_after)
    if status in (429, 503):
        return FetchError(f"서버가 요청을 늦춰 달라고 합니다 (HTTP {status}"
                          + (f", Retry-After {retry_after:.0f}초)" if retry_after else ")"),
                          url=fetched.url, kind="rate_limited", status=status,
                          retry_after=retry_after)
    return FetchError(f"HTTP 오류 {status}", url=fetched.url, kind="http_error", status=status)


def _too_large(url: str, max_bytes: int, status: int) -> FetchError:
    return FetchError(f"응답이 너무 큽니다 (최대 {max_bytes:,}바이트)", url=url,
                      kind="too_large", status=status)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"http(s) 주소가 아닙니다: {url[:120]}", url=url, kind="bad_url")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}".rstrip(": ") if str(exc) else exc.__class__.__name__
