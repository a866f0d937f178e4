"""Stories: index on an article's time (published, else collected) for period queries.

``restory`` and restarts read the posts of a period by this time; without the index the
query scanned every stored post (1,000,000 rows) before the first of the period.

Revision ID: 0003_stories_time
Revises: 0002_stories
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_stories_time"
down_revision = "0002_stories"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_story_time", "articles",
                    [sa.text("coalesce(published_at, collected_at)")])


def downgrade() -> None:
    op.drop_index("ix_articles_story_time", table_name="articles")
