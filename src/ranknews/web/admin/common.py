"""What the console's pages share: routes with their role, the page layout's context (the
signed-in user, the CSRF token, the flash message), success and failure answers for HTML
forms and their JSON twins.

Every console route is made by ``page`` (GET, with its ``.json`` twin) or ``action`` (POST,
with its ``.json`` twin); both check the role before the view runs, and mark the endpoint
with it (``admin_role``) so tests can list every route and what it needs.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import Any, Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ranknews.store.users import ROLE_NAMES, touch_session
from ranknews.web.admin.guard import SCOPE_KEY, AdminState
from ranknews.web.format import full_time, zone
from ranknews.web.render import JSON_TYPE, dumps, error_page, render, wants_json

ROLES = ("editor", "admin")
View = Callable[[Request, AdminState, FormData | None], Response | Awaitable[Response]]

NAV = [
    {"label": "대시보드", "url": "/admin", "role": "editor"},
    {"label": "소스", "url": "/admin/sources", "role": "admin"},
    {"label": "게시 중단", "url": "/admin/takedowns", "role": "editor"},
    {"label": "이야기", "url": "/admin/stories", "role": "editor"},
    {"label": "계정", "url": "/admin/users", "role": "admin"},
    {"label": "감사 기록", "url": "/admin/audit", "role": "editor"},
]


class FormError(ValueError):
    """A form's input cannot be used: the message is shown on the form."""


def _forbidden(request: Request) -> Response:
    message = "관리자만 할 수 있는 일입니다. 아무것도 바뀌지 않았습니다."
    if wants_json(request):
        return JSONResponse({"error": message}, 403)
    return error_page(request, 403, message)


def _guarded(endpoint: View, role: str, *, with_form: bool) -> Callable[..., Any]:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    async def run(request: Request) -> Response:
        state: AdminState | None = request.scope.get(SCOPE_KEY)
        if state is None or state.session is None:  # the guard answers these; never here
            return JSONResponse({"error": "로그인이 필요합니다."}, 401)
        if role == "admin" and not state.session.user.is_admin:
            return _forbidden(request)
        form = await request.form(max_fields=200) if with_form else None
        if inspect.iscoroutinefunction(endpoint):
            return await endpoint(request, state, form)
        return await run_in_threadpool(endpoint, request, state, form)

    run.admin_role = role  # type: ignore[attr-defined]
    run.__name__ = getattr(endpoint, "__name__", "admin_view")
    return run


def page(path: str, endpoint: View, *, role: str, name: str,
         json_path: str | None = None) -> list[Route]:
    """A console page (GET/HEAD) and its JSON twin (``path + '.json'``)."""
    guarded = _guarded(endpoint, role, with_form=False)
    return [Route(path, guarded, name=name, methods=["GET", "HEAD"]),
            Route(json_path or f"{path}.json", guarded, name=f"{name}.json",
                  methods=["GET", "HEAD"])]


def action(path: str, endpoint: View, *, role: str, name: str) -> list[Route]:
    """A form that changes something (POST) and its JSON twin (``path + '.json'``)."""
    guarded = _guarded(endpoint, role, with_form=True)
    return [Route(path, guarded, name=name, methods=["POST"]),
            Route(f"{path}.json", guarded, name=f"{name}.json", methods=["POST"])]


def me(state: AdminState) -> dict[str, Any]:
    user = state.session.user  # type: ignore[union-attr]
    return {"name": user.name, "role": user.role, "role_name": ROLE_NAMES[user.role],
            "is_admin": user.is_admin}


def admin_render(request: Request, state: AdminState, template: str, context: dict[str, Any],
                 *, status: int = 200) -> Response:
    """A console page (or its JSON twin) with the layout's context; shows and clears the
    flash message left by the last action."""
    session = state.session
    flash = session.flash if session is not None else None
    if flash and session is not None:
        touch_session(request.app.state.db, session.id, datetime.now().astimezone(),
                      clear_flash=True)
    full = {**context, "flash": flash,
            "csrf_token": session.csrf_token if session else None,
            "me": me(state) if session else None}
    if not wants_json(request):
        full["nav"] = [n for n in NAV if session and (n["role"] == "editor" or
                                                      session.user.is_admin)]
        full["path"] = request.url.path
    return render(request, template, full, status=status)


def done(request: Request, state: AdminState, message: str, to: str,
         **extra: Any) -> Response:
    """After a change: JSON ``{"ok": true, "message": …}``, or back to ``to`` (303) with the
    message shown once there."""
    if wants_json(request):
        return Response(dumps({"ok": True, "message": message, **extra}),
                        media_type=JSON_TYPE)
    if state.session is not None:
        touch_session(request.app.state.db, state.session.id, datetime.now().astimezone(),
                      flash=message)
    return RedirectResponse(to, 303)


def json_error(message: str, status: int = 400) -> Response:
    return JSONResponse({"error": message}, status)


def text(form: FormData | None, name: str, *, limit: int = 200) -> str:
    """A form field as text (stripped); longer than ``limit`` characters is a FormError."""
    value = form.get(name) if form is not None else None
    if value is None or not isinstance(value, str):
        return ""
    value = value.strip()
    if len(value) > limit:
        raise FormError(f"입력이 너무 깁니다: {len(value):,}자 (최대 {limit:,}자).")
    return value


def number(value: str, label: str) -> int:
    value = value.strip()
    if not value.isdigit() or len(value) > 15 or int(value) < 1:
        raise FormError(f"{label}: 1 이상의 숫자를 적어 주세요.")
    return int(value)


def when(request: Request, moment: datetime | None) -> str:
    return full_time(moment, zone(request.app.state.settings.timezone)) if moment else ""
