"""The console doing its work: accounts and passwords, the audit log (once per change,
console and CLI alike), bad input answered on the form with nothing changed, takedowns that
reach every reader page, sources added from a pasted address with a preview, stories merged
and split, the page cache kept away from sessions, the optional proxy header."""

from __future__ import annotations

import dataclasses
import io
import re
from collections import Counter
from datetime import datetime, timezone

import pytest
from admin_support import (
    ADMIN,
    EDITOR,
    Console,
    csrf_of,
    fast_hashing,
    make_console,
    session_token,
    snapshot,
)
from newssite import add_site, rss
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import text
from typer.testing import CliRunner

from ranknews.cli import app as cli
from ranknews.cli.users import read_password
from ranknews.store.audit import cli_actor, entries
from ranknews.web.admin.guard import SESSION_COOKIE

runner = CliRunner()


@pytest.fixture
def console(db, settings, monkeypatch) -> Console:
    fast_hashing(monkeypatch)
    return make_console(db, settings)


def form_error(html: str) -> str:
    node = LexborHTMLParser(html).css_first(".form-error")
    return node.text() if node is not None else ""


# --- accounts ---------------------------------------------------------------------------

def test_passwords_are_argon2id_at_rfc9106_parameters(db):
    from ranknews.accounts import add_user
    from ranknews.accounts.passwords import verify_password
    from ranknews.store.users import find_user

    add_user(db, "kim", "admin", "a long enough pw", actor="test")
    with db.read() as conn:
        _, stored = find_user(conn, "kim")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(stored, "a long enough pw")
    assert not verify_password(stored, "a long enough pW")


def test_an_old_hash_is_upgraded_at_login_without_an_audit_entry(db):
    from argon2 import PasswordHasher

    from ranknews.accounts import LoginLimits, add_user, log_in
    from ranknews.store.users import find_user, set_password_hash

    add_user(db, "kim", "admin", "a long enough pw", actor="test")
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("a long enough pw")
    set_password_hash(db, "kim", weak, actor="test", audit=False)
    log_in(db, "kim", "a long enough pw", address="127.0.0.1", limits=LoginLimits())
    with db.read() as conn:
        _, stored = find_user(conn, "kim")
        actions = [e.action for e in entries(conn)]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert actions == ["user.add"]


def test_bad_names_and_passwords_are_refused_in_korean(db):
    from ranknews.accounts import add_user

    for name, password, said in [("Kim Admin", "long enough pw", "계정 이름"),
                                 ("kim", "short", "10자 이상"),
                                 ("kim", "kim-is-my-password", "계정 이름을 넣을 수 없습니다"),
                                 ("kim", "x" * 201, "200자 이하")]:
        with pytest.raises(ValueError, match=said):
            add_user(db, name, "admin", password, actor="test")
    with pytest.raises(ValueError, match="역할"):
        add_user(db, "kim", "root", "long enough pw", actor="test")


def test_user_add_reads_the_password_from_stdin_never_from_argv(database_url, monkeypatch):
    fast_hashing(monkeypatch)
    added = runner.invoke(cli, ["user", "add", "kim", "--role", "admin", "--db", database_url],
                          input="correct horse battery\n")
    assert added.exit_code == 0, added.output
    assert "계정을 만들었습니다: kim (admin)" in added.output
    help_text = runner.invoke(cli, ["user", "add", "--help"]).output
    assert "--password" not in help_text
    listed = runner.invoke(cli, ["user", "list", "--db", database_url])
    assert re.search(r"kim\s+admin\s+사용", listed.output)


def test_on_a_terminal_the_password_is_asked_twice():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["first-password", "first-password"])
    assert read_password(Tty(), prompt=lambda _: next(answers)) == "first-password"
    answers = iter(["first-password", "other-password"])
    with pytest.raises(ValueError, match="다릅니다"):
        read_password(Tty(), prompt=lambda _: next(answers))


async def test_the_last_admin_cannot_be_disabled_or_demoted(console):
    client, token = await console.login(ADMIN)
    async with client:
        for path, data in [("/admin/users/active", {"name": "boss", "active": "0"}),
                           ("/admin/users/role", {"name": "boss", "role": "editor"})]:
            answer = await client.post(path, data={**data, "csrf_token": token})
            assert answer.status_code == 400
            assert "마지막 관리자" in form_error(answer.text)


