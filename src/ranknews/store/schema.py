"""The tables. Migrations in ``migrations/versions`` create them; this module describes them
for queries. Each feature adds its tables in its own migration branch (see docs/architecture.md).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from ranknews.store.types import UTCDateTime

metadata = MetaData()

outlets = Table(
    "outlets",
    metadata,
    Column("domain", String(255), primary_key=True),
    Column("name", Text, nullable=False),
    Column("display_mode", String(16), nullable=True),  # NULL: the site default
)

# board_no is the post number (번호): assigned on insert, strictly increasing, never reused
# (SQLite AUTOINCREMENT; a PostgreSQL identity sequence).
articles = Table(
    "articles",
    metadata,
    Column("board_no", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("canonical_url", Text, nullable=True, unique=True),
    Column("outlet", Text, nullable=False),
    Column("outlet_domain", String(255), nullable=False, default=""),
    Column("title", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("subtitles", JSON, nullable=False),
    Column("authors", JSON, nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("section", String(64), nullable=True),
    Column("blocks", JSON, nullable=False),
    Column("published_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=True),
    Column("collected_at", UTCDateTime, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    Column("extra", JSON, nullable=True),
    Column("hidden_at", UTCDateTime, nullable=True),
    Column("hidden_reason", Text, nullable=True),
    sqlite_autoincrement=True,
)
Index("ix_articles_outlet_board", articles.c.outlet_domain, articles.c.board_no)
Index("ix_articles_section_board", articles.c.section, articles.c.board_no)
Index("ix_articles_published", articles.c.published_at)

# Earlier versions of a post: written when the same URL comes back with other content.
article_revisions = Table(
    "article_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("board_no", Integer, ForeignKey("articles.board_no", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("revision", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("collected_at", UTCDateTime, nullable=False),
    Column("replaced_at", UTCDateTime, nullable=False),
)

# What operators did to posts (takedowns, restores), kept for answering complaints.
moderation_log = Table(
    "moderation_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("board_no", Integer, nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", Text, nullable=True),  # migration 0005_admin; NULL before it
)

# Small key/value state shared by processes; ``board_version`` is bumped by every write that
# changes what the board shows, so page caches in other processes know when to drop pages.
site_state = Table(
    "site_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)
