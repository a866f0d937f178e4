"""The search index in the database: its rows, and the newest posts matching a query.

Tables (migrations 0002_search, 0007_pgperf_search):
- ``search_documents``: one row per indexed post: the analysed token columns (title, lead,
  grams) and the content hash they were built from. On SQLite an FTS5 table
  ``search_fts`` (unicode61 over our tokens, external content) follows it by triggers; on
  PostgreSQL ``search_terms`` holds each post's position-free lexemes and slice under a GIN
  index (store/pgsearch.py).
- the search stage's tasks (``store.tasks``, stage ``search``): a saved post version is
  indexed behind ingest by a worker.

``candidates`` gives the search stage (search/engine.py) the newest matches of its query with
their token columns; ranking them is the stage's. Hidden posts are excluded by the query
itself, so a takedown applies at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    String,
    Table,
    Text,
    select,
    text,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ranknews.models import Article
from ranknews.store.articles import row_to_article
from ranknews.store.db import SEARCH_VERSION, bump_version
from ranknews.store.driver import as_time, rows, run_many
from ranknews.store.pgsearch import candidates as pg_candidates
from ranknews.store.pgsearch import forget_top, terms_literal
from ranknews.store.schema import articles, metadata
from ranknews.store.search_rows import WORD_START, Candidate, SearchDocument, lexeme_literal
from ranknews.store.types import UTCDateTime

search_documents = Table(
    "search_documents",
    metadata,
    Column("board_no", Integer, primary_key=True, autoincrement=False),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("lead", Text, nullable=False),
    Column("grams", Text, nullable=False),
    Column("indexed_at", UTCDateTime, nullable=False),
)


_PG_MAX_POSITION = 16383  # tsvector positions above this are clamped by PostgreSQL
_PG_MAX_POSITIONS_PER_LEXEME = 255


# ---- writing ----------------------------------------------------------------------------

def save_documents(conn: Connection, docs: Sequence[SearchDocument], now: datetime) -> None:
    """Store documents, replacing older ones, in the caller's transaction (the search
    stage's, which completes its tasks in it). Search pages depend on them."""
    if not docs:
        return
    if conn.dialect.name == "postgresql":
        _upsert_postgres(conn, docs, now)
    else:
        _upsert_sqlite(conn, docs, now)
    bump_version(conn, SEARCH_VERSION)


def _doc_row(doc: SearchDocument, now: datetime) -> dict[str, Any]:
    return {"board_no": doc.board_no, "content_hash": doc.content_hash, "title": doc.title,
            "lead": doc.lead, "grams": doc.grams, "indexed_at": now}


def _upsert_sqlite(conn: Connection, docs: Sequence[SearchDocument], now: datetime) -> None:
    stmt = sqlite_insert(search_documents)
    stmt = stmt.on_conflict_do_update(
        index_elements=["board_no"],
        set_={c: stmt.excluded[c] for c in ("content_hash", "title", "lead", "grams",
                                             "indexed_at")})
    conn.execute(stmt, [_doc_row(d, now) for d in docs])


def _upsert_postgres(conn: Connection, docs: Sequence[SearchDocument], now: datetime) -> None:
    """The token columns in ``search_documents``, the position-free lexemes (and the post's
    slice) in ``search_terms`` (store/pgsearch.py)."""
    run_many(conn,
             "INSERT INTO search_documents (board_no, content_hash, title, lead, grams,"
             " indexed_at) VALUES (:board_no, :content_hash, :title, :lead, :grams, :indexed_at)"
             " ON CONFLICT (board_no) DO UPDATE SET content_hash = excluded.content_hash,"
             " title = excluded.title, lead = excluded.lead, grams = excluded.grams,"
             " indexed_at = excluded.indexed_at",
             [(d.board_no, d.content_hash, d.title, d.lead, d.grams, now) for d in docs])
    run_many(conn,
             "INSERT INTO search_terms (board_no, terms) VALUES (:board_no, CAST(:terms AS"
             " tsvector)) ON CONFLICT (board_no) DO UPDATE SET terms = excluded.terms",
             [(d.board_no, terms_literal(d.title, d.lead, d.grams, d.board_no)) for d in docs])
    forget_top()