async def test_disabling_an_account_ends_its_sessions(console):
    editor, _ = await console.login(EDITOR)
    admin, token = await console.login(ADMIN)
    async with editor, admin:
        assert (await editor.get("/admin/index.json")).status_code == 200
        await admin.post("/admin/users/active", data={"name": "lee", "active": "0",
                                                      "csrf_token": token})
        assert (await editor.get("/admin/index.json")).status_code == 401


async def test_logout_ends_the_session_and_cookies_are_locked_down(console):
    async with console.client() as client:
        form = await client.get("/admin/login")
        login_cookie = form.headers["set-cookie"]
        answer = await client.post("/admin/login", data={
            "name": ADMIN[0], "password": ADMIN[1], "csrf_token": csrf_of(form.text)})
        cookie = next(c for c in answer.headers.get_list("set-cookie")
                      if c.startswith(SESSION_COOKIE + "="))
        token = session_token(answer)
        page = await client.get("/admin")
        await client.post("/admin/logout", data={"csrf_token": csrf_of(page.text)})
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain http here; see the next test
    assert "HttpOnly" in login_cookie and "SameSite=Strict" in login_cookie
    async with console.client(cookies={SESSION_COOKIE: token}) as old:
        again = await old.get("/admin")
    assert again.status_code == 303 and again.headers["location"].startswith("/admin/login")


async def test_cookies_are_secure_when_the_site_is_https(db, settings, monkeypatch):
    fast_hashing(monkeypatch)
    c = make_console(db, settings, base_url="https://news.example.kr")
    async with c.client() as client:
        form = await client.get("/admin/login")
        answer = await client.post("/admin/login", data={
            "name": ADMIN[0], "password": ADMIN[1], "csrf_token": csrf_of(form.text)})
    assert all("Secure" in h for h in answer.headers.get_list("set-cookie"))
    assert "Secure" in form.headers["set-cookie"]


async def test_proxy_user_header_is_off_by_default_and_trusted_only_from_the_proxy(
        db, settings, monkeypatch):
    fast_hashing(monkeypatch)
    header = {"x-remote-user": "boss"}
    off = make_console(db, settings)
    async with off.client() as client:
        assert (await client.get("/admin", headers=header)).status_code == 303
    on = dataclasses.replace(off.settings, admin_proxy_user_header="x-remote-user",
                             admin_proxy_addresses="127.0.0.1")
    from ranknews.web.app import create_app

    async with Console(create_app(on, db), db, on, 1, (1, 3)).client() as client:
        page = await client.get("/admin/users.json", headers=header)
        assert page.status_code == 200 and page.json()["me"]["name"] == "boss"
        token = page.json()["csrf_token"]  # the proxy's user gets a session: CSRF as usual
        refused = await client.post("/admin/users/role.json", headers=header,
                                    data={"name": "lee", "role": "admin"})
        accepted = await client.post("/admin/users/role.json", headers=header,
                                     data={"name": "lee", "role": "admin",
                                           "csrf_token": token})
        assert refused.status_code == 403 and accepted.status_code == 200
    async with Console(create_app(on, db), db, on, 1, (1, 3)).client() as client:
        unknown = await client.get("/admin", headers={"x-remote-user": "nobody"})
        assert unknown.status_code == 303
    elsewhere = dataclasses.replace(on, admin_proxy_addresses="10.9.9.9")
    async with Console(create_app(elsewhere, db), db, elsewhere, 1, (1, 3)).client() as client:
        assert (await client.get("/admin", headers=header)).status_code == 303


# --- the page cache ---------------------------------------------------------------------

async def test_the_page_cache_never_keeps_console_pages_or_cookies(console):
    from ranknews.web.cache import PageCache

    client, _ = await console.login(ADMIN)
    async with client:
        for path in ("/admin", "/admin/index.json", "/admin/takedowns", "/admin/login"):
            answer = await client.get(path)
            assert answer.headers["cache-control"] == "no-store, private", path
            assert "etag" not in answer.headers
        await client.get("/")  # a public page is cached as before
    cache = console.app.middleware_stack
    while not isinstance(cache, PageCache):
        cache = cache.app
    assert cache._pages and all(not key.startswith(b"/admin") for key in cache._pages)


