"""Per-host politeness: a few requests at a time per host, a pause between them, and a
host-wide pause when the server says so (429/503 Retry-After, robots.txt Crawl-delay).

Within one process ``HostGate`` queues requests per host. Crawlers in several processes (on
several machines) share a host through ``SharedHosts`` besides: one request to a host at a
time across all of them, each host's next allowed request, and its Retry-After holds, kept
by the database (``pipeline.collect`` gives the gate the store's host leases).

A pause the server asked for (``hold``) that is longer than ``max_wait`` is not waited out:
a request to that host raises ``HostHeld`` at once, so one unfriendly host never holds up a
crawl pass; its feeds are skipped until the pause ends.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable, Protocol


class SharedHosts(Protocol):
    """Host politeness shared with other crawler processes (blocking calls, run in a
    thread): ``take`` a host for one request (None when taken, else the seconds to wait and
    the seconds the host itself asked to be left alone), ``leave`` it free again after
    ``delay`` seconds, ``hold`` it for ``seconds``."""

    def take(self, host: str) -> tuple[float, float] | None: ...

    def leave(self, host: str, delay: float) -> None: ...

    def hold(self, host: str, seconds: float) -> None: ...


class HostHeld(Exception):
    """The host asked us to stay away for ``seconds`` more, longer than we wait in place."""

    def __init__(self, host: str, seconds: float) -> None:
        super().__init__(f"{host}: {seconds:.0f}초 뒤에 다시 오라고 했습니다")
        self.host = host
        self.seconds = seconds


class HostGate:
    """Queues requests per host; different hosts proceed in parallel."""

    def __init__(self, *, concurrency: int = 1, delay: float = 1.0,
                 max_wait: float = float("inf"),
                 clock: Callable[[], float] = time.monotonic,
                 shared: SharedHosts | None = None) -> None:
        self._shared = shared
        self._concurrency = max(1, concurrency)
        self._delay = max(0.0, delay)
        self._max_wait = max_wait
        self._held_until: dict[str, float] = {}
        self._clock = clock
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._next_start: dict[str, float] = defaultdict(float)
        self._host_delay: dict[str, float] = {}

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        """A robots.txt Crawl-delay: used when longer than our own delay (at most 60 s)."""
        self._host_delay[host] = min(max(seconds, 0.0), 60.0)

    def delay_for(self, host: str) -> float:
        return max(self._delay, self._host_delay.get(host, 0.0))

    def hold(self, host: str, seconds: float) -> None:
        """No request to ``host`` for ``seconds`` (the server asked us to slow down)."""
        until = self._clock() + seconds
        self._next_start[host] = max(self._next_start[host], until)
        self._held_until[host] = max(self._held_until.get(host, 0.0), until)
        if self._shared is not None:  # tell the other crawlers too, without waiting for it
            asyncio.get_running_loop().run_in_executor(None, self._shared.hold, host, seconds)

    def held_for(self, host: str) -> float:
        """Seconds the server asked us to stay away from ``host`` still (0: none)."""
        return max(0.0, self._held_until.get(host, 0.0) - self._clock())

    def wait_time(self, host: str) -> float:
        return max(0.0, self._next_start[host] - self._clock())

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        slot = self._slots.setdefault(host, asyncio.Semaphore(self._concurrency))
        async with slot:
            # Re-check after each sleep: a hold() may have arrived meanwhile.
            while (wait := self.wait_time(host)) > 0:
                if (held := self.held_for(host)) > self._max_wait:
                    raise HostHeld(host, held)
                await asyncio.sleep(wait)
            if self._shared is not None:
                await self._take_shared(host)
            try:
                yield
            finally:
                self._next_start[host] = max(self._next_start[host],
                                             self._clock() + self.delay_for(host))
                if self._shared is not None:
                    await asyncio.to_thread(self._shared.leave, host, self.delay_for(host))

    async def _take_shared(self, host: str) -> None:
        """Take the host from the other crawlers; a pause the host asked of any of them that
        is longer than we wait in place skips it, as our own would."""
        while (busy := await asyncio.to_thread(self._shared.take, host)) is not None:  # type: ignore[union-attr]
            wait, held = busy
            if held > self._max_wait:
                raise HostHeld(host, held)
            await asyncio.sleep(min(max(wait, 0.05), 5.0))
