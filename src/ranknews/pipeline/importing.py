"""JSON Lines import: a file of articles → the store, in batches (see README, Import format).

The work per article is parsing and validating its line, then its dedup keys, JSON columns
and content hash (``store.writing.prepare_article``): CPU work, independent per line. Large
files are cut into chunks of lines that worker processes prepare while this process writes
the previous batch (SQLite has one writer anyway), at most a few chunks ahead, so memory
stays bounded. Small files, and one-CPU machines, are prepared in this process: starting
workers costs more than it saves there. Results come back in file order, so board numbers
follow the file and errors are reported by line number either way.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ranknews.sources.jsonl import LineError, read_lines
from ranknews.store import Database
from ranknews.store.writing import PreparedArticle, SaveResult, prepare_article, save_prepared

BATCH_SIZE = 5000  # articles per transaction
CHUNK_LINES = 1000  # lines a worker prepares at a time
PARALLEL_MIN_BYTES = 4_000_000  # below this (~2,000 articles) workers cost more than they save


@dataclass
class ImportReport:
    saved: SaveResult = field(default_factory=SaveResult)
    errors: list[LineError] = field(default_factory=list)
    workers: int = 0  # processes that prepared lines (0: none, all in the importing one)

    @property
    def inserted(self) -> int:
        return len(self.saved.inserted)

    @property
    def articles(self) -> int:
        """Valid lines: each was inserted, revised or unchanged."""
        return self.saved.articles

    @property
    def repeated(self) -> int:
        """Valid lines that were another copy of a post an earlier line of this import
        already saved (counted as revised or unchanged)."""
        return self.saved.repeated


def import_jsonl(db: Database, paths: Iterable[Path], *,
                 on_progress: Callable[[int], None] | None = None,
                 on_error: Callable[[LineError], None] | None = None,
                 workers: int = 0) -> ImportReport:
    """Load JSON Lines files; invalid lines are reported and skipped, valid ones all stored.

    ``on_progress`` receives the number of bytes read since the last call. ``workers``:
    processes preparing lines (0: one per CPU; 1: none, all in this process).
    """
    paths = list(paths)
    report = ImportReport()
    size = sum(Path(p).stat().st_size for p in paths)
    count = workers or _usable_cpus()
    # workers are forked before the checkpoint thread of db.bulk() starts
    with _executor(count, size) as executor, db.bulk():
        report.workers = count if executor is not None else 0
        for path in paths:
            items = _prepared(_chunks(path, db.dialect), executor, 2 * count, on_progress)
            for batch in _batches(_valid(items, report, on_error)):
                report.saved += save_prepared(db, batch)
    return report


@dataclass(frozen=True)
class _Chunk:
    path: str
    first_line_no: int
    data: bytes
    dialect: str


def _chunks(path: Path, dialect: str) -> Iterator[_Chunk]:
    with open(path, "rb") as handle:
        line_no = 1
        while lines := list(islice(handle, CHUNK_LINES)):
            yield _Chunk(str(path), line_no, b"".join(lines), dialect)
            line_no += len(lines)


def prepare_chunk(chunk: _Chunk) -> list[PreparedArticle | LineError]:
    """Parse, validate and prepare one chunk's lines (runs in a worker process)."""
    now = datetime.now(timezone.utc)
    # split on "\n" only, as reading the file as text did: U+2028 may stand inside JSON
    lines = chunk.data.decode("utf-8", errors="replace").split("\n")
    return [item if isinstance(item, LineError)
            else prepare_article(item, now=now, dialect=chunk.dialect)
            for item in read_lines(lines, chunk.path, first_line_no=chunk.first_line_no)]


def _prepared(chunks: Iterable[_Chunk], executor: Executor | None, ahead: int,
              on_progress: Callable[[int], None] | None
              ) -> Iterator[PreparedArticle | LineError]:
    """Every line's result in file order, with at most ``ahead`` chunks in flight."""
    pending: deque[tuple[Future, int]] = deque()
    for chunk in chunks:
        if executor is None:
            yield from prepare_chunk(chunk)
            if on_progress:
                on_progress(len(chunk.data))
            continue
        pending.append((executor.submit(prepare_chunk, chunk), len(chunk.data)))
        if len(pending) > ahead:
            yield from _done(pending.popleft(), on_progress)
    while pending:
        yield from _done(pending.popleft(), on_progress)


def _done(job: tuple[Future, int], on_progress: Callable[[int], None] | None
          ) -> list[PreparedArticle | LineError]:
    future, size = job
    items = future.result()
    if on_progress:
        on_progress(size)
    return items


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, which containers narrow)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


class _Inline:
    """No executor: chunks are prepared in this process."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _executor(count: int, size: int) -> ProcessPoolExecutor | _Inline:
    # fork starts workers in milliseconds with everything imported; it is only safe while
    # this process runs a single thread (a lock held by another thread stays held in the
    # child), so otherwise the work stays here.
    if count < 2 or size < PARALLEL_MIN_BYTES or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():
        return _Inline()
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
    pool.submit(int).result()  # forks every worker now, while this is the only thread
    return pool


def _valid(items: Iterable[PreparedArticle | LineError], report: ImportReport,
           on_error: Callable[[LineError], None] | None) -> Iterator[PreparedArticle]:
    for item in items:
        if isinstance(item, LineError):
            report.errors.append(item)
            if on_error:
                on_error(item)
        else:
            yield item


def _batches(items: Iterable[PreparedArticle], size: int = BATCH_SIZE
             ) -> Iterator[list[PreparedArticle]]:
    batch: list[PreparedArticle] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