# --- the audit log ----------------------------------------------------------------------

async def test_each_change_is_audited_exactly_once_from_the_console_and_the_cli(
        console, database_url, httpserver):
    feed = add_site(httpserver, "aud", 2)
    client, token = await console.login(ADMIN)
    changes = [
        ("/admin/takedowns/hide.json", {"board_no": "5", "reason": "언론사 요청"}),
        ("/admin/takedowns/unhide", {"board_no": "5", "reason": "요청 철회"}),
        ("/admin/sources/mode.json", {"domain": "www.khan.co.kr", "mode": "excerpt"}),
        ("/admin/sources/mode.json", {"domain": "www.khan.co.kr", "mode": "excerpt"}),  # no-op
        ("/admin/sources/state", {"id": str(console.source_id), "enabled": "0"}),
        ("/admin/sources/interval.json", {"id": str(console.source_id), "interval": "1800"}),
        ("/admin/sources/add.json", {"feed_url": feed, "outlet": "감사일보",
                                     "domain": "127.0.0.1", "interval": "600"}),
        ("/admin/stories/merge.json", {"keep": "1", "other": "3", "reason": "같은 사건"}),
        ("/admin/stories/split", {"story": "1", "move": "4", "reason": "다른 사건"}),
        ("/admin/users/add.json", {"name": "park", "role": "editor",
                                   "password": "new-editor-pw-1"}),
        ("/admin/users/role", {"name": "park", "role": "admin"}),
        ("/admin/users/password.json", {"name": "park", "password": "another-pw-123"}),
        ("/admin/users/active", {"name": "park", "active": "0"}),
        ("/admin/takedowns/hide.json", {"board_no": "6", "reason": ""}),  # refused: no reason
    ]
    async with client:
        for path, data in changes:
            answer = await client.post(path, data={**data, "csrf_token": token})
            assert answer.status_code in (200, 303, 400), (path, answer.text)
    base = ["--db", database_url]
    cli_runs = [["hide", "7", "--reason", "명령줄 게시 중단"], ["unhide", "7", "--reason", "복구"],
                ["outlet-mode", "www.khan.co.kr", "full"], ["sources", "enable", "1"],
                ["sources", "interval", "1", "default"],
                ["story", "merge", "1", "4", "--reason", "다시 합침"],
                ["story", "split", "1", "3", "--reason", "다시 나눔"],
                ["user", "role", "lee", "admin"], ["user", "disable", "lee"],
                ["hide", "7", "--reason", " "]]  # refused: no reason
    for args in cli_runs:
        done = runner.invoke(cli, [*args, *base])
        assert done.exit_code == (2 if args[-1] == " " else 0), (args, done.output)
    with console.db.read() as conn:
        rows = list(reversed(entries(conn, limit=1000)))
    mine = [e for e in rows if e.actor != "test"]
    console_actions = [(e.action, e.target) for e in mine if e.actor == "user:boss"]
    cli_actions = [(e.action, e.target) for e in mine if e.actor == cli_actor()]
    assert len(mine) == len(console_actions) + len(cli_actions)
    assert [a for a, _ in console_actions] == [
        "post.hide", "post.unhide", "outlet.display_mode", "source.disable", "source.interval",
        "source.add", "story.merge", "story.split", "user.add", "user.role", "user.password",
        "user.disable"]
    assert [a for a, _ in cli_actions] == [
        "post.hide", "post.unhide", "outlet.display_mode", "source.enable", "source.interval",
        "story.merge", "story.split", "user.role", "user.disable"]
    assert max(Counter(console_actions + cli_actions).values()) <= 2  # same target, twice
    hide = next(e for e in mine if e.action == "post.hide")
    assert hide.target == "post:5" and hide.reason == "언론사 요청"
    assert hide.before == {"hidden": False, "reason": None}
    assert hide.after == {"hidden": True, "reason": "언론사 요청"}
    password = next(e for e in mine if e.action == "user.password")
    assert "argon2" not in str(password.before) + str(password.after)
    exported = runner.invoke(cli, ["audit", *base])
    assert exported.exit_code == 0 and len(exported.output.splitlines()) == len(rows)


