"""The web board: a partial index of hidden posts, so the board's page map can learn which
posts are taken down without scanning the articles table.

Revision ID: 0002_web
Revises: 0001_board
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_web"
down_revision = "0001_board"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_articles_hidden", "articles", ["board_no"],
        sqlite_where=sa.text("hidden_at IS NOT NULL"),
        postgresql_where=sa.text("hidden_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_articles_hidden", table_name="articles")
