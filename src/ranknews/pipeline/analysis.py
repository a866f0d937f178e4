"""The analysis stage: Kiwi once per post version, stored for stories, rank and search.

Each post's headline and body go through Kiwi in one call per batch (``Analyzer``): terms,
names, counted numbers, and the noun phrases of the keyword texts (the clean headline and
the lead) that trends count, read from the same tokens. Stored with the content hash it was
made from; the post's stories, rank and search tasks then become ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from ranknews.config import Settings
from ranknews.models import Analysis, Article
from ranknews.rank.indexing import lead_of
from ranknews.rank.keywords import keyword_texts
from ranknews.store import Database
from ranknews.store.analysis import save_analyses
from ranknews.store.articles import posts_with_hash
from ranknews.store.tasks import Task, release_dependents
from ranknews.text.analysis import Analyzer, analyzer_for


@dataclass
class _Analysed:
    tasks: list[Task]
    results: dict[int, tuple[str, Analysis]]  # board number → (content hash, analysis)


def analyze_posts(analyzer: Analyzer, posts: list[Article]) -> list[Analysis]:
    """The analysis of each post: its headline and body, and its keyword texts."""
    return analyzer.analyze_many([(a.title, a.text) for a in posts],
                                 keyword_texts=[keyword_texts(a.title, lead_of(a))
                                                for a in posts])


class AnalysisStage:
    name = "analysis"

    def __init__(self, settings: Settings, worker: str) -> None:
        self.batch_size = settings.analysis_batch_size
        self.analyzer = analyzer_for(settings.analysis_threads)

    def prepare(self, db: Database, tasks: list[Task]) -> _Analysed:
        with db.read() as conn:
            posts = posts_with_hash(conn, [t.board_no for t in tasks])
        analyses = analyze_posts(self.analyzer, [a for a, _ in posts])
        return _Analysed(tasks, {a.board_no: (digest, analysis)
                                 for (a, digest), analysis in zip(posts, analyses)})

    def write(self, conn: Connection, prepared: _Analysed,
              now: datetime) -> list[tuple[Task, str]]:
        results = prepared.results
        save_analyses(conn, [(n, digest, a) for n, (digest, a) in results.items()], now)
        release_dependents(conn, [(n, digest) for n, (digest, _) in results.items()], now)
        # a post gone meanwhile (never: posts are hidden, not deleted) completes as it was
        return [(t, results.get(t.board_no, (t.version, None))[0]) for t in prepared.tasks]
