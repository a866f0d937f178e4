"""The board (``/``), the article view (``/articles/{번호}``), their JSON twins, RSS, health.

Each view turns a query from ``store/board.py`` into a plain context; ``render`` makes the
HTML page or the JSON twin from it. Excerpt mode is applied here, to the context, so the JSON
twin never carries more of an outlet's text than the page does.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ranknews.config import Settings
from ranknews.errors import NotFound
from ranknews.fetch.addresses import names_internal_host
from ranknews.models import Figure
from ranknews.sanitize import safe_url
from ranknews.sources import is_sample_outlet
from ranknews.store.board import (
    ArticleView,
    BoardFilter,
    BoardPage,
    BoardRow,
    article_view,
    board_page,
    latest,
)
from ranknews.store.db import board_version
from ranknews.store.stories import story_board_page
from ranknews.web.format import board_date, full_time, rfc822, zone
from ranknews.web.health import QueueState, home_page_error, queue_state
from ranknews.web.params import BadRequest, board_filter, page_number, positive_int
from ranknews.web.render import render, twin
from ranknews.web.views.stories import annotate_rows, story_link

PAGE_LINKS = 10  # page links shown at once, in blocks of ten as Korean boards do


def _board_url(flt: BoardFilter, **params: int | None) -> str:
    query = {"outlet": flt.outlet, "section": flt.section, **params}
    pairs = [(k, v) for k, v in query.items() if v is not None and v != ""]
    return "/?" + urlencode(pairs) if pairs else "/"


def row_context(row: BoardRow, settings: Settings, today: Any) -> dict[str, Any]:
    context = {
        "board_no": row.board_no,
        "title": row.title,
        "tags": list(row.tags),
        "writer": settings.board_name or row.outlet,
        "outlet": row.outlet,
        "outlet_domain": row.outlet_domain,
        "sample": is_sample_outlet(row.outlet_domain),
        "section": row.section,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "date": board_date(row.published_at, today, zone(settings.timezone)),
        "url": f"/articles/{row.board_no}",
    }
    if row.story_size:  # read with the row: annotate_rows has nothing to ask
        context["story"] = story_link(row.story_id, row.story_size)
    return context


def _pagination(board: BoardPage) -> dict[str, Any]:
    flt = board.filter
    links: dict[str, Any] = {"pages": [], "first": None, "prev_block": None,
                             "next_block": None, "last": None}
    if board.older is not None:
        links["older"] = _board_url(flt, before=board.older)
    if board.newer is not None:
        links["newer"] = _board_url(flt, after=board.newer)
    if board.page_count is None or flt.active:
        return links
    current = board.page or 1
    start = (current - 1) // PAGE_LINKS * PAGE_LINKS + 1
    end = min(start + PAGE_LINKS - 1, board.page_count)
    links["pages"] = [{"page": n, "url": _board_url(flt, page=n if n > 1 else None),
                       "current": n == board.page} for n in range(start, end + 1)]
    if start > 1:
        links["first"] = _board_url(flt)
        links["prev_block"] = _board_url(flt, page=start - 1 if start > 2 else None)
    if end < board.page_count:
        links["next_block"] = _board_url(flt, page=end + 1)
        links["last"] = _board_url(flt, page=board.page_count)
    return links


def board_context(board: BoardPage, settings: Settings) -> dict[str, Any]:
    today = datetime.now(zone(settings.timezone)).date()
    return {
        "rows": [row_context(r, settings, today) for r in board.rows],
        "page": board.page,
        "page_count": board.page_count,
        "total": board.total,
        "filter": {"outlet": board.filter.outlet, "section": board.filter.section},
        "links": _pagination(board),
    }


def board(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    flt = board_filter(request)
    page = page_number(request)
    before = positive_int(request, "before", "before")
    after = positive_int(request, "after", "after")
    if page > 1 and flt.active:
        raise BadRequest("언론사·분야로 거른 게시판은 쪽 번호 대신 '이전/다음' 링크로 넘겨 주세요.")
    if page > 1 and settings.board_one_row_per_story:
        raise BadRequest("이야기별 게시판은 쪽 번호 대신 '이전/다음' 링크로 넘겨 주세요.")
    with request.app.state.db.read() as conn:
        if settings.board_one_row_per_story:
            result = story_board_page(conn, request.app.state.pages, size=settings.page_size,
                                      flt=flt, before=before, after=after)
        else:
            result = board_page(conn, request.app.state.pages, size=settings.page_size,
                                page=page, flt=flt, before=before, after=after)
        context = {"board": board_context(result, settings)}
        annotate_rows(conn, context["board"]["rows"])
        if page == 1 and not flt.active and before is None and after is None:
            for home_context, _ in request.app.state.home_blocks:  # top stories, trends…
                context.update(home_context(request))  # their reads share this connection
    return render(request, "board/index.html", context)


def _own_file(url: str, base_url: str) -> str:
    """An image on the board's own address (the demo's photos, served from /static) as the
    path of that file, which a page may show wherever the board is served."""
    own = base_url.rstrip("/") + "/static/"
    return url[len(own) - len("/static/"):] if base_url and url.startswith(own) else url


def _blocks(view: ArticleView, settings: Settings) -> tuple[list[dict[str, Any]], bool]:
    """The body as the reader may see it: all of it, or the excerpt (first paragraphs, first
    figure) when the outlet asked for excerpts."""
    blocks: list[dict[str, Any]] = []
    paragraphs = figures = 0
    excerpt = view.display_mode == "excerpt"
    for block in view.article.blocks:
        if isinstance(block, Figure):
            url = safe_url(_own_file(block.image_url, settings.base_url))
            # an image on an internal address would make readers' browsers probe their own
            # network (a router's page): never shown
            if url is None or names_internal_host(url) or (excerpt and figures >= 1):
                continue
            figures += 1
            blocks.append({"kind": "figure", "image_url": url, "caption": block.caption,
                           "credit": block.credit})
        else:
            if excerpt and paragraphs >= settings.excerpt_paragraphs:
                continue
            paragraphs += 1
            blocks.append({"kind": "paragraph", "text": block.text})
    return blocks, excerpt


def article_context(view: ArticleView, settings: Settings) -> dict[str, Any]:
    a = view.article
    tz = zone(settings.timezone)
    today = datetime.now(tz).date()
    blocks, excerpt = _blocks(view, settings)
    return {
        "article": {
            "board_no": a.board_no,
            "title": a.title,
            "tags": list(a.tags),
            # a subtitle equal to the headline (the seed page has none) is not repeated
            "subtitles": [s for s in a.subtitles if s and s != a.title],
            "authors": list(a.authors),
            "outlet": a.outlet,
            "outlet_domain": a.outlet_domain,
            "sample": is_sample_outlet(a.outlet_domain),
            "section": a.section,
            "summary": a.summary,
            "published_at": a.published_at.isoformat() if a.published_at else None,
            "updated_at": a.updated_at.isoformat() if a.updated_at else None,
            "published": full_time(a.published_at, tz),
            "updated": full_time(a.updated_at, tz),
            "original_url": safe_url(a.url),
            "display_mode": view.display_mode,
            "excerpt": excerpt,
            "blocks": blocks,
        },
        "older": row_context(view.older, settings, today) if view.older else None,
        "newer": row_context(view.newer, settings, today) if view.newer else None,
        "board": board_context(view.board, settings),
    }


def _board_no(request: Request) -> int:
    number = request.path_params["board_no"]
    if number > 2**53:  # larger numbers were never assigned (and overflow SQLite)
        raise NotFound(f"{number}번 글이 없습니다.")
    return number


def article(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    with request.app.state.db.read() as conn:
        view = article_view(conn, request.app.state.pages, _board_no(request),
                            size=settings.page_size, default_mode=settings.default_display_mode)
        context = article_context(view, settings)
        annotate_rows(conn, context["board"]["rows"])
    own = next((r for r in context["board"]["rows"] if r["board_no"] == view.article.board_no),
               None)
    context["article"]["story"] = own["story"] if own else None
    copy = view.wire_copy
    context["article"]["wire_copy_of"] = ({
        "board_no": copy[0], "url": f"/articles/{copy[0]}", "containment": round(copy[1], 2),
    } if copy else None)
    return render(request, "board/article.html", context)


def rss(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    with request.app.state.db.read() as conn:
        posts = latest(conn, request.app.state.pages, limit=settings.rss_items)
    base = settings.base_url.rstrip("/")
    items = []
    for post in posts:
        first = next(iter(post.paragraphs), "")
        items.append({
            "title": post.display_title,
            "link": f"{base}/articles/{post.board_no}",
            "description": post.summary or first,
            "author": settings.board_name or post.outlet,
            "category": post.section,
            "pub_date": rfc822(post.published_at or post.collected_at),
        })
    env = request.app.state.templates
    xml = env.get_template("board/rss.xml").render(
        site=request.app.state.site, base_url=base, items=items,
        build_date=rfc822(posts[0].published_at) if posts else "")
    return Response(xml, media_type="application/rss+xml; charset=utf-8")


def _database_state(request: Request) -> tuple[int, QueueState]:
    with request.app.state.db.read() as conn:
        request.app.state.pages.refresh(conn)
        return board_version(conn), queue_state(conn)


async def healthz(request: Request) -> Response:
    """ok only when the database answers, the home page renders and the queue behind
    ingest moves (its oldest post waited less than ``health_queue_max_age``); else 503
    with what is wrong."""
    settings: Settings = request.app.state.settings
    pages = request.app.state.pages
    headers = {"cache-control": "no-store"}
    try:
        version, queue = await run_in_threadpool(_database_state, request)
    except Exception:
        return JSONResponse({"ok": False, "db": "error"}, 503, headers=headers)
    home = await home_page_error(request)
    stuck = queue.stuck(settings.health_queue_max_age)
    ok = home is None and not stuck
    return JSONResponse({
        "ok": ok, "db": "ok", "home": "error" if home else "ok", "home_error": home,
        "queue": {"state": "stuck" if stuck else "ok", "pending": queue.pending,
                  "failed": queue.failed, "oldest_seconds": queue.oldest_age},
        "board_version": version, "posts": pages.total, "hidden": pages.hidden_count,
    }, 200 if ok else 503, headers=headers)


FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.svg"


async def favicon(request: Request) -> Response:
    """/favicon.ico, which browsers and feed readers ask for whatever the page links: the
    site's icon (an SVG, as every page links it)."""
    return FileResponse(FAVICON, media_type="image/svg+xml",
                        headers={"cache-control": "public, max-age=86400"})


nav = [{"label": "게시판", "url": "/"}]  # RSS: in the footer, with its icon

routes = [
    *twin("/", board, "board"),
    *twin("/articles/{board_no:int}", article, "article"),
    Route("/rss.xml", rss, name="rss", methods=["GET", "HEAD"]),
    Route("/healthz", healthz, name="healthz", methods=["GET", "HEAD"]),
    Route("/favicon.ico", favicon, name="favicon", methods=["GET", "HEAD"]),
]
