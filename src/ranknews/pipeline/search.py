"""The search stage: a post version's search document, built from its stored analysis (no
Kiwi here: the analysis stage ran it), and ``reindex`` to rebuild every document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection

from ranknews.config import Settings
from ranknews.search import Indexer
from ranknews.search.document import SearchDocument
from ranknews.store import Database
from ranknews.store import search as search_store
from ranknews.store import tasks as task_store
from ranknews.store.analysis import get_analyses
from ranknews.store.articles import posts_with_hash
from ranknews.store.tasks import Task
from ranknews.text.analysis import shared_analyzer


@dataclass
class _Indexed:
    tasks: list[Task]
    docs: list[SearchDocument]
    versions: dict[int, str]


def make_indexer(settings: Settings) -> Indexer:
    return Indexer(shared_analyzer(), body_chars=settings.search_body_chars)


class SearchStage:
    name = "search"

    def __init__(self, settings: Settings, worker: str) -> None:
        self.batch_size = 256
        self.indexer = make_indexer(settings)

    def prepare(self, db: Database, tasks: list[Task]) -> _Indexed:
        numbers = [t.board_no for t in tasks]
        with db.read() as conn:
            posts = posts_with_hash(conn, numbers)
            stored = get_analyses(conn, numbers)
        versions = {a.board_no or 0: digest for a, digest in posts}
        docs = self.indexer.documents([a for a, _ in posts], versions, stored)
        return _Indexed(tasks, docs, versions)

    def write(self, conn: Connection, prepared: _Indexed,
              now: datetime) -> list[tuple[Task, str]]:
        search_store.save_documents(conn, prepared.docs, now)
        return [(t, prepared.versions.get(t.board_no, t.version)) for t in prepared.tasks]


def reindex(db: Database) -> int:
    """Queue every post's search document to be built again (e.g. after the analyser or the
    document format changed); workers (or ``drain``) build them. How many were queued."""
    with db.write() as conn:
        return task_store.enqueue_every_post(conn, "search", datetime.now(timezone.utc))