async def test_the_audit_log_is_shown_and_exported_but_not_editable(console):
    client, token = await console.login(ADMIN)
    async with client:
        await client.post("/admin/takedowns/hide", data={"board_no": "2", "reason": "요청",
                                                         "csrf_token": token})
        page = await client.get("/admin/audit")
        export = await client.get("/admin/audit.jsonl")
        for method in ("PUT", "DELETE", "PATCH"):
            answer = await client.request(method, "/admin/audit", data={"csrf_token": token})
            assert answer.status_code == 405
        posted = await client.post("/admin/audit", data={"csrf_token": token})
    assert "게시 중단" in page.text and "user:boss" in page.text
    assert export.headers["content-type"].startswith("application/jsonl")
    assert '"action": "post.hide"' in export.text
    assert posted.status_code == 405


# --- takedowns --------------------------------------------------------------------------

async def test_a_console_takedown_leaves_every_reader_page(console):
    client, token = await console.login(EDITOR)
    async with client:
        found = await client.get("/admin/takedowns.json", params={"q": "기사 제목 2"})
        assert [p["board_no"] for p in found.json()["results"]] == [2]
        by_url = await client.get("/admin/takedowns.json",
                                  params={"q": "https://www.khan.co.kr/article/2"})
        assert [p["board_no"] for p in by_url.json()["results"]] == [2]
        answer = await client.post("/admin/takedowns/hide", data={
            "board_no": "2", "reason": "명예훼손 신고", "csrf_token": token})
        assert answer.status_code == 303
        listed = (await client.get("/admin/takedowns.json")).json()["hidden"]
        public = {path: await client.get(path) for path in
                  ("/", "/index.json", "/articles/2", "/rss.xml", "/stories/1",
                   "/stories/1.json")}
    assert listed[0]["board_no"] == 2 and listed[0]["hidden_by"] == "user:lee"
    assert listed[0]["hidden_reason"] == "명예훼손 신고" and listed[0]["hidden_time"]
    assert public["/articles/2"].status_code == 404
    for path, page in public.items():
        assert "기사 제목 2<" not in page.text and "기사 제목 2\"" not in page.text, path


@pytest.mark.parametrize("reason, said", [("", "사유"), ("   ", "사유"),
                                          ("가" * 10_000, "사유가 너무 깁니다")])
async def test_a_takedown_needs_a_reason_of_reasonable_length(console, reason, said):
    client, token = await console.login(EDITOR)
    before = snapshot(console.db)
    async with client:
        answer = await client.post("/admin/takedowns/hide", data={
            "board_no": "2", "reason": reason, "csrf_token": token})
        twin = await client.post("/admin/takedowns/hide.json", data={
            "board_no": "2", "reason": reason, "csrf_token": token})
    assert answer.status_code == 400 and said in form_error(answer.text)
    assert twin.status_code == 400 and said in twin.json()["error"]
    assert snapshot(console.db) == before


# --- sources ----------------------------------------------------------------------------

def _no_article_site(server) -> str:
    page = server.add("/empty/article/1", "<html><head><title>사진</title></head><body>"
                      "<nav>홈 정치 경제</nav><img src='/x.jpg'></body></html>")
    return server.add("/empty/feed.xml", rss([(page, "사진 모음")]),
                      content_type="application/rss+xml")


async def test_a_source_is_found_from_the_site_address_and_previewed(console, httpserver):
    feed = add_site(httpserver, "news", 3)
    home = httpserver.add("/news/", "<html><head><meta property='og:site_name' "
                          "content='테스트일보'><link rel='alternate' "
                          "type='application/rss+xml' href='/news/feed.xml'></head>"
                          "<body>첫 화면</body></html>")
    client, token = await console.login(ADMIN)
    async with client:
        shown = await client.post("/admin/sources/preview", data={"address": home,
                                                                  "csrf_token": token})
        twin = await client.post("/admin/sources/preview.json", data={"address": home,
                                                                      "csrf_token": token})
        preview = twin.json()["preview"]
        saved = await client.post("/admin/sources/add", data={
            "feed_url": preview["feed_url"], "outlet": preview["outlet"],
            "domain": preview["domain"], "interval": "600", "address": home,
            "csrf_token": token})
        listed = (await client.get("/admin/sources.json")).json()["sources"]
    # the newest item by its time is the feed's first (newssite.rss lists newest first)
    assert shown.status_code == 200 and "news 기사 1" in shown.text
    assert "정부와 여당은 1일 반도체 특별법" in shown.text  # the extracted body
    assert preview["feed_url"] == feed and preview["outlet"] == "테스트일보"
    assert preview["item_count"] == 3 and preview["latest"]["title"] == "news 기사 1"
    assert saved.status_code == 303
    added = next(s for s in listed if s["feed_url"] == feed)
    assert added["outlet"] == "테스트일보" and added["interval"] == 600


