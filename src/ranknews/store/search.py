"""The search index in the database, and the search query the page, JSON and CLI share.

Tables (migration 0002_search):
- ``search_documents``: one row per indexed post: the analysed token columns (title, lead,
  grams) and the content hash they were built from. On SQLite an FTS5 table
  ``search_fts`` (unicode61 over our tokens, external content) follows it by triggers; on
  PostgreSQL a ``tsv`` tsvector column (title weight A, lead B, grams D) has a GIN index.
- the search stage's tasks (``store.tasks``, stage ``search``): a saved post version is
  indexed behind ingest by a worker.

Searching takes the newest ``candidate_limit`` matches with their token columns and ranks
them by text relevance blended with recency (search/ranking.py), then returns one page.
When fewer than ``partial_below`` posts contain every word of the query, the posts that
contain some of them follow (each word's newest matches, ranked by how many words they
contain and how rare those are), so a search never comes back empty while some word
matches. Hidden posts are excluded by the query itself, so a takedown applies at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
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
from ranknews.search.document import WORD_START, SearchDocument
from ranknews.search.query import Mode, ParsedQuery, to_fts5, to_tsquery
from ranknews.search.ranking import Candidate, Ranked, rank, rarity
from ranknews.store.articles import row_to_article
from ranknews.store.db import SEARCH_VERSION, bump_version
from ranknews.store.driver import as_time, rows, run_many
from ranknews.store.pgsearch import candidates as pg_candidates
from ranknews.store.pgsearch import forget_top, terms_literal
from ranknews.store.schema import articles, metadata
from ranknews.store.stories import story_sizes
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

def article_count(conn: Connection) -> int:
    return conn.execute(text("SELECT count(*) FROM articles")).scalar() or 0


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
    """The document as a tsvector literal with our own positions and weights.

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
    return " ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(p)
                    for t, p in positions.items())


# ---- searching --------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchFilters:
    outlet: str | None = None  # outlet domain or name
    section: str | None = None
    date_from: datetime | None = None  # inclusive, aware
    date_to: datetime | None = None  # exclusive, aware


@dataclass(frozen=True)
class RankingOptions:
    recency_weight: float = 1.0
    half_life_hours: float = 72.0
    candidate_limit: int = 100
    partial_below: int = 50  # fewer posts with every word: add those with some of them


@dataclass
class SearchHit:
    board_no: int
    url: str
    outlet: str
    outlet_domain: str
    title: str
    tags: tuple[str, ...]
    section: str | None
    published_at: datetime | None
    collected_at: datetime
    body: str
    score: float
    relevance: float
    story_id: int | None = None  # set by a story-aware search
    story_size: int = 1  # visible posts in that story
    complete: bool = True  # contains every word of the query (else: some of them)


@dataclass
class SearchResults:
    query: ParsedQuery
    hits: list[SearchHit] = field(default_factory=list)
    candidates: int = 0  # entries ranked: posts, or stories of a story-aware search
    capped: bool = False  # more matches exist than were ranked
    mode: str = "and"  # "or" when no post had every word and only partial matches are shown
    articles: int = 0  # posts ranked (every word or some of them)
    stories: int = 0  # stories among them (a post in no story counts as one)
    complete: int = 0  # entries that contain every word; the partial ones follow them


