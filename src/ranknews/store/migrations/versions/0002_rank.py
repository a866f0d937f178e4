"""Ranking: per-article keywords and section, learned aliases, trend days, precomputed
snapshots (trends and story rankings), and hourly reader views per page (article or story).

Revision ID: 0002_rank
Revises: 0003_stories_time
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from ranknews.store.types import UTCDateTime

revision = "0002_rank"
down_revision = "0003_stories_time"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_rank",
        sa.Column("board_no", sa.Integer,
                  sa.ForeignKey("articles.board_no", ondelete="CASCADE"), primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("outlet", sa.Text, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("section", sa.String(16), nullable=True),
        sa.Column("section_how", sa.String(8), nullable=False),
    )
    op.create_index("ix_article_rank_at", "article_rank", ["at"])
    op.create_index("ix_article_rank_day", "article_rank", ["day"])
    op.create_table(
        "keyword_aliases",
        sa.Column("alias", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("seen", sa.Integer, nullable=False),
    )
    op.create_table(
        "trend_days",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("docs", sa.Integer, nullable=False),
        sa.Column("weights", sa.JSON, nullable=False),
        sa.Column("computed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "rank_snapshots",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("computed_at", UTCDateTime, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
    )
    op.create_table(
        "page_views",
        sa.Column("target", sa.String(32), primary_key=True),  # "article:12", "story:7"
        sa.Column("hour", UTCDateTime, primary_key=True),
        sa.Column("views", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("page_views", "rank_snapshots", "trend_days", "keyword_aliases",
                  "article_rank"):
        op.drop_table(table)
