"""The search page's rate limit, shared by every web process through the database
(``store/ratelimit.py``): a client may make ``burst`` searches at once, then
``per_minute`` a minute, however many worker processes or machines serve it. The client
is the address ``web/client.py`` finds (the trusted proxies' word, not the client's).

A database that cannot take the write right now (SQLite busy with an import's batch)
lets the search through rather than refusing every reader: the limit protects the site
from one client, and must not become the outage itself.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Callable

from ranknews.store import Database
from ranknews.store.ratelimit import hit, prune

log = logging.getLogger("ranknews.web")
PRUNE_EVERY = 500  # checks between two prunes of refilled buckets, per process


class SharedRateLimiter:
    def __init__(self, db: Database, per_minute: float, burst: int, *, name: str = "search",
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.name = name
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.capacity = self.interval * max(1, burst)
        self._clock = clock
        self._checks = 0

    @property
    def enabled(self) -> bool:
        return self.interval > 0

    def check(self, client: str) -> int:
        """Take one search for ``client``: 0 when allowed, else the seconds to wait."""
        if not self.enabled:
            return 0
        now = self._clock()
        try:
            with self.db.write() as conn:
                verdict = hit(conn, f"{self.name}:{client}", now=now,
                              interval=self.interval, capacity=self.capacity)
                self._checks += 1
                if self._checks % PRUNE_EVERY == 0:
                    prune(conn, now)
        except Exception:  # noqa: BLE001 - see the module docstring
            log.warning("rate limit check failed; request allowed", exc_info=True)
            return 0
        return 0 if verdict.allowed else max(1, math.ceil(verdict.retry_after))
