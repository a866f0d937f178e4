"""The rank stages: a post's keywords and section (``rank``), the days it counts in
(``trend_day``), and the precomputed trends and rank pages (``refresh``). See
docs/architecture/rank.md. The web pages only read the snapshots ``refresh`` writes.

A post's rank task reads its stored analysis (no Kiwi here) and replaces its ranking row;
the local days it counted in before and now are recounted by ``trend_day`` tasks (one per
day, so two workers never count one day at once), and a ``refresh`` follows within
``rank_refresh_seconds`` (debounced: a burst of posts refreshes the pages once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as tz
from typing import Any

from sqlalchemy import Connection

from ranknews.config import Settings
from ranknews.models import Analysis, Article
from ranknews.rank.aliases import AliasBook
from ranknews.rank.indexing import RankBatch, lead_of, rank_articles
from ranknews.rank.keywords import outlet_stop_words
from ranknews.rank.pages import (
    TRENDS_WINDOW,
    compute_trends,
    history,
    keyword_docs,
    ranking_payload,
    story_facts,
    trends_payload,
    trends_start_day,
)
from ranknews.rank.score import PERIODS
from ranknews.rank.sections import (
    SectionClassifier,
    assign_section,
    shipped_classifier,
    shipped_model_id,
)
from ranknews.rank.trends import KeywordDoc, Trend, TrendParams, count_window
from ranknews.store import Database
from ranknews.store import rank as rank_store
from ranknews.store import tasks as task_store
from ranknews.store.analysis import get_analyses
from ranknews.store.articles import posts_with_hash
from ranknews.store.tasks import Task
from ranknews.text.analysis import shared_analyzer


def _now() -> datetime:
    return datetime.now(tz.utc)


@dataclass
class _Ranked:
    tasks: list[Task]
    batch: RankBatch
    versions: dict[int, str]


class RankStage:
    name = "rank"

    def __init__(self, settings: Settings, worker: str) -> None:
        self.settings = settings
        self.batch_size = 500

    def prepare(self, db: Database, tasks: list[Task]) -> _Ranked:
        numbers = [t.board_no for t in tasks]
        with db.read() as conn:
            posts = posts_with_hash(conn, numbers)
            analyses = get_analyses(conn, numbers)
            aliases = AliasBook(rank_store.alias_counts(conn))
            excluded = outlet_stop_words(rank_store.outlet_names(conn))
        batch = rank_articles([(a, analyses.get(a.board_no or 0)) for a, _ in posts], aliases,
                              excluded=excluded, timezone=self.settings.timezone, now=_now(),
                              analyzer=_fallback(analyses))
        return _Ranked(tasks, batch, {a.board_no or 0: digest for a, digest in posts})

    def write(self, conn: Connection, prepared: _Ranked,
              now: datetime) -> list[tuple[Task, str]]:
        before = rank_store.save_article_rank(conn, prepared.batch.rows)
        rank_store.save_alias_evidence(conn, prepared.batch.aliases)
        for day in sorted({r["day"] for r in prepared.batch.rows} | set(before.values())):
            task_store.enqueue(conn, "trend_day", now, arg=day)
        task_store.enqueue(conn, "refresh", now, delay=self.settings.rank_refresh_seconds)
        return [(t, prepared.versions.get(t.board_no, t.version)) for t in prepared.tasks]


def _fallback(analyses: dict[int, Analysis]) -> Any:
    """Kiwi, only when an analysis stored before keyword phrases existed must be completed."""
    return shared_analyzer() if any(not a.keywords for a in analyses.values()) else None


class TrendDayStage:
    """Recount the keyword weights of local days (the baseline of the days after them)."""

    name = "trend_day"

    def __init__(self, settings: Settings, worker: str) -> None:
        self.batch_size = 10

    def prepare(self, db: Database, tasks: list[Task]) -> list[tuple[Task, Any]]:
        with db.read() as conn:
            return [(t, count_window(KeywordDoc(n, outlet, keywords)
                                     for n, outlet, keywords in rank_store.day_rows(conn, t.arg)))
                    for t in tasks]

    def write(self, conn: Connection, prepared: list[tuple[Task, Any]],
              now: datetime) -> list[tuple[Task, str]]:
        for task, counts in prepared:
            rank_store.save_day(conn, task.arg, counts.docs, counts.weights, now)
        return [(t, t.version) for t, _ in prepared]


class RefreshStage:
    """The trends and rank pages, computed once and stored (and the posts a new section
    model files differently, when ranknews ships one)."""

    name = "refresh"

    def __init__(self, settings: Settings, worker: str) -> None:
        self.settings = settings
        self.batch_size = 1

    def prepare(self, db: Database, tasks: list[Task]) -> tuple[list[Task], dict[str, Any]]:
        refile_sections(db)
        moment = _now()
        return tasks, pages_at(db, moment, self.settings.timezone)

    def write(self, conn: Connection, prepared: tuple[list[Task], dict[str, Any]],
              now: datetime) -> list[tuple[Task, str]]:
        tasks, pages = prepared
        save_pages(conn, pages)
        return [(t, t.version) for t in tasks]


# -- the pages ---------------------------------------------------------------------------------

def trends_at(db: Database, at: datetime, *, timezone: str, limit: int = 10,
              params: TrendParams = TrendParams(), window: timedelta = TRENDS_WINDOW
              ) -> list[Trend]:
    """The trending keywords as of ``at``: the posts of the last ``window`` (24 hours)
    against the stored days before it."""
    with db.read() as conn:
        docs = keyword_docs(rank_store.window_rows(conn, at - window, at))
        past = history(rank_store.history_days(
            conn, trends_start_day(at, timezone, window), params.baseline_days))
    return compute_trends(docs, past, params=params, limit=limit)


def trends_page(db: Database, at: datetime, *, timezone: str, limit: int = 10) -> dict:
    trends = trends_at(db, at, timezone=timezone, limit=limit)
    with db.read() as conn:
        return trends_payload(trends, at, lambda numbers: rank_store.article_briefs(conn, numbers))


def rankings_page(db: Database, at: datetime, *, timezone: str) -> dict:
    longest = max(p.window for p in PERIODS.values())
    with db.read() as conn:
        facts = story_facts(rank_store.member_rows(conn, at - longest, at),
                            rank_store.views_since(conn, at - longest))
    return ranking_payload(facts, at, tz=timezone)


def pages_at(db: Database, at: datetime, timezone: str) -> dict[str, Any]:
    return {"at": at, "trends": trends_page(db, at, timezone=timezone),
            "rank": rankings_page(db, at, timezone=timezone)}


def save_pages(conn: Connection, pages: dict[str, Any]) -> None:
    rank_store.save_snapshot(conn, "trends", pages["trends"], pages["at"])
    rank_store.save_snapshot(conn, "rank", pages["rank"], pages["at"])


def refresh_pages(db: Database, *, timezone: str = "Asia/Seoul",
                  now: datetime | None = None) -> None:
    """Compute the trends and rank pages as of ``now`` and store them."""
    pages = pages_at(db, now or _now(), timezone)
    with db.write() as conn:
        save_pages(conn, pages)


# -- sections of a new model -------------------------------------------------------------------

def refile_sections(db: Database, classifier: SectionClassifier | None = None, *,
                    batch_size: int = 2000) -> int:
    """When the section classifier is not the one that filed the stored posts (ranknews was
    upgraded and ships a new model), file again the posts it filed or could not file; the
    outlet's and the URL's sections stay. Returns how many posts changed section."""
    wanted = classifier.model_id if classifier else shipped_model_id()
    with db.read() as conn:  # the usual case, at every refresh: nothing to load
        if rank_store.section_model(conn) == wanted:
            return 0
    model = classifier or shipped_classifier()
    changed, after = 0, 0
    while True:
        with db.read() as conn:
            batch = rank_store.model_filed_posts(conn, after, batch_size)
        if not batch:
            break
        after = batch[-1][0].board_no
        changes = _refiled(batch, model)
        with db.write() as conn:
            rank_store.set_sections(conn, changes)
        changed += len(changes)
    with db.write() as conn:
        rank_store.set_section_model(conn, model.model_id)
    return changed


def _refiled(batch: list[tuple[Article, str | None, str]],
             model: SectionClassifier) -> list[tuple[int, str | None, str]]:
    changes = []
    for article, section, how in batch:
        new = assign_section(article.title, article.url, article.section, model,
                             lead=lead_of(article))
        if new != (section, how):
            changes.append((article.board_no or 0, *new))
    return changes


# -- for operators and tests: everything ranking needs, now ------------------------------------

@dataclass
class RankReport:
    indexed: int = 0  # posts ranked
    days: int = 0  # local days recounted
    refiled: int = 0  # stored posts whose section changed with a new classifier


def update_rank(db: Database, settings: Settings | None = None, *,
                now: datetime | None = None) -> RankReport:
    """Run every pending task up to ranking (analysis, stories, rank, days), then compute the
    pages as of ``now``: what ``ranknews rank-update`` does; the workers do it by themselves."""
    from ranknews.pipeline.work import drain

    settings = settings or Settings()
    progress = drain(db, settings, stages=("analysis", "stories", "rank", "trend_day"))
    report = RankReport(progress.done.get("rank", 0), progress.done.get("trend_day", 0),
                        refile_sections(db))
    refresh_pages(db, timezone=settings.timezone, now=now)
    return report
