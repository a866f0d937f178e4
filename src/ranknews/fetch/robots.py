"""robots.txt, fetched once per host and kept for a while (RFC 9309 semantics).

A missing robots.txt (4xx) allows everything; one that cannot be fetched (5xx, network
error) disallows the host until the next try, as RFC 9309 §2.3.1.4 asks.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Awaitable, Callable
from urllib.robotparser import RobotFileParser

# (status, body) of GET /robots.txt, or None when the host could not be reached.
RobotsGetter = Callable[[str], Awaitable[tuple[int, bytes] | None]]

_UNREACHABLE_RETRY = 300.0  # seconds before an unreachable robots.txt is asked again


@dataclass
class _Entry:
    parser: RobotFileParser
    expires: float


class RobotsCache:
    def __init__(self, get: RobotsGetter, *, agent: str, ttl: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._get = get
        self._agent = agent.split("/")[0]  # robots.txt groups name the product token
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, origin: str, url: str) -> bool:
        """Whether ``url`` (on ``origin``, e.g. https://www.khan.co.kr) may be fetched."""
        return (await self._parser(origin)).can_fetch(self._agent, url)

    async def crawl_delay(self, origin: str) -> float | None:
        delay = (await self._parser(origin)).crawl_delay(self._agent)
        return float(delay) if delay is not None else None

    async def _parser(self, origin: str) -> RobotFileParser:
        async with self._locks.setdefault(origin, asyncio.Lock()):
            entry = self._entries.get(origin)
            if entry is None or entry.expires <= self._clock():
                entry = await self._load(origin)
                self._entries[origin] = entry
            return entry.parser

    async def _load(self, origin: str) -> _Entry:
        answer = await self._get(origin + "/robots.txt")
        parser = RobotFileParser()
        if answer is None or answer[0] >= 500:
            parser.disallow_all = True
            return _Entry(parser, self._clock() + _UNREACHABLE_RETRY)
        status, body = answer
        if status >= 400:
            parser.allow_all = True
        else:
            parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return _Entry(parser, self._clock() + self._ttl)
