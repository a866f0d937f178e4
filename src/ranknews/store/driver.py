"""Hot queries straight through the database driver: the board's reads and bulk import writes.

The board's page queries run on every uncached page view. Through SQLAlchemy Core each costs
0.4-0.9 ms here (statement building, cache key, result processors) against 0.07 ms for the
same SQL on the sqlite3 driver, more than the whole render budget. So the few hot reads in
``store/board.py`` are plain SQL with ``:name`` parameters, run on the DBAPI connection under
the SQLAlchemy ``Connection`` (same transaction, same pool), with the two conversions
SQLAlchemy would do: JSON text and SQLite's datetime strings.

Bulk writes (``store/writing.py``) use ``execute_many`` and ``fetch_in`` for the same reason:
per small statement SQLAlchemy costs more than SQLite's own work. Driver errors are re-raised
as SQLAlchemy's (``IntegrityError`` …), so callers catch one family. Everything else stays on
SQLAlchemy Core.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

import orjson

if TYPE_CHECKING:  # not imported at run time: the importer's workers prepare rows without it
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


_POSITIONAL = re.compile(r"\?")
IN_CHUNK = 500  # values per IN (…) query: far below SQLite's and PostgreSQL's limits


@lru_cache(maxsize=256)
def _positional_for_postgres(sql: str) -> str:
    return _POSITIONAL.sub("%s", sql.replace("%", "%%"))


def execute_many(conn: Connection, sql: str, rows: list[tuple]) -> None:
    """Run ``sql`` (with ``?`` parameters) once per row, in this connection's transaction."""
    if not rows:
        return
    postgres = conn.dialect.name == "postgresql"
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.executemany(_positional_for_postgres(sql) if postgres else sql, rows)
    except conn.dialect.loaded_dbapi.Error as exc:
        from sqlalchemy.exc import DBAPIError
        raise DBAPIError.instance(sql, rows[:1], exc, conn.dialect.loaded_dbapi.Error) from exc
    finally:
        cursor.close()


def fetch_in(conn: Connection, sql: str, values: list[Any]) -> list[tuple]:
    """Rows of ``sql`` whose ``{values}`` is a set membership test on ``values``, e.g.
    ``SELECT key, board_no FROM article_keys WHERE key {values}``: ``IN (?, …)`` in chunks on
    SQLite, one ``= ANY(%s)`` on PostgreSQL."""
    if not values:
        return []
    driver = conn.connection.driver_connection
    cursor = driver.cursor()
    found: list[tuple] = []
    try:
        if conn.dialect.name == "postgresql":
            cursor.execute(_positional_for_postgres(sql.format(values="= ANY(?)")), [values])
            return cursor.fetchall()
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start:start + IN_CHUNK]
            cursor.execute(sql.format(values=f"IN ({','.join('?' * len(chunk))})"), chunk)
            found += cursor.fetchall()
        return found
    finally:
        cursor.close()


def time_converter(dialect: str) -> Callable[[datetime | None], Any]:
    """How the ``dialect``'s driver takes a UTCDateTime: SQLAlchemy's SQLite text
    ('YYYY-MM-DD HH:MM:SS.ffffff', UTC, so that text order is time order), or the datetime."""
    return _sqlite_time if dialect == "sqlite" else _aware


def _sqlite_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return _aware(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTCDateTime column")
    return value if value.tzinfo is timezone.utc else value.astimezone(timezone.utc)


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
