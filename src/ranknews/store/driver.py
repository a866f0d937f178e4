"""Hot read queries straight through the database driver.

The board's page queries run on every uncached page view. Through SQLAlchemy Core each costs
0.4-0.9 ms here (statement building, cache key, result processors) against 0.07 ms for the
same SQL on the sqlite3 driver, more than the whole render budget. So the few hot reads in
``store/board.py`` are plain SQL with ``:name`` parameters, run on the DBAPI connection under
the SQLAlchemy ``Connection`` (same transaction, same pool), with the two conversions
SQLAlchemy would do: JSON text and SQLite's datetime strings. Everything else, and every
write, stays on SQLAlchemy Core.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Connection

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


@lru_cache(maxsize=256)
def _for_postgres(sql: str) -> str:
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


def fetch(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    """Rows of ``sql`` (with ``:name`` parameters) on this connection's driver."""
    driver = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        sql = _for_postgres(sql)
    cursor = driver.cursor()
    try:
        cursor.execute(sql, params or {})
        return cursor.fetchall()
    finally:
        cursor.close()


def as_time(value: Any) -> datetime | None:
    """A stored UTCDateTime: SQLite gives 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC), PostgreSQL an
    aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def as_json(value: Any) -> Any:
    """A stored JSON column: text on SQLite, already decoded by psycopg on PostgreSQL."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value
