"""Reader views, counted without keeping anything about the reader.

A view of an article or story page counts once per visitor per page per hour:
- the visitor is ``sha256(daily salt + address + user agent)``, truncated; the salt is random,
  made in memory when the day (in the board's time zone) changes and never stored, so
  yesterday's visitors cannot be recognised today, nor anyone from the database;
- the set of (visitor, page) already counted lives in memory for the current hour only;
- what is stored (``page_views``) is a count per page per hour, nothing else;
- bots (user agents naming themselves as such, or no user agent) and the operator's addresses
  are not counted;
- one address may add at most ``per_address`` counted views per 10 minutes: a burst from one
  address beyond that is dropped, whatever user agents it sends.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import Counter, deque
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_BOTS = re.compile(
    r"bot|crawl|spider|slurp|curl|wget|python-|httpx|aiohttp|go-http|java/|okhttp|libwww|"
    r"headless|phantom|preview|facebookexternalhit|embedly|monitor|uptime|scrapy|feed",
    re.IGNORECASE)
_WINDOW = timedelta(minutes=10)


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(_BOTS.search(user_agent))


def hour_of(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


class ViewCounter:
    """Counts views in memory; ``drain`` hands the counts over to be stored."""

    def __init__(self, *, timezone: str = "Asia/Seoul", per_address: int = 30,
                 operator_addresses: frozenset[str] = frozenset()) -> None:
        self.tz = ZoneInfo(timezone)
        self.per_address = per_address
        self.operator_addresses = operator_addresses
        self._lock = threading.Lock()
        self._salt_day = ""
        self._salt = b""
        self._hour: datetime | None = None
        self._seen: set[tuple[str, str]] = set()
        self._recent: dict[str, deque[datetime]] = {}
        self._counts: Counter[tuple[str, datetime]] = Counter()
        self.dropped = Counter()  # why views were not counted: bot, operator, repeat, burst

    def record(self, target: str, address: str, user_agent: str, now: datetime) -> bool:
        """Count a view of ``target`` ("article:12"); False when it does not count."""
        if is_bot(user_agent):
            self.dropped["bot"] += 1
            return False
        if address in self.operator_addresses:
            self.dropped["operator"] += 1
            return False
        with self._lock:
            self._roll(now)
            visitor = self._digest(address + "\n" + user_agent)
            if (visitor, target) in self._seen:
                self.dropped["repeat"] += 1
                return False
            if not self._allow(self._digest(address), now):
                self.dropped["burst"] += 1
                return False
            self._seen.add((visitor, target))
            self._counts[(target, hour_of(now))] += 1
            return True

    def drain(self) -> dict[tuple[str, datetime], int]:
        """The counts since the last drain (target, hour) → views, and forget them."""
        with self._lock:
            counts, self._counts = dict(self._counts), Counter()
        return counts

    def _roll(self, now: datetime) -> None:
        day = now.astimezone(self.tz).date().isoformat()
        if day != self._salt_day:
            self._salt_day, self._salt = day, secrets.token_bytes(16)
        hour = hour_of(now)
        if hour != self._hour:
            self._hour, self._seen = hour, set()
            self._recent = {k: q for k, q in self._recent.items() if q and now - q[-1] < _WINDOW}

    def _digest(self, text: str) -> str:
        return hashlib.sha256(self._salt + text.encode("utf-8", "replace")).hexdigest()[:20]

    def _allow(self, address_key: str, now: datetime) -> bool:
        recent = self._recent.setdefault(address_key, deque())
        while recent and now - recent[0] >= _WINDOW:
            recent.popleft()
        if len(recent) >= self.per_address:
            return False
        recent.append(now)
        return True
