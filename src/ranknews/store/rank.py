"""Ranking state in the database, and the queries behind /trends and /rank.

Tables (migration 0002_rank):
- ``article_rank``: per post, when it counts (``at``, its local ``day``), outlet, trend
  keywords and section (with how the section was decided). Written once per post by
  ``pipeline.update_rank``; the analysis is never redone per request.
- ``keyword_aliases``: evidence for short forms learned from the text (의협 → 대한의사협회).
- ``trend_days``: each local day's keyword weights, the baseline of later days. Recounted
  only for days that received posts.
- ``rank_snapshots``: precomputed pages (trends now, story rankings), so a request reads one
  row instead of computing anything.
- ``page_views``: reader views per article or story page per hour (counts only, no visitor
  data: see rank/views.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

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
    inspect,
    select,
    update,
)

from ranknews.dates import local_time
from ranknews.models import Article
from ranknews.rank.aliases import AliasBook
from ranknews.rank.keywords import display_keyword
from ranknews.rank.score import PERIODS, Member, RankedStory, StoryFacts, rank_stories
from ranknews.rank.sections import SECTIONS
from ranknews.rank.trends import (
    DayCounts,
    KeywordDoc,
    Trend,
    TrendParams,
    count_window,
    score_window,
)
from ranknews.store.articles import row_to_article
from ranknews.store.db import RANK_VERSION, bump_version, set_site_state, site_versions
from ranknews.store.schema import articles, metadata, outlets
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
page_views = Table(
    "page_views", metadata,
    Column("target", String(32), primary_key=True),  # "article:12", "story:7"
    Column("hour", UTCDateTime, primary_key=True),
    Column("views", Integer, nullable=False),
)


# --- writing ---------------------------------------------------------------------------------

def pending_articles(conn: Connection, limit: int = 5000) -> list[Article]:
    """Visible posts that have no ranking row yet, oldest first."""
    rows = conn.execute(
        select(articles)
        .outerjoin(article_rank, article_rank.c.board_no == articles.c.board_no)
        .where(article_rank.c.board_no.is_(None), articles.c.hidden_at.is_(None))
        .order_by(articles.c.board_no).limit(limit)
    ).all()
    return [row_to_article(r) for r in rows]


def outlet_names(conn: Connection) -> set[str]:
    names = set(conn.execute(select(outlets.c.name)).scalars())
    names |= set(conn.execute(select(articles.c.outlet).distinct()).scalars())
    return {n for n in names if n}


def load_aliases(conn: Connection) -> AliasBook:
    rows = conn.execute(select(keyword_aliases.c.alias, keyword_aliases.c.name,
                               keyword_aliases.c.seen)).all()
    return AliasBook((r.alias, r.name, r.seen) for r in rows)


def add_alias_evidence(conn: Connection, pairs: Iterable[tuple[str, str]]) -> None:
    for alias, name in pairs:
        alias, name = alias[:64], name[:64]
        done = conn.execute(
            update(keyword_aliases)
            .where(keyword_aliases.c.alias == alias, keyword_aliases.c.name == name)
            .values(seen=keyword_aliases.c.seen + 1)
        ).rowcount
        if not done:
            conn.execute(insert(keyword_aliases).values(alias=alias, name=name, seen=1))


def save_article_rank(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(article_rank), list(rows))


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


def recount_days(conn: Connection, days: Iterable[str], now: datetime) -> None:
    """Recount the keyword weights of these local days from their visible posts."""
    for day in sorted(set(days)):
        rows = conn.execute(
            select(article_rank.c.board_no, article_rank.c.outlet, article_rank.c.keywords)
            .join(articles, articles.c.board_no == article_rank.c.board_no)
            .where(article_rank.c.day == day, articles.c.hidden_at.is_(None))
        ).all()
        counts = count_window(KeywordDoc(r.board_no, r.outlet, tuple(r.keywords)) for r in rows)
        conn.execute(delete(trend_days).where(trend_days.c.day == day))
        conn.execute(insert(trend_days).values(day=day, docs=counts.docs,
                                               weights=counts.weights, computed_at=now))


def save_snapshot(conn: Connection, name: str, payload: Any, computed_at: datetime) -> None:
    """Store a precomputed page; page caches drop the pages that show one (the home page,
    /rank, /trends), not the board's other pages."""
    conn.execute(delete(rank_snapshots).where(rank_snapshots.c.name == name))
    conn.execute(insert(rank_snapshots).values(name=name, payload=payload,
                                               computed_at=computed_at))
    bump_version(conn, RANK_VERSION)


