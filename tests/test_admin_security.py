"""The console's protections, attacked: every state-changing route without a session, with
an expired or idle session, with an editor's session where an admin's is needed, without a
CSRF token and with another session's token; login brute force, session fixation, open
redirects after login, stored XSS in what the console shows.

Each attack counts as "got through" when the view ran (the answer is not the gate's or the
role check's refusal) or the database changed. The counts go to the summary at the end of
the run (conftest.pytest_terminal_summary). Every matrix is also run with its protection
removed (monkeypatched away), where every attempt must get through: so these tests fail if
the protection goes.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from admin_support import (
    ADMIN,
    EDITOR,
    TALLY,
    Console,
    csrf_of,
    fast_hashing,
    make_console,
    refused,
    session_token,
    snapshot,
)
from newssite import add_site
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import text

from ranknews.accounts import add_user, set_active
from ranknews.store.users import User, load_session
from ranknews.web.admin import guard
from ranknews.web.admin.auth import safe_next

KANG = ("kang", "third-account-pw")  # the account the user actions change
_names = itertools.count()


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch):
    fast_hashing(monkeypatch)


@pytest.fixture
def console(db, settings, httpserver) -> Console:
    made = make_console(db, settings)
    add_user(db, KANG[0], "editor", KANG[1], actor="test")
    made.extra["feed"] = add_site(httpserver, "sec", 2)
    return made


def payloads(c: Console) -> dict[str, tuple[str, Callable[[], dict[str, Any]]]]:
    """Every state-changing console route: the role it needs and a valid form for it."""
    feed = c.extra["feed"]
    return {
        "/admin/sources/preview": ("admin", lambda: {"address": feed}),
        "/admin/sources/add": ("admin", lambda: {
            "feed_url": feed, "outlet": "테스트일보", "domain": "127.0.0.1",
            "interval": "900"}),
        "/admin/sources/state": ("admin", lambda: {"id": str(c.source_id), "enabled": "0"}),
        "/admin/sources/interval": ("admin", lambda: {"id": str(c.source_id),
                                                      "interval": "1800"}),
        "/admin/sources/mode": ("admin", lambda: {"domain": "www.khan.co.kr",
                                                  "mode": "excerpt"}),
        "/admin/takedowns/hide": ("editor", lambda: {"board_no": "5", "reason": "요청"}),
        "/admin/takedowns/unhide": ("editor", lambda: {"board_no": "6", "reason": "철회"}),
        "/admin/stories/merge": ("editor", lambda: {"keep": "1", "other": "3",
                                                    "reason": "같은 사건"}),
        "/admin/stories/split": ("editor", lambda: {"story": "1", "move": "2",
                                                    "reason": "다른 사건"}),
        "/admin/users/add": ("admin", lambda: {"name": f"new{next(_names)}",
                                               "role": "admin", "password": "a-long-password"}),
        "/admin/users/role": ("admin", lambda: {"name": KANG[0], "role": "admin"}),
        "/admin/users/password": ("admin", lambda: {"name": KANG[0],
                                                    "password": "taken-over-pw"}),
        "/admin/users/active": ("admin", lambda: {"name": KANG[0], "active": "0"}),
        "/admin/logout": ("editor", lambda: {}),  # last: it ends the session it is sent with
    }


def test_every_state_changing_route_is_in_the_attack_table(db, settings, httpserver):
    """A new POST route under /admin must be added to ``payloads`` (and so attacked), with
    the role it declares; login is attacked by the login tests."""
    c = make_console(db, settings)
    c.extra["feed"] = "http://127.0.0.1/feed"
    table = payloads(c)
    posted = {r.path: r.endpoint for r in c.app.routes
              if "POST" in (getattr(r, "methods", None) or ()) and r.path.startswith("/admin")}
    login = {"/admin/login", "/admin/login.json"}
    assert set(posted) - login == set(table) | {f"{p}.json" for p in table}
    for path, endpoint in posted.items():
        if path not in login:
            assert endpoint.admin_role == table[path.removesuffix(".json")][0], path


def _routes(c: Console, *, admin_only: bool = False) -> list[tuple[str, dict[str, Any]]]:
    chosen = []
    for path, (role, data) in payloads(c).items():
        if admin_only and role != "admin":
            continue
        chosen += [(path, data()), (f"{path}.json", data())]
    logout = [r for r in chosen if r[0].startswith("/admin/logout")]
    return [r for r in chosen if r not in logout] + logout


async def _attack(c: Console, name: str, send: Callable[..., Any],
                  routes: list[tuple[str, dict[str, Any]]],
                  prepare: Callable[[], Any] | None = None) -> tuple[list[str], list[str]]:
    """Send each route's form; ``prepare`` (before the snapshot) makes what ``send`` gets."""
    through = []
    for path, data in routes:
        ready = await prepare() if prepare else None
        before = snapshot(c.db)
        response = await (send(path, data, ready) if prepare else send(path, data))
        if not refused(response) or snapshot(c.db) != before:
            through.append(f"{path}: {response.status_code}")
    return [path for path, _ in routes], through


