"""JSON Lines import: a file of articles → the store, in batches (see README, Import format).

The work per article is parsing and validating its line, then its dedup keys, JSON columns
and content hash (``pipeline.saving.prepare_article``): CPU work, independent per line. Large
files are cut into chunks of lines that worker processes prepare while this process writes
the previous batch (SQLite has one writer anyway), at most a few chunks ahead, so memory
stays bounded. Small files, and one-CPU machines, are prepared in this process: starting
workers costs more than it saves there. Results come back in file order, so board numbers
follow the file and errors are reported by line number either way.

Nothing this module imports at the top needs SQLAlchemy: given a function that opens the
database rather than the database, ``import_jsonl`` starts the workers on the first chunks
first, so that the CLI's loading of SQLAlchemy and Alembic and the schema check overlap
their work instead of coming before it. The garbage collector is paused while a chunk is
prepared and while a batch is saved (both bounded, and both make only short-lived objects):
its passes over the batch's many live objects cost about a tenth of the time otherwise.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from ranknews.dates import DEFAULT_WINDOW, DateWindow
from ranknews.models import Article
from ranknews.pipeline.orphans import die_with_parent
from ranknews.pipeline.saving import prepare_article
from ranknews.sources.jsonl import LineError, read_numbered
from ranknews.store.prepare import PreparedArticle, SaveResult

if TYPE_CHECKING:
    from ranknews.store import Database

BATCH_SIZE = 2000  # articles per transaction: the last one is saved while no worker has work
CHUNK_LINES = 500  # lines a worker prepares at a time
AHEAD_PER_WORKER = 3  # chunks in flight per worker while this process saves
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


def import_jsonl(db: Database | Callable[[], Database], paths: Iterable[Path], *,
                 dialect: str | None = None,
                 on_progress: Callable[[int], None] | None = None,
                 on_error: Callable[[LineError], None] | None = None,
                 workers: int = 0, dates: DateWindow = DEFAULT_WINDOW) -> ImportReport:
    """Load JSON Lines files; invalid lines are reported and skipped, valid ones all stored.

    ``db`` is the database, or a function that opens it (then ``dialect`` names its kind,
    "sqlite" or "postgresql"): it is called once the workers are busy with the first chunks,
    and the database it gives is disposed of here. ``on_progress`` receives the number of
    bytes read since the last call. ``workers``: processes preparing lines (0: one per CPU;
    1: none, all in this process). ``dates``: the dates a line may carry.

    A batch that fails to save is cut in halves until the line at fault is alone: it is
    reported with its file and line (``on_error``), every other line is saved (see
    ``_save_isolated``).
    """
    paths = list(paths)
    opener = db if callable(db) else None
    if opener and not dialect:
        raise ValueError("import_jsonl: give the dialect of the database the opener opens")
    dialect = dialect or db.dialect
    report = ImportReport()
    size = sum(Path(p).stat().st_size for p in paths)
    count = workers or _usable_cpus()
    chunks = (chunk for path in paths for chunk in _chunks(path, dialect, dates))
    with _executor(count, size) as executor:
        report.workers = count if executor is not None else 0
        items = _Prepared(chunks, executor, AHEAD_PER_WORKER * count, on_progress)
        # SQLAlchemy loads here, once the workers are busy with the first chunks
        from ranknews.pipeline.saving import save_prepared

        database = opener() if opener else db
        try:
            # workers are forked before the checkpoint thread of db.bulk() starts
            with database.bulk():
                for batch in _batches(_valid(items, report, on_error)):
                    with _gc_paused():
                        _save_isolated(database, batch, report, on_error, save_prepared)
        finally:
            if opener:
                database.dispose()
    return report


@contextmanager
def _gc_paused() -> Iterator[None]:
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(frozen=True)
class _Chunk:
    path: str
    first_line_no: int
    data: bytes
    dialect: str
    dates: DateWindow = DEFAULT_WINDOW


def _chunks(path: Path, dialect: str, dates: DateWindow) -> Iterator[_Chunk]:
    with open(path, "rb") as handle:
        line_no = 1
        while lines := list(islice(handle, CHUNK_LINES)):
            yield _Chunk(str(path), line_no, b"".join(lines), dialect, dates)
            line_no += len(lines)


def prepare_chunk(chunk: _Chunk) -> list[PreparedArticle | LineError]:
    """Parse, validate and prepare one chunk's lines (runs in a worker process)."""
    now = datetime.now(timezone.utc)
    # split on "\n" only, as reading the file as text did: U+2028 may stand inside JSON
    try:
        lines: list[str] | list[bytes] = chunk.data.decode("utf-8").split("\n")
    except UnicodeDecodeError:  # some line is not UTF-8: read_lines refuses it alone
        lines = chunk.data.split(b"\n")
    with _gc_paused():
        return [item if isinstance(item, LineError) else _prepared(item, chunk, line_no, now)
                for line_no, item in read_numbered(lines, chunk.path, window=chunk.dates,
                                                   first_line_no=chunk.first_line_no)]


