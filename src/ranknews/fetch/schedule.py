"""When to fetch a feed next: its own interval, stretched or shortened by its recent yield
(new articles per fetch), backed off after failures, never sooner than a Retry-After.

A busy wire feed that brings 5+ new articles a fetch is read twice as often; a feed that
brought nothing for a while is read a quarter as often; the bounds come from settings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

YIELD_WEIGHT = 0.4  # weight of the newest fetch in the moving average
MAX_BACKOFF_STEPS = 6


@dataclass(frozen=True)
class Bounds:
    min_interval: int = 120
    max_interval: int = 21600
    max_retry_after: float = 1800.0  # a server's Retry-After is honoured up to this


def updated_yield(previous: float | None, new_items: int) -> float:
    if previous is None:
        return float(new_items)
    return (1 - YIELD_WEIGHT) * previous + YIELD_WEIGHT * new_items


def yield_factor(recent_yield: float) -> float:
    if recent_yield >= 5:
        return 0.5
    if recent_yield >= 1:
        return 1.0
    if recent_yield >= 0.25:
        return 2.0
    return 4.0


def after_success(now: datetime, interval: int, recent_yield: float, bounds: Bounds,
                  *, jitter: float | None = None) -> datetime:
    seconds = _clamp(interval * yield_factor(recent_yield), bounds)
    return now + timedelta(seconds=seconds * _jitter(jitter))


def after_failure(now: datetime, interval: int, failures: int, bounds: Bounds,
                  retry_after: float | None = None, *, jitter: float | None = None) -> datetime:
    """Exponential backoff from the feed's interval; a server's Retry-After is a floor."""
    seconds = _clamp(interval * 2 ** min(max(failures - 1, 0), MAX_BACKOFF_STEPS), bounds)
    seconds = seconds * _jitter(jitter)
    if retry_after:
        seconds = max(seconds, min(retry_after, bounds.max_retry_after))
    return now + timedelta(seconds=seconds)


def after_deferral(now: datetime, retry_after: float | None, bounds: Bounds) -> datetime:
    """When a feed skipped because its host asked for a pause is due again: at its end."""
    return now + timedelta(seconds=min(max(retry_after or 0.0, 1.0), bounds.max_retry_after))


def _clamp(seconds: float, bounds: Bounds) -> float:
    return min(max(seconds, bounds.min_interval), bounds.max_interval)


def _jitter(value: float | None) -> float:
    # Up to 10% later, so feeds added together drift apart instead of firing together.
    return 1.0 + (random.uniform(0, 0.1) if value is None else value)
