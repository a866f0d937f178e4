"""Rate limits in the database, so that every web process (granian workers, several
machines) counts one client's requests together. Table ``rate_limits`` (migration
0006_ratelimit): one row per key, e.g. ``search:203.0.113.7``.

The limit is a token bucket kept as one number, the generic cell rate algorithm: ``tat``,
the time at which the bucket would be full again. A request is allowed when, after adding
its cost ``interval``, ``tat`` lies at most ``capacity`` seconds ahead of now. One
statement (an upsert returning the new row) decides and records, so concurrent requests
of one client cannot both take the last token.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Connection, Float, Integer, String, Table

from ranknews.store.driver import rows, run
from ranknews.store.schema import metadata

rate_limits = Table(
    "rate_limits", metadata,
    Column("key", String(200), primary_key=True),
    Column("tat", Float, nullable=False),
    Column("allowed", Integer, nullable=False),
)

_HIT = {
    "sqlite": (
        "INSERT INTO rate_limits (key, tat, allowed) VALUES (:key, :now + :interval, 1) "
        "ON CONFLICT (key) DO UPDATE SET "
        "allowed = CASE WHEN max(rate_limits.tat, :now) + :interval - :now <= :capacity "
        "THEN 1 ELSE 0 END, "
        "tat = CASE WHEN max(rate_limits.tat, :now) + :interval - :now <= :capacity "
        "THEN max(rate_limits.tat, :now) + :interval ELSE rate_limits.tat END "
        "RETURNING tat, allowed"),
    "postgresql": (
        "INSERT INTO rate_limits (key, tat, allowed) VALUES (:key, :now + :interval, 1) "
        "ON CONFLICT (key) DO UPDATE SET "
        "allowed = CASE WHEN GREATEST(rate_limits.tat, :now) + :interval - :now <= :capacity "
        "THEN 1 ELSE 0 END, "
        "tat = CASE WHEN GREATEST(rate_limits.tat, :now) + :interval - :now <= :capacity "
        "THEN GREATEST(rate_limits.tat, :now) + :interval ELSE rate_limits.tat END "
        "RETURNING tat, allowed"),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: float  # seconds until the next request would be allowed (0 when allowed)


def hit(conn: Connection, key: str, *, now: float, interval: float,
        capacity: float) -> Verdict:
    """Take one request of ``key``: allowed when the bucket has room (see module doc)."""
    params = {"key": key[:200], "now": float(now), "interval": float(interval),
              "capacity": float(capacity)}
    (tat, allowed), = rows(conn, _HIT[conn.dialect.name], params)
    if allowed:
        return Verdict(True, 0.0)
    return Verdict(False, max(0.0, tat + interval - now - capacity))


def prune(conn: Connection, now: float) -> int:
    """Forget the keys whose bucket is full again (nothing left to remember)."""
    return run(conn, "DELETE FROM rate_limits WHERE tat < :now", {"now": float(now)})
