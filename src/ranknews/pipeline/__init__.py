"""Where the stages meet, in order. The CLI, the scheduler and the demo all call this package.

1. A source yields Articles: a JSON Lines file (``importing``), or an outlet's feeds and
   pages (``collect``: fetch → extract, politely, with conditional GET).
2. The store saves them in batches: board numbers, revisions; duplicates (same URL after
   normalisation, same body, updated versions) become revisions (``ranknews.dedup``), and
   new or revised posts are queued for analysis, so saving never waits for Kiwi.
3. ``analyze_pending`` drains that queue behind ingest (``analysis``): Korean analysis,
   stored once; story assignment (``ranknews.stories``); wire-copy detection.
   ``analyze_forever`` does so beside the crawler in ``ranknews run``, in a worker thread.
4. ``restory`` rebuilds the stories of a period from the stored analysis.
5. ``update_rank`` (``rank``): keywords and a section per new post, trend day counts, and the
   precomputed trends and rank pages (after each crawl pass, or ``ranknews rank-update``).
6. ``index_pending`` drains the search queue behind ingest (``search``), reusing the stored
   analysis where there is one; ``reindex`` rebuilds the search index.

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
    "analysis": ("analyze_forever", "analyze_pending", "mark_wire_copies", "restory",
                 "settings_clusterer", "story_clusterer"),
    "collect": ("CollectReport", "ItemError", "SourceReport", "crawl",
                "crawl_forever", "default_extractor", "extraction_rule", "merge_feed_item"),
    "importing": ("BATCH_SIZE", "ImportReport", "import_jsonl"),
    "rank": ("RankReport", "refresh_rankings", "refresh_trends", "update_rank"),
    "search": ("index_pending", "reindex"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}
__all__ = sorted(_WHERE)

def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'ranknews.pipeline' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ranknews.pipeline.{_WHERE[name]}"), name)