# --- reading ---------------------------------------------------------------------------------

def window_docs(conn: Connection, start: datetime, end: datetime) -> list[KeywordDoc]:
    """The visible posts that count in (start, end], as trends see them (with their story
    when the stories stage has grouped them)."""
    columns = [article_rank.c.board_no, article_rank.c.outlet, article_rank.c.keywords,
               article_rank.c.at]
    source = article_rank.join(articles, articles.c.board_no == article_rank.c.board_no)
    if has_stories(conn):
        members = _story_members()
        source = source.outerjoin(members, members.c.board_no == article_rank.c.board_no)
        columns.append(members.c.story_id)
    rows = conn.execute(
        select(*columns).select_from(source)
        .where(article_rank.c.at > start, article_rank.c.at <= end,
               articles.c.hidden_at.is_(None))
    ).all()
    return [KeywordDoc(r.board_no, r.outlet, tuple(r.keywords), at=r.at,
                       story=getattr(r, "story_id", None)) for r in rows]


def _story_members() -> Table:
    """The stories stage's membership table, as ``store.stories`` declares it (reflecting it
    from the database warned about its expression index at every call, on the operator's
    console, and cost a schema query each time)."""
    from ranknews.store.stories import story_members

    return story_members


def history_days(conn: Connection, before_day: str, count: int) -> list[DayCounts]:
    """The ``count`` stored days before ``before_day``, oldest first."""
    rows = conn.execute(
        select(trend_days.c.docs, trend_days.c.weights)
        .where(trend_days.c.day < before_day)
        .order_by(trend_days.c.day.desc()).limit(count)
    ).all()
    return [DayCounts(docs=r.docs, weights=dict(r.weights)) for r in reversed(rows)]


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


DEFAULT_PARAMS = TrendParams()


def compute_trends(conn: Connection, at: datetime, *, tz: str,
                   params: TrendParams = DEFAULT_PARAMS, limit: int = 10,
                   window: timedelta = timedelta(hours=24)) -> list[Trend]:
    """The trending keywords as of ``at``: the last ``window`` of posts against the stored
    days before the window began."""
    docs = window_docs(conn, at - window, at)
    start_day = (at - window).astimezone(ZoneInfo(tz)).date().isoformat()
    history = history_days(conn, start_day, params.baseline_days)
    return score_window(count_window(docs), history, params, limit)


def trends_payload(conn: Connection, trends: Sequence[Trend], at: datetime,
                   articles_per_keyword: int = 5) -> dict[str, Any]:
    """What /trends and its JSON twin show: each keyword with why and where it comes from."""
    wanted = [no for t in trends for no in t.articles[:articles_per_keyword]]
    briefs = article_briefs(conn, wanted)
    items = []
    for rank_no, trend in enumerate(trends, 1):
        item = trend.as_dict()
        item["rank"] = rank_no
        item["display"] = display_keyword(trend.keyword)
        item["related"] = [display_keyword(r) for r in trend.related]
        item["articles"] = [briefs[n] for n in trend.articles[:articles_per_keyword]
                            if n in briefs]
        item["article_count"] = len(trend.articles)
        items.append(item)
    return {"at": at.isoformat(), "keywords": items}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --- story ranking -----------------------------------------------------------------------------

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


def has_stories(conn: Connection) -> bool:
    """Whether the stories stage's tables exist (its migration branch may not be installed)."""
    return inspect(conn).has_table("story_members")


