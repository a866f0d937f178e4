"""Prometheus metrics of collection: fetches, errors by kind, bytes, fetch and extraction
time, articles stored. One ``CrawlMetrics`` per process, handed to the crawler and to the
/metrics page (its own registry, so tests and several apps in one process do not collide).
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class CrawlMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.fetches = Counter("ranknews_fetches", "HTTP requests made by the crawler, by "
                               "outcome (2xx, 3xx, 4xx, 5xx, or an error kind)", ["outcome"],
                               registry=r)
        self.errors = Counter("ranknews_fetch_errors", "Failures while collecting, by kind "
                              "(timeout, not_found, robots, not_a_feed, extract, ...)",
                              ["kind"], registry=r)
        self.bytes = Counter("ranknews_fetched_bytes", "Response bytes received "
                             "(after decompression)", registry=r)
        self.fetch_seconds = Histogram("ranknews_fetch_seconds", "Time of one HTTP request",
                                       registry=r, buckets=(.05, .1, .25, .5, 1, 2, 5, 10, 30))
        self.extract_seconds = Histogram("ranknews_extraction_seconds",
                                         "Time to turn one page into an article", registry=r,
                                         buckets=(.001, .005, .01, .025, .05, .1, .25, 1))
        self.articles = Counter("ranknews_articles_stored", "Articles written to the store, "
                                "by result (inserted, revised, unchanged)", ["result"],
                                registry=r)
        self.feed_problems = Counter("ranknews_feed_problems", "Malformed feeds that still "
                                     "gave items", registry=r)

    def observe_fetch(self, url: str, status: int | None, size: int, seconds: float,
                      kind: str | None) -> None:
        """The Fetcher's observer: called after every HTTP exchange."""
        outcome = kind or (f"{status // 100}xx" if status else "unknown")
        self.fetches.labels(outcome).inc()
        self.bytes.inc(size)
        self.fetch_seconds.observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
