"""Accounts in the console (admins only): add, disable and enable, reset a password,
change a role; and the latest failed logins. The last active admin cannot be disabled or
demoted (``store/users.py``)."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ranknews.accounts import add_user, change_password, change_role, set_active
from ranknews.errors import NotFound
from ranknews.store.users import ROLE_NAMES, list_users, recent_attempts
from ranknews.web.admin.common import (
    FormError,
    action,
    admin_render,
    done,
    json_error,
    page,
    text,
    when,
)
from ranknews.web.admin.guard import AdminState
from ranknews.web.render import wants_json

OUTCOMES = {"unknown": "없는 계정", "bad_password": "비밀번호 틀림", "disabled": "중지된 계정",
            "limited": "시도 제한", "ok": "성공"}


def users_page(request: Request, state: AdminState, form: FormData | None, *,
               error: str | None = None, values: dict | None = None,
               status: int = 200) -> Response:
    with request.app.state.db.read() as conn:
        users = list_users(conn)
        attempts = recent_attempts(conn, limit=30)
    context = {
        "users": [{"name": u.name, "role": u.role, "role_name": ROLE_NAMES[u.role],
                   "active": u.active, "last_login": when(request, u.last_login_at),
                   "created": when(request, u.created_at)} for u in users],
        "failed_logins": [{"time": when(request, a["at"]), "at": a["at"], "name": a["name"],
                           "address": a["address"], "outcome": a["outcome"],
                           "outcome_name": OUTCOMES.get(a["outcome"], a["outcome"])}
                          for a in attempts],
        "roles": ROLE_NAMES, "error": error, "values": values or {},
    }
    return admin_render(request, state, "admin/users.html", context, status=status)


def _actor(state: AdminState) -> str:
    return f"user:{state.session.user.name}"  # type: ignore[union-attr]


def _failed(request: Request, state: AdminState, exc: Exception,
            values: dict | None = None) -> Response:
    status = 404 if isinstance(exc, NotFound) else 400
    if wants_json(request):
        return json_error(str(exc), status)
    return users_page(request, state, None, error=str(exc), values=values, status=status)


def user_add(request: Request, state: AdminState, form: FormData | None) -> Response:
    values = {"name": (form.get("name") if form else "") or "",
              "role": (form.get("role") if form else "") or "editor"}
    try:
        name, role = text(form, "name", limit=64), text(form, "role", limit=16)
        password = str(form.get("password") or "") if form is not None else ""
        user = add_user(request.app.state.db, name, role, password, actor=_actor(state))
    except (FormError, ValueError) as exc:
        return _failed(request, state, exc, {k: str(v)[:64] for k, v in values.items()})
    return done(request, state, f"계정을 만들었습니다: {user.name} ({ROLE_NAMES[user.role]})",
                "/admin/users", user=user.name)


def user_active(request: Request, state: AdminState, form: FormData | None) -> Response:
    try:
        name, active = text(form, "name", limit=64), text(form, "active", limit=5)
        if active not in ("1", "0"):
            raise FormError("active는 1(사용) 또는 0(중지)입니다.")
        user = set_active(request.app.state.db, name, active == "1", actor=_actor(state))
    except (FormError, ValueError, NotFound) as exc:
        return _failed(request, state, exc)
    word = "사용" if user.active else "중지"
    return done(request, state, f"{user.name} 계정: {word}", "/admin/users", user=user.name,
                active=user.active)


def user_role(request: Request, state: AdminState, form: FormData | None) -> Response:
    try:
        name, role = text(form, "name", limit=64), text(form, "role", limit=16)
        user = change_role(request.app.state.db, name, role, actor=_actor(state))
    except (FormError, ValueError, NotFound) as exc:
        return _failed(request, state, exc)
    return done(request, state, f"{user.name} 계정의 역할: {ROLE_NAMES[user.role]}",
                "/admin/users", user=user.name, role=user.role)


def user_password(request: Request, state: AdminState, form: FormData | None) -> Response:
    try:
        name = text(form, "name", limit=64)
        password = str(form.get("password") or "") if form is not None else ""
        change_password(request.app.state.db, name, password, actor=_actor(state),
                        keep_session=state.session.id)  # type: ignore[union-attr]
    except (FormError, ValueError, NotFound) as exc:
        return _failed(request, state, exc)
    return done(request, state, f"{name} 계정의 비밀번호를 바꿨습니다. 그 계정의 다른 "
                "로그인은 모두 끝났습니다.", "/admin/users", user=name)


routes = [
    *page("/admin/users", users_page, role="admin", name="admin.users"),
    *action("/admin/users/add", user_add, role="admin", name="admin.users.add"),
    *action("/admin/users/active", user_active, role="admin", name="admin.users.active"),
    *action("/admin/users/role", user_role, role="admin", name="admin.users.role"),
    *action("/admin/users/password", user_password, role="admin",
            name="admin.users.password"),
]