def search(conn: Connection, query: ParsedQuery, *, filters: SearchFilters = SearchFilters(),
           options: RankingOptions = RankingOptions(), offset: int = 0, limit: int = 20,
           now: datetime | None = None, by_story: bool = False) -> SearchResults:
    """Ranked posts for an analysed query; an empty query gives empty results.

    ``by_story``: one entry per story (its best-ranked post, with the story's size), as the
    search page shows them; ``candidates`` then counts entries.
    """
    results = SearchResults(query=query)
    if query.empty:
        return results
    now = now or datetime.now(timezone.utc)
    limit_n = options.candidate_limit
    candidates = _candidates(conn, query, "and", filters, limit_n)
    results.capped = len(candidates) >= limit_n
    ranked = rank(query, candidates, now, recency_weight=options.recency_weight,
                  half_life_hours=options.half_life_hours)
    loose = query.loose()
    if len(loose.units) > 1 and len(candidates) < options.partial_below:
        partial, idfs = _partial(conn, loose, filters, limit_n,
                                 {c.board_no for c in candidates})
        if partial and not candidates:
            results.mode = "or"
        ranked += rank(loose, partial, now, recency_weight=options.recency_weight,
                       half_life_hours=options.half_life_hours, idfs=idfs, complete=())
    stories = story_sizes(conn, [r.board_no for r in ranked])
    results.articles = len(ranked)
    results.stories = len({stories[r.board_no][0] if r.board_no in stories else -r.board_no
                           for r in ranked})
    if by_story:
        ranked = _best_of_each_story(ranked, stories)
    results.candidates = len(ranked)
    results.complete = sum(1 for r in ranked if r.complete)
    page = ranked[offset:offset + limit]
    details = _details(conn, [r.board_no for r in page])
    results.hits = [_hit(details[r.board_no], r, stories.get(r.board_no) if by_story else None)
                    for r in page if r.board_no in details]
    return results


def _partial(conn: Connection, query: ParsedQuery, filters: SearchFilters, limit: int,
             seen: set[int]) -> tuple[list[Candidate], list[float]]:
    """The posts, not in ``seen``, that contain some units of ``query`` (each unit's newest
    matches, the window shared between the units), and each unit's rarity."""
    window = max(limit // len(query.units), 20)
    found: list[Candidate] = []
    idfs = []
    for unit in query.units:
        matches = _candidates(conn, query.part((unit,)), "and", filters, window)
        idfs.append(rarity(len(matches), window))
        for cand in matches:
            if cand.board_no not in seen:
                seen.add(cand.board_no)
                found.append(cand)
    return found, idfs


def _best_of_each_story(ranked: list[Ranked], stories: dict[int, tuple[int, int]]
                        ) -> list[Ranked]:
    seen: set[int] = set()
    kept = []
    for r in ranked:
        story = stories.get(r.board_no)
        if story is not None and story[0] in seen:
            continue
        if story is not None:
            seen.add(story[0])
        kept.append(r)
    return kept


def _candidates(conn: Connection, query: ParsedQuery, mode: Mode, filters: SearchFilters,
                limit: int) -> list[Candidate]:
    """The newest ``limit`` visible posts matching the query, with their token columns.

    Sent as driver SQL: this runs on every search, and SQLAlchemy's statement caching and
    per-row type processing cost more here than the query itself.
    """
    postgres = conn.dialect.name == "postgresql"
    where, params = _filter_sql(filters)
    if postgres:
        return pg_candidates(conn, to_tsquery(query, mode), where, params, limit)
    match = "search_fts MATCH :q"
    source = ("search_fts JOIN articles a ON a.board_no = search_fts.rowid"
              " JOIN search_documents d ON d.board_no = search_fts.rowid")
    order = "search_fts.rowid"
    params["q"] = to_fts5(query, mode)
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


def _details(conn: Connection, numbers: list[int]) -> dict[int, Article]:
    if not numbers:
        return {}
    rows = conn.execute(select(articles).where(articles.c.board_no.in_(numbers)))
    return {r.board_no: row_to_article(r) for r in rows}


def _hit(article: Article, ranked: Ranked,
         story: tuple[int, int] | None = None) -> SearchHit:
    return SearchHit(
        board_no=article.board_no or 0, url=article.url, outlet=article.outlet,
        outlet_domain=article.outlet_domain, title=article.title, tags=article.tags,
        section=article.section, published_at=article.published_at,
        collected_at=article.collected_at,  # type: ignore[arg-type]
        body=article.text or article.summary, score=round(ranked.score, 4),
        relevance=round(ranked.relevance, 4), story_id=story[0] if story else None,
        story_size=story[1] if story else 1, complete=ranked.complete)


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
