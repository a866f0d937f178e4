"""Ranking rows in the database: what the rank stage stores and what /trends and /rank read.
The computations (trends, story scores, the pages' payloads) are the rank stage's
(``rank/``, run by ``pipeline.rank``); this module only reads and writes rows.

Tables (migrations 0002_rank, 0004_work_queue):
- ``article_rank``: per post, when it counts (``at``, its local ``day``), outlet, trend
  keywords and section (with how the section was decided). Written by the rank stage once
  per post version; the analysis is never redone per request.
- ``alias_evidence``: which post showed a short form beside its full name (의협 →
  대한의사협회); ``keyword_aliases`` keeps the counts learned before 0004.
- ``trend_days``: each local day's keyword weights, the baseline of later days. Recounted
  only for days that received posts.
- ``rank_snapshots``: precomputed pages (trends now, story rankings), so a request reads one
  row instead of computing anything.
- ``page_views``: reader views per article or story page per hour (counts only, no visitor
  data: see rank/views.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from ranknews.models import Article
from ranknews.store.articles import row_to_article
from ranknews.store.db import RANK_VERSION, bump_version, set_site_state, site_versions
from ranknews.store.driver import run, run_many
from ranknews.store.schema import articles, metadata, outlets
from ranknews.store.stories import story_members
from ranknews.store.types import UTCDateTime

article_rank = Table(
    "article_rank", metadata,
    Column("board_no", Integer, ForeignKey("articles.board_no", ondelete="CASCADE"),
           primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("day", String(10), nullable=False, index=True),
    Column("outlet", Text, nullable=False),
    Column("keywords", JSON, nullable=False),
    Column("section", String(16), nullable=True),
    Column("section_how", String(8), nullable=False),
)
keyword_aliases = Table(
    "keyword_aliases", metadata,
    Column("alias", String(64), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("seen", Integer, nullable=False),
)
trend_days = Table(
    "trend_days", metadata,
    Column("day", String(10), primary_key=True),
    Column("docs", Integer, nullable=False),
    Column("weights", JSON, nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
)
rank_snapshots = Table(
    "rank_snapshots", metadata,
    Column("name", String(64), primary_key=True),
    Column("computed_at", UTCDateTime, nullable=False),
    Column("payload", JSON, nullable=False),
)
alias_evidence = Table(
    "alias_evidence", metadata,
    Column("board_no", Integer, ForeignKey("articles.board_no", ondelete="CASCADE"),
           primary_key=True),
    Column("alias", String(64), primary_key=True),
    Column("name", String(64), primary_key=True),
)
page_views = Table(
    "page_views", metadata,
    Column("target", String(32), primary_key=True),  # "article:12", "story:7"
    Column("hour", UTCDateTime, primary_key=True),
    Column("views", Integer, nullable=False),
)


# --- writing ---------------------------------------------------------------------------------

def outlet_names(conn: Connection) -> set[str]:
    names = set(conn.execute(select(outlets.c.name)).scalars())
    names |= set(conn.execute(select(articles.c.outlet).distinct()).scalars())
    return {n for n in names if n}


def alias_counts(conn: Connection) -> list[tuple[str, str, int]]:
    """(short form, full name, posts that showed them together), with the counts kept
    from before per-post evidence."""
    counts: dict[tuple[str, str], int] = {}
    for alias, name, seen in conn.execute(select(keyword_aliases.c.alias, keyword_aliases.c.name,
                                                 keyword_aliases.c.seen)):
        counts[(alias, name)] = counts.get((alias, name), 0) + seen
    for alias, name, seen in conn.execute(
            select(alias_evidence.c.alias, alias_evidence.c.name, func.count())
            .group_by(alias_evidence.c.alias, alias_evidence.c.name)):
        counts[(alias, name)] = counts.get((alias, name), 0) + seen
    return [(a, n, c) for (a, n), c in counts.items()]


def save_alias_evidence(conn: Connection, found: dict[int, Sequence[tuple[str, str]]]) -> None:
    """Each post's (short form, full name) pairs, replacing what the post showed before."""
    if not found:
        return
    run(conn, "DELETE FROM alias_evidence WHERE board_no = ANY(:numbers)",
        {"numbers": list(found)})
    run_many(conn, "INSERT INTO alias_evidence (board_no, alias, name) VALUES"
                   " (:board_no, :alias, :name) ON CONFLICT DO NOTHING",
             [(n, a[:64], name[:64]) for n, pairs in found.items() for a, name in pairs])


