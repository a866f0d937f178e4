"""The search a reader makes: an analysed query → ranked posts, one page of them.

The store gives the newest ``candidate_limit`` matches with their token columns
(``store.search.candidates``, for the query written in the database's own syntax); they are
ranked by text relevance blended with recency (search/ranking.py). When fewer than
``partial_below`` posts contain every word of the query, the posts that contain some of them
follow (each word's newest matches, ranked by how many words they contain and how rare those
are), so a search never comes back empty while some word matches. The page, the JSON twin and
the CLI share this function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Connection

from ranknews.models import Article
from ranknews.search.query import Mode, ParsedQuery, to_fts5, to_tsquery
from ranknews.search.ranking import Ranked, rank, rarity
from ranknews.store.search import SearchFilters, candidates, details
from ranknews.store.search_rows import Candidate
from ranknews.store.stories import story_sizes

__all__ = ["RankingOptions", "SearchFilters", "SearchHit", "SearchResults", "search"]


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
    candidates = _matches(conn, query, "and", filters, limit_n)
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
    posts = details(conn, [r.board_no for r in page])
    results.hits = [_hit(posts[r.board_no], r, stories.get(r.board_no) if by_story else None)
                    for r in page if r.board_no in posts]
    return results


def _partial(conn: Connection, query: ParsedQuery, filters: SearchFilters, limit: int,
             seen: set[int]) -> tuple[list[Candidate], list[float]]:
    """The posts, not in ``seen``, that contain some units of ``query`` (each unit's newest
    matches, the window shared between the units), and each unit's rarity."""
    window = max(limit // len(query.units), 20)
    found: list[Candidate] = []
    idfs = []
    for unit in query.units:
        matches = _matches(conn, query.part((unit,)), "and", filters, window)
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


def _matches(conn: Connection, query: ParsedQuery, mode: Mode, filters: SearchFilters,
             limit: int) -> list[Candidate]:
    expression = to_tsquery(query, mode) if conn.dialect.name == "postgresql" \
        else to_fts5(query, mode)
    return candidates(conn, expression, filters, limit)


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
