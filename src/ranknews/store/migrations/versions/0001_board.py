"""The board: outlets, articles, revisions, moderation log, site state.

Revision ID: 0001_board
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from ranknews.store.types import UTCDateTime

revision = "0001_board"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outlets",
        sa.Column("domain", sa.String(255), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("display_mode", sa.String(16), nullable=True),
    )
    op.create_table(
        "articles",
        sa.Column("board_no", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("canonical_url", sa.Text, nullable=True, unique=True),
        sa.Column("outlet", sa.Text, nullable=False),
        sa.Column("outlet_domain", sa.String(255), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("subtitles", sa.JSON, nullable=False),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("section", sa.String(64), nullable=True),
        sa.Column("blocks", sa.JSON, nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=True),
        sa.Column("collected_at", UTCDateTime, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("extra", sa.JSON, nullable=True),
        sa.Column("hidden_at", UTCDateTime, nullable=True),
        sa.Column("hidden_reason", sa.Text, nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_articles_outlet_board", "articles", ["outlet_domain", "board_no"])
    op.create_index("ix_articles_section_board", "articles", ["section", "board_no"])
    op.create_index("ix_articles_published", "articles", ["published_at"])
    op.create_table(
        "article_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("board_no", sa.Integer,
                  sa.ForeignKey("articles.board_no", ondelete="CASCADE"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("collected_at", UTCDateTime, nullable=False),
        sa.Column("replaced_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_article_revisions_board_no", "article_revisions", ["board_no"])
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("board_no", sa.Integer, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_moderation_log_board_no", "moderation_log", ["board_no"])
    op.create_table(
        "site_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("site_state", "moderation_log", "article_revisions", "articles", "outlets"):
        op.drop_table(table)
