"""Per-client rate limit for searches: an in-memory token bucket keyed by client address.

Searching costs far more than showing a cached board page, so one client may make
``burst`` searches at once and then ``per_minute`` a minute. The buckets live in the web
process's memory (a limit per process is enough against one scraper hammering the page);
idle buckets are forgotten so the table cannot grow without bound.
"""

from __future__ import annotations

import threading
import time
from typing import Callable


class RateLimiter:
    def __init__(self, per_minute: float, burst: int, *, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last time)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def allow(self, client: str) -> bool:
        """Take one token for ``client``; False when its bucket is empty."""
        if not self.enabled:
            return True
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > self.max_clients:
                self._forget_full(now)
        return allowed

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` has a token again."""
        tokens, _ = self._buckets.get(client, (float(self.burst), 0.0))
        if tokens >= 1.0 or not self.enabled:
            return 0
        return max(1, int((1.0 - tokens) / self.rate + 0.999))

    def _forget_full(self, now: float) -> None:
        # A bucket that has refilled completely holds no information: drop it.
        full_after = self.burst / self.rate
        for client, (_, last) in list(self._buckets.items()):
            if now - last >= full_after:
                del self._buckets[client]