def save_article_rank(conn: Connection, rows: Sequence[dict[str, Any]]) -> dict[int, str]:
    """Store posts' rank rows, replacing older ones; the days the replaced rows counted in."""
    if not rows:
        return {}
    numbers = [r["board_no"] for r in rows]
    before = dict(conn.execute(select(article_rank.c.board_no, article_rank.c.day)
                               .where(article_rank.c.board_no.in_(numbers))).all())
    conn.execute(delete(article_rank).where(article_rank.c.board_no.in_(numbers)))
    conn.execute(insert(article_rank), list(rows))
    return before


def article_days(conn: Connection, board_nos: Sequence[int]) -> dict[int, str]:
    return dict(conn.execute(select(article_rank.c.board_no, article_rank.c.day)
                             .where(article_rank.c.board_no.in_(list(board_nos)))).all())


# site_state key: the model_id of the section classifier that filed the stored posts
SECTION_MODEL = "section_model"


def section_model(conn: Connection) -> int:
    return site_versions(conn, (SECTION_MODEL,))[SECTION_MODEL]


def set_section_model(conn: Connection, model_id: int) -> None:
    set_site_state(conn, SECTION_MODEL, model_id)


def model_filed_posts(conn: Connection, after: int,
                      limit: int) -> list[tuple[Article, str | None, str]]:
    """Posts whose section the classifier gave (or could not give), after board number
    ``after``, in order: (article, section, how)."""
    rows = conn.execute(
        select(articles, article_rank.c.section.label("rank_section"), article_rank.c.section_how)
        .join(article_rank, article_rank.c.board_no == articles.c.board_no)
        .where(article_rank.c.section_how.in_(("model", "none")),
               articles.c.board_no > after)
        .order_by(articles.c.board_no).limit(limit)
    ).all()
    return [(row_to_article(r), r.rank_section, r.section_how) for r in rows]


def set_sections(conn: Connection, changes: Sequence[tuple[int, str | None, str]]) -> None:
    """(board number, section, how) for each post filed anew, in one executemany."""
    if changes:
        conn.execute(update(article_rank)
                     .where(article_rank.c.board_no == bindparam("b_no"))
                     .values(section=bindparam("b_section"), section_how=bindparam("b_how")),
                     [{"b_no": n, "b_section": s, "b_how": h} for n, s, h in changes])


