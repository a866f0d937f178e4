"""Behind ingest: analysis (stored once), story assignment, wire copies, re-clustering."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import Connection, select

from ranknews.config import Settings
from ranknews.dedup.wire import WireCandidates, find_original, is_wire
from ranknews.errors import NotFound
from ranknews.logs import log_event
from ranknews.models import Article
from ranknews.store import Database
from ranknews.store import stories as story_store
from ranknews.store.analysis import queued, save_analyses
from ranknews.store.articles import get_article, row_to_article
from ranknews.store.db import bump_board_version
from ranknews.store.dedup import clear_wire_copy, save_wire_copy
from ranknews.store.schema import articles
from ranknews.stories import ClusterItem, StoryClusterer, cluster_stream, signals_from
from ranknews.text.analysis import Analyzer, shared_analyzer

log = logging.getLogger("ranknews.analysis")

# -- analysis, stories and wire copies (behind ingest) -------------------------------------

def settings_clusterer(settings: Settings) -> StoryClusterer:
    """An empty clusterer configured from settings (also used by ``ranknews cluster``)."""
    return StoryClusterer(window=timedelta(hours=settings.story_window_hours),
                          max_gap=timedelta(hours=settings.story_max_gap_hours),
                          threshold=settings.story_threshold)


def story_clusterer(db: Database, settings: Settings, *,
                    restore: bool = True) -> StoryClusterer:
    """A clusterer with the operator's links and (``restore``) the open window's stories."""
    clusterer = settings_clusterer(settings)
    with db.read() as conn:
        for a, b, kind in story_store.links(conn):
            clusterer.link(a, b, kind)
        if restore:
            for row in story_store.window_members(conn, clusterer.window):
                clusterer.restore(row["board_no"], row["story_id"],
                                  signals_from(row["analysis"], row["time"]))
    return clusterer


def analyze_pending(db: Database, analyzer: Analyzer, clusterer: StoryClusterer, *,
                    batch: int = 200, limit: int | None = None,
                    on_progress: Callable[[int], None] | None = None) -> int:
    """Drain the analysis queue: analyse, store, assign stories, mark wire copies.

    Returns how many posts were analysed. Each batch commits on its own, so stopping midway
    (Ctrl-C, a crash) loses at most one batch of work and nothing already stored.
    """
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        with db.read() as conn:
            rows = _queued_articles(conn, size)
        if not rows:
            break
        results = analyzer.analyze_many([(r["title"], r["text"]) for r in rows])
        now = datetime.now(timezone.utc)
        items = [ClusterItem(r["board_no"], signals_from(a, r["time"]))
                 for r, a in zip(rows, results)]
        with db.write() as conn:
            save_analyses(conn, [(r["board_no"], a) for r, a in zip(rows, results)], now)
            assigned = list(cluster_stream(clusterer, items))
            story_store.save_members(conn, assigned, now)
            mark_wire_copies(conn, [b for b, _, _ in assigned], now)
            bump_board_version(conn)
        done += len(rows)
        if on_progress:
            on_progress(len(rows))
    return done


async def analyze_forever(db: Database, settings: Settings, stop: asyncio.Event, *,
                          analyzer: Analyzer | None = None,
                          on_batch: Callable[[int], None] | None = None) -> None:
    """Drain the analysis queue behind the crawler until ``stop``: the ``ranknews run`` loop.

    Each batch runs in a worker thread (Kiwi releases the GIL while it analyses), so the
    crawler and the website on the event loop never wait for it; saving only queues posts.
    When the queue is empty it sleeps ``analysis_idle_seconds``. A failed batch is logged and
    retried after the pause: analysis can always catch up later, collection must go on.
    """
    clusterer = None
    while not stop.is_set():
        done = 0
        try:
            if analyzer is None:
                analyzer = await asyncio.to_thread(shared_analyzer)  # ~1 s to load
            if clusterer is None:  # the window's stories, as a restart finds them
                clusterer = await asyncio.to_thread(story_clusterer, db, settings)
            done = await asyncio.to_thread(analyze_pending, db, analyzer, clusterer,
                                           batch=settings.analysis_batch_size,
                                           limit=settings.analysis_batch_size)
            if done and on_batch:
                on_batch(done)
        except Exception as exc:  # noqa: BLE001 - the service must outlive one bad batch
            clusterer = None  # state may be half-updated: rebuild it from the database
            log_event(log, "analysis_failed", level=logging.ERROR,
                      reason=f"{exc.__class__.__name__}: {exc}")
        if not done:
            try:
                await asyncio.wait_for(stop.wait(), timeout=settings.analysis_idle_seconds)
            except TimeoutError:
                pass


def _queued_articles(conn: Connection, size: int) -> list[dict[str, Any]]:
    numbers = queued(conn, size)
    rows = conn.execute(select(articles).where(articles.c.board_no.in_(numbers))
                        .order_by(articles.c.board_no)).mappings().all()
    return [{"board_no": r["board_no"], "title": r["title"],
             "text": row_to_article(r).text, "time": story_store.article_time(r)}
            for r in rows]


WIRE_BEFORE = timedelta(hours=48)  # a copy is posted within two days of its wire original
WIRE_AFTER = timedelta(hours=6)  # (times are approximate: feeds' clocks, late collection)
WIRE_CANDIDATES = 5  # wire posts compared shingle by shingle per article


def mark_wire_copies(conn: Connection, board_nos: list[int], now: datetime) -> int:
    """Link each post that copies a recent wire post to that wire post.

    The originals are looked for among the wire posts of the window around the posts (not only
    their own story: a copy with a new headline may land in another story, or none): the
    few sharing the most rare words (``WireCandidates``), plus the wire posts of its story,
    are compared on body shingles (``find_original``).
    """
    rows = [r for r in story_store.analysed(conn, board_nos) if r["time"] is not None]
    if not rows:
        return 0
    times = [r["time"] for r in rows]
    wires = WireCandidates(story_store.wire_posts_between(
        conn, min(times) - WIRE_BEFORE, max(times) + WIRE_AFTER))
    loaded: dict[int, Article | None] = {}
    found = 0
    for row in rows:
        board_no, analysis = row["board_no"], row["analysis"]
        candidates = set(wires.nearest(analysis.terms, WIRE_CANDIDATES, exclude=board_no))
        if row["story_id"] is not None:
            candidates |= set(story_store.members(conn, row["story_id"])[-50:]) - {board_no}
        if not candidates:
            continue
        article = _load(conn, board_no, loaded)
        if article is None or is_wire(article):
            continue
        originals = [a for a in (_load(conn, b, loaded) for b in sorted(candidates))
                     if a is not None and is_wire(a)]
        original = find_original(article, originals)
        if original is not None:
            save_wire_copy(conn, board_no, original[0].board_no or 0, original[1], now)
            found += 1
        else:  # a revision may have stopped copying
            clear_wire_copy(conn, board_no)
    return found


def _load(conn: Connection, board_no: int, loaded: dict[int, Article | None]) -> Article | None:
    if board_no not in loaded:
        try:
            loaded[board_no] = get_article(conn, board_no, include_hidden=True)
        except NotFound:
            loaded[board_no] = None
    return loaded[board_no]


def restory(db: Database, settings: Settings, start: datetime | None, end: datetime | None,
            *, chunk: int = 2000, on_progress: Callable[[int], None] | None = None) -> int:
    """Re-cluster the analysed posts of a period from their stored analysis.

    The clusterer starts as live ingest would have been at the period's start: the stories
    open then (posts of the window before ``start``, with their stored stories) are put back
    first, so a story crossing the start is continued, not split. Then the period's posts are
    assigned in board number order, the order live ingest sees them; the operator's links
    apply. Posts after the period keep their stories.
    """
    clusterer = story_clusterer(db, settings, restore=False)
    with db.read() as conn:
        numbers = story_store.period_board_nos(conn, start, end)
        if start is not None:
            before = story_store.members_between(conn, start - clusterer.window, start)
            for row in before:
                clusterer.restore(row["board_no"], row["story_id"],
                                  signals_from(row["analysis"], row["time"]))
    total = 0
    for at in range(0, len(numbers), chunk):
        with db.read() as conn:
            rows = story_store.analysed(conn, numbers[at:at + chunk])
        items = [ClusterItem(r["board_no"], signals_from(r["analysis"], r["time"]))
                 for r in rows]
        now = datetime.now(timezone.utc)
        assigned = list(cluster_stream(clusterer, items, chunk=chunk))
        with db.write() as conn:
            story_store.save_members(conn, assigned, now)
            bump_board_version(conn)
        total += len(rows)
        if on_progress:
            on_progress(len(rows))
    return total
