"""The console under test: a database with posts, two stories, a source, an admin and an
editor; httpx clients that log in through the real login form; a snapshot of everything a
console action could change. Used by test_admin*.py."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from sqlalchemy import text

from ranknews.accounts import add_user
from ranknews.models import Article, Paragraph
from ranknews.pipeline.saving import save_articles
from ranknews.store.collect import add_source
from ranknews.store.stories import save_members
from ranknews.web.app import create_app

ADMIN, EDITOR = ("boss", "first-admin-pw-1"), ("lee", "second-editor-pw")
T0 = datetime(2024, 6, 16, 5, 0, tzinfo=timezone.utc)

# Counts of the security tests (attempts made, attempts that got through), printed at the
# end of the run by conftest.pytest_terminal_summary.
TALLY: dict[str, tuple[int, int]] = {}


def fast_hashing(monkeypatch: Any) -> None:
    """Cheaper argon2id for tests that log in many times (the 2-core test machine spends
    ~1 s a login at RFC 9106's 64 MiB); test_admin.py checks the real parameters."""
    from argon2 import PasswordHasher

    from ranknews.accounts import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY", cheap.hash("no such account"))


def session_token(response: httpx.Response) -> str | None:
    """The session token a response sets, if any."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        value = rest.split(";")[0]
        if name == "rn_admin" and value:
            return value
    return None


def post(n: int, title: str | None = None) -> Article:
    return Article(url=f"https://www.khan.co.kr/article/{n}", outlet="경향신문",
                   outlet_domain="www.khan.co.kr", title=title or f"기사 제목 {n}",
                   blocks=(Paragraph(f"{n}번 기사 본문입니다."),),
                   published_at=T0 + timedelta(minutes=n))


class Client(httpx.AsyncClient):
    """An httpx client that may be entered (``async with``) after it was first used."""

    async def __aenter__(self) -> "Client":
        return self


@dataclass
class Console:
    app: Any
    db: Any
    settings: Any
    source_id: int
    stories: tuple[int, int]  # two stories of two posts each (ids = founders' numbers)
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, **kwargs: Any) -> Client:
        return Client(transport=httpx.ASGITransport(app=self.app),
                                 base_url="http://testserver", **kwargs)

    async def login(self, who: tuple[str, str] = ADMIN) -> tuple[Client, str]:
        """A client logged in through the form, and its session's CSRF token."""
        client = self.client()
        form = await client.get("/admin/login")
        token = csrf_of(form.text)
        done = await client.post("/admin/login", data={"name": who[0], "password": who[1],
                                                        "csrf_token": token})
        assert done.status_code == 303, done.text
        page = await client.get("/admin/index.json")
        return client, page.json()["csrf_token"]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def make_console(db: Any, settings: Any, titles: dict[int, str] | None = None,
                 **overrides: Any) -> Console:
    titles = titles or {}
    save_articles(db, [post(n, titles.get(n)) for n in range(1, 9)])
    with db.write() as conn:
        save_members(conn, [(1, 1, 1.0), (2, 1, 0.5), (3, 3, 1.0), (4, 3, 0.5)], T0)
    source = add_source(db, outlet="경향신문", domain="www.khan.co.kr",
                        feed_url="https://www.khan.co.kr/rss/total.xml", section="정치",
                        actor="test")
    add_user(db, ADMIN[0], "admin", ADMIN[1], actor="test")
    add_user(db, EDITOR[0], "editor", EDITOR[1], actor="test")
    settings = dataclasses.replace(settings, page_cache_check_seconds=0.0,
                                   fetch_host_delay=0.0, fetch_retries=0, **overrides)
    return Console(create_app(settings, db), db, settings, source.id, (1, 3))


def snapshot(db: Any) -> str:
    """A digest of everything a console action can change (not timestamps of use)."""
    queries = {
        "articles": "SELECT board_no, hidden_at, hidden_reason FROM articles ORDER BY board_no",
        "sources": "SELECT id, outlet, feed_url, enabled, interval, operator_interval "
                   "FROM sources ORDER BY id",
        "outlets": "SELECT domain, name, display_mode FROM outlets ORDER BY domain",
        "members": "SELECT board_no, story_id FROM story_members ORDER BY board_no",
        "links": "SELECT a, b, kind FROM story_links ORDER BY id",
        "users": "SELECT name, role, active, password_hash FROM users ORDER BY name",
        "sessions": "SELECT id, user_id FROM admin_sessions ORDER BY id",
        "audit": "SELECT count(*) FROM audit_log",
        "moderation": "SELECT count(*) FROM moderation_log",
    }
    digest = hashlib.sha256()
    with db.read() as conn:
        for name, sql in queries.items():
            rows = [list(map(str, r)) for r in conn.execute(text(sql))]
            digest.update(json.dumps([name, rows]).encode())
    return digest.hexdigest()


def refused(response: httpx.Response) -> bool:
    """The gate or the role check answered: nothing of the view ran."""
    if response.status_code in (401, 403):
        return True
    return response.status_code == 303 and response.headers.get(
        "location", "").startswith("/admin/login?next=")