@pytest.mark.parametrize("case, said", [
    ("not a feed", "피드가 아니고"), ("no article", "기사 본문을 찾지 못했습니다"),
    ("duplicate", "이미 등록된 피드입니다"), ("unreachable", "연결 실패"),
    ("not an address", "http(s) 주소가 아닙니다")])
async def test_bad_sources_are_explained_on_the_form_and_nothing_changes(
        console, httpserver, case, said):
    feed = add_site(httpserver, "dup", 1)
    plain = httpserver.add("/plain", "<html><body><p>피드 링크가 없는 페이지</p></body></html>")
    address = {"not a feed": plain, "no article": _no_article_site(httpserver),
               "duplicate": feed, "unreachable": "http://127.0.0.1:9/feed.xml",
               "not an address": "ftp://example.kr/feed"}[case]
    client, token = await console.login(ADMIN)
    async with client:
        if case == "duplicate":
            await client.post("/admin/sources/add", data={
                "feed_url": feed, "outlet": "중복일보", "interval": "900",
                "csrf_token": token})
        before = snapshot(console.db)
        previewed = await client.post("/admin/sources/preview", data={
            "address": address, "csrf_token": token})
        saved = await client.post("/admin/sources/add", data={
            "feed_url": address, "outlet": "새 언론사", "interval": "900",
            "csrf_token": token})
        twin = await client.post("/admin/sources/add.json", data={
            "feed_url": address, "outlet": "새 언론사", "interval": "900",
            "csrf_token": token})
    assert said in form_error(previewed.text) or said in previewed.text
    assert saved.status_code == 400 and said in form_error(saved.text)
    assert twin.status_code == 400 and said in twin.json()["error"]
    assert snapshot(console.db) == before


async def test_disable_enable_mode_and_interval_from_the_console(console):
    client, token = await console.login(ADMIN)
    sid = str(console.source_id)
    async with client:
        for data in ({"id": sid, "enabled": "0"}, {"id": sid, "interval": "1800"},
                     {"domain": "www.khan.co.kr", "mode": "excerpt"}):
            path = ("/admin/sources/state" if "enabled" in data else
                    "/admin/sources/interval" if "interval" in data else "/admin/sources/mode")
            assert (await client.post(path, data={**data, "csrf_token": token})
                    ).status_code == 303
        row = (await client.get("/admin/sources.json")).json()["sources"][0]
        bad = await client.post("/admin/sources/interval", data={
            "id": sid, "interval": "5", "csrf_token": token})
    assert not row["enabled"] and row["interval"] == 1800 and row["operator_interval"] == 1800
    assert row["display_mode"] == "excerpt"
    assert bad.status_code == 400 and "60초" in form_error(bad.text)


def test_an_operator_interval_survives_the_sources_file(db):
    from ranknews.sources.config import FeedConfig, OutletConfig
    from ranknews.store.collect import list_sources, set_interval, sync_sources

    outlet = OutletConfig("경향신문", "www.khan.co.kr",
                          (FeedConfig("https://www.khan.co.kr/rss"),), interval=900)
    sync_sources(db, [outlet])
    set_interval(db, 1, 3600, actor="test")
    sync_sources(db, [outlet])
    with db.read() as conn:
        assert list_sources(conn)[0].interval == 3600
    set_interval(db, 1, None, actor="test")
    sync_sources(db, [outlet])
    with db.read() as conn:
        assert list_sources(conn)[0].interval == 900


# --- stories ----------------------------------------------------------------------------

