"""The console's gate (pure ASGI, in front of the page cache): sessions and CSRF for every
request under /admin.

For each request whose path is /admin or below it:

1. The session: the ``rn_admin`` cookie's token is looked up in ``admin_sessions`` (by its
   SHA-256); an expired, idle or unknown one, or one whose account was disabled, is no
   session. With ``admin_proxy_user_header`` set, a request from a trusted proxy address
   that names an active account gets a session of its own (so CSRF works the same way).
2. No session: pages other than the login page answer 303 to /admin/login (JSON: 401).
3. CSRF, for every method other than GET/HEAD/OPTIONS: the body (form-encoded, at most
   ``MAX_BODY`` bytes) or the ``x-csrf-token`` header must carry the session's token
   (synchronizer token pattern: a random value stored with the session, so a token of
   another session never matches); the login form carries the ``rn_login`` cookie's value
   instead (no session exists yet). A missing or wrong token gets a Korean 403 page before
   any view runs, so nothing changes.
4. Every answer under /admin gets ``Cache-Control: no-store`` and ``Vary: Cookie``.

Roles (editor, admin) are checked by the routes themselves (``web/admin/common.py``).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ranknews.config import Settings
from ranknews.store.db import Database
from ranknews.store.users import (
    Session,
    create_session,
    find_user,
    load_session,
    touch_session,
)
from ranknews.web.client import ClientAddress
from ranknews.web.render import error_page

SESSION_COOKIE = "rn_admin"
LOGIN_COOKIE = "rn_login"
FORM_FIELD = "csrf_token"
HEADER = b"x-csrf-token"
SCOPE_KEY = "ranknews.admin"
MAX_BODY = 512 * 1024  # a 10,000-character Korean reason is ~90 KB form-encoded
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_PATHS = frozenset({"/admin/login", "/admin/login.json"})
TOUCH_EVERY = timedelta(seconds=60)

CSRF_MESSAGE = ("보안 토큰(CSRF)이 없거나 맞지 않아 요청을 거절했습니다. 아무것도 바뀌지 "
                "않았습니다. 페이지를 새로 불러온 뒤 다시 시도하세요.")


def is_admin_path(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


@dataclass
class AdminState:
    """What the gate learnt about a request; views read it from ``request.scope``."""

    session: Session | None
    token: str | None  # the cookie's token of that session (to end it at logout)
    secure: bool  # served over HTTPS: cookies get Secure
    address: str
    login_token: str | None = None  # the rn_login cookie's value, when well-formed
    new_cookie: str | None = None  # a session made here (proxy header): set its cookie


def session_cookie(token: str, *, secure: bool, max_age: int) -> str:
    return (f"{SESSION_COOKIE}={token}; Path=/admin; Max-Age={max_age}; HttpOnly; "
            f"SameSite=Lax{'; Secure' if secure else ''}")


def expired_cookie(name: str, path: str, *, secure: bool) -> str:
    return (f"{name}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Lax"
            f"{'; Secure' if secure else ''}")


def login_cookie(token: str, *, secure: bool) -> str:
    # Strict: a cross-site page can neither send it nor read it, so a login form posted
    # from elsewhere (login CSRF) never carries the matching token
    return (f"{LOGIN_COOKIE}={token}; Path=/admin; Max-Age=3600; HttpOnly; "
            f"SameSite=Strict{'; Secure' if secure else ''}")


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def _well_formed(token: str | None) -> str | None:
    return token if token and 20 <= len(token) <= 100 and token.isascii() else None


class AdminGuard:
    def __init__(self, app: Any, *, db: Database, settings: Settings) -> None:
        self.app = app
        self.db = db
        self.settings = settings
        self.idle = timedelta(minutes=settings.admin_session_idle_minutes)
        self.lifetime = timedelta(hours=settings.admin_session_hours)
        # the address the operator's trusted proxies vouch for (web/client.py), never the
        # first X-Forwarded-For entry a client may write itself
        self.client_address = ClientAddress.from_settings(settings)
        self.proxy_header = settings.admin_proxy_user_header.lower().encode()
        self.proxies = _networks(settings.admin_proxy_addresses)
        self.https_site = settings.base_url.lower().startswith("https://")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not is_admin_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        secure = self.https_site or scope.get("scheme") == "https"
        address = self.client_address(scope)[:64]
        token = request.cookies.get(SESSION_COOKIE)
        now = datetime.now(timezone.utc)
        session = await run_in_threadpool(self._session, token, now)
        state = AdminState(session, token if session else None, secure, address,
                           _well_formed(request.cookies.get(LOGIN_COOKIE)))
        if self.proxy_header and self.proxies:
            await run_in_threadpool(self._proxy_login, scope, state, now)
        scope[SCOPE_KEY] = state
        wants_json = scope["path"].endswith((".json", ".jsonl"))
        public = scope["path"] in PUBLIC_PATHS

        if scope["method"] not in SAFE_METHODS:
            body = await _read_body(receive, MAX_BODY)
            if body is None:
                await self._send(scope, receive, send, error_page(
                    request, 413, "보낸 내용이 너무 큽니다. 아무것도 바뀌지 않았습니다."), state)
                return
            receive = _replay(body, receive)
            if state.session is None and not public:
                await self._send(scope, receive, send, self._login_needed(scope, wants_json),
                                 state)
                return
            expected = state.login_token if public else state.session.csrf_token
            if not _token_matches(scope, body, expected):
                await self._send(scope, receive, send, _refused(request, wants_json), state)
                return
        elif state.session is None and not public:
            await self._send(scope, receive, send, self._login_needed(scope, wants_json),
                             state)
            return
        await self._send(scope, receive, send, None, state)

    async def _send(self, scope: dict[str, Any], receive: Any, send: Any,
                    response: Response | None, state: AdminState) -> None:
        async def private(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(n, v) for n, v in message.get("headers", [])
                           if n not in (b"cache-control", b"vary", b"etag")]
                headers += [(b"cache-control", b"no-store, private"), (b"vary", b"Cookie"),
                            (b"x-robots-tag", b"noindex, nofollow")]
                if state.new_cookie:
                    headers.append((b"set-cookie", state.new_cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        if response is not None:
            await response(scope, receive, private)
        else:
            await self.app(scope, receive, private)

    def _session(self, token: str | None, now: datetime) -> Session | None:
        if not token:
            return None
        with self.db.read() as conn:
            session = load_session(conn, token, now=now, idle=self.idle)
        if session is not None and now - session.last_seen_at >= TOUCH_EVERY:
            touch_session(self.db, session.id, now)
        return session

    def _proxy_login(self, scope: dict[str, Any], state: AdminState, now: datetime) -> None:
        """Trust the proxy's user header: only from a proxy address, only for an active
        account, and a session of another account is replaced."""
        peer = (scope.get("client") or ("", 0))[0] or ""
        if not _in(peer, self.proxies):
            return
        name = next((v.decode("latin-1").strip().lower() for n, v in scope["headers"]
                     if n == self.proxy_header), "")
        if not name:
            return
        if state.session is not None and state.session.user.name == name:
            return
        with self.db.read() as conn:
            found = find_user(conn, name)
        if found is None or not found[0].active:
            state.session, state.token = None, None
            return
        token, _ = create_session(self.db, found[0].id, lifetime=self.lifetime,
                                  address=state.address, user_agent="proxy",
                                  replaces=state.token, now=now)
        with self.db.read() as conn:
            state.session = load_session(conn, token, now=now, idle=self.idle)
        state.token = token
        state.new_cookie = session_cookie(token, secure=state.secure,
                                          max_age=int(self.lifetime.total_seconds()))

    @staticmethod
    def _login_needed(scope: dict[str, Any], wants_json: bool) -> Response:
        if wants_json:
            return JSONResponse({"error": "로그인이 필요합니다.", "login": "/admin/login"}, 401)
        target = scope["path"] if scope["method"] in SAFE_METHODS else "/admin"
        return RedirectResponse(f"/admin/login?next={quote(target, safe='/')}", 303)


def _refused(request: Request, wants_json: bool) -> Response:
    if wants_json:
        return JSONResponse({"error": CSRF_MESSAGE}, 403)
    return error_page(request, 403, CSRF_MESSAGE)


def _token_matches(scope: dict[str, Any], body: bytes, expected: str | None) -> bool:
    if not expected:
        return False
    sent = b""
    for name, value in scope.get("headers") or ():
        if name == HEADER:
            sent = value
            break
    given = sent.decode("latin-1")
    if not given and _content_type(scope) == "application/x-www-form-urlencoded":
        try:
            fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                               max_num_fields=500)
        except (UnicodeDecodeError, ValueError):
            return False
        given = next((v for k, v in fields if k == FORM_FIELD), "")
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def _content_type(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers") or ():
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


async def _read_body(receive: Any, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, original: Any) -> Any:
    """A receive that gives the body read already, then the client's own messages."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


def _networks(value: str) -> tuple[Any, ...]:
    networks = []
    for part in value.split(","):
        if part.strip():
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
    return tuple(networks)


def _in(address: str, networks: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)

