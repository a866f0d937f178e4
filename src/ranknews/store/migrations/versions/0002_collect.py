"""Collection: the sources (one row per feed) with their health, and a log of fetches.

Revision ID: 0002_collect
Revises: 0002_web
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from ranknews.store.types import UTCDateTime

revision = "0002_collect"
down_revision = "0002_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("outlet", sa.Text, nullable=False),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("feed_url", sa.Text, nullable=False, unique=True),
        sa.Column("section", sa.String(64), nullable=True),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("interval", sa.Integer, nullable=False),
        sa.Column("etag", sa.Text, nullable=True),
        sa.Column("last_modified", sa.Text, nullable=True),
        sa.Column("last_fetch_at", UTCDateTime, nullable=True),
        sa.Column("last_success_at", UTCDateTime, nullable=True),
        sa.Column("last_error_at", UTCDateTime, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("last_error_kind", sa.String(32), nullable=True),
        sa.Column("last_error_url", sa.Text, nullable=True),
        sa.Column("feed_problem", sa.Text, nullable=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("items_collected", sa.Integer, nullable=False),
        sa.Column("recent_yield", sa.Float, nullable=True),
        sa.Column("next_fetch_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_sources_next_fetch", "sources", ["enabled", "next_fetch_at"])
    op.create_table(
        "fetch_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.Integer, nullable=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("inserted", sa.Integer, nullable=False),
    )
    op.create_index("ix_fetch_log_source_at", "fetch_log", ["source_id", "at"])


def downgrade() -> None:
    op.drop_table("fetch_log")
    op.drop_table("sources")
