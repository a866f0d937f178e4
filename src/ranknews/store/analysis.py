"""Stored Korean analysis (one row per post) and the queue of posts still to analyse.

Analysis costs milliseconds per article, so saving a post never waits for it: ``save_articles``
puts new and revised posts in ``analysis_queue`` in the same transaction, and whoever has time
(``ranknews analyze``, the crawler between fetches) drains it with ``pipeline.analyze_pending``.
Stories, trends and search read ``article_analysis`` instead of analysing again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Sequence

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    ForeignKey,
    Integer,
    Table,
    delete,
    func,
    insert,
    select,
)

from ranknews.store.driver import execute_many, time_converter
from ranknews.store.schema import metadata
from ranknews.store.types import UTCDateTime
from ranknews.text.analysis import Analysis

article_analysis = Table(
    "article_analysis",
    metadata,
    Column("board_no", Integer, ForeignKey("articles.board_no", ondelete="CASCADE"),
           primary_key=True),
    Column("version", Integer, nullable=False),
    Column("title_terms", JSON, nullable=False),
    Column("body_terms", JSON, nullable=False),
    Column("entities", JSON, nullable=False),
    Column("phrases", JSON, nullable=False),
    Column("numbers", JSON, nullable=False),
    Column("lead_numbers", JSON, nullable=False),
    Column("analyzed_at", UTCDateTime, nullable=False),
)

analysis_queue = Table(
    "analysis_queue",
    metadata,
    Column("board_no", Integer, ForeignKey("articles.board_no", ondelete="CASCADE"),
           primary_key=True),
    Column("queued_at", UTCDateTime, nullable=False),
)

_FIELDS = ("title_terms", "body_terms", "entities", "phrases", "numbers", "lead_numbers")


def enqueue(conn: Connection, board_nos: Iterable[int], now: datetime) -> None:
    """Queue posts for analysis (a post already waiting keeps its place)."""
    queued_at = time_converter(conn.dialect.name)(now)
    execute_many(conn, "INSERT INTO analysis_queue (board_no, queued_at) VALUES (?, ?) "
                       "ON CONFLICT DO NOTHING",
                 [(b, queued_at) for b in dict.fromkeys(board_nos)])


def queued(conn: Connection, limit: int) -> list[int]:
    """The oldest posts waiting for analysis (lowest numbers first)."""
    query = select(analysis_queue.c.board_no).order_by(analysis_queue.c.board_no).limit(limit)
    return list(conn.execute(query).scalars())


def queue_length(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(analysis_queue)).scalar() or 0)


def save_analyses(conn: Connection, results: Sequence[tuple[int, Analysis]],
                  now: datetime) -> None:
    """Store results and take their posts off the queue (replacing an older analysis)."""
    numbers = [b for b, _ in results]
    if not numbers:
        return
    conn.execute(delete(article_analysis).where(article_analysis.c.board_no.in_(numbers)))
    conn.execute(insert(article_analysis), [
        {"board_no": b, "version": a.version, "analyzed_at": now,
         **{f: list(getattr(a, f)) for f in _FIELDS}} for b, a in results])
    conn.execute(delete(analysis_queue).where(analysis_queue.c.board_no.in_(numbers)))


def row_to_analysis(row: object) -> Analysis:
    m = row._mapping if hasattr(row, "_mapping") else row  # type: ignore[attr-defined]
    return Analysis(**{f: tuple(m[f] or ()) for f in _FIELDS}, version=m["version"])


def get_analyses(conn: Connection, board_nos: Sequence[int]) -> dict[int, Analysis]:
    found: dict[int, Analysis] = {}
    for start in range(0, len(board_nos), 400):
        query = select(article_analysis).where(
            article_analysis.c.board_no.in_(list(board_nos[start:start + 400])))
        for row in conn.execute(query):
            found[row.board_no] = row_to_analysis(row)
    return found
