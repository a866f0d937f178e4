"""Dedup tables: the keys under which a post is found again, and wire copies.

``article_keys`` holds every key of every post (see ``ranknews.dedup.fingerprint``):
``save_articles`` (``store/writing.py``) looks a new article up by these when its exact URL
is unknown, and adds the keys of every article it saves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    delete,
    insert,
)

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


def save_wire_copy(conn: Connection, board_no: int, original: int, score: float,
                   now: Any) -> None:
    conn.execute(delete(wire_copies).where(wire_copies.c.board_no == board_no))
    conn.execute(insert(wire_copies).values(board_no=board_no, original_board_no=original,
                                            containment=score, detected_at=now))


def clear_wire_copy(conn: Connection, board_no: int) -> None:
    conn.execute(delete(wire_copies).where(wire_copies.c.board_no == board_no))
