"""Dedup tables: the keys under which a post is found again, and wire copies.

``article_keys`` holds every key of every post (see ``ranknews.dedup.fingerprint``):
``save_articles`` looks a new article up by these when its exact URL is unknown.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import (Column, Connection, Float, ForeignKey, Index, Integer, Table, Text,
                        delete, insert, select)

from ranknews.dedup import article_keys as keys_of
from ranknews.models import Article
from ranknews.store.schema import metadata
from ranknews.store.types import UTCDateTime

article_keys = Table(
    "article_keys",
    metadata,
    Column("key", Text, primary_key=True),
    Column("board_no", Integer, ForeignKey("articles.board_no", ondelete="CASCADE"),
           primary_key=True),
)
Index("ix_article_keys_board_no", article_keys.c.board_no)

wire_copies = Table(
    "wire_copies",
    metadata,
    Column("board_no", Integer, ForeignKey("articles.board_no", ondelete="CASCADE"),
           primary_key=True),
    Column("original_board_no", Integer, nullable=False),
    Column("containment", Float, nullable=False),
    Column("detected_at", UTCDateTime, nullable=False),
)
Index("ix_wire_copies_original", wire_copies.c.original_board_no)


def posts_by_keys(conn: Connection, keys: Iterable[str]) -> dict[str, list[int]]:
    """Board numbers stored under each of ``keys``."""
    found: dict[str, list[int]] = {}
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), 400):
        query = select(article_keys).where(article_keys.c.key.in_(wanted[start:start + 400]))
        for row in conn.execute(query):
            found.setdefault(row.key, []).append(row.board_no)
    return found


def remember_keys(conn: Connection, pairs: Iterable[tuple[int, Article]]) -> None:
    """Store the keys of posts just inserted or revised (a revision adds its new keys)."""
    rows = {(k, board_no) for board_no, article in pairs for k in keys_of(article)}
    if not rows:
        return
    have = set()
    keys = list({k for k, _ in rows})
    for start in range(0, len(keys), 400):
        query = select(article_keys).where(article_keys.c.key.in_(keys[start:start + 400]))
        have |= {(r.key, r.board_no) for r in conn.execute(query)}
    new = [{"key": k, "board_no": b} for k, b in rows - have]
    if new:
        conn.execute(insert(article_keys), new)


def wire_original(conn: Connection, board_no: int) -> dict[str, Any] | None:
    row = conn.execute(select(wire_copies).where(wire_copies.c.board_no == board_no)).first()
    return dict(row._mapping) if row else None


def save_wire_copy(conn: Connection, board_no: int, original: int, score: float,
                   now: Any) -> None:
    conn.execute(delete(wire_copies).where(wire_copies.c.board_no == board_no))
    conn.execute(insert(wire_copies).values(board_no=board_no, original_board_no=original,
                                            containment=score, detected_at=now))


def clear_wire_copy(conn: Connection, board_no: int) -> None:
    conn.execute(delete(wire_copies).where(wire_copies.c.board_no == board_no))
