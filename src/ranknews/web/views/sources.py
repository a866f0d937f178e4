"""/sources (each source's last success, last error with reason, items collected, next
fetch) with its JSON twin /sources.json, and /metrics for Prometheus.

/metrics shows the crawler's counters when the crawler runs in this process (``ranknews
run`` puts its CrawlMetrics on ``app.state.metrics``), plus gauges read from the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ranknews.metrics import CONTENT_TYPE
from ranknews.sources.source import Source
from ranknews.store.collect import failures_by_kind, sources_overview
from ranknews.web.format import full_time, zone
from ranknews.web.health import queue_state
from ranknews.web.render import render, twin

nav = [{"label": "수집 현황", "url": "/sources"}]


def source_context(source: Source, tz: Any) -> dict[str, Any]:
    return {
        "id": source.id, "outlet": source.outlet, "domain": source.domain,
        "section": source.section, "feed_url": source.feed_url, "enabled": source.enabled,
        "health": source.health, "items_collected": source.items_collected,
        "interval": source.interval, "recent_yield": source.recent_yield,
        "last_success_at": source.last_success_at,
        "last_success": full_time(source.last_success_at, tz),
        "last_error_at": source.last_error_at,
        "last_error_time": full_time(source.last_error_at, tz),
        "last_error": source.last_error, "last_error_kind": source.last_error_kind,
        "last_error_url": source.last_error_url, "feed_problem": source.feed_problem,
        "failures": source.failures,
        "next_fetch_at": source.next_fetch_at,
        "next_fetch": full_time(source.next_fetch_at, tz) if source.enabled else "",
    }


async def sources_page(request: Request) -> Response:
    settings = request.app.state.settings
    with request.app.state.db.read() as conn:
        overview = sources_overview(conn)
    tz = zone(settings.timezone)
    context = {"sources": [source_context(s, tz) for s in overview["sources"]],
               "health": overview["health"], "items_collected": overview["items_collected"]}
    response = render(request, "sources/index.html", context)
    # Source health changes without a new post, so the board's page cache must not keep it.
    response.headers["cache-control"] = "no-store"
    return response


async def metrics(request: Request) -> Response:
    crawler = getattr(request.app.state, "metrics", None)
    body = crawler.exposition() if crawler is not None else b""
    web = getattr(request.app.state, "web_metrics", None)
    body += generate_latest(web) if web is not None else b""
    gauges = await run_in_threadpool(_store_gauges, request)
    return Response(body + gauges, media_type=CONTENT_TYPE,
                    headers={"cache-control": "no-store"})


def _store_gauges(request: Request) -> bytes:
    """Gauges read from the database, so any web process shows them: sources by health,
    crawl failures by kind (the fetch log of the last 24 hours, whichever process
    crawled), and the queue behind ingest."""
    registry = CollectorRegistry()
    by_health = Gauge("ranknews_sources", "Sources by health (정상, 경고, 오류, 중지, 대기)",
                      ["health"], registry=registry)
    collected = Gauge("ranknews_items_collected", "Articles collected by all sources so far",
                      registry=registry)
    failures = Gauge("ranknews_crawl_failures_24h", "Failed fetches and items of the last "
                     "24 hours by kind (fetch log)", ["kind"], registry=registry)
    depth = Gauge("ranknews_queue_depth", "Posts waiting behind ingest, by stage",
                  ["stage"], registry=registry)
    oldest = Gauge("ranknews_queue_oldest_seconds", "How long the oldest waiting post has "
                   "waited (0: none waiting)", registry=registry)
    now = datetime.now(timezone.utc)
    with request.app.state.db.read() as conn:
        overview = sources_overview(conn)
        kinds = failures_by_kind(conn, now - timedelta(hours=24))
        queue = queue_state(conn, now)
    for health, count in overview["health"].items():
        by_health.labels(health).set(count)
    collected.set(overview["items_collected"])
    for kind, count in kinds.items():
        failures.labels(kind).set(count)
    depth.labels("analysis").set(queue.analysis)
    depth.labels("search").set(queue.search)
    oldest.set(queue.oldest_age or 0)
    return generate_latest(registry)


routes = [*twin("/sources", sources_page, "sources"),
          Route("/metrics", metrics, name="metrics", methods=["GET"])]
