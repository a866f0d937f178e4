"""Raw SQL, one style for the whole store: ``:name`` placeholders, one time codec, one JSON
codec, list membership written ``= ANY(:name)``; run straight on the database driver.

Why raw SQL at all: the board's page queries run on every uncached page view, and through
SQLAlchemy Core each costs 0.4-0.9 ms here (statement building, cache key, result
processors) against 0.07 ms for the same SQL on the sqlite3 driver, more than the whole
render budget; bulk writes pay SQLAlchemy's per-statement cost on every row. So the store's
hot reads and bulk writes are plain SQL run on the DBAPI connection under the SQLAlchemy
``Connection`` (same transaction, same pool). Everything else uses SQLAlchemy Core, whose
``text()`` takes the same ``:name`` placeholders.

The one style, on both databases:
- placeholders are ``:name``; a statement run once per row (``run_many``) may take tuples,
  whose values fill the names in the order they first appear;
- ``= ANY(:name)`` tests membership in a list: PostgreSQL's own array test, and on SQLite
  ``IN (SELECT value FROM json_each(:name))`` with the list sent as one JSON text, so no
  statement is ever rebuilt for the length of a list;
- datetimes go in aware and come out aware, UTC (``as_time``): SQLite stores SQLAlchemy's
  UTCDateTime text (``YYYY-MM-DD HH:MM:SS.ffffff``, so that text order is time order);
- JSON goes in as text (``dumps``) and comes out through ``as_json`` (orjson).
Driver errors are re-raised as SQLAlchemy's (``IntegrityError`` …), so callers catch one
family. ``observers`` sees every statement (tests check the board's queries with it).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Sequence

import orjson

if TYPE_CHECKING:  # not imported at run time: the importer's workers prepare rows without it
    from sqlalchemy import Connection

# Called with (sql as sent, parameters) before each statement; empty outside tests.
observers: list[Callable[[str, Any], None]] = []

_NAME = re.compile(r"(?<![:\w]):(\w+)")
_ANY = re.compile(r"=\s*ANY\(\s*:(\w+)\s*\)", re.IGNORECASE)


@lru_cache(maxsize=512)
def _compiled(sql: str, dialect: str) -> tuple[str, tuple[str, ...]]:
    """The statement as the driver takes it, and its parameter names in order of use."""
    if dialect == "sqlite":
        sql = _ANY.sub(r"IN (SELECT value FROM json_each(:\1))", sql)
        return sql, tuple(_NAME.findall(sql))
    names = tuple(_NAME.findall(sql))
    return _NAME.sub(r"%(\1)s", sql.replace("%", "%%")), names


@lru_cache(maxsize=512)
def _positional(sql: str, dialect: str) -> str:
    """The statement with positional marks, for rows given as tuples."""
    compiled, _ = _compiled(sql, dialect)
    if dialect == "sqlite":
        return _NAME.sub("?", compiled)
    return re.sub(r"%\(\w+\)s", "%s", compiled)


def _value(value: Any, dialect: str) -> Any:
    if isinstance(value, datetime):
        return sqlite_time(value) if dialect == "sqlite" else aware(value)
    if dialect == "sqlite" and isinstance(value, (list, tuple, set, frozenset)):
        return orjson.dumps(list(value)).decode()  # for json_each: = ANY(:name)
    if dialect == "postgresql" and isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return value


def _params(params: dict[str, Any] | None, dialect: str) -> dict[str, Any]:
    return {k: _value(v, dialect) for k, v in (params or {}).items()}


def _cursor(conn: Connection) -> Any:
    return conn.connection.driver_connection.cursor()


def _raise(conn: Connection, exc: Exception, sql: str, params: Any) -> None:
    from sqlalchemy.exc import DBAPIError

    raise DBAPIError.instance(sql, params, exc, conn.dialect.loaded_dbapi.Error) from exc


def _execute(conn: Connection, sql: str, params: dict[str, Any] | None,
             fetch: bool) -> tuple[list[tuple], int]:
    dialect = conn.dialect.name
    statement, _ = _compiled(sql, dialect)
    values = _params(params, dialect)
    for observe in observers:
        observe(statement, values)
    cursor = _cursor(conn)
    try:
        cursor.execute(statement, values)
        found = cursor.fetchall() if fetch else []
        return found, cursor.rowcount
    except conn.dialect.loaded_dbapi.Error as exc:
        _raise(conn, exc, statement, values)
        raise  # unreachable: _raise always raises
    finally:
        cursor.close()


def rows(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    """The rows ``sql`` gives on this connection's driver."""
    return _execute(conn, sql, params, fetch=True)[0]


