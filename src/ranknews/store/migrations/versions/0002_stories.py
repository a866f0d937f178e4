"""Stories: stored analysis and its queue, dedup keys, wire copies, story membership,
operator links.

Revision ID: 0002_stories
Revises: 0002_collect
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from ranknews.store.types import UTCDateTime

revision = "0002_stories"
down_revision = "0002_collect"
branch_labels = None
depends_on = None

_FK = dict(ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "article_analysis",
        sa.Column("board_no", sa.Integer, sa.ForeignKey("articles.board_no", **_FK),
                  primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title_terms", sa.JSON, nullable=False),
        sa.Column("body_terms", sa.JSON, nullable=False),
        sa.Column("entities", sa.JSON, nullable=False),
        sa.Column("phrases", sa.JSON, nullable=False),
        sa.Column("numbers", sa.JSON, nullable=False),
        sa.Column("lead_numbers", sa.JSON, nullable=False),
        sa.Column("analyzed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "analysis_queue",
        sa.Column("board_no", sa.Integer, sa.ForeignKey("articles.board_no", **_FK),
                  primary_key=True),
        sa.Column("queued_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "article_keys",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("board_no", sa.Integer, sa.ForeignKey("articles.board_no", **_FK),
                  primary_key=True),
    )
    op.create_index("ix_article_keys_board_no", "article_keys", ["board_no"])
    op.create_table(
        "story_members",
        sa.Column("board_no", sa.Integer, sa.ForeignKey("articles.board_no", **_FK),
                  primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("assigned_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_story_members_story", "story_members", ["story_id", "board_no"])
    op.create_table(
        "story_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("a", sa.Integer, nullable=False),
        sa.Column("b", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "wire_copies",
        sa.Column("board_no", sa.Integer, sa.ForeignKey("articles.board_no", **_FK),
                  primary_key=True),
        sa.Column("original_board_no", sa.Integer, nullable=False),
        sa.Column("containment", sa.Float, nullable=False),
        sa.Column("detected_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_wire_copies_original", "wire_copies", ["original_board_no"])


def downgrade() -> None:
    for table in ("wire_copies", "story_links", "story_members", "article_keys",
                  "analysis_queue", "article_analysis"):
        op.drop_table(table)