async def test_merge_and_split_with_previews(console):
    client, token = await console.login(EDITOR)
    async with client:
        preview = (await client.get("/admin/stories.json",
                                    params={"keep": "1", "other": "3"})).json()["merge"]
        merged = await client.post("/admin/stories/merge.json", data={
            "keep": "1", "other": "3", "reason": "같은 사건", "csrf_token": token})
        after = (await client.get("/admin/stories.json", params={"post": "4"})).json()
        split_preview = (await client.get("/admin/stories.json", params={
            "story": "1", "move": ["3", "4"]})).json()["split"]
        split = await client.post("/admin/stories/split.json", data={
            "story": "1", "move": ["3", "4"], "reason": "다른 사건", "csrf_token": token})
        same = await client.get("/admin/stories", params={"keep": "1", "other": "1"})
    assert [p["board_no"] for p in preview["result"]["posts"]] == [1, 2, 3, 4]
    assert merged.json()["moved"] == 2
    assert after["story"]["id"] == 1 and after["story"]["size"] == 4
    assert [p["board_no"] for p in split_preview["staying"]] == [1, 2]
    assert split.json()["story"] == 3
    with console.db.read() as conn:
        kinds = [r[0] for r in conn.execute(text("SELECT kind FROM story_links ORDER BY id"))]
        stories = dict(conn.execute(text("SELECT board_no, story_id FROM story_members")).all())
    assert "together" in kinds and "apart" in kinds  # restory keeps these (story_links)
    assert stories == {1: 1, 2: 1, 3: 3, 4: 3}
    assert same.status_code == 400 and "같은 이야기" in form_error(same.text)


# --- pages ------------------------------------------------------------------------------

async def test_every_console_page_and_its_json_twin_answers_in_korean(console):
    client, _ = await console.login(ADMIN)
    pages = [r.path for r in console.app.routes if r.path.startswith("/admin")
             and "GET" in (getattr(r, "methods", None) or ()) and "{" not in r.path]
    async with client:
        for path in pages:
            answer = await client.get(path)
            assert answer.status_code in (200, 308), path
            if path.endswith(".json"):
                assert path.endswith("login.json") or answer.json()["me"]["name"] == "boss"
            elif answer.status_code == 200 and "jsonl" not in path and "export" not in path:
                assert 'lang="ko"' in answer.text and "<h1" in answer.text, path
    assert len(pages) >= 19


async def test_an_editor_sees_no_admin_menu_and_gets_a_korean_403(console):
    client, _ = await console.login(EDITOR)
    async with client:
        home = await client.get("/admin")
        users = await client.get("/admin/users")
    assert "/admin/users" not in home.text and "/admin/sources\"" not in home.text
    assert users.status_code == 403 and "관리자만" in users.text


def test_login_attempts_are_kept_a_month(db):
    from datetime import timedelta

    from ranknews.store.users import record_attempt

    old = datetime(2024, 1, 1, tzinfo=timezone.utc)
    record_attempt(db, name="kim", address="1.2.3.4", ok=False, outcome="unknown", now=old)
    record_attempt(db, name="kim", address="1.2.3.4", ok=False, outcome="unknown",
                   now=old + timedelta(days=31))
    with db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM login_attempts")).scalar() == 1


async def test_a_script_logs_in_and_acts_through_the_json_twins(console):
    async with console.client() as script:
        login = (await script.get("/admin/login.json")).json()
        wrong = await script.post("/admin/login.json", data={
            "name": ADMIN[0], "password": "nope-nope-nope", "csrf_token": login["csrf_token"]})
        done = await script.post("/admin/login.json", data={
            "name": ADMIN[0], "password": ADMIN[1], "csrf_token": login["csrf_token"]})
        token = done.json()["csrf_token"]
        hidden = await script.post("/admin/takedowns/hide.json", data={"board_no": "3",
                                   "reason": "스크립트"}, headers={"x-csrf-token": token})
        missing = await script.post("/admin/takedowns/hide.json", data={"board_no": "404",
                                    "reason": "없는 글"}, headers={"x-csrf-token": token})
    assert wrong.status_code == 401 and "맞지 않습니다" in wrong.json()["error"]
    assert done.json()["me"] == {"name": "boss", "role": "admin", "role_name": "관리자"}
    assert hidden.json() == {"ok": True, "message": "3번 글을 게시 중단했습니다.",
                             "board_no": 3, "hidden": True}
    assert missing.status_code == 404 and "404번 글이 없습니다" in missing.json()["error"]