async def _no_session(c: Console) -> tuple[list[str], list[str]]:
    async def send(path: str, data: dict[str, Any]) -> Any:
        async with c.client() as client:
            return await client.post(path, data={**data, "csrf_token": "A" * 43})
    return await _attack(c, "no session", send, _routes(c))


async def _expired(c: Console) -> tuple[list[str], list[str]]:
    count = itertools.count()

    async def prepare() -> Any:
        client, token = await c.login(ADMIN)
        past = datetime.now(timezone.utc) - timedelta(days=2)
        column = "expires_at" if next(count) % 2 else "last_seen_at"  # expired, or idle
        with c.db.write() as conn:
            conn.execute(text(f"UPDATE admin_sessions SET {column} = :t"), {"t": past})
        return client, token

    async def send(path: str, data: dict[str, Any], ready: Any) -> Any:
        client, token = ready
        try:
            return await client.post(path, data={**data, "csrf_token": token})
        finally:
            await client.aclose()
    return await _attack(c, "expired", send, _routes(c), prepare)


async def _editor(c: Console) -> tuple[list[str], list[str]]:
    client, token = await c.login(EDITOR)

    async def send(path: str, data: dict[str, Any]) -> Any:
        return await client.post(path, data={**data, "csrf_token": token})
    try:
        return await _attack(c, "editor", send, _routes(c, admin_only=True))
    finally:
        await client.aclose()


async def _no_csrf(c: Console) -> tuple[list[str], list[str]]:
    client, _ = await c.login(ADMIN)

    async def send(path: str, data: dict[str, Any]) -> Any:
        return await client.post(path, data=data)
    try:
        return await _attack(c, "no csrf", send, _routes(c))
    finally:
        await client.aclose()


async def _other_token(c: Console) -> tuple[list[str], list[str]]:
    client, _ = await c.login(ADMIN)
    other, other_token = await c.login(ADMIN)  # the same account, another session

    async def send(path: str, data: dict[str, Any]) -> Any:
        if len(path) % 2:  # in the form, or in the header scripts use
            return await client.post(path, data={**data, "csrf_token": other_token})
        return await client.post(path, data=data, headers={"x-csrf-token": other_token})
    try:
        return await _attack(c, "other token", send, _routes(c))
    finally:
        await client.aclose()
        await other.aclose()


ATTACKS = {"without a session": _no_session, "with an expired or idle session": _expired,
           "with an editor's session on admin routes": _editor,
           "without a CSRF token": _no_csrf, "with another session's CSRF token": _other_token}


@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_state_changing_routes_refuse(console, attack):
    paths, through = await ATTACKS[attack](console)
    TALLY[f"routes {attack}"] = (len(paths), len(through))
    assert len(paths) >= 28 or (attack.startswith("with an editor") and len(paths) >= 18)
    assert through == []


