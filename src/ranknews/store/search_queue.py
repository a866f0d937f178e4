"""The queue of posts waiting to be (re)indexed for search.

``save_articles`` adds new and revised posts here in the same transaction that stores them
(as it does for analysis), so every way in — import, crawler, demo — is indexed, and saving
never waits for the index. ``pipeline.index_pending`` drains it behind ingest.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import Column, Connection, Integer, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ranknews.store.schema import metadata

search_queue = Table(
    "search_queue",
    metadata,
    Column("board_no", Integer, primary_key=True, autoincrement=False),
)


def enqueue(conn: Connection, board_nos: Iterable[int]) -> int:
    """Mark posts for (re)indexing inside the caller's transaction; returns how many."""
    rows = [{"board_no": n} for n in dict.fromkeys(board_nos)]
    if rows:
        conn.execute(_insert_ignore(conn), rows)
    return len(rows)


def _insert_ignore(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        return pg_insert(search_queue).on_conflict_do_nothing()
    return sqlite_insert(search_queue).on_conflict_do_nothing()