def _member_rows(conn: Connection, since: datetime, now: datetime) -> list[Any]:
    columns = [articles.c.board_no, articles.c.title, articles.c.tags, article_rank.c.outlet,
               article_rank.c.at, article_rank.c.section, article_rank.c.keywords]
    visible = [articles.c.hidden_at.is_(None), article_rank.c.at > since, article_rank.c.at <= now]
    base = (articles.join(article_rank, article_rank.c.board_no == articles.c.board_no))
    if has_stories(conn):  # posts not assigned yet (analysis queue) come with no story
        members = _story_members()
        query = (select(members.c.story_id, *columns)
                 .select_from(base.outerjoin(members, members.c.board_no == articles.c.board_no))
                 .where(*visible))
        return conn.execute(query).all()
    return conn.execute(select(*columns).select_from(base).where(*visible)).all()


def story_facts(conn: Connection, since: datetime, now: datetime) -> list[StoryFacts]:
    """The stories with an article in (since, now], with their views.

    Without the stories stage, articles whose keywords are the same are taken as one story
    (so a flood of near-identical posts from one outlet is one story of one outlet)."""
    rows = _member_rows(conn, since, now)
    stories: dict[Any, StoryFacts] = {}
    for r in rows:
        sid = getattr(r, "story_id", None)
        if sid is not None:
            key: Any = sid
        elif r.keywords:
            key = "k:" + "\x1f".join(sorted(r.keywords))
        else:
            key = f"b:{r.board_no}"
        facts = stories.setdefault(key, StoryFacts(story_id=key))
        facts.members.append(Member(board_no=r.board_no, outlet=r.outlet, at=r.at,
                                    title=r.title, tags=tuple(r.tags or ()), section=r.section))
    views = views_since(conn, since)
    for key, facts in stories.items():
        if isinstance(key, str):  # grouped by keywords: name it after its first post
            facts.story_id = min(m.board_no for m in facts.members)
            facts.grouped = True
        facts.views = views.get(f"story:{facts.story_id}", 0) + sum(
            views.get(f"article:{m.board_no}", 0) for m in facts.members)
    return list(stories.values())


def ranking_payload(facts: Sequence[StoryFacts], now: datetime, *, tz: str,
                    story_pages: bool, limit: int = 20) -> dict[str, Any]:
    """Every period, overall and per section: what /rank, its JSON twin and the home page show.
    ``story_pages``: link entries to /stories/{id} (else to the headline's article)."""
    payload: dict[str, Any] = {"at": now.isoformat(), "story_pages": story_pages,
                               "periods": {}}
    for period in PERIODS.values():
        ranked = rank_stories(facts, now, period, limit=10_000)
        by_section = {"전체": _entries(ranked[:limit], now, tz, story_pages)}
        for section in SECTIONS:
            chosen = [r for r in ranked if r.section == section][:limit]
            by_section[section] = _entries(chosen, now, tz, story_pages)
        payload["periods"][period.name] = {"label": period.label, "sections": by_section}
    return payload


def _entries(ranked: Sequence[RankedStory], now: datetime, tz: str,
             story_pages: bool) -> list[dict[str, Any]]:
    zone = ZoneInfo(tz)
    return [{
        "rank": i, "story_id": r.story_id, "board_no": r.board_no, "title": r.title,
        "url": (f"/stories/{r.story_id}" if story_pages and not r.grouped
                else f"/articles/{r.board_no}"),
        "score": round(r.score, 2), "parts": {k: round(v, 3) for k, v in r.parts.items()},
        "outlets": list(r.outlets), "article_count": r.article_count,
        "first_at": _local_iso(r.first_at, zone),
        "newest_at": _local_iso(r.newest_at, zone),
        "joined_last_hour": list(r.joined_last_hour), "breaking": r.breaking,
        "views": r.views, "section": r.section, "reasons": r.reasons(now),
    } for i, r in enumerate(ranked, 1)]


def _local_iso(moment: datetime, zone: ZoneInfo) -> str | None:
    local = local_time(moment, zone)  # a stored time past year 9999 in the zone: none
    return local.isoformat() if local else None