async def _remove(attack: str, c: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    if attack in ("without a CSRF token", "with another session's CSRF token",
                  "without a session"):
        monkeypatch.setattr(guard, "_token_matches", lambda *a: True)
    if attack == "without a session":
        client, _ = await c.login(ADMIN)
        token = client.cookies.get(guard.SESSION_COOKIE)
        await client.aclose()
        with c.db.read() as conn:
            admin = load_session(conn, token, now=datetime.now(timezone.utc),
                                 idle=timedelta(hours=1))
        monkeypatch.setattr(guard.AdminGuard, "_session", lambda self, t, now: admin)
    if attack == "with an expired or idle session":
        real = guard.load_session
        monkeypatch.setattr(guard, "load_session", lambda conn, token, now, idle: real(
            conn, token, now=datetime(2000, 1, 1, tzinfo=timezone.utc), idle=idle))
    if attack == "with an editor's session on admin routes":
        monkeypatch.setattr(User, "is_admin", property(lambda self: True))


@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_the_same_attacks_get_through_once_the_protection_is_removed(
        console, attack, monkeypatch):
    """The control: the forms above are valid, so only the protection stopped them. (When
    one session is used for every route, the first logout that gets through ends it, so
    the second one, its JSON twin, is the one attempt that cannot.)"""
    await _remove(attack, console, monkeypatch)
    paths, through = await ATTACKS[attack](console)
    missed = set(paths) - {t.split(":")[0] for t in through}
    assert missed <= {"/admin/logout.json"} and len(through) >= len(paths) - 1


# --- login ------------------------------------------------------------------------------

async def _guess(c: Console, client: Any, name: str, password: str,
                 address: str | None = None) -> Any:
    form = await client.get("/admin/login")
    headers = {"x-forwarded-for": address} if address else {}
    return await client.post("/admin/login", headers=headers, data={
        "name": name, "password": password, "csrf_token": csrf_of(form.text)})


async def test_login_brute_force_is_stopped_per_account(db, settings):
    """30 guesses at the admin's password, the right one 20th: refused, the account is
    limited after 5 failures (whatever the address), and the failures are recorded."""
    c = make_console(db, settings, trusted_proxies="127.0.0.1")
    guesses = [f"guess-{n}" for n in range(30)]
    guesses[19] = ADMIN[1]
    through = 0
    async with c.client() as client:
        for n, guess in enumerate(guesses):
            answer = await _guess(c, client, ADMIN[0], guess, address=f"10.0.0.{n}")
            through += answer.status_code == 303
    with db.read() as conn:
        failed = conn.execute(text("SELECT count(*) FROM login_attempts "
                                   "WHERE name = 'boss' AND NOT ok")).scalar()
        limited = conn.execute(text("SELECT count(*) FROM login_attempts "
                                    "WHERE outcome = 'limited'")).scalar()
    TALLY["login brute force, one account"] = (len(guesses), through)
    assert through == 0 and failed == 30 and limited == 25


async def test_login_brute_force_is_stopped_per_address(db, settings):
    """One address guessing many accounts: after 20 failures even a right password of a
    real account is refused from it, while another address still logs in."""
    c = make_console(db, settings, trusted_proxies="127.0.0.1")
    async with c.client() as client:
        for n in range(25):
            await _guess(c, client, f"user{n}", "guess", address="203.0.113.9")
        answer = await _guess(c, client, EDITOR[0], EDITOR[1], address="203.0.113.9")
        elsewhere = await _guess(c, client, EDITOR[0], EDITOR[1], address="198.51.100.1")
    TALLY["login brute force, one address"] = (26, int(answer.status_code == 303))
    assert answer.status_code == 429 and "너무 많습니다" in answer.text
    assert elsewhere.status_code == 303


async def test_brute_force_gets_through_without_the_limits(db, settings):
    c = make_console(db, settings, admin_login_max_failures=10_000,
                     admin_login_address_max_failures=10_000)
    async with c.client() as client:
        for n in range(6):
            await _guess(c, client, ADMIN[0], f"guess-{n}")
        answer = await _guess(c, client, ADMIN[0], ADMIN[1])
    assert answer.status_code == 303  # the control: only the limit stopped it above


async def test_login_does_not_tell_which_accounts_exist(db, settings):
    c = make_console(db, settings)
    async with c.client() as client:
        unknown = await _guess(c, client, "nobody", "whatever-password")
        wrong = await _guess(c, client, ADMIN[0], "whatever-password")
        # a disabled account with its right password answers the same
        set_active(db, EDITOR[0], False, actor="test")
        disabled = await _guess(c, client, EDITOR[0], EDITOR[1])

    def message(r: Any) -> str:
        return LexborHTMLParser(r.text).css_first(".form-error").text()
    assert unknown.status_code == wrong.status_code == disabled.status_code == 401
    assert message(unknown) == message(wrong) == message(disabled) \
        == "아이디 또는 비밀번호가 맞지 않습니다."


async def test_login_rotates_the_session_no_fixation(db, settings):
    """An attacker plants a session token in the victim's browser: a made-up one, or the
    attacker's own (editor) session. After the victim logs in as admin, the browser holds a
    new token and the planted ones give no admin rights."""
    c = make_console(db, settings)
    async with c.client() as attacker:
        planted_real = session_token(await _guess(c, attacker, *EDITOR))
    attempts, through = 0, 0
    for planted in ("attacker-chosen-token-value-0123456789", planted_real):
        async with c.client(cookies={guard.SESSION_COOKIE: planted}) as victim:
            new = session_token(await _guess(c, victim, *ADMIN))
        assert new and new != planted
        async with c.client(cookies={guard.SESSION_COOKIE: new}) as owner:
            assert (await owner.get("/admin/users.json")).status_code == 200
        async with c.client(cookies={guard.SESSION_COOKIE: planted}) as thief:
            answer = await thief.get("/admin/users.json")
        attempts += 1
        through += answer.status_code == 200
    TALLY["session fixation"] = (attempts, through)
    assert through == 0


OPEN_REDIRECTS = ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil",
                  "/admin/../../evil", "/admin/..//evil.example", "/admin@evil.example",
                  "http:/evil.example", "javascript:alert(1)", "/%2F%2Fevil.example",
                  "/admin\r\nLocation: https://evil.example", " //evil.example",
                  "/evil", "https://testserver.evil.example/admin", "///evil.example",
                  "/admin/\t/evil.example", "data:text/html,x"]


