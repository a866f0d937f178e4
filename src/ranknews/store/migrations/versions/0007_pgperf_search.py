"""PostgreSQL search: a position-free lexeme table for candidates (search_terms, GIN), the
positional tsvector dropped from search_documents (phrases are checked on candidates; see
store/pgsearch.py); autovacuum of the work queue after 1 % of its rows changed. Nothing
changes on SQLite.

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
_TASKS_AUTOVACUUM = ("autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,"
                     " autovacuum_vacuum_insert_scale_factor = 0.05,"
                     " autovacuum_analyze_scale_factor = 0.02")


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
    # The token columns of ~100 candidates are read per search: lz4 decompresses them in
    # about two thirds of pglz's time (values stored before keep pglz until rewritten).
    bind = op.get_bind()
    if bind.dialect.server_version_info >= (14,):
        try:
            with bind.begin_nested():
                op.execute("ALTER TABLE search_documents ALTER COLUMN grams SET COMPRESSION lz4")
        except sa.exc.DBAPIError:  # a server built without lz4 keeps pglz
            pass
    # The work queue is rewritten all day (claims, leases, completions): vacuum it after a
    # 1 % change rather than the default 20 %, so a table of millions of finished tasks does
    # not carry a fifth of its size in dead rows between vacuums (docs/postgresql.md).
    op.execute(f"ALTER TABLE tasks SET ({_TASKS_AUTOVACUUM})")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE tasks RESET (autovacuum_vacuum_scale_factor,"
               " autovacuum_vacuum_threshold, autovacuum_vacuum_insert_scale_factor,"
               " autovacuum_analyze_scale_factor)")
    from ranknews.store.search import tsvector_literal
    from ranknews.store.search_rows import SearchDocument

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
