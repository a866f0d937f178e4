"""Rate limits shared by every web process: one row per client and limit.

Revision ID: 0006_ratelimit
Revises: 0005_admin
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_ratelimit"
down_revision = "0005_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(200), primary_key=True),
        # theoretical arrival time (GCRA), seconds since the epoch
        sa.Column("tat", sa.Float, nullable=False),
        sa.Column("allowed", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_rate_limits_tat", "rate_limits", ["tat"])


def downgrade() -> None:
    op.drop_index("ix_rate_limits_tat", table_name="rate_limits")
    op.drop_table("rate_limits")