async def test_no_open_redirect_after_login(db, settings):
    c = make_console(db, settings)
    through = []
    for target in OPEN_REDIRECTS:
        async with c.client() as client:
            form = await client.get("/admin/login", params={"next": target})
            answer = await client.post("/admin/login", data={
                "name": ADMIN[0], "password": ADMIN[1], "csrf_token": csrf_of(form.text),
                "next": target})
        location = answer.headers["location"]
        if not (location == "/admin" or location.startswith("/admin/")) or "//" in location:
            through.append((target, location))
    TALLY["open redirect after login"] = (len(OPEN_REDIRECTS), len(through))
    assert through == []
    assert safe_next("/admin/takedowns?q=3") == "/admin/takedowns?q=3"  # local ones kept
    assert safe_next("/admin/sources") == "/admin/sources"


async def test_a_cross_site_login_form_is_refused(db, settings):
    """Login CSRF: a form posted from another site carries no rn_login cookie (SameSite
    Strict), so it is refused and no session is made."""
    c = make_console(db, settings)
    async with c.client() as client:
        answer = await client.post("/admin/login", data={
            "name": ADMIN[0], "password": ADMIN[1], "csrf_token": "A" * 43})
    assert answer.status_code == 403 and "보안 토큰" in answer.text
    assert guard.SESSION_COOKIE not in answer.headers.get("set-cookie", "")


# --- stored XSS -------------------------------------------------------------------------

XSS = ['<script>alert("xss")</script>', '"><img src=x onerror=alert(1)>',
       "<svg/onload=alert(1)>", "javascript:alert(1)", "'><a href=javascript:alert(1)>x</a>"]


def _hostile(html: str) -> list[str]:
    """Markup a payload made: any script, any on* attribute, any javascript: link."""
    tree = LexborHTMLParser(html)
    found = [n.html[:80] for n in tree.css("script, svg, img")]
    for node in tree.css("*"):
        for name, value in (node.attributes or {}).items():
            if name.lower().startswith("on") or (value or "").strip().lower().startswith(
                    "javascript:"):
                found.append(f"{node.tag} {name}={value}")
    return found


async def _xss_pages(db, settings) -> tuple[list[str], list[str]]:
    from ranknews.store.articles import hide

    titles = {1: XSS[0] + " 제목", 3: XSS[1], 5: XSS[2]}
    c = make_console(db, settings, titles=titles)
    for n, payload in enumerate(XSS):
        from ranknews.store.collect import add_source
        add_source(db, outlet=payload, domain=f"x{n}.example.kr",
                   feed_url=f"https://x{n}.example.kr/rss", actor=payload)
    for n, payload in zip((6, 7, 8), XSS):
        hide(db, n, payload, actor="test")
    client, _ = await c.login(ADMIN)
    pages = ["/admin", "/admin/sources", "/admin/takedowns", "/admin/takedowns?q=script",
             "/admin/takedowns?q=6", "/admin/stories?story=1", "/admin/stories?story=3",
             "/admin/stories?keep=1&other=3", "/admin/stories?story=1&move=2",
             "/admin/audit", "/admin/users"]
    found = []
    try:
        for path in pages:
            page = await client.get(path)
            assert page.status_code == 200, path
            found += [f"{path}: {h}" for h in _hostile(page.text)]
    finally:
        await client.aclose()
    return len(pages) * len(XSS), found


async def test_no_stored_xss_through_names_reasons_and_titles(db, settings):
    attempts, found = await _xss_pages(db, settings)
    TALLY["stored XSS (pages x payloads)"] = (attempts, len(found))
    assert found == []


async def test_xss_gets_through_once_escaping_is_removed(db, settings, monkeypatch):
    from ranknews.web import render

    real = render.make_environment

    def unescaped(*args: Any, **kwargs: Any) -> Any:
        env = real(*args, **kwargs)
        env.autoescape = False
        return env
    monkeypatch.setattr("ranknews.web.app.make_environment", unescaped)
    _, found = await _xss_pages(db, settings)
    assert found  # the control: only autoescaping stopped them above
