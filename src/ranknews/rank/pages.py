"""The precomputed rank pages: trending keywords now, and the story rankings of every period
and section, with what /trends, /rank and the home page show of each entry.

Plain functions over the rows the store reads (``store.rank``); ``pipeline.rank`` reads
them, calls these, and stores the payloads as snapshots that the pages only read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable, Hashable, Iterable, Sequence
from zoneinfo import ZoneInfo

from ranknews.dates import local_time
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

DEFAULT_PARAMS = TrendParams()
TRENDS_WINDOW = timedelta(hours=24)


def keyword_docs(rows: Iterable[tuple]) -> list[KeywordDoc]:
    """``store.rank.window_rows`` as trends count them."""
    return [KeywordDoc(number, outlet, tuple(keywords), story=story, at=at)
            for number, outlet, keywords, at, story in rows]


def history(rows: Iterable[tuple[int, dict]]) -> list[DayCounts]:
    return [DayCounts(docs=docs, weights=weights) for docs, weights in rows]


def trends_start_day(at: datetime, tz: str, window: timedelta = TRENDS_WINDOW) -> str:
    """The local day the trends window of ``at`` begins on: history is the days before it."""
    return (at - window).astimezone(ZoneInfo(tz)).date().isoformat()


def compute_trends(docs: Sequence[KeywordDoc], past: Sequence[DayCounts], *,
                   params: TrendParams = DEFAULT_PARAMS, limit: int = 10) -> list[Trend]:
    """The trending keywords of a window of posts against the stored days before it."""
    return score_window(count_window(docs), past, params, limit)


def trends_payload(trends: Sequence[Trend], at: datetime,
                   briefs: Callable[[list[int]], dict[int, dict[str, Any]]],
                   articles_per_keyword: int = 5) -> dict[str, Any]:
    """What /trends and its JSON twin show: each keyword with why and where it comes from.
    ``briefs`` gives title, outlet and time of posts by number (``store.rank``)."""
    found = briefs([n for t in trends for n in t.articles[:articles_per_keyword]])
    items = []
    for rank_no, trend in enumerate(trends, 1):
        item = trend.as_dict()
        item["rank"] = rank_no
        item["display"] = display_keyword(trend.keyword)
        item["related"] = [display_keyword(r) for r in trend.related]
        item["articles"] = [found[n] for n in trend.articles[:articles_per_keyword]
                            if n in found]
        item["article_count"] = len(trend.articles)
        items.append(item)
    return {"at": at.isoformat(), "keywords": items}


def story_facts(rows: Iterable[Any], views: dict[str, int]) -> list[StoryFacts]:
    """The stories of ``store.rank.member_rows``, with their views. Posts not assigned to a
    story yet whose keywords are the same are taken as one story (so a flood of
    near-identical posts from one outlet is one story of one outlet)."""
    stories: dict[Hashable, StoryFacts] = {}
    for r in rows:
        if r.story_id is not None:
            key: Hashable = r.story_id
        elif r.keywords:
            key = "k:" + "\x1f".join(sorted(r.keywords))
        else:
            key = f"b:{r.board_no}"
        facts = stories.setdefault(key, StoryFacts(story_id=key))
        facts.members.append(Member(board_no=r.board_no, outlet=r.outlet, at=r.at,
                                    title=r.title, tags=tuple(r.tags or ()), section=r.section))
    for key, facts in stories.items():
        if isinstance(key, str):  # grouped by keywords: name it after its first post
            facts.story_id = min(m.board_no for m in facts.members)
            facts.grouped = True
        facts.views = views.get(f"story:{facts.story_id}", 0) + sum(
            views.get(f"article:{m.board_no}", 0) for m in facts.members)
    return list(stories.values())


def ranking_payload(facts: Sequence[StoryFacts], now: datetime, *, tz: str,
                    limit: int = 20) -> dict[str, Any]:
    """Every period, overall and per section: what /rank, its JSON twin and the home page
    show."""
    payload: dict[str, Any] = {"at": now.isoformat(), "story_pages": True, "periods": {}}
    for period in PERIODS.values():
        ranked = rank_stories(facts, now, period, limit=10_000)
        by_section = {"전체": _entries(ranked[:limit], now, tz)}
        for section in SECTIONS:
            chosen = [r for r in ranked if r.section == section][:limit]
            by_section[section] = _entries(chosen, now, tz)
        payload["periods"][period.name] = {"label": period.label, "sections": by_section}
    return payload


def _entries(ranked: Sequence[RankedStory], now: datetime, tz: str) -> list[dict[str, Any]]:
    zone = ZoneInfo(tz)
    return [{
        "rank": i, "story_id": r.story_id, "board_no": r.board_no, "title": r.title,
        "url": f"/articles/{r.board_no}" if r.grouped else f"/stories/{r.story_id}",
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
