"""The stories stage: one assigner settles which story every analysed post belongs to.

Stories are a function of the stored posts, not of when or where they were processed: the
assigner goes through the posts in a canonical order (their time, then their URL) in time
buckets of ``story_bucket_hours``; each bucket's posts are counted in the window's document
frequencies first, then assigned in order (``stories.cluster.assign_bucket``). When posts
arrive (their ``stories`` tasks), the assigner goes back to the start of the earliest bucket
they fall in, restores its state there from a snapshot, and settles every bucket from there
on again. A late report, a revision or an operator's merge therefore gives the stories that
processing everything at once in that order would give, on one process or ten.

One worker holds the stage at a time (``store.tasks.hold``; the hold expires if its worker
dies, and the next holder goes on from the snapshots stored in the database). Its writes
check the hold in their transaction and move ``stories_version``: a holder whose hold ran
out cannot write, and a holder that finds the version moved rebuilds its state.

After settling, posts new to a story or moved are checked for wire copies (``dedup.wire``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from sqlalchemy import Connection

from ranknews.config import Settings
from ranknews.dedup.wire import (
    WIRE_OUTLETS,
    WireCandidates,
    find_original,
    is_wire,
    is_wire_outlet,
)
from ranknews.errors import NotFound
from ranknews.models import Article
from ranknews.store import Database
from ranknews.store import stories as story_store
from ranknews.store import tasks as task_store
from ranknews.store.articles import content_hashes, get_article
from ranknews.store.dedup import clear_wire_copy, save_wire_copy
from ranknews.stories import ClusterItem, StoryClusterer, signals_from
from ranknews.stories.cluster import assign_bucket, restore_bucket

log = logging.getLogger("ranknews.stories")
HOLD = "stories"
MEMORY_SNAPSHOTS = 8  # bucket snapshots kept in memory (late posts mostly land in these)
SAVED_EVERY = 6  # buckets between the snapshots stored in the database (plus the newest)
SIGNALS_KEPT = 300_000  # posts whose evidence the assigner keeps between settlings
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def settings_clusterer(settings: Settings) -> StoryClusterer:
    """An empty clusterer configured from settings (also used by ``ranknews cluster``)."""
    return StoryClusterer(window=timedelta(hours=settings.story_window_hours),
                          max_gap=timedelta(hours=settings.story_max_gap_hours),
                          threshold=settings.story_threshold)


def bucket_of(time: datetime, hours: int) -> datetime:
    """The start of the time bucket ``time`` falls in (buckets of ``hours``, from the epoch)."""
    size = hours * 3600
    seconds = int((time - _EPOCH).total_seconds()) // size * size
    return _EPOCH + timedelta(seconds=seconds)


@dataclass
class _Post:
    item: ClusterItem
    bucket: datetime
    row: dict[str, Any]


def _posts(rows: Iterable[dict[str, Any]], hours: int) -> list[_Post]:
    """Analysed posts in the canonical order: time, then URL (never the board number, which
    depends on which process saved first)."""
    posts = []
    for row in rows:
        time = row["time"]
        order = (time, row["url"])
        signals = row.get("signals") or signals_from(row["analysis"], time)
        posts.append(_Post(ClusterItem(row["board_no"], signals, order),
                           bucket_of(time, hours), row))
    posts.sort(key=lambda p: p.item.order)
    return posts


def _by_bucket(posts: list[_Post]) -> list[tuple[datetime, list[_Post]]]:
    grouped: dict[datetime, list[_Post]] = defaultdict(list)
    for post in posts:
        grouped[post.bucket].append(post)
    return sorted(grouped.items())


@dataclass
class _Settled:
    start: datetime  # the earliest bucket settled again
    posts: list[_Post]
    assigned: dict[int, tuple[int, float]]  # board number → (story, score)
    snapshots: list[tuple[datetime, bytes]]  # taken at the start of each bucket after start


class StoryAssigner:
    """The stories stage (a ``HeldStage``): settles stories while it holds the stage."""

    name = "stories"

    def __init__(self, settings: Settings, worker: str) -> None:
        self.settings = settings
        self.worker = worker
        self.hours = settings.story_bucket_hours
        self.batch_size = 5000
        self._forget()

    def _forget(self) -> None:
        self._stop: threading.Event | None = getattr(self, "_stop", None)
        self.version: int | None = None
        self.snapshots: dict[datetime, bytes] = {}  # bucket → state at its start
        self._signals: dict[tuple[int, str], Any] = {}  # (post, version) → its evidence

    # -- the stage ---------------------------------------------------------------------------
    def step(self, db: Database, stop: threading.Event | None = None) -> int:
        self._stop = stop
        moment = _now()
        if not self._hold(db, moment):
            return 0
        with db.read() as conn:
            ready = task_store.queued_posts(conn, HOLD, self.batch_size, moment)
            if not ready:
                return 0
            times = [r["time"] for r in story_store.analysed(conn, [b for b, _ in ready])]
        if not times:  # analysis rows gone (never: posts are not deleted): drop the tasks
            with db.write() as conn:
                task_store.complete_held(conn, ready, HOLD, moment)
            return len(ready)
        start = bucket_of(min(times), self.hours)
        return self.settle(db, start, ready=ready)

    def close(self, db: Database) -> None:
        try:
            with db.write() as conn:
                task_store.let_go(conn, HOLD, self.worker)
        except Exception:  # noqa: BLE001 - the hold runs out by itself
            log.exception("letting go of the stories stage")

    def settle(self, db: Database, start: datetime | None, *,
               ready: list[tuple[int, str]] = (),  # type: ignore[assignment]
               on_progress: Callable[[int], None] | None = None) -> int:
        """Settle every bucket from ``start`` (None: from the first post) to the newest
        post; the posts settled. Complete the stories tasks they answer."""
        with db.read() as conn:
            version = story_store.stories_version(conn)
            links = story_store.links(conn)
        if version != self.version:
            self._forget()
        settled = self._compute(db, start, links, renew=lambda: self._hold(db, _now()))
        if settled is None:  # stopped, or the stage went to another worker
            return 0
        if on_progress:
            on_progress(len(settled.posts))
        moment = _now()
        with db.write() as conn:
            if not task_store.hold(conn, HOLD, self.worker, self._until(moment), moment) \
                    or story_store.stories_version(conn) != version:
                self._forget()  # another assigner wrote meanwhile: its stories stand
                return 0
            self._write(conn, settled, moment, {b for b, _ in ready})
            story_store.bump_stories_version(conn)
        self.version = version + 1
        self._keep(settled)
        return len(settled.posts)

    # -- computing -------------------------------------------------------------------------
    def _compute(self, db: Database, start: datetime | None, links: list[tuple[int, int, str]],
                 renew: Callable[[], bool]) -> _Settled | None:
        clusterer = settings_clusterer(self.settings)
        for a, b, kind in links:
            clusterer.link(a, b, kind)
        base = self._base(db, clusterer, start)
        with db.read() as conn:
            rows = story_store.analysed(conn, story_store.period_board_nos(conn, base, None))
        posts = self._posts(rows)
        assigned: dict[int, tuple[int, float]] = {}
        snapshots = []
        buckets = _by_bucket(posts)
        wanted = self._snapshot_buckets([b for b, _ in buckets], base)
        renewed = time.monotonic()
        for bucket, batch in buckets:
            if bucket in wanted:
                snapshots.append((bucket, clusterer.snapshot()))
            for key, story, score in assign_bucket(clusterer, [p.item for p in batch]):
                assigned[key] = (story, score)
            if self._stop is not None and self._stop.is_set():
                return None  # the worker is stopping: another settles it all later
            if time.monotonic() - renewed > self.settings.task_lease_seconds / 3:
                renewed = time.monotonic()  # a long settling keeps the stage
                if not renew():
                    return None
        return _Settled(base or (posts[0].bucket if posts else _EPOCH), posts, assigned,
                        snapshots)

    def _snapshot_buckets(self, buckets: list[datetime], base: datetime | None) -> set[datetime]:
        """The bucket starts worth a snapshot: the last ones (kept in memory, where late
        posts land) and every ``SAVED_EVERY``-th within a window of the newest (stored);
        older ones would be dropped at once."""
        later = [b for b in buckets if base is None or b > base]
        if not later:
            return set()
        horizon = later[-1] - timedelta(hours=self.settings.story_window_hours
                                        + self.hours * SAVED_EVERY)
        return set(later[-MEMORY_SNAPSHOTS:]) | {
            b for b in later if b >= horizon and _index(b, self.hours) % SAVED_EVERY == 0}

    def _posts(self, rows: list[dict[str, Any]]) -> list[_Post]:
        """``_posts`` with each post's evidence made once per version (a post is settled
        again many times while its bucket is open)."""
        cache = self._signals
        for row in rows:
            key = (row["board_no"], row["digest"])
            if key not in cache:
                cache[key] = signals_from(row["analysis"], row["time"])
            row["signals"] = cache[key]
        while len(cache) > SIGNALS_KEPT:
            cache.pop(next(iter(cache)))
        return _posts(rows, self.hours)

    def _base(self, db: Database, clusterer: StoryClusterer,
              start: datetime | None) -> datetime | None:
        """Put ``clusterer`` in its state at the start of a bucket at or before ``start``:
        from a snapshot in memory, else in the database, else from the stories stored for
        the window before ``start`` (an approximation, needed once: after an upgrade).
        Returns that bucket (None: from the very first post, with an empty state)."""
        if start is None:
            return None
        mine = [b for b in self.snapshots if b <= start]
        if mine:
            clusterer.load_snapshot(self.snapshots[max(mine)])
            return max(mine)
        with db.read() as conn:
            stored = story_store.snapshot_at_or_before(conn, start)
            if stored is not None:
                clusterer.load_snapshot(stored[1])
                return stored[0]
            since = start - clusterer.window - timedelta(hours=self.hours)
            rows = story_store.analysed(conn, story_store.period_board_nos(conn, since, start))
        earlier = [p for p in _posts(rows, self.hours) if p.row["story_id"] is not None]
        for _, batch in _by_bucket(earlier):
            restore_bucket(clusterer, [(p.item, p.row["story_id"]) for p in batch])
        return start

    # -- writing ---------------------------------------------------------------------------
    def _write(self, conn: Connection, settled: _Settled, now: datetime,
               ready: set[int]) -> None:
        changed = [(p.item.key, *settled.assigned[p.item.key]) for p in settled.posts
                   if p.row["story_id"] != settled.assigned[p.item.key][0]
                   or abs((p.row["score"] or 0.0) - settled.assigned[p.item.key][1]) > 1e-9]
        story_store.save_members(conn, changed, now)
        mark_wire_copies(conn, self._wire_checks(settled, {b for b, _, _ in changed} | ready),
                         now)
        saved = [(b, s) for i, (b, s) in enumerate(settled.snapshots)
                 if i == len(settled.snapshots) - 1 or _index(b, self.hours) % SAVED_EVERY == 0]
        keep = settled.snapshots[-1][0] if settled.snapshots else settled.start
        story_store.replace_snapshots(
            conn, settled.start, saved, now,
            keep - timedelta(hours=self.settings.story_window_hours + self.hours * SAVED_EVERY))
        task_store.complete_held(conn, [(p.item.key, p.row["digest"]) for p in settled.posts
                                        if p.row["digest"]], HOLD, now)

    def _wire_checks(self, settled: _Settled, changed: set[int]) -> list[int]:
        """Posts to check for wire copies: those whose story changed, and the posts a new
        wire post may have been copied into (found by their rare words)."""
        check = set(changed)
        wires = [p for p in settled.posts if p.item.key in changed
                 and is_wire_outlet(p.row["outlet"], p.row["outlet_domain"])]
        if wires:
            others = [p for p in settled.posts
                      if not is_wire_outlet(p.row["outlet"], p.row["outlet_domain"])]
            near = WireCandidates((p.item.key, p.row["analysis"].terms) for p in others)
            for wire in wires:
                check.update(near.nearest(wire.row["analysis"].terms, WIRE_CANDIDATES * 2))
        return sorted(check)

    def _keep(self, settled: _Settled) -> None:
        self.snapshots = {b: s for b, s in self.snapshots.items() if b <= settled.start}
        self.snapshots.update(settled.snapshots)
        for bucket in sorted(self.snapshots)[:-MEMORY_SNAPSHOTS]:
            del self.snapshots[bucket]

    def _hold(self, db: Database, moment: datetime) -> bool:
        with db.write() as conn:
            held = task_store.hold(conn, HOLD, self.worker, self._until(moment), moment)
        if not held:
            self._forget()
        return held

    def _until(self, moment: datetime) -> datetime:
        return moment + timedelta(seconds=self.settings.task_lease_seconds)


def _index(bucket: datetime, hours: int) -> int:
    return int((bucket - _EPOCH).total_seconds()) // (hours * 3600)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def restored_clusterer(db: Database, settings: Settings, at: datetime) -> StoryClusterer:
    """A clusterer in the assigner's state at the start of ``at``'s bucket (from its
    snapshots, else from the stored stories of the window before): what a new holder of the
    stage starts from."""
    clusterer = settings_clusterer(settings)
    with db.read() as conn:
        for a, b, kind in story_store.links(conn):
            clusterer.link(a, b, kind)
    bucket = bucket_of(at, settings.story_bucket_hours)
    StoryAssigner(settings, "restore")._base(db, clusterer, bucket)
    return clusterer


def restory(db: Database, settings: Settings, start: datetime | None, *,
            on_progress: Callable[[int], None] | None = None) -> int:
    """Settle the stories again from ``start`` (None: all of them) to the newest post, as the
    assigner does when posts arrive. Waits for no other assigner: it takes the stage if it is
    free and fails with a clear message if a worker holds it."""
    assigner = StoryAssigner(settings, f"restory:{id(db)}")
    if not assigner._hold(db, _now()):
        raise RuntimeError("이야기 묶기를 다른 작업자가 하고 있습니다. 잠시 뒤에 다시 하세요.")
    try:
        first = bucket_of(start, settings.story_bucket_hours) if start else None
        return assigner.settle(db, first, on_progress=on_progress)
    finally:
        assigner.close(db)


def merge_stories(db: Database, keep: int, other: int, reason: str, *, actor: str) -> int:
    """The operator's merge: story ``other`` joins ``keep`` at once (the pages show it), and
    the assigner settles their buckets again with the decision as a constraint (kept across
    every later settling). How many posts moved."""
    with db.write() as conn:
        moved = story_store.merge(conn, keep, other, reason, _now(), actor=actor)
        _settle_again(conn, story_store.members(conn, keep))
    return moved


def split_story(db: Database, story_id: int, board_nos: list[int], reason: str, *,
                actor: str) -> int:
    """The operator's split: these posts leave the story and form their own; the id of the
    new story."""
    with db.write() as conn:
        before = story_store.members(conn, story_id)
        new_id = story_store.split(conn, story_id, board_nos, reason, _now(), actor=actor)
        _settle_again(conn, before)
    return new_id


def _settle_again(conn: Connection, board_nos: list[int]) -> None:
    now = _now()
    for number, digest in content_hashes(conn, board_nos).items():
        task_store.enqueue(conn, HOLD, now, board_no=number, version=digest)


# -- wire copies ----------------------------------------------------------------------------------

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
        conn, min(times) - WIRE_BEFORE, max(times) + WIRE_AFTER, list(WIRE_OUTLETS),
        [d for ds in WIRE_OUTLETS.values() for d in ds]))
    loaded: dict[int, Article | None] = {}
    found = 0
    for row in rows:
        board_no, analysis = row["board_no"], row["analysis"]
        candidates = set(wires.nearest(analysis.terms, WIRE_CANDIDATES, exclude=board_no))
        if row["story_id"] is not None:
            candidates |= set(story_store.members(conn, row["story_id"])[-50:]) - {board_no}
        article = _load(conn, board_no, loaded) if candidates else None
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