def day_rows(conn: Connection, day: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """(board number, outlet, keywords) of the visible posts that count on a local day."""
    rows = conn.execute(
        select(article_rank.c.board_no, article_rank.c.outlet, article_rank.c.keywords)
        .join(articles, articles.c.board_no == article_rank.c.board_no)
        .where(article_rank.c.day == day, articles.c.hidden_at.is_(None))
    ).all()
    return [(r.board_no, r.outlet, tuple(r.keywords)) for r in rows]


def save_day(conn: Connection, day: str, docs: int, weights: dict[str, int],
             now: datetime) -> None:
    """A day's keyword weights, the baseline of the days after it."""
    conn.execute(delete(trend_days).where(trend_days.c.day == day))
    conn.execute(insert(trend_days).values(day=day, docs=docs, weights=weights,
                                           computed_at=now))


def save_snapshot(conn: Connection, name: str, payload: Any, computed_at: datetime) -> None:
    """Store a precomputed page; page caches drop the pages that show one (the home page,
    /rank, /trends), not the board's other pages."""
    conn.execute(delete(rank_snapshots).where(rank_snapshots.c.name == name))
    conn.execute(insert(rank_snapshots).values(name=name, payload=payload,
                                               computed_at=computed_at))
    bump_version(conn, RANK_VERSION)


# --- reading ---------------------------------------------------------------------------------

def window_rows(conn: Connection, start: datetime, end: datetime) -> list[tuple]:
    """(board number, outlet, keywords, time counted, story) of the visible posts that count
    in (start, end], as trends see them."""
    rows = conn.execute(
        select(article_rank.c.board_no, article_rank.c.outlet, article_rank.c.keywords,
               article_rank.c.at, story_members.c.story_id)
        .select_from(article_rank.join(articles, articles.c.board_no == article_rank.c.board_no)
                     .outerjoin(story_members,
                                story_members.c.board_no == article_rank.c.board_no))
        .where(article_rank.c.at > start, article_rank.c.at <= end,
               articles.c.hidden_at.is_(None))
    ).all()
    return [(r.board_no, r.outlet, tuple(r.keywords), r.at, r.story_id) for r in rows]


def history_days(conn: Connection, before_day: str, count: int) -> list[tuple[int, dict]]:
    """(docs, keyword weights) of the ``count`` stored days before ``before_day``, oldest
    first."""
    rows = conn.execute(
        select(trend_days.c.docs, trend_days.c.weights)
        .where(trend_days.c.day < before_day)
        .order_by(trend_days.c.day.desc()).limit(count)
    ).all()
    return [(r.docs, dict(r.weights)) for r in reversed(rows)]


def load_snapshot(conn: Connection, name: str) -> tuple[datetime | None, Any]:
    row = conn.execute(select(rank_snapshots.c.computed_at, rank_snapshots.c.payload)
                       .where(rank_snapshots.c.name == name)).first()
    return (row.computed_at, row.payload) if row else (None, None)


def article_briefs(conn: Connection, board_nos: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Title, outlet and time of posts, for linking keywords and stories to them."""
    if not board_nos:
        return {}
    rows = conn.execute(
        select(articles.c.board_no, articles.c.title, articles.c.tags, articles.c.outlet,
               articles.c.published_at, articles.c.collected_at)
        .where(articles.c.board_no.in_(list(board_nos)), articles.c.hidden_at.is_(None))
    ).all()
    return {r.board_no: {"board_no": r.board_no, "title": r.title, "tags": list(r.tags or ()),
                         "outlet": r.outlet,
                         "published_at": (r.published_at or r.collected_at).isoformat()}
            for r in rows}


def section_counts(conn: Connection) -> dict[str | None, int]:
    rows = conn.execute(select(article_rank.c.section, func.count())
                        .group_by(article_rank.c.section)).all()
    return {r[0]: r[1] for r in rows}


# --- views -------------------------------------------------------------------------------------

def add_views(conn: Connection, counts: dict[tuple[str, datetime], int]) -> None:
    """Add drained view counts (target, hour) → views."""
    for (target, hour), views in sorted(counts.items()):
        done = conn.execute(
            update(page_views).where(page_views.c.target == target, page_views.c.hour == hour)
            .values(views=page_views.c.views + views)
        ).rowcount
        if not done:
            conn.execute(insert(page_views).values(target=target, hour=hour, views=views))


def views_since(conn: Connection, since: datetime) -> dict[str, int]:
    rows = conn.execute(select(page_views.c.target, func.sum(page_views.c.views))
                        .where(page_views.c.hour >= hour_floor(since))
                        .group_by(page_views.c.target)).all()
    return {r[0]: int(r[1]) for r in rows}


def hour_floor(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def member_rows(conn: Connection, since: datetime, now: datetime) -> list[Any]:
    """The visible posts counted in (since, now], with their story (None: not assigned yet),
    title, tags, outlet, time, section and keywords: what story ranking reads."""
    query = (select(story_members.c.story_id, articles.c.board_no, articles.c.title,
                    articles.c.tags, article_rank.c.outlet, article_rank.c.at,
                    article_rank.c.section, article_rank.c.keywords)
             .select_from(articles.join(article_rank,
                                        article_rank.c.board_no == articles.c.board_no)
                          .outerjoin(story_members,
                                     story_members.c.board_no == articles.c.board_no))
             .where(articles.c.hidden_at.is_(None), article_rank.c.at > since,
                    article_rank.c.at <= now))
    return conn.execute(query).all()
