"""The story score: explainable, every part shown to the reader.

    score = (coverage + growth + breaking + interest) × freshness

    coverage  = 10 × ln(1 + outlets)          distinct outlets with an article in the window;
                                              60 articles from one outlet are one outlet
    growth    = 4 × outlets that joined in the last hour (at most 5 counted), not counting
                                              the outlet that broke the story
    breaking  = 4 when an article of the story carries [속보] from the last 3 hours
    interest  = 3 × ln(1 + views)             reader views in the window, each visitor counted
                                              once per story per hour (rank/views.py)
    freshness = 0.5 ^ (hours since the newest article / half-life of the period)

Coverage carries the most weight because it is the hardest to fake: one outlet cannot raise
it by publishing more, and views only add a logarithm. The periods differ only by their
window and half-life (``PERIODS``): "now" looks at 6 hours and halves every 3, "today" at
24 hours halving every 12, "week" at 7 days halving every 2 days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Hashable, Iterable

BREAKING_TAGS = frozenset({"속보", "1보", "긴급"})


@dataclass(frozen=True)
class Period:
    name: str
    label: str  # Korean, shown on /rank
    window: timedelta
    half_life_hours: float


PERIODS: dict[str, Period] = {
    "now": Period("now", "지금", timedelta(hours=6), 3.0),
    "today": Period("today", "오늘", timedelta(hours=24), 12.0),
    "week": Period("week", "이번 주", timedelta(days=7), 48.0),
}


@dataclass(frozen=True)
class Member:
    """One article of a story, as ranking sees it."""

    board_no: int
    outlet: str
    at: datetime
    title: str
    tags: tuple[str, ...] = ()
    section: str | None = None


@dataclass
class StoryFacts:
    story_id: Hashable
    members: list[Member] = field(default_factory=list)
    views: int = 0
    grouped: bool = False  # True: posts taken together by their keywords, not a stored story


@dataclass(frozen=True)
class RankedStory:
    story_id: Hashable
    score: float
    parts: dict[str, float]  # coverage, growth, breaking, interest, freshness
    title: str
    board_no: int  # the article whose headline stands for the story
    outlets: tuple[str, ...]
    article_count: int
    first_at: datetime
    newest_at: datetime
    joined_last_hour: tuple[str, ...]
    breaking: bool
    views: int
    section: str | None
    grouped: bool = False

    def reasons(self, now: datetime) -> list[str]:
        """Why it ranks, in Korean, as /rank shows it."""
        age = max(0.0, (now - self.first_at).total_seconds() / 3600)
        parts = [f"언론사 {len(self.outlets)}곳"]
        if self.article_count > len(self.outlets):  # one outlet's follow-ups count once
            parts.append(f"기사 {self.article_count}건")
        parts.append(f"첫 보도 {_age_text(age)} 전")
        if self.joined_last_hour:
            parts.append(f"최근 1시간 +{len(self.joined_last_hour)}곳")
        if self.breaking:
            parts.append("속보")
        parts.append(f"조회 {self.views}")
        return parts


def _age_text(hours: float) -> str:
    if hours < 1:
        return f"{int(hours * 60)}분"
    if hours < 48:
        return f"{int(hours)}시간"
    return f"{int(hours // 24)}일"


def score_story(facts: StoryFacts, now: datetime, period: Period) -> RankedStory | None:
    """The score of a story from its members in the period's window; None when none is."""
    start = now - period.window
    members = sorted((m for m in facts.members if start < m.at <= now), key=lambda m: m.at)
    if not members:
        return None
    first_by_outlet: dict[str, datetime] = {}
    for m in members:
        first_by_outlet.setdefault(m.outlet, m.at)
    # outlets whose first article of the whole story came in the last hour, after another
    # outlet had it (the outlet that broke the story is not growth)
    earliest_overall: dict[str, datetime] = {}
    for m in sorted(facts.members, key=lambda m: m.at):
        earliest_overall.setdefault(m.outlet, m.at)
    founder = min(earliest_overall, key=lambda o: (earliest_overall[o], o))
    joined = tuple(sorted(o for o, at in earliest_overall.items()
                          if o != founder and now - timedelta(hours=1) < at <= now))
    breaking = any(set(m.tags) & BREAKING_TAGS and now - m.at <= timedelta(hours=3)
                   for m in members)
    newest = members[-1].at
    parts = {
        "coverage": 10 * math.log1p(len(first_by_outlet)),
        "growth": 4 * min(len(joined), 5),
        "breaking": 4.0 if breaking else 0.0,
        "interest": 3 * math.log1p(max(facts.views, 0)),
        "freshness": 0.5 ** (max(0.0, (now - newest).total_seconds()) / 3600
                             / period.half_life_hours),
    }
    total = (parts["coverage"] + parts["growth"] + parts["breaking"] + parts["interest"]) \
        * parts["freshness"]
    lead = _headline_member(members)
    return RankedStory(
        story_id=facts.story_id, score=total, parts=parts, title=lead.title,
        board_no=lead.board_no, outlets=tuple(sorted(first_by_outlet)),
        article_count=len(members), newest_at=newest,
        # the story's first report, also when it came before the window: "첫 보도 N일 전"
        # must agree with the story page
        first_at=min(m.at for m in facts.members if m.at <= now),
        joined_last_hour=joined, breaking=breaking, views=facts.views,
        section=_majority_section(members), grouped=facts.grouped)


def _headline_member(members: list[Member]) -> Member:
    """The headline that stands for the story: the first article that is not a photo."""
    for m in members:
        if not set(m.tags) & {"포토", "영상"}:
            return m
    return members[0]


def _majority_section(members: list[Member]) -> str | None:
    counts: dict[str, int] = {}
    for m in members:
        if m.section:
            counts[m.section] = counts.get(m.section, 0) + 1
    return max(sorted(counts), key=counts.get) if counts else None


def rank_stories(stories: Iterable[StoryFacts], now: datetime, period: Period, *,
                 section: str | None = None, limit: int = 20) -> list[RankedStory]:
    ranked = [r for s in stories if (r := score_story(s, now, period)) is not None]
    if section:
        ranked = [r for r in ranked if r.section == section]
    ranked.sort(key=lambda r: (-r.score, -len(r.outlets), str(r.story_id)))
    return ranked[:limit]
