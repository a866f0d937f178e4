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

from ranknews.pipeline.analysis import (
    analyze_forever,
    analyze_pending,
    mark_wire_copies,
    restory,
    settings_clusterer,
    story_clusterer,
)
from ranknews.pipeline.collect import (
    CollectReport,
    ItemError,
    SourceReport,
    collect,
    crawl,
    crawl_forever,
    default_extractor,
    extraction_rule,
    merge_feed_item,
)
from ranknews.pipeline.importing import BATCH_SIZE, ImportReport, import_jsonl
from ranknews.pipeline.rank import RankReport, refresh_rankings, refresh_trends, update_rank
from ranknews.pipeline.search import index_pending, reindex

__all__ = [
    "BATCH_SIZE", "CollectReport", "ImportReport", "ItemError", "SourceReport", "analyze_forever",
    "analyze_pending",
    "collect", "crawl", "crawl_forever", "default_extractor", "extraction_rule", "import_jsonl",
    "mark_wire_copies", "merge_feed_item", "restory", "settings_clusterer", "story_clusterer",
    "RankReport", "refresh_rankings", "refresh_trends", "update_rank",
    "index_pending", "reindex",
]
