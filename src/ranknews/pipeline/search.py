"""Search indexing behind ingest: drain the search queue, or rebuild the whole index.

Posts that the analysis stage has already analysed (and that are not waiting to be analysed
again) reuse that stored analysis, so their whole analysed body ranks, at no Kiwi cost;
the others get Kiwi on their headline only and bigrams for the body (see search/indexer.py).
"""

from __future__ import annotations

from typing import Callable

from ranknews.search import Indexer
from ranknews.store import Database
from ranknews.store import search as search_store
from ranknews.store.analysis import analysis_queue, get_analyses

INDEX_BATCH = 256


def index_pending(db: Database, indexer: Indexer, *, batch_size: int = INDEX_BATCH,
                  on_progress: Callable[[int], None] | None = None) -> int:
    """Index every queued post (new or revised since it was last indexed); returns how many."""
    done = after = 0
    while True:
        with db.read() as conn:
            batch = search_store.queued(conn, after, batch_size)
            numbers = [article.board_no for article, _ in batch]
            stale = set(conn.execute(analysis_queue.select().with_only_columns(
                analysis_queue.c.board_no).where(analysis_queue.c.board_no.in_(numbers)))
                .scalars())
            stored = {n: a for n, a in get_analyses(conn, numbers).items() if n not in stale}
        if not batch:
            return done
        posts = [article for article, _ in batch]
        hashes = {article.board_no: digest for article, digest in batch}
        search_store.write_documents(db, indexer.documents(posts, hashes, stored))
        after = posts[-1].board_no or after
        done += len(batch)
        if on_progress:
            on_progress(len(batch))


def reindex(db: Database, indexer: Indexer, *, batch_size: int = INDEX_BATCH,
            on_progress: Callable[[int], None] | None = None) -> int:
    """Rebuild every post's search document (e.g. after the analyser changed)."""
    search_store.enqueue_all(db)
    return index_pending(db, indexer, batch_size=batch_size, on_progress=on_progress)
