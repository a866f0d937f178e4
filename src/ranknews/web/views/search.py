"""The search page (``/search?q=``) and its JSON twin (``/search.json``).

Filters: ``outlet`` (domain), ``section``, ``from``/``to`` (days as Koreans write them,
2024.06.16, or ISO; in the site's time zone), ``page``. The form offers the outlets and the
sections of the database as choices (read at most once a minute). Results are story-aware:
one entry per story, with "관련 기사 N건". Matches
are highlighted by escaping first and marking after (search/highlight.py). Searches are
rate-limited per client address (in-memory token bucket, Korean 429 page); pages are not
kept in the page cache (no-store), because the index runs behind the board and every search
must pass the rate limit. Queries: ``store/search.py``. The rate limit is kept in the
database, shared by every web process, and keyed on the client address the operator's
trusted proxies vouch for (``web/ratelimit.py``, ``web/client.py``).
"""

from __future__ import annotations

import threading
import time as clock
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ranknews.config import Settings
from ranknews.dates import DateWindow, parse_day
from ranknews.search import parse_query
from ranknews.search.engine import RankingOptions, SearchFilters, SearchHit, search
from ranknews.search.highlight import highlight, snippet
from ranknews.store.search import FilterChoices, filter_choices
from ranknews.text.analysis import shared_analyzer
from ranknews.web.client import ClientAddress
from ranknews.web.format import full_time, zone
from ranknews.web.params import BadRequest, board_filter, page_number
from ranknews.web.ratelimit import SharedRateLimiter
from ranknews.web.render import error_page, render, twin

PER_PAGE = 20
MAX_PAGE = 50  # beyond the ranked window there is nothing to page through
_ANALYZER_LOCK = threading.Lock()  # one Kiwi per process; queries are tiny, so serialise
_LIMITER_LOCK = threading.Lock()
CHOICES_SECONDS = 60.0


def choices(request: Request) -> FilterChoices:
    """The outlets and sections the form offers, read at most once a minute per process."""
    state = request.app.state
    cached = getattr(state, "search_choices", None)
    if cached is None or clock.monotonic() - cached[0] > CHOICES_SECONDS:
        with state.db.read() as conn:
            cached = (clock.monotonic(), filter_choices(conn))
        state.search_choices = cached
    return cached[1]


def limiter(request: Request) -> SharedRateLimiter:
    state = request.app.state
    with _LIMITER_LOCK:
        if not hasattr(state, "search_limiter"):
            settings: Settings = state.settings
            state.search_limiter = SharedRateLimiter(
                state.db, settings.search_rate_per_minute, settings.search_rate_burst)
            state.client_address = ClientAddress.from_settings(settings)
    return state.search_limiter


def _day(request: Request, name: str, label: str) -> date | None:
    """A from/to day through the one bounded parser (``ranknews.dates``): a day outside the
    accepted dates (9999-12-31) is moved to the window's end rather than overflowing."""
    raw = request.query_params.get(name) or ""
    if not raw:
        return None
    settings: Settings = request.app.state.settings
    try:
        return parse_day(raw, window=DateWindow.from_settings(settings),
                         tz=zone(settings.timezone))
    except ValueError:
        raise BadRequest(
            f"{label} 값이 올바르지 않습니다: 2024.06.16 형식으로 적어 주세요.") from None


def search_filters(request: Request, settings: Settings) -> SearchFilters:
    board = board_filter(request)  # the board's checks for outlet and section
    start, end = _day(request, "from", "시작일(from)"), _day(request, "to", "종료일(to)")
    if start and end and start > end:
        raise BadRequest("시작일(from)이 종료일(to)보다 늦습니다.")
    tz = zone(settings.timezone)
    return SearchFilters(
        outlet=board.outlet, section=board.section,
        date_from=datetime.combine(start, time(), tzinfo=tz) if start else None,
        date_to=datetime.combine(end + timedelta(days=1), time(), tzinfo=tz) if end else None)


def hit_context(hit: SearchHit, needles: list[str], settings: Settings) -> dict[str, Any]:
    when = hit.published_at or hit.collected_at
    return {
        "board_no": hit.board_no,
        "url": f"/articles/{hit.board_no}",
        "source_url": hit.url,
        "title": hit.title,
        "title_html": str(highlight(hit.title, needles)),
        "snippet_html": str(highlight(snippet(hit.body, needles), needles)),
        "tags": list(hit.tags),
        "outlet": hit.outlet,
        "outlet_domain": hit.outlet_domain,
        "section": hit.section,
        "published_at": when.isoformat() if when else None,
        "when": full_time(when, zone(settings.timezone)),
        "score": hit.score,
        "complete": hit.complete,  # every word of the query (else: some of them)
        "story": ({"id": hit.story_id, "size": hit.story_size,
                   "url": f"/stories/{hit.story_id}"}
                  if hit.story_id is not None and hit.story_size > 1 else None),
    }


def _page_url(params: dict[str, str], page: int) -> str:
    pairs = [(k, v) for k, v in {**params, "page": str(page)}.items() if v]
    return "/search?" + urlencode(pairs)


def search_page(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    shared = limiter(request)
    wait = shared.check(request.app.state.client_address(request.scope) or "unknown")
    if wait:
        response = error_page(request, 429, f"검색 요청이 너무 많습니다. {wait}초 뒤에 다시 "
                                            "검색해 주세요.")
        response.headers["retry-after"] = str(wait)
        return response
    text = request.query_params.get("q", "")
    filters = search_filters(request, settings)
    page = min(page_number(request), MAX_PAGE)
    with _ANALYZER_LOCK:
        query = parse_query(text, shared_analyzer(), max_chars=settings.search_max_query_chars)
    options = RankingOptions(recency_weight=settings.search_recency_weight,
                             half_life_hours=settings.search_half_life_hours,
                             candidate_limit=settings.search_candidate_limit)
    with request.app.state.db.read() as conn:
        results = search(conn, query, filters=filters, options=options,
                         offset=(page - 1) * PER_PAGE, limit=PER_PAGE, by_story=True)
    needles = query.needles
    params = {"q": query.text, "outlet": filters.outlet or "", "section": filters.section or "",
              "from": request.query_params.get("from", ""),
              "to": request.query_params.get("to", "")}
    more = results.candidates > page * PER_PAGE
    context = {
        "query": query.text,
        "filters": {k: v for k, v in params.items() if k != "q"},
        # the format, shown with today's date (a fixed example looked like an old date)
        "today": datetime.now(zone(settings.timezone)).strftime("%Y.%m.%d"),
        "choices": {"outlets": [{"domain": d, "name": n} for d, n in choices(request).outlets],
                    "sections": choices(request).sections},
        "terms": needles,
        "total": results.candidates,
        "total_capped": results.capped,
        "articles": results.articles,
        "stories": results.stories,
        "complete": results.complete,  # entries with every word; partial ones follow
        "any_term": results.mode == "or",
        "page": page,
        "prev_url": _page_url(params, page - 1) if page > 1 else None,
        "next_url": _page_url(params, page + 1) if more and page < MAX_PAGE else None,
        "results": [hit_context(h, needles, settings) for h in results.hits],
    }
    response = render(request, "search/results.html", context)
    response.headers["cache-control"] = "no-store"
    return response


routes = [*twin("/search", search_page, "search")]
