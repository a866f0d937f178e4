"""Where the stages meet, in order. The CLI, the workers and the demo all call this package.

1. A source yields Articles: a JSON Lines file (``importing``), or an outlet's feeds and
   pages (``collect``: fetch → extract, politely, with conditional GET).
2. ``saving`` stores them in batches, one transaction each: board numbers, revisions;
   duplicates (same URL after normalisation, same body, updated versions) become revisions
   (``dedup.plan``); every new or revised post version is enqueued for the stages behind
   ingest (``store.tasks``). Saving never waits for them.
3. Workers (``work``) drain that queue, stage by stage (``stages``): ``analysis`` (Kiwi once
   per version), ``stories`` (one assigner settles stories, then wire copies), ``rank``
   (keywords, section; then the days' counts and the rank pages), ``search`` (the post's
   document). ``ranknews worker`` runs them on any number of processes and machines
   (PostgreSQL); ``serve``, ``run``, ``import``, ``crawl`` and the demo drain in-process.
4. ``stories.restory`` settles the stories of a period again; ``search.reindex`` queues
   every search document again.

One module per entry point keeps each readable in one sitting; no stage module imports
another stage's store or web code — only this package joins them.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each name's module, loaded on first use: a command that imports (``ranknews import``) does not
# pay for the crawler's, Kiwi's or the rankings' imports. The function ``collect`` is not
# among them: ``ranknews.pipeline.collect`` is its module (import it from there).
_MODULES = {
    "collect": ("CollectReport", "ItemError", "SourceReport", "crawl",
                "crawl_forever", "default_extractor", "extraction_rule", "merge_feed_item"),
    "importing": ("BATCH_SIZE", "ImportReport", "import_jsonl"),
    "rank": ("RankReport", "refresh_pages", "update_rank"),
    "saving": ("prepare_article", "save_articles", "save_prepared"),
    "search": ("reindex",),
    "stories": ("mark_wire_copies", "restory", "settings_clusterer"),
    "work": ("BackgroundWorkers", "Worker", "drain"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'ranknews.pipeline' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ranknews.pipeline.{_WHERE[name]}"), name)
