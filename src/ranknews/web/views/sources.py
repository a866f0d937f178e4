"""/sources (which outlets ranknews collects and how that goes, for readers) with its JSON
twin /sources.json, and /metrics for Prometheus.

Readers see each outlet with its state in words (정상 수집 중, 수집 실패…), its sections and
its last successful collection, and, when it fails, the cause in a few Korean words; the
feeds' addresses and the raw error messages are for operators (``/admin``, ``ranknews
sources``), not on this page.

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
from ranknews.pipeline.stages import STAGE_NAMES
from ranknews.sources.source import HEALTH_WORDS, Source
from ranknews.store.collect import failures_by_kind, sources_overview
from ranknews.store.tasks import StageStats, queue_stats
from ranknews.web.format import full_time, zone
from ranknews.web.render import render, twin

nav = [{"label": "수집 현황", "url": "/sources"}]

# Why a feed fails, in words a reader understands (FetchError kinds, see errors.py).
CAUSES = {"timeout": "응답 시간 초과", "connect": "접속 실패", "protocol": "통신 오류",
          "not_found": "주소가 없어짐", "http_error": "언론사 서버 오류",
          "rate_limited": "언론사가 요청을 제한함", "robots": "수집 금지(robots.txt)",
          "too_large": "응답이 너무 큼", "redirect_loop": "주소 이동 오류",
          "too_many_redirects": "주소 이동 오류", "bad_url": "잘못된 주소",
          "not_a_feed": "피드 형식이 아님", "extract": "기사 본문을 읽지 못함",
          "not_html": "기사 페이지가 아님"}
_ORDER = ("오류", "경고", "대기", "정상", "중지")


def _feed(source: Source, tz: Any) -> dict[str, Any]:
    failing = source.health in ("오류", "경고")
    return {"section": source.section or "전체", "health": source.health,
            "health_word": HEALTH_WORDS[source.health], "enabled": source.enabled,
            "failures": source.failures,
            "cause": CAUSES.get(source.last_error_kind or "", "기타 오류")
            if failing and source.last_error_kind else None,
            "items_collected": source.items_collected,
            "last_success_at": source.last_success_at,
            "last_success": full_time(source.last_success_at, tz),
            "next_fetch": full_time(source.next_fetch_at, tz) if source.enabled else ""}


def outlets_context(rows: list[Source], tz: Any) -> list[dict[str, Any]]:
    """One entry per outlet (its feeds inside), the outlet's state being its worst
    enabled feed's; troubled outlets first, then by name."""
    outlets: dict[str, dict[str, Any]] = {}
    for source in rows:
        entry = outlets.setdefault(source.domain, {
            "outlet": source.outlet, "domain": source.domain, "site": f"https://{source.domain}/",
            "feeds": []})
        entry["feeds"].append(_feed(source, tz))
    for entry in outlets.values():
        feeds = entry["feeds"]
        state = min((f["health"] for f in feeds if f["enabled"]), key=_ORDER.index,
                    default="중지")
        last = max((f["last_success_at"] for f in feeds if f["last_success_at"]), default=None)
        entry.update(health=state, health_word=HEALTH_WORDS[state],
                     sections=[f["section"] for f in feeds],
                     items_collected=sum(f["items_collected"] for f in feeds),
                     last_success_at=last, last_success=full_time(last, tz))
    return sorted(outlets.values(), key=lambda o: (_ORDER.index(o["health"]), o["outlet"]))


def queue_context(stats: list[StageStats], now: datetime, tz: Any) -> list[dict[str, Any]]:
    """The work behind ingest per stage: waiting, running, parked, and the oldest task."""
    return [{"stage": s.stage, "name": STAGE_NAMES.get(s.stage, s.stage),
             "waiting": s.waiting + s.queued, "running": s.running, "failed": s.failed,
             "oldest_at": s.oldest.isoformat() if s.oldest else None,
             "oldest": full_time(s.oldest, tz) if s.oldest else "",
             "oldest_seconds": int((now - s.oldest).total_seconds()) if s.oldest else None}
            for s in stats]


async def sources_page(request: Request) -> Response:
    settings = request.app.state.settings
    now = datetime.now(timezone.utc)
    with request.app.state.db.read() as conn:
        overview = sources_overview(conn)
        stats = queue_stats(conn, now)
    tz = zone(settings.timezone)
    outlets = outlets_context(overview["sources"], tz)
    states: dict[str, int] = {}
    for outlet in outlets:
        states[outlet["health_word"]] = states.get(outlet["health_word"], 0) + 1
    context = {"outlets": outlets, "states": states, "feeds": len(overview["sources"]),
               "items_collected": overview["items_collected"],
               "queue": queue_context(stats, now, tz)}
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
    queue = Gauge("ranknews_queue_tasks", "Tasks behind ingest by stage and state",
                  ["stage", "state"], registry=registry)
    oldest = Gauge("ranknews_queue_oldest_seconds", "Age of the oldest task not done, by stage",
                   ["stage"], registry=registry)
    now = datetime.now(timezone.utc)
    with request.app.state.db.read() as conn:
        overview = sources_overview(conn)
        kinds = failures_by_kind(conn, now - timedelta(hours=24))
        stats = queue_stats(conn, now)
    for health, count in overview["health"].items():
        by_health.labels(health).set(count)
    collected.set(overview["items_collected"])
    for kind, count in kinds.items():
        failures.labels(kind).set(count)
    for stage in stats:
        for state in ("waiting", "queued", "running", "failed"):
            queue.labels(stage.stage, state).set(getattr(stage, state))
        oldest.labels(stage.stage).set((now - stage.oldest).total_seconds()
                                       if stage.oldest else 0)
    return generate_latest(registry)


routes = [*twin("/sources", sources_page, "sources"),
          Route("/metrics", metrics, name="metrics", methods=["GET"])]
