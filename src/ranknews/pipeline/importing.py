"""JSON Lines import: a file of articles → the store, in batches (see README, Import format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ranknews.models import Article
from ranknews.sources.jsonl import LineError, read_lines
from ranknews.store import Database
from ranknews.store.articles import SaveResult, save_articles

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
