"""Search: analysed token columns per post, FTS5 (SQLite) or tsvector + GIN (PostgreSQL),
and the queue of posts waiting to be indexed.

Revision ID: 0002_search
Revises: 0002_rank
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from ranknews.store.types import UTCDateTime

revision = "0002_search"
down_revision = "0002_rank"
branch_labels = None
depends_on = None

_SQLITE_FTS = [
    # unicode61 only splits on spaces here: the columns hold tokens we analysed ourselves.
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, lead, grams,"
    " content='search_documents', content_rowid='board_no', tokenize='unicode61')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN"
    " INSERT INTO search_fts(rowid, title, lead, grams)"
    " VALUES (new.board_no, new.title, new.lead, new.grams); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, title, lead, grams)"
    " VALUES ('delete', old.board_no, old.title, old.lead, old.grams); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, title, lead, grams)"
    " VALUES ('delete', old.board_no, old.title, old.lead, old.grams);"
    " INSERT INTO search_fts(rowid, title, lead, grams)"
    " VALUES (new.board_no, new.title, new.lead, new.grams); END",
]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("board_no", sa.Integer,
                  sa.ForeignKey("articles.board_no", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("lead", sa.Text, nullable=False),
        sa.Column("grams", sa.Text, nullable=False),
        sa.Column("indexed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "search_queue",
        sa.Column("board_no", sa.Integer, primary_key=True, autoincrement=False),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE search_documents ADD COLUMN tsv tsvector NOT NULL")
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
    else:
        for statement in _SQLITE_FTS:
            op.execute(statement)
    # posts stored before search existed wait for 'ranknews index'
    op.execute("INSERT INTO search_queue (board_no) SELECT board_no FROM articles")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_queue")
    op.drop_table("search_documents")
