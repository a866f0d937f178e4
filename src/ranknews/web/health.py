"""What /healthz and /metrics know beyond "the database answers": whether the home page
renders, whether the work behind ingest moves, and how many responses failed.

``home_page_error`` renders the home page the way a reader would get it (every block, no
page cache) and returns what went wrong, if anything. ``queue_state`` reads the work queue
behind ingest (``store.tasks.queue_stats``): tasks pending per stage, and how long the
oldest task not done (nor parked as failed) has waited.

``ResponseCounter`` counts responses by status class, 5xx included: an exception that
escapes a view is counted as the 500 the error handler makes of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import Connection

from ranknews.store.tasks import queue_stats

log = logging.getLogger("ranknews.web")
# in the scope of the home page rendered by /healthz: nothing kept in memory, read the database
HEALTH_CHECK = "ranknews.health_check"


@dataclass(frozen=True)
class QueueState:
    pending: dict[str, int]  # tasks waiting, queued or running, by stage
    failed: int  # tasks parked after their last attempt
    oldest_age: float | None  # seconds the oldest pending task has waited

    def stuck(self, max_age: float) -> bool:
        return self.oldest_age is not None and self.oldest_age > max_age


def queue_state(conn: Connection, now: datetime | None = None) -> QueueState:
    now = now or datetime.now(timezone.utc)
    stats = queue_stats(conn, now)
    oldest = min((s.oldest for s in stats if s.oldest is not None), default=None)
    return QueueState({s.stage: s.pending for s in stats}, sum(s.failed for s in stats),
                      (now - oldest).total_seconds() if oldest else None)


async def home_page_error(request: Any) -> str | None:
    """Why the home page would fail for a reader right now, or None when it renders."""
    from ranknews.web.views.board import board

    scope = {**request.scope, "path": "/", "query_string": b"", "method": "GET",
             HEALTH_CHECK: True}
    try:
        response = await _call(board, scope)
    except Exception as exc:  # noqa: BLE001 - that is what we are here to find out
        log.exception("home page check failed")
        return f"{exc.__class__.__name__}: {str(exc)[:200]}"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return None


async def _call(endpoint: Any, scope: dict[str, Any]) -> Any:
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request

    return await run_in_threadpool(endpoint, Request(scope))


class ResponseCounter:
    """ASGI layer counting responses by status class (2xx … 5xx), outermost of the app's
    own layers."""

    def __init__(self, app: Any, *, registry: CollectorRegistry) -> None:
        self.app = app
        self.responses = Counter("ranknews_http_responses", "Responses of the website by "
                                 "status class (2xx, 3xx, 4xx, 5xx)", ["status"],
                                 registry=registry)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counted = False

        async def watch(message: Any) -> None:
            nonlocal counted
            if message["type"] == "http.response.start" and not counted:
                counted = True
                self.responses.labels(f"{message['status'] // 100}xx").inc()
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if not counted:  # the error handler outside turns it into a 500
                self.responses.labels("5xx").inc()
            raise