def tsvector_literal(doc: SearchDocument) -> str:
    """The document as a positional tsvector literal with our own positions and weights: what
    ``search_documents.tsv`` held before 0007_pgperf_search (its downgrade rebuilds it, and
    tests/test_tsquery.py checks the position-free matching against PostgreSQL's ``@@`` on it).

    Built here rather than by to_tsvector() so that it does not depend on the server's
    locale deciding what a Korean "word" is. Columns are kept apart by a gap of positions so
    that a bigram phrase never spans two columns.
    """
    positions: dict[str, list[str]] = {}
    pos = 1
    for column, weight in ((doc.title, "A"), (doc.lead, "B"), (doc.grams, "D")):
        for token in column.split():
            if token == WORD_START:  # a marker for ranking, not a token (see document.py)
                continue
            if pos > _PG_MAX_POSITION:
                break
            slots = positions.setdefault(token, [])
            if len(slots) < _PG_MAX_POSITIONS_PER_LEXEME:
                slots.append(f"{pos}{weight}")
            pos += 1
        pos += 2
    return " ".join(lexeme_literal(t) + ":" + ",".join(p)
                    for t, p in positions.items())


# ---- searching --------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchFilters:
    outlet: str | None = None  # outlet domain or name
    section: str | None = None
    date_from: datetime | None = None  # inclusive, aware
    date_to: datetime | None = None  # exclusive, aware


def candidates(conn: Connection, expression: str, filters: SearchFilters,
               limit: int) -> list[Candidate]:
    """The newest ``limit`` visible posts matching ``expression`` (the search stage's query,
    written for this database: an FTS5 MATCH on SQLite, a tsquery on PostgreSQL), with their
    token columns.

    Sent as driver SQL: this runs on every search, and SQLAlchemy's statement caching and
    per-row type processing cost more here than the query itself.
    """
    postgres = conn.dialect.name == "postgresql"
    where, params = _filter_sql(filters)
    if postgres:
        return pg_candidates(conn, expression, where, params, limit)
    match = "search_fts MATCH :q"
    source = ("search_fts JOIN articles a ON a.board_no = search_fts.rowid"
              " JOIN search_documents d ON d.board_no = search_fts.rowid")
    order = "search_fts.rowid"
    params["q"] = expression
    sql = (f"SELECT d.board_no, coalesce(a.published_at, a.collected_at), d.title, d.lead,"
           f" d.grams FROM {source} WHERE {match} AND a.hidden_at IS NULL{where}"
           f" ORDER BY {order} DESC LIMIT {int(limit)}")
    found = rows(conn, sql, params)
    return [Candidate(no, as_time(at), title, lead, grams) for no, at, title, lead, grams in found]


def _filter_sql(filters: SearchFilters) -> tuple[str, dict[str, Any]]:
    where = []
    params: dict[str, Any] = {}
    if filters.outlet:
        where.append("(a.outlet_domain = :outlet OR a.outlet = :outlet)")
        params["outlet"] = filters.outlet
    if filters.section:
        where.append("a.section = :section")
        params["section"] = filters.section
    for name, op in (("date_from", ">="), ("date_to", "<")):
        value = getattr(filters, name)
        if value is not None:
            where.append(f"coalesce(a.published_at, a.collected_at) {op} :{name}")
            params[name] = value
    return "".join(" AND " + w for w in where), params


def details(conn: Connection, numbers: list[int]) -> dict[int, Article]:
    if not numbers:
        return {}
    rows = conn.execute(select(articles).where(articles.c.board_no.in_(numbers)))
    return {r.board_no: row_to_article(r) for r in rows}


# The sections stored, one index probe each (a skip scan that SQLite and PostgreSQL both run
# on ix_articles_section_board), at most MAX_SECTIONS of them.
MAX_SECTIONS = 100
_SECTIONS_SQL = text("""
WITH RECURSIVE s(section, n) AS (
  SELECT MIN(section), 1 FROM articles
  UNION ALL
  SELECT (SELECT MIN(a.section) FROM articles a WHERE a.section > s.section), s.n + 1
  FROM s WHERE s.section IS NOT NULL AND s.n < :cap
)
SELECT section FROM s WHERE section IS NOT NULL
""")


@dataclass(frozen=True)
class FilterChoices:
    """What the search form offers: outlets as (domain, name), and sections."""

    outlets: list[tuple[str, str]]
    sections: list[str]


def filter_choices(conn: Connection) -> FilterChoices:
    outlets = [(r.domain, r.name) for r in conn.execute(
        text("SELECT domain, name FROM outlets ORDER BY name, domain"))]
    sections = list(conn.execute(_SECTIONS_SQL, {"cap": MAX_SECTIONS}).scalars())
    return FilterChoices(outlets=outlets, sections=sections)
