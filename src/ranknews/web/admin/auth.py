"""Logging in and out of the console.

The login form's CSRF token is the ``rn_login`` cookie's value (HttpOnly, SameSite=Strict,
path /admin); the gate checks it before this code runs. A successful login always
makes a new session (a new random token; the one the browser brought, if any, is ended), so
no one can fix a session id in advance. ``next`` only ever leads to a page of the console.
"""

from __future__ import annotations

import posixpath
from datetime import timedelta
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ranknews.accounts import LoginLimits, LoginRefused, log_in
from ranknews.store.users import ROLE_NAMES, create_session, end_session
from ranknews.web.admin.common import FormError, action, text
from ranknews.web.admin.guard import (
    LOGIN_COOKIE,
    SCOPE_KEY,
    SESSION_COOKIE,
    AdminState,
    expired_cookie,
    login_cookie,
    new_login_token,
    session_cookie,
)
from ranknews.web.render import render, wants_json

HOME = "/admin"


def safe_next(value: str | None) -> str:
    """Where to go after login: a path of the console, else the dashboard. Anything that a
    browser could read as another site (``//host``, ``/\\host``, a scheme, ``@``) or that
    leaves /admin after ``..`` is refused."""
    if not value or len(value) > 500 or not value.isprintable():
        return HOME
    if value.startswith(("//", "/\\")) or "\\" in value or "@" in value:
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return HOME
    path = posixpath.normpath(parts.path)
    if path != HOME and not path.startswith(HOME + "/"):
        return HOME
    return path + (f"?{parts.query}" if parts.query else "")


def _state(request: Request) -> AdminState:
    return request.scope[SCOPE_KEY]


def _login_page(request: Request, state: AdminState, *, error: str | None = None,
                name: str = "", next_: str = HOME, status: int = 200) -> Response:
    token = state.login_token or new_login_token()
    bye = request.query_params.get("bye") == "1"
    current = state.session.user.name if state.session is not None else None
    context = {"csrf_token": token, "error": error, "name": name, "next": next_,
               "message": "로그아웃했습니다." if bye and not error else None,
               "current": current}
    response = render(request, "admin/login.html", context, status=status)
    if token != state.login_token:
        response.headers.append("set-cookie", login_cookie(token, secure=state.secure))
    return response


async def login_form(request: Request) -> Response:
    state = _state(request)
    next_ = safe_next(request.query_params.get("next"))
    return _login_page(request, state, next_=next_)


async def login_submit(request: Request) -> Response:
    state = _state(request)
    form = await request.form(max_fields=20)
    try:
        name = text(form, "name", limit=64)
        password = str(form.get("password") or "")[:1000]
        next_ = safe_next(text(form, "next", limit=500))
    except FormError as exc:
        return _login_page(request, state, error=str(exc), status=400)
    settings = request.app.state.settings
    db = request.app.state.db
    try:
        user = await run_in_threadpool(log_in, db, name, password, address=state.address,
                                       limits=LoginLimits.from_settings(settings))
    except LoginRefused as exc:
        status = 429 if exc.limited else 401
        if wants_json(request):
            return JSONResponse({"error": str(exc)}, status)
        return _login_page(request, state, error=str(exc), name=name[:64], next_=next_,
                           status=status)
    lifetime = timedelta(hours=settings.admin_session_hours)
    token, csrf = await run_in_threadpool(
        create_session, db, user.id, lifetime=lifetime, address=state.address,
        user_agent=request.headers.get("user-agent", ""),
        replaces=request.cookies.get(SESSION_COOKIE))
    if wants_json(request):
        response: Response = JSONResponse({"ok": True, "csrf_token": csrf, "me": {
            "name": user.name, "role": user.role, "role_name": ROLE_NAMES[user.role]}})
    else:
        response = RedirectResponse(next_, 303)
    response.headers.append("set-cookie", session_cookie(
        token, secure=state.secure, max_age=int(lifetime.total_seconds())))
    response.headers.append("set-cookie", expired_cookie(LOGIN_COOKIE, "/admin",
                                                         secure=state.secure))
    return response


def logout(request: Request, state: AdminState, form: object) -> Response:
    if state.token:
        end_session(request.app.state.db, state.token)
    if wants_json(request):
        response: Response = JSONResponse({"ok": True, "message": "로그아웃했습니다."})
    else:
        response = RedirectResponse("/admin/login?bye=1", 303)
    response.headers.append("set-cookie", expired_cookie(SESSION_COOKIE, "/admin",
                                                         secure=state.secure))
    return response


routes = [
    Route("/admin/login", login_form, name="admin.login", methods=["GET", "HEAD"]),
    Route("/admin/login.json", login_form, name="admin.login.json", methods=["GET", "HEAD"]),
    Route("/admin/login", login_submit, name="admin.login.submit", methods=["POST"]),
    Route("/admin/login.json", login_submit, name="admin.login.submit.json",
          methods=["POST"]),
    *action("/admin/logout", logout, role="editor", name="admin.logout"),
]