def run(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> int:
    """Run a statement that returns no rows; how many rows it changed."""
    return _execute(conn, sql, params, fetch=False)[1]


def run_many(conn: Connection, sql: str, params: Sequence[tuple | dict[str, Any]]) -> int:
    """Run ``sql`` once per row of ``params`` (dicts, or tuples in the order the names first
    appear), in this connection's transaction; how many rows it changed in all."""
    if not params:
        return 0
    dialect = conn.dialect.name
    if isinstance(params[0], dict):
        statement, _ = _compiled(sql, dialect)
        values: list[Any] = [_params(p, dialect) for p in params]  # type: ignore[arg-type]
    else:
        statement = _positional(sql, dialect)
        values = [tuple(_value(v, dialect) for v in row) for row in params]
    for observe in observers:
        observe(statement, values[:1])
    cursor = _cursor(conn)
    try:
        cursor.executemany(statement, values)
        return cursor.rowcount
    except conn.dialect.loaded_dbapi.Error as exc:
        _raise(conn, exc, statement, values[:1])
        raise
    finally:
        cursor.close()


def copy_rows(conn: Connection, table: str, columns: Sequence[str],
              values: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL: ``COPY table (columns) FROM STDIN`` of ``values`` in this connection's
    transaction (bytes are UTF-8 text). The cheapest way to add many rows: no statement per
    row for the server to bind and execute."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    for observe in observers:
        observe(statement, list(values[:1]))
    cursor = _cursor(conn)
    try:
        with cursor.copy(statement) as copy:
            for row in values:
                copy.write_row([v.decode("utf-8") if isinstance(v, bytes) else v for v in row])
    except conn.dialect.loaded_dbapi.Error as exc:
        _raise(conn, exc, statement, list(values[:1]))
        raise
    finally:
        cursor.close()


def copy_new_rows(conn: Connection, table: str, columns: Sequence[str],
                  values: Sequence[Sequence[Any]]) -> bool:
    """PostgreSQL: ``copy_rows`` of rows the caller knows to be new (their keys hold a board
    number this transaction just took from the sequence), in a savepoint. COPY adds rows in
    batches, without the speculative insertion of ``INSERT … ON CONFLICT``: half the
    server's time for an import's dedup keys. False, with nothing written, when a row was
    there after all: the caller then writes them with its upsert."""
    from sqlalchemy.exc import IntegrityError

    try:
        with conn.begin_nested():
            copy_rows(conn, table, columns, values)
        return True
    except IntegrityError:
        return False


# --- the codecs ---------------------------------------------------------------------------------

def time_converter(dialect: str) -> Callable[[datetime | None], Any]:
    """How the ``dialect``'s driver takes a UTCDateTime (for values prepared ahead, as the
    importer's workers do): SQLite's text, or the aware datetime."""
    return sqlite_time if dialect == "sqlite" else aware


def sqlite_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return aware(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def aware(value: datetime | None) -> datetime | None:
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


def dumps(value: Any) -> str:
    """JSON text for a JSON column."""
    return orjson.dumps(value).decode("utf-8")


def as_json(value: Any) -> Any:
    """A stored JSON column: text on SQLite, already decoded by psycopg on PostgreSQL."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value
