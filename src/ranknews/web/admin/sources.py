"""Sources in the console (admins only): the list with enable/disable, display mode and
interval; adding an outlet or a feed from a pasted site address, with a preview of the
extraction of its latest item before saving (``pipeline/preview.py``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ranknews.errors import FetchError, NotFound, SourceConfigError
from ranknews.fetch.client import build_client
from ranknews.models import DISPLAY_MODES
from ranknews.pipeline.preview import PreviewError, SourcePreview, preview_source
from ranknews.sources.config import check_domain
from ranknews.store.articles import set_display_mode
from ranknews.store.collect import (
    MAX_INTERVAL,
    MIN_INTERVAL,
    add_source,
    feed_known,
    list_sources,
    set_enabled,
    set_interval,
)
from ranknews.store.schema import outlets
from ranknews.web.admin.common import (
    FormError,
    action,
    admin_render,
    done,
    json_error,
    number,
    page,
    text,
)
from ranknews.web.admin.dashboard import source_row
from ranknews.web.admin.guard import AdminState
from ranknews.web.render import JSON_TYPE, wants_json

MODE_NAMES = {"full": "전문", "excerpt": "요약+원문 링크", None: "기본값"}


def _actor(state: AdminState) -> str:
    return f"user:{state.session.user.name}"  # type: ignore[union-attr]


def _list_context(request: Request) -> dict[str, Any]:
    from sqlalchemy import select

    with request.app.state.db.read() as conn:
        rows = list_sources(conn)
        modes = dict(conn.execute(select(outlets.c.domain, outlets.c.display_mode)).all())
    return {"sources": [{**source_row(request, s), "display_mode": modes.get(s.domain),
                         "display_mode_name": MODE_NAMES.get(modes.get(s.domain), "기본값")}
                        for s in rows],
            "min_interval": MIN_INTERVAL, "max_interval": MAX_INTERVAL,
            "default_display_mode": request.app.state.settings.default_display_mode}


def sources_page(request: Request, state: AdminState, form: FormData | None, *,
                 error: str | None = None, status: int = 200) -> Response:
    return admin_render(request, state, "admin/sources.html",
                        {**_list_context(request), "error": error}, status=status)


def _fail(request: Request, state: AdminState, message: str, status: int = 400) -> Response:
    if wants_json(request):
        return json_error(message, status)
    return sources_page(request, state, None, error=message, status=status)


def source_state(request: Request, state: AdminState, form: FormData | None) -> Response:
    try:
        source_id = number(text(form, "id", limit=15), "소스 번호")
        enabled = text(form, "enabled", limit=5)
        if enabled not in ("1", "0"):
            raise FormError("enabled는 1(재개) 또는 0(중지)입니다.")
        changed = set_enabled(request.app.state.db, str(source_id), enabled == "1",
                              actor=_actor(state), reason=text(form, "reason", limit=1000))
    except (FormError, ValueError, NotFound) as exc:
        return _fail(request, state, str(exc), 404 if isinstance(exc, NotFound) else 400)
    source = changed[0]
    word = "재개" if source.enabled else "중지"
    return done(request, state, f"{source.outlet} 소스 {source.id}번 수집을 {word}했습니다.",
                "/admin/sources", source={"id": source.id, "enabled": source.enabled})


def source_interval(request: Request, state: AdminState, form: FormData | None) -> Response:
    try:
        source_id = number(text(form, "id", limit=15), "소스 번호")
        raw = text(form, "interval", limit=10)
        interval = None if raw in ("", "default") else number(raw, "수집 주기(초)")
        source = set_interval(request.app.state.db, source_id, interval,
                              actor=_actor(state), reason=text(form, "reason", limit=1000))
    except (FormError, ValueError, NotFound) as exc:
        return _fail(request, state, str(exc), 404 if isinstance(exc, NotFound) else 400)
    said = f"{source.interval}초" if interval else "소스 파일의 주기"
    return done(request, state, f"{source.outlet} 소스 {source.id}번 수집 주기: {said}",
                "/admin/sources", source={"id": source.id, "interval": source.interval})


def outlet_mode(request: Request, state: AdminState, form: FormData | None) -> Response:
    try:
        domain = text(form, "domain", limit=255)
        mode = text(form, "mode", limit=10)
        if mode not in (*DISPLAY_MODES, "default"):
            raise FormError("표시 방식은 full(전문), excerpt(요약+원문 링크), default입니다.")
        set_display_mode(request.app.state.db, domain, None if mode == "default" else mode,
                         actor=_actor(state), reason=text(form, "reason", limit=1000))
    except (FormError, ValueError, NotFound) as exc:
        return _fail(request, state, str(exc), 404 if isinstance(exc, NotFound) else 400)
    return done(request, state, f"{domain}: 표시 방식 {MODE_NAMES.get(mode, '기본값')}",
                "/admin/sources", domain=domain, mode=mode)


# --- adding a source ----------------------------------------------------------------------

def new_source_page(request: Request, state: AdminState, form: FormData | None, *,
                    address: str = "", preview: SourcePreview | None = None,
                    values: dict[str, Any] | None = None, error: str | None = None,
                    status: int = 200) -> Response:
    context: dict[str, Any] = {"address": address, "error": error, "preview": None,
                               "values": values or {}, "min_interval": MIN_INTERVAL,
                               "max_interval": MAX_INTERVAL}
    if preview is not None:
        latest = dict(preview.latest)
        latest["published"] = _when(request, latest.get("published_at"))
        context["preview"] = {**preview.__dict__, "latest": latest}
        context["values"] = values or {"feed_url": preview.feed_url, "outlet": preview.outlet,
                                       "domain": preview.domain, "section": "",
                                       "interval": 900}
    return admin_render(request, state, "admin/source_new.html", context, status=status)


def _when(request: Request, moment: Any) -> str:
    from ranknews.web.admin.common import when

    return when(request, moment)


async def _preview(request: Request, address: str) -> SourcePreview:
    settings = request.app.state.settings
    async with build_client(settings) as client:
        try:
            return await preview_source(address, client, settings)
        except FetchError as exc:
            raise PreviewError(f"{exc} ({exc.url or address})") from exc


async def source_preview(request: Request, state: AdminState,
                         form: FormData | None) -> Response:
    try:
        address = text(form, "address", limit=2000)
        preview = await _preview(request, address)
    except (FormError, PreviewError) as exc:
        if wants_json(request):
            return json_error(str(exc))
        return await run_in_threadpool(new_source_page, request, state, None,
                                       address=text_or_empty(form, "address"),
                                       error=str(exc), status=400)
    with request.app.state.db.read() as conn:
        duplicate = feed_known(conn, preview.feed_url)
    error = f"이미 등록된 피드입니다: {preview.feed_url}" if duplicate else None
    if wants_json(request):
        return Response(_dumps({"preview": preview.__dict__, "duplicate": duplicate}),
                        media_type=JSON_TYPE)
    return await run_in_threadpool(new_source_page, request, state, None, address=address,
                                   preview=preview, error=error)


def text_or_empty(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value[:2000] if isinstance(value, str) else ""


def _dumps(data: Any) -> bytes:
    from ranknews.web.render import dumps

    return dumps(data)


async def source_add(request: Request, state: AdminState, form: FormData | None) -> Response:
    """Save a source: the feed is checked again (a feed, with items, whose latest item is an
    article) right before it is stored, whatever the form says."""
    db = request.app.state.db
    values = {k: text_or_empty(form, k) for k in ("feed_url", "outlet", "domain", "section",
                                                  "interval", "address")}
    try:
        feed_url = text(form, "feed_url", limit=2000)
        outlet = " ".join(text(form, "outlet", limit=100).split())
        if not outlet:
            raise FormError("언론사 이름을 적어 주세요.")
        section = text(form, "section", limit=64) or None
        interval = number(text(form, "interval", limit=10) or "900", "수집 주기(초)")
        if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
            raise FormError(f"수집 주기는 {MIN_INTERVAL}초에서 {MAX_INTERVAL}초 사이여야 합니다.")
        with db.read() as conn:
            if feed_known(conn, feed_url):
                raise FormError(f"이미 등록된 피드입니다: {feed_url}")
        preview = await _preview(request, feed_url)
        if preview.feed_url != feed_url:
            raise FormError("피드 주소가 다른 곳으로 옮겨졌습니다. 미리 보기를 다시 하세요: "
                            f"{preview.feed_url}")
        domain = check_domain(text(form, "domain", limit=255)
                              or urlsplit(feed_url).hostname or "", "도메인")
        source = await run_in_threadpool(
            lambda: add_source(db, outlet=outlet, domain=domain, feed_url=feed_url,
                               section=section, interval=interval, actor=_actor(state)))
    except (FormError, PreviewError, ValueError, SourceConfigError) as exc:
        if wants_json(request):
            return json_error(str(exc))
        return await run_in_threadpool(new_source_page, request, state, None,
                                       address=values["address"], values=values,
                                       error=str(exc), status=400)
    return await run_in_threadpool(
        done, request, state, f"소스를 추가했습니다: {source.outlet} ({source.feed_url})",
        "/admin/sources", source={"id": source.id, "feed_url": source.feed_url})


routes = [
    *page("/admin/sources", sources_page, role="admin", name="admin.sources"),
    *page("/admin/sources/new", new_source_page, role="admin", name="admin.sources.new"),
    *action("/admin/sources/preview", source_preview, role="admin",
            name="admin.sources.preview"),
    *action("/admin/sources/add", source_add, role="admin", name="admin.sources.add"),
    *action("/admin/sources/state", source_state, role="admin", name="admin.sources.state"),
    *action("/admin/sources/interval", source_interval, role="admin",
            name="admin.sources.interval"),
    *action("/admin/sources/mode", outlet_mode, role="admin", name="admin.sources.mode"),
]
