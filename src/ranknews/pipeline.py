"""Where the stages meet, in order. The CLI, the scheduler and the demo all call this module.

1. a source yields Articles (JSON Lines import here; feeds and pages in ``collect``);
2. the store saves them in batches (board numbers, revisions);
3. rank (``update_rank``): keywords and a section per new post, trend days recounted, the
   trends page precomputed.
Later stages (dedup, stories, analysis) plug in between 1 and 2 as they land.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from ranknews.models import Article
from ranknews.sources.jsonl import LineError, read_lines
from ranknews.store import Database
from ranknews.store.articles import SaveResult, save_articles

if TYPE_CHECKING:
    from datetime import datetime

    from ranknews.text.analysis import Analyzer

BATCH_SIZE = 5000
PROGRESS_EVERY = 500  # lines between progress callbacks: a callback per line costs more than parsing


@dataclass
class ImportReport:
    saved: SaveResult = field(default_factory=SaveResult)
    errors: list[LineError] = field(default_factory=list)

    @property
    def inserted(self) -> int:
        return len(self.saved.inserted)


def import_jsonl(db: Database, paths: Iterable[Path], *,
                 on_progress: Callable[[int], None] | None = None,
                 on_error: Callable[[LineError], None] | None = None) -> ImportReport:
    """Load JSON Lines files; invalid lines are reported and skipped, valid ones all stored.

    ``on_progress`` receives the number of bytes read since the last call.
    """
    report = ImportReport()
    for path in paths:
        for batch in _batches(_read(path, report, on_progress, on_error)):
            report.saved += save_articles(db, batch)
    return report


def _read(path: Path, report: ImportReport, on_progress: Callable[[int], None] | None,
          on_error: Callable[[LineError], None] | None) -> Iterator[Article]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        for item in read_lines(_counted(handle, on_progress), str(path)):
            if isinstance(item, LineError):
                report.errors.append(item)
                if on_error:
                    on_error(item)
            else:
                yield item


def _counted(lines: Iterable[str], on_progress: Callable[[int], None] | None) -> Iterator[str]:
    if on_progress is None:
        yield from lines
        return
    pending = 0
    for n, line in enumerate(lines, start=1):
        pending += len(line.encode("utf-8"))
        if n % PROGRESS_EVERY == 0:
            on_progress(pending)
            pending = 0
        yield line
    on_progress(pending)


def _batches(articles: Iterable[Article], size: int = BATCH_SIZE) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- rank: keywords and sections of new posts, trend days, the precomputed trends page -----

@dataclass
class RankReport:
    indexed: int = 0
    days: set[str] = field(default_factory=set)


def update_rank(db: Database, analyzer: "Analyzer", *, timezone: str = "Asia/Seoul",
                now: "datetime | None" = None, batch_size: int = 2000) -> RankReport:
    """Index posts that have no ranking row yet, recount their days, refresh /trends."""
    from datetime import datetime, timezone as tz_utc

    from ranknews.rank.indexing import rank_articles
    from ranknews.rank.keywords import outlet_stop_words
    from ranknews.store import rank as rank_store

    now = now or datetime.now(tz_utc.utc)
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
    refresh_trends(db, timezone=timezone, now=now)
    refresh_rankings(db, timezone=timezone, now=now)
    return report


def refresh_rankings(db: Database, *, timezone: str = "Asia/Seoul",
                     now: "datetime | None" = None) -> None:
    """Score the stories of the last week for every period and section; /rank only reads it."""
    from datetime import datetime, timezone as tz_utc

    from ranknews.rank.score import PERIODS
    from ranknews.store import rank as rank_store

    now = now or datetime.now(tz_utc.utc)
    longest = max(p.window for p in PERIODS.values())
    with db.read() as conn:
        facts = rank_store.story_facts(conn, now - longest, now)
        payload = rank_store.ranking_payload(facts, now, tz=timezone,
                                             story_pages=rank_store.has_stories(conn))
    with db.write() as conn:
        rank_store.save_snapshot(conn, "rank", payload, now)


def refresh_trends(db: Database, *, timezone: str = "Asia/Seoul",
                   now: "datetime | None" = None) -> None:
    """Compute the trends page once and store it; /trends only reads it."""
    from datetime import datetime, timezone as tz_utc

    from ranknews.store import rank as rank_store

    now = now or datetime.now(tz_utc.utc)
    with db.read() as conn:
        trends = rank_store.compute_trends(conn, now, tz=timezone)
        payload = rank_store.trends_payload(conn, trends, now)
    with db.write() as conn:
        rank_store.save_snapshot(conn, "trends", payload, now)
