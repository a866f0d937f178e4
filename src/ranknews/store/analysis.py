"""Stored Korean analysis: one row per post, for the version (content hash) it was made from.

The analysis stage (``pipeline.stages``) writes it once per post version; stories, rank and
search read it instead of analysing again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    ForeignKey,
    Integer,
    String,
    Table,
    delete,
    insert,
    select,
)

from ranknews.models import Analysis
from ranknews.store.schema import metadata
from ranknews.store.types import UTCDateTime

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
    Column("content_hash", String(64)),  # the post version analysed (NULL: before 0004)
    Column("keywords", JSON),  # noun phrases of the headline and the lead (NULL: before 0004)
)

_FIELDS = ("title_terms", "body_terms", "entities", "phrases", "numbers", "lead_numbers")


def save_analyses(conn: Connection, results: Sequence[tuple[int, str, Analysis]],
                  now: datetime) -> None:
    """Store (board number, content hash, analysis) results, replacing older ones."""
    numbers = [b for b, _, _ in results]
    if not numbers:
        return
    conn.execute(delete(article_analysis).where(article_analysis.c.board_no.in_(numbers)))
    conn.execute(insert(article_analysis), [
        {"board_no": b, "version": a.version, "analyzed_at": now, "content_hash": digest,
         "keywords": [list(k) for k in a.keywords],
         **{f: list(getattr(a, f)) for f in _FIELDS}} for b, digest, a in results])


def row_to_analysis(row: object) -> Analysis:
    m = row._mapping if hasattr(row, "_mapping") else row  # type: ignore[attr-defined]
    keywords = m.get("keywords") if hasattr(m, "get") else None
    return Analysis(**{f: tuple(m[f] or ()) for f in _FIELDS}, version=m["version"],
                    keywords=tuple(tuple(k) for k in keywords or ()))


def get_analyses(conn: Connection, board_nos: Sequence[int]) -> dict[int, Analysis]:
    found: dict[int, Analysis] = {}
    for start in range(0, len(board_nos), 400):
        query = select(article_analysis).where(
            article_analysis.c.board_no.in_(list(board_nos[start:start + 400])))
        for row in conn.execute(query):
            found[row.board_no] = row_to_analysis(row)
    return found


def analysed_versions(conn: Connection, board_nos: Sequence[int]) -> dict[int, str | None]:
    """The content hash each post's stored analysis was made from."""
    query = select(article_analysis.c.board_no, article_analysis.c.content_hash).where(
        article_analysis.c.board_no.in_(list(board_nos)))
    return dict(conn.execute(query).all())
