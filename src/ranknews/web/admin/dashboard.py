"""The dashboard (/admin): crawl health per outlet, the queue behind ingest, posts in the
last hour and day, extraction failures and the latest errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ranknews.pipeline.stages import STAGE_NAMES
from ranknews.sources.source import HEALTH_WORDS, Source
from ranknews.store.collect import list_sources
from ranknews.store.console import (
    EXTRACTION_KINDS,
    fetch_failures,
    latest_errors,
    posts_since,
)
from ranknews.store.tasks import failed_tasks, queue_stats
from ranknews.web.admin.common import admin_render, page, when
from ranknews.web.admin.guard import AdminState


def queue_depth(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Work waiting behind ingest, per stage: waiting, running, failed, oldest age (s), and
    the last parked errors (``store.tasks``)."""
    return [{"stage": q.stage, "label": STAGE_NAMES.get(q.stage, q.stage),
             "queued": q.waiting + q.queued, "running": q.running, "failed": q.failed,
             "oldest_age_seconds": round((now - q.oldest).total_seconds(), 1)
             if q.oldest else None}
            for q in queue_stats(conn, now)]


def source_row(request: Request, s: Source) -> dict[str, Any]:
    backoff = s.failures > 0 and s.enabled
    return {"id": s.id, "outlet": s.outlet, "domain": s.domain, "section": s.section,
            "feed_url": s.feed_url, "enabled": s.enabled, "origin": s.origin,
            "health": s.health, "health_word": HEALTH_WORDS[s.health],
            "failures": s.failures, "interval": s.interval,
            "operator_interval": s.operator_interval,
            "items_collected": s.items_collected,
            "last_success_at": s.last_success_at, "last_success": when(request, s.last_success_at),
            "last_error_at": s.last_error_at, "last_error_time": when(request, s.last_error_at),
            "last_error": s.last_error, "last_error_kind": s.last_error_kind,
            "feed_problem": s.feed_problem,
            "next_fetch_at": s.next_fetch_at, "next_fetch": when(request, s.next_fetch_at),
            "backoff": backoff}


def outlets_health(request: Request, rows: list[Source]) -> list[dict[str, Any]]:
    """Sources grouped by outlet, the outlet's state being its worst feed's."""
    order = ["오류", "경고", "대기", "정상", "중지"]
    outlets: dict[str, dict[str, Any]] = {}
    for s in rows:
        entry = outlets.setdefault(s.domain, {"outlet": s.outlet, "domain": s.domain,
                                              "feeds": []})
        entry["feeds"].append(source_row(request, s))
    for entry in outlets.values():
        worst = min((f["health"] for f in entry["feeds"] if f["enabled"]),
                    key=order.index, default="중지")
        entry["health"], entry["health_word"] = worst, HEALTH_WORDS[worst]
        successes = [f["last_success_at"] for f in entry["feeds"] if f["last_success_at"]]
        entry["last_success"] = when(request, max(successes)) if successes else ""
    return sorted(outlets.values(), key=lambda o: (order.index(o["health"]), o["outlet"]))


def dashboard(request: Request, state: AdminState, form: object) -> Response:
    now = datetime.now(timezone.utc)
    with request.app.state.db.read() as conn:
        sources = list_sources(conn)
        queues = queue_depth(conn, now)
        parked = failed_tasks(conn, limit=10)
        hour, day = posts_since(conn, now - timedelta(hours=1)), posts_since(
            conn, now - timedelta(days=1))
        failures = fetch_failures(conn, now - timedelta(days=1))
        errors = latest_errors(conn, 15)
    health: dict[str, int] = {}
    for s in sources:
        health[s.health] = health.get(s.health, 0) + 1
    context = {
        "posts": {"last_hour": hour, "last_day": day},
        "queues": queues,
        "parked": [{"stage": STAGE_NAMES.get(f["stage"], f["stage"]),
                    "board_no": f["board_no"] or None, "subject": f["arg"],
                    "attempts": f["attempts"], "error": f["error"]} for f in parked],
        "health": health,
        "outlets": outlets_health(request, sources),
        "extraction_failures": sum(failures.get(k, 0) for k in EXTRACTION_KINDS),
        "fetch_failures": failures,
        "errors": [{"at": e["at"], "time": when(request, e["at"]), "outlet": e["outlet"],
                    "kind": e["kind"], "status": e["status"], "url": e["url"],
                    "reason": e["reason"]} for e in errors],
    }
    return admin_render(request, state, "admin/dashboard.html", context)


async def _home(request: Request) -> Response:
    from starlette.responses import RedirectResponse

    return RedirectResponse("/admin", 308)


routes = [*page("/admin", dashboard, role="editor", name="admin.dashboard",
                json_path="/admin/index.json"),
          Route("/admin/", _home, methods=["GET", "HEAD"])]