def _prepared(article: Article, chunk: _Chunk, line_no: int,
              now: datetime) -> PreparedArticle | LineError:
    try:
        prepared = prepare_article(article, now=now, dialect=chunk.dialect)
    except Exception as exc:  # noqa: BLE001 - one bad line costs only itself
        return LineError(chunk.path, line_no, f"저장 준비 실패: {_describe(exc)}")
    prepared.origin = (chunk.path, line_no)
    return prepared


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {str(exc)[:300]}"


class _Prepared:
    """Every line's result in file order, with at most ``ahead`` chunks in flight. The first
    chunks go to the workers as soon as this is made, before anything asks for results."""

    def __init__(self, chunks: Iterable[_Chunk], executor: Executor | None, ahead: int,
                 on_progress: Callable[[int], None] | None) -> None:
        self.chunks = iter(chunks)
        self.executor = executor
        self.ahead = ahead
        self.on_progress = on_progress
        self.pending: deque[tuple[Future, int]] = deque()
        self._submit()

    def _submit(self) -> None:
        while self.executor is not None and len(self.pending) < self.ahead:
            chunk = next(self.chunks, None)
            if chunk is None:
                return
            self.pending.append((self.executor.submit(prepare_chunk, chunk), len(chunk.data)))

    def __iter__(self) -> Iterator[PreparedArticle | LineError]:
        if self.executor is None:
            for chunk in self.chunks:
                yield from prepare_chunk(chunk)
                self._progress(len(chunk.data))
            return
        while self.pending:
            future, size = self.pending.popleft()
            self._submit()  # keep the workers busy while this chunk's results are saved
            items = future.result()
            self._progress(size)
            yield from items

    def _progress(self, size: int) -> None:
        if self.on_progress:
            self.on_progress(size)


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, which containers narrow)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@contextmanager
def _executor(count: int, size: int) -> Iterator[ProcessPoolExecutor | None]:
    # fork starts workers in milliseconds with everything imported; it is only safe while
    # this process runs a single thread (a lock held by another thread stays held in the
    # child), so otherwise the work stays here.
    if count < 2 or size < PARALLEL_MIN_BYTES or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    # a worker ends with this process, even when it is killed (pipeline/orphans.py)
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        pool.submit(int).result()  # forks every worker now, while this is the only thread
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # drop the chunks not yet prepared
        raise
    pool.shutdown(wait=True)


def _valid(items: Iterable[PreparedArticle | LineError], report: ImportReport,
           on_error: Callable[[LineError], None] | None) -> Iterator[PreparedArticle]:
    for item in items:
        if isinstance(item, LineError):
            report.errors.append(item)
            if on_error:
                on_error(item)
        else:
            yield item


def _save_isolated(db: Database, batch: list[PreparedArticle], report: ImportReport,
                   on_error: Callable[[LineError], None] | None,
                   save: Callable[[Database, list[PreparedArticle]], SaveResult]) -> None:
    """Save ``batch``; when that fails for its content, save each half on its own, down to
    the one line at fault, which is reported (file and line) instead of saved. About two
    transactions per level for one bad line among 2,000. A failure of the database itself
    (connection, lock, disk: ``is_operational``) is not the lines' fault and is raised."""
    try:
        report.saved += save(db, batch)
        return
    except Exception as exc:  # noqa: BLE001 - any exception: isolate the line at fault
        if is_operational(exc):
            raise
        if len(batch) == 1:
            path, line_no = batch[0].origin or ("-", 0)
            error = LineError(path, line_no, f"저장하지 못했습니다: {_describe(exc)}")
            report.errors.append(error)
            if on_error:
                on_error(error)
            return
    middle = len(batch) // 2
    _save_isolated(db, batch[:middle], report, on_error, save)
    _save_isolated(db, batch[middle:], report, on_error, save)


def is_operational(exc: BaseException) -> bool:
    """Whether ``exc`` is the database's state (a lost connection, a lock held too long, a
    full disk) rather than something about the rows being written."""
    names = {c.__name__ for c in type(exc).__mro__}
    return bool(names & {"OperationalError", "InterfaceError", "DisconnectionError",
                         "TimeoutError"}) and "DataError" not in names


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
