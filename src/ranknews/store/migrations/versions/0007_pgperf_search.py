"""PostgreSQL search: a position-free lexeme table for candidates (search_terms, GIN), the
positional tsvector dropped from search_documents (phrases are checked on candidates; see
store/pgsearch.py). Nothing changes on SQLite.

Revision ID: 0007_pgperf_search
Revises: 0006_ratelimit
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_pgperf_search"
down_revision = "0006_ratelimit"
branch_labels = None
depends_on = None

_SLICE = 4096  # store.pgsearch.SLICE at the time of this migration


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE search_terms (board_no integer PRIMARY KEY"
        " REFERENCES articles (board_no) ON DELETE CASCADE, terms tsvector NOT NULL)")
    # The word-start marker never reached tsv; the slice lexeme is added here.
    op.execute(
        "INSERT INTO search_terms (board_no, terms) SELECT board_no,"
        f" strip(tsv) || array_to_tsvector(ARRAY['#s' || (board_no / {_SLICE})])"
        " FROM search_documents")
    op.execute("CREATE INDEX ix_search_terms_terms ON search_terms USING gin (terms)"
               " WITH (fastupdate = off)")
    op.execute("DROP INDEX ix_search_documents_tsv")
    op.execute("ALTER TABLE search_documents DROP COLUMN tsv")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from ranknews.search.document import SearchDocument
    from ranknews.store.search import tsvector_literal

    op.execute("ALTER TABLE search_documents ADD COLUMN tsv tsvector")
    found = bind.execute(sa.text("SELECT board_no, title, lead, grams FROM search_documents"))
    values = [{"no": no, "tsv": tsvector_literal(SearchDocument(no, "", t, le, g))}
              for no, t, le, g in found]
    if values:
        bind.execute(sa.text("UPDATE search_documents SET tsv = CAST(:tsv AS tsvector)"
                             " WHERE board_no = :no"), values)
    op.execute("ALTER TABLE search_documents ALTER COLUMN tsv SET NOT NULL")
    op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
    op.execute("DROP TABLE search_terms")
