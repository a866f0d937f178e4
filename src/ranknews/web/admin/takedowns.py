"""Takedowns (editors and admins): find a post by number, URL or title; hide it with a
required reason, unhide it; the list of hidden posts with who, when and why. Hiding goes
through ``store.articles.hide``, exactly as ``ranknews hide`` does, so the post leaves the
board, article pages, stories, search, RSS and JSON alike."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ranknews.errors import NotFound
from ranknews.store.articles import MAX_REASON_CHARS, check_reason, hide, unhide
from ranknews.store.console import find_posts, hidden_posts
from ranknews.web.admin.common import (
    FormError,
    action,
    admin_render,
    done,
    json_error,
    number,
    page,
    text,
    when,
)
from ranknews.web.admin.guard import AdminState
from ranknews.web.render import wants_json

REASON_FORM_LIMIT = 20_000  # read this much, so that a long reason gets its own message


def _post(request: Request, row: dict[str, Any]) -> dict[str, Any]:
    return {"board_no": row["board_no"], "title": row["title"], "outlet": row["outlet"],
            "url": row["url"], "hidden": row["hidden_at"] is not None,
            "hidden_at": row["hidden_at"], "hidden_time": when(request, row["hidden_at"]),
            "hidden_reason": row.get("hidden_reason"), "hidden_by": row.get("actor"),
            "published": when(request, row.get("published_at") or row.get("collected_at"))}


def takedowns_page(request: Request, state: AdminState, form: FormData | None, *,
                   error: str | None = None, reason: str = "", board_no: int | None = None,
                   status: int = 200) -> Response:
    query = (request.query_params.get("q") or "").strip()[:300]
    with request.app.state.db.read() as conn:
        found = find_posts(conn, query) if query else []
        hidden = hidden_posts(conn, limit=100)
    context = {"q": query, "results": [_post(request, r) for r in found],
               "hidden": [_post(request, r) for r in hidden],
               "error": error, "reason": reason, "target": board_no,
               "max_reason": MAX_REASON_CHARS}
    return admin_render(request, state, "admin/takedowns.html", context, status=status)


def _moderate(request: Request, state: AdminState, form: FormData | None,
              hidden: bool) -> Response:
    board_no = None
    reason = ""
    try:
        board_no = number(text(form, "board_no", limit=15), "글 번호")
        reason = check_reason(text(form, "reason", limit=REASON_FORM_LIMIT))
        (hide if hidden else unhide)(request.app.state.db, board_no, reason,
                                     actor=f"user:{state.session.user.name}")  # type: ignore
    except (FormError, ValueError, NotFound) as exc:
        status = 404 if isinstance(exc, NotFound) else 400
        if wants_json(request):
            return json_error(str(exc), status)
        raw = form.get("reason") if form is not None else ""
        return takedowns_page(request, state, None, error=str(exc), board_no=board_no,
                              reason=raw[:MAX_REASON_CHARS] if isinstance(raw, str) else "",
                              status=status)
    word = "게시 중단했습니다" if hidden else "다시 게시했습니다"
    return done(request, state, f"{board_no}번 글을 {word}.", "/admin/takedowns",
                board_no=board_no, hidden=hidden)


def hide_post(request: Request, state: AdminState, form: FormData | None) -> Response:
    return _moderate(request, state, form, True)


def unhide_post(request: Request, state: AdminState, form: FormData | None) -> Response:
    return _moderate(request, state, form, False)


routes = [
    *page("/admin/takedowns", takedowns_page, role="editor", name="admin.takedowns"),
    *action("/admin/takedowns/hide", hide_post, role="editor", name="admin.takedowns.hide"),
    *action("/admin/takedowns/unhide", unhide_post, role="editor",
            name="admin.takedowns.unhide"),
]
