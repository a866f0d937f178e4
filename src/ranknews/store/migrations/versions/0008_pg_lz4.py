"""PostgreSQL: lz4 instead of pglz for the large columns (an article's blocks and the rows
derived from it). Korean text barely compresses with either, but pglz spends its effort
finding that out on every row written: an import's COPY into ``articles`` took about half
as long on the server with lz4 (docs/postgresql.md, "Import"). Values stored before keep
pglz until they are rewritten. Nothing changes on SQLite, or on a server built without lz4
(or older than PostgreSQL 14), which keeps pglz.

Revision ID: 0008_pg_lz4
Revises: 0007_pgperf_search
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_pg_lz4"
down_revision = "0007_pgperf_search"
branch_labels = None
depends_on = None

LARGE = {
    "articles": ("blocks", "summary", "extra"),
    "article_revisions": ("snapshot",),
    "article_analysis": ("title_terms", "body_terms", "phrases", "entities", "numbers"),
    "search_documents": ("lead",),
    "search_terms": ("terms",),
    "story_snapshots": ("state",),
}


def _set(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or bind.dialect.server_version_info < (14,):
        return
    for table, columns in LARGE.items():
        clauses = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION {method}" for c in columns)
        try:
            with bind.begin_nested():
                op.execute(f"ALTER TABLE {table} {clauses}")
        except sa.exc.DBAPIError:  # a server built without lz4 keeps pglz
            return


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("pglz")
