"""Ranking behind ingest: keywords and a section per new post, the day counts trends compare
against, and the precomputed trends and rank pages (see docs/architecture/rank.md).

``update_rank`` runs after each crawl pass (``collect.crawl_forever``), from
``ranknews rank-update`` and before ``ranknews trends`` answers. The web pages only read the
snapshots it writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as tz

from ranknews.rank.indexing import lead_of, rank_articles
from ranknews.rank.keywords import outlet_stop_words
from ranknews.rank.score import PERIODS
from ranknews.rank.sections import (
    SectionClassifier,
    assign_section,
    shipped_classifier,
    shipped_model_id,
)
from ranknews.store import Database
from ranknews.store import rank as rank_store
from ranknews.text.analysis import Analyzer


@dataclass
class RankReport:
    indexed: int = 0
    days: set[str] = field(default_factory=set)
    refiled: int = 0  # stored posts whose section changed with a new classifier


def update_rank(db: Database, analyzer: Analyzer, *, timezone: str = "Asia/Seoul",
                now: datetime | None = None, batch_size: int = 2000) -> RankReport:
    """Index posts that have no ranking row yet, recount their days, refresh the pages."""
    now = now or datetime.now(tz.utc)
    report = RankReport()
    while True:
        with db.read() as conn:
            pending = rank_store.pending_articles(conn, batch_size)
            if not pending:
                break
            aliases = rank_store.load_aliases(conn)
            excluded = outlet_stop_words(rank_store.outlet_names(conn))
        batch = rank_articles(pending, analyzer, aliases, excluded=excluded,
                              timezone=timezone, now=now)
        with db.write() as conn:
            rank_store.save_article_rank(conn, batch.rows)
            rank_store.add_alias_evidence(conn, batch.aliases)
            rank_store.recount_days(conn, {r["day"] for r in batch.rows}, now)
        report.indexed += len(batch.rows)
        report.days |= {r["day"] for r in batch.rows}
    report.refiled = refile_sections(db, batch_size=batch_size)
    refresh_trends(db, timezone=timezone, now=now)
    refresh_rankings(db, timezone=timezone, now=now)
    return report


def refile_sections(db: Database, classifier: SectionClassifier | None = None, *,
                    batch_size: int = 2000) -> int:
    """When the section classifier is not the one that filed the stored posts (ranknews was
    upgraded and ships a new model), file again the posts it filed or could not file; the
    outlet's and the URL's sections stay. Returns how many posts changed section."""
    wanted = classifier.model_id if classifier else shipped_model_id()
    with db.read() as conn:  # the usual case, after every crawl pass: nothing to load
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
        changes = []
        for article, section, how in batch:
            new = assign_section(article.title, article.url, article.section, model,
                                 lead=lead_of(article))
            if new != (section, how):
                changes.append((article.board_no, *new))
        with db.write() as conn:
            rank_store.set_sections(conn, changes)
        changed += len(changes)
    with db.write() as conn:
        rank_store.set_section_model(conn, model.model_id)
    return changed


def refresh_trends(db: Database, *, timezone: str = "Asia/Seoul",
                   now: datetime | None = None) -> None:
    """Compute the trends page once and store it; /trends only reads it."""
    now = now or datetime.now(tz.utc)
    with db.read() as conn:
        trends = rank_store.compute_trends(conn, now, tz=timezone)
        payload = rank_store.trends_payload(conn, trends, now)
    with db.write() as conn:
        rank_store.save_snapshot(conn, "trends", payload, now)


def refresh_rankings(db: Database, *, timezone: str = "Asia/Seoul",
                     now: datetime | None = None) -> None:
    """Score the stories of the last week for every period and section; /rank only reads it."""
    now = now or datetime.now(tz.utc)
    longest = max(p.window for p in PERIODS.values())
    with db.read() as conn:
        facts = rank_store.story_facts(conn, now - longest, now)
        payload = rank_store.ranking_payload(facts, now, tz=timezone,
                                             story_pages=rank_store.has_stories(conn))
    with db.write() as conn:
        rank_store.save_snapshot(conn, "rank", payload, now)
