"""Rankings in the open: ``/rank`` (top stories now, today, this week; overall and per
section, each with its reasons), ``/trends`` (trending keywords with the articles behind them),
their JSON twins, and the blocks the home page shows above the board.

Pages only read precomputed snapshots (``rank_snapshots``, written by ``pipeline.update_rank``
and ``refresh_rankings``): no scoring or analysis happens in a request. Views of article and
story pages are counted by ``ViewCounting`` (in front of the page cache, so cached pages count
too) and stored in batches.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone
from typing import Any

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from ranknews.config import Settings
from ranknews.dates import local_time
from ranknews.rank.score import PERIODS
from ranknews.rank.sections import SECTIONS
from ranknews.rank.views import ViewCounter
from ranknews.store.db import RANK_VERSION, Database
from ranknews.store.rank import add_views, load_snapshot
from ranknews.web.cache import depends_on
from ranknews.web.client import ClientAddress
from ranknews.web.format import zone
from ranknews.web.health import HEALTH_CHECK
from ranknews.web.params import BadRequest
from ranknews.web.render import render, twin

log = logging.getLogger("ranknews.web")
HOME_STORIES = 10
HOME_KEYWORDS = 10


def _period(request: Request) -> str:
    period = request.query_params.get("period") or "now"
    if period not in PERIODS:
        raise BadRequest("기간(period) 값은 now, today, week 중 하나여야 합니다.")
    return period


def _section(request: Request) -> str:
    section = request.query_params.get("section") or "전체"
    if section != "전체" and section not in SECTIONS:
        raise BadRequest(f"분야(section) 값은 {', '.join(SECTIONS)} 중 하나여야 합니다.")
    return section


def _local(iso: str | None, settings: Settings) -> str:
    if not iso:
        return ""
    local = local_time(datetime.fromisoformat(iso), zone(settings.timezone))
    return local.strftime("%Y.%m.%d %H:%M") if local else ""


def rank_context(snapshot: Any, computed_at: datetime | None, period: str, section: str,
                 settings: Settings) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    if snapshot:
        entries = snapshot["periods"].get(period, {}).get("sections", {}).get(section, [])
    return {
        "rank": {
            "period": period, "period_label": PERIODS[period].label, "section": section,
            "periods": [{"name": p.name, "label": p.label} for p in PERIODS.values()],
            "sections": ["전체", *SECTIONS],
            "computed_at": computed_at.isoformat() if computed_at else None,
            "computed": _local(computed_at.isoformat(), settings) if computed_at else "",
            "stories": entries,
            "how": "점수 = (10×ln(1+언론사 수) + 4×최근 1시간 새 언론사 + 속보 4 + "
                   "3×ln(1+조회수)) × 신선도(최신 기사 이후 반감기마다 절반)",
        }
    }


def rank_page(request: Request) -> Response:
    period, section = _period(request), _section(request)
    depends_on(request.scope, RANK_VERSION)
    with request.app.state.db.read() as conn:
        computed_at, snapshot = load_snapshot(conn, "rank")
    settings = request.app.state.settings
    # /rank without a period opens on the first one with stories; a period asked for is
    # shown as it is, empty or not
    periods = (period,) if "period" in request.query_params else (period, "today", "week")
    _, context = _first_with_stories(snapshot, computed_at, periods, section, settings)
    return render(request, "rank/rank.html", context)


def _first_with_stories(snapshot: Any, computed_at: datetime | None, periods: tuple[str, ...],
                        section: str, settings: Settings) -> tuple[str, dict[str, Any]]:
    """The first of ``periods`` whose ranking has stories (else the last), with its context:
    "지금" is empty on a quiet night while "오늘" is not."""
    for period in periods:
        context = rank_context(snapshot, computed_at, period, section, settings)
        if context["rank"]["stories"]:
            break
    return period, context


def trends_context(snapshot: Any, computed_at: datetime | None,
                   settings: Settings) -> dict[str, Any]:
    keywords = snapshot["keywords"] if snapshot else []
    return {"trends": {
        "computed_at": computed_at.isoformat() if computed_at else None,
        "computed": _local(computed_at.isoformat(), settings) if computed_at else "",
        "window_hours": 24,
        "keywords": keywords,
        "how": "최근 24시간 동안 각 키워드가 나온 기사(같은 이야기·같은 언론사는 한 번)를 "
               "지난 8주의 평소 비율(그 키워드가 급증했던 날은 빼고)과 비교해, 평소보다 크게 "
               "늘어난 키워드를 보여 줍니다.",
    }}


def trends_page(request: Request) -> Response:
    depends_on(request.scope, RANK_VERSION)
    with request.app.state.db.read() as conn:
        computed_at, snapshot = load_snapshot(conn, "trends")
    return render(request, "rank/trends.html",
                  trends_context(snapshot, computed_at, request.app.state.settings))


def home_context(request: Request) -> dict[str, Any]:
    """The blocks the home page shows above the board: top stories, trending keywords."""
    settings = request.app.state.settings
    depends_on(request.scope, RANK_VERSION)  # cached home pages go when the snapshots move
    pages = request.app.state.pages  # keeps the snapshots until rank_version moves
    with request.app.state.db.read() as conn:
        pages.refresh(conn)  # no query within the check interval (the board page refreshed)
        # /healthz reads them afresh: it asks whether the page renders from the database
        fresh = request.scope.get(HEALTH_CHECK, False)

        def snapshot(kind: str) -> Any:
            def load() -> Any:
                return load_snapshot(conn, kind)
            return load() if fresh else pages.remember(f"snapshot:{kind}", load)

        rank_at, ranking = snapshot("rank")
        trends_at, trends = snapshot("trends")
    # a quiet night: the day's top stories rather than nothing
    period, context = _first_with_stories(ranking, rank_at, ("now", "today"), "전체", settings)
    stories = context["rank"]["stories"]
    keywords = trends_context(trends, trends_at, settings)["trends"]["keywords"]
    # "더 보기" opens the ranking the block shows, not an empty "지금" on a quiet night
    more = "/rank" if period == "now" else f"/rank?period={period}"
    return {"home": {"stories": stories[:HOME_STORIES], "keywords": keywords[:HOME_KEYWORDS],
                     "more_url": more}}


# --- view counting -----------------------------------------------------------------------------

class ViewCounting:
    """ASGI layer in front of the page cache: counts 200 GETs of article and story pages.

    Counts are kept in memory (``ViewCounter``) and written every ``flush_seconds`` in a
    background thread, never in the request's path.
    """

    def __init__(self, app: Any, *, db: Database, settings: Settings,
                 flush_seconds: float = 30.0) -> None:
        self.app = app
        self.db = db
        self.counter = ViewCounter(
            timezone=settings.timezone, per_address=settings.rank_views_per_address,
            operator_addresses=frozenset(a.strip() for a in
                                         settings.rank_operator_addresses.split(",") if a.strip()))
        self.client_address = ClientAddress.from_settings(settings)
        self.flush_seconds = flush_seconds
        self._flushed = time.monotonic()
        self._flushing = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        target = self._target(scope)
        if target is None:
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == 200:
            address, agent = self._visitor(scope)
            self.counter.record(target, address, agent, datetime.now(timezone.utc))
            self._maybe_flush()

    @staticmethod
    def _target(scope: Any) -> str | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        parts = scope["path"].strip("/").split("/")
        if len(parts) == 2 and parts[0] in ("articles", "stories") and parts[1].isdigit():
            return f"{parts[0][:-1]}:{int(parts[1])}"
        return None

    def _visitor(self, scope: Any) -> tuple[str, str]:
        headers = dict(scope.get("headers") or [])
        # the address the operator's proxies vouch for, never the client's own header
        return self.client_address(scope), headers.get(b"user-agent", b"").decode("latin-1")

    def _maybe_flush(self) -> None:
        if time.monotonic() - self._flushed < self.flush_seconds:
            return
        self._flushed = time.monotonic()
        threading.Thread(target=self.flush, daemon=True).start()

    def flush(self) -> None:
        """Write the counted views (also called at shutdown and by tests)."""
        with self._flushing:
            counts = self.counter.drain()
            if not counts:
                return
            try:
                with self.db.write() as conn:
                    add_views(conn, counts)
            except Exception:  # a busy database must not lose the site; views are best effort
                log.exception("storing %d view counts failed", sum(counts.values()))


nav = [{"label": "랭킹", "url": "/rank"}, {"label": "실시간 이슈", "url": "/trends"}]

# Shown above the board on its first page (see web/app.py, ``feature_home``).
home_template = "rank/_home.html"


def middleware(settings: Settings, db: Database) -> list[Middleware]:
    return [Middleware(ViewCounting, db=db, settings=settings)]

routes = [
    *twin("/rank", rank_page, "rank"),
    *twin("/trends", trends_page, "trends"),
]
