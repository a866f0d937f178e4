"""Saving a batch of articles: the end of ingest, one transaction.

In that transaction: the stored posts the batch may be are read (``store.posts``), the dedup
plan decides article by article which post each is (``dedup.plan``), new posts are inserted
with board numbers, changed ones get a revision, and every new or revised post version is
enqueued for the stages behind ingest (``store.tasks``): nothing is started here, workers
drain the queue. A crash never leaves an article half-stored, nor a post without its tasks.

Nothing here needs SQLAlchemy before a database is given: the importer's worker processes
call ``prepare_article`` only.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Sequence

from ranknews.dates import within_window
from ranknews.dedup import article_keys
from ranknews.models import Article
from ranknews.store.prepare import PreparedArticle, SaveResult
from ranknews.store.prepare import prepare_article as _prepare

if TYPE_CHECKING:
    from ranknews.store import Database


def prepare_article(article: Article, *, now: datetime, dialect: str) -> PreparedArticle:
    """Everything about ``article`` that saving it needs: column values and dedup keys.
    Every way into the store passes here, so no date outside the default window
    (``dates.within_window``) is ever stored, whoever built the Article."""
    article = within_window(article, now)
    return _prepare(article, tuple(article_keys(article)), now=now, dialect=dialect)


def save_articles(db: Database, batch: Sequence[Article], *,
                  now: datetime | None = None) -> SaveResult:
    """Store a batch in one transaction; each article is inserted, revised or unchanged."""
    now = now or datetime.now(timezone.utc)
    return save_prepared(db, [prepare_article(a, now=now, dialect=db.dialect) for a in batch],
                         now=now)


def save_prepared(db: Database, batch: Sequence[PreparedArticle], *,
                  now: datetime | None = None) -> SaveResult:
    """``save_articles`` for articles already prepared (by the importer's workers)."""
    from ranknews.dedup.plan import SavePlan
    from ranknews.store import posts, tasks

    now = now or datetime.now(timezone.utc)
    if not batch:
        return SaveResult()
    with db.write() as conn:
        plan = SavePlan(batch, posts.PostLookup(conn))
        result = SaveResult()
        numbers, result.renumbered = posts.insert_posts(conn, [p.first for p in plan.new_posts])
        for post, number in zip(plan.new_posts, numbers):
            post.board_no = number
        result.inserted = list(numbers)
        inserted = set(numbers)
        posts.write_revisions(conn, [(p.board_no, p.first, p.canonical_url, p.changes)
                                     for p in plan.changed_posts], now)
        for kind, post in plan.outcomes:
            if kind != "inserted":
                getattr(result, kind).append(post.board_no)
        posts.remember_keys(conn, [(key, post.board_no) for post in plan.touched
                                   for key in post.keys], new=inserted)
        posts.remember_outlets(conn, batch)
        tasks.enqueue_posts(conn, [(p.board_no, p.content_hash) for p in plan.touched
                                   if p.first is not None or p.changes], now, new=inserted)
    return result
