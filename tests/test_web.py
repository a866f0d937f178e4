"""The board and article pages through the ASGI app: rows, pagination, filters, errors,
article pieces, display modes, takedowns, JSON twins, RSS, ETag and cache invalidation."""

from __future__ import annotations

import dataclasses
import re
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import feedparser
import httpx
import pytest
from board_data import SEED_ARTICLE, load, record
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import event
from starlette.routing import Route

from ranknews.config import Settings
from ranknews.store.articles import hide, set_display_mode
from ranknews.web.app import create_app


def make_client(settings: Settings, db, **overrides) -> httpx.AsyncClient:
    settings = dataclasses.replace(settings, page_cache_check_seconds=0.0, **overrides)
    app = create_app(settings, db)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://testserver")


@pytest.fixture
def board(db, tmp_path):
    """45 posts, numbers 1..45, plus the seed article as number 46."""
    load(db, tmp_path, [record(i) for i in range(45)] + [SEED_ARTICLE])
    return db


@pytest.fixture
async def client(board, settings):
    async with make_client(settings, board) as c:
        yield c


def rows(html: str) -> list[dict[str, str]]:
    tree = LexborHTMLParser(html)
    return [{"no": tr.css_first("td.no").text(strip=True).replace("현재 글,", ""),
             "title": tr.css_first("td.title").text(strip=True),
             "writer": tr.css_first("td.writer").text(strip=True),
             "date": tr.css_first("td.date").text(strip=True)}
            for tr in tree.css("table.board tbody tr")]


async def test_board_lists_newest_first_twenty_a_page(client):
    page1 = rows((await client.get("/")).text)
    assert [r["no"] for r in page1] == [str(n) for n in range(46, 26, -1)]
    page3 = rows((await client.get("/?page=3")).text)
    assert [r["no"] for r in page3] == [str(n) for n in range(6, 0, -1)]
    assert page1[1] == {"no": "45", "title": "기사 제목 44", "writer": "SBS", "date": "2024.06.16"}
    assert page1[5]["title"] == "[단독]기사 제목 40"  # badge, then the clean headline


async def test_board_tag_badges_and_page_links(client):
    tree = LexborHTMLParser((await client.get("/?page=2")).text)
    badge = tree.css_first("td.title .tag")
    assert badge.text() == "[단독]" and "tag-exclusive" in badge.attributes["class"]
    links = {a.text(): a.attributes["href"] for a in tree.css("nav.pagination a")}
    assert links == {"1": "/", "2": "/?page=2", "3": "/?page=3"}
    current = tree.css_first('nav.pagination a[aria-current="page"]')
    assert current.text() == "2"


async def test_page_past_the_end_is_an_empty_board_with_a_link_back(client):
    response = await client.get("/?page=99")
    assert response.status_code == 200
    assert rows(response.text) == []
    assert "글이 없습니다" in response.text
    assert LexborHTMLParser(response.text).css_first("main a").attributes["href"] == "/"


@pytest.mark.parametrize("query", ["page=abc", "page=-1", "page=0", "page=" + "1" * 30,
                                   "page=1.5", "outlet=%3Cscript%3E", "outlet=a%20b",
                                   "before=x", "after=-3", "section=" + "가" * 80,
                                   "outlet=www.khan.co.kr&page=2"])
async def test_malformed_query_is_a_korean_400(client, query):
    response = await client.get(f"/?{query}")
    assert response.status_code == 400
    assert "잘못된 요청입니다" in response.text
    assert "Traceback" not in response.text and "<script" not in response.text
    assert (await client.get(f"/index.json?{query}")).status_code == 400


async def test_outlet_and_section_filters_with_cursors(client):
    page = rows((await client.get("/?outlet=www.mk.co.kr")).text)
    assert page and all(r["writer"] == "매일경제" for r in page)
    numbers = [int(r["no"]) for r in page]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == 15
    data = (await client.get("/index.json?section=정치&outlet=www.khan.co.kr")).json()
    assert data["board"]["rows"] and all(
        r["section"] == "정치" and r["outlet_domain"] == "www.khan.co.kr"
        for r in data["board"]["rows"])


async def test_cursors_beyond_every_number(client):
    top = (await client.get("/index.json?before=99999999999")).json()["board"]["rows"]
    assert top[0]["board_no"] == 46
    assert (await client.get("/index.json?after=99999999999")).json()["board"]["rows"] == []
    mk = (await client.get("/index.json?outlet=www.mk.co.kr&before=99999999999")).json()
    assert len(mk["board"]["rows"]) == 15


async def test_filtered_board_pages_with_cursors(board, settings):
    async with make_client(settings, board, page_size=10) as client:
        first = (await client.get("/index.json?section=경제")).json()["board"]
        numbers = [r["board_no"] for r in first["rows"]]
        assert numbers[0] == 46 and len(numbers) == 10  # the seed article, then 경제 posts
        assert "newer" not in first["links"]
        older = (await client.get(first["links"]["older"].replace("/?", "/index.json?"))).json()
        rest = [r["board_no"] for r in older["board"]["rows"]]
        assert len(rest) == 6 and rest[0] < numbers[-1] and "older" not in older["board"]["links"]
        assert {r["section"] for r in older["board"]["rows"]} == {"경제"}
        newer = (await client.get(older["board"]["links"]["newer"])).text
    assert [int(r["no"]) for r in rows(newer)] == numbers


async def test_today_shows_hours_and_minutes(db, tmp_path, settings):
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    load(db, tmp_path, [record(1, published=(now - timedelta(days=3)).isoformat()),
                        record(2, published=now.isoformat())])
    async with make_client(settings, db) as client:
        dates = [r["date"] for r in rows((await client.get("/")).text)]
    seoul = now.astimezone(timezone(timedelta(hours=9)))
    assert dates[0] == f"{seoul:%H:%M}"
    assert dates[1] == f"{(seoul - timedelta(days=3)):%Y.%m.%d}"


async def test_board_name_is_shown_as_writer(board, settings):
    async with make_client(settings, board, board_name="랭크뉴스") as client:
        page = rows((await client.get("/")).text)
        data = (await client.get("/index.json")).json()
    assert {r["writer"] for r in page} == {"랭크뉴스"}
    assert {r["writer"] for r in data["board"]["rows"]} == {"랭크뉴스"}
    assert data["board"]["rows"][0]["outlet"] == "경향신문"  # the outlet is still known


async def test_article_view_shows_every_piece(client):
    response = await client.get("/articles/46")
    assert response.status_code == 200
    tree = LexborHTMLParser(response.text)
    assert tree.css_first("html").attributes["lang"] == "ko"
    first_link = tree.css_first("body a")
    assert first_link.text() == "메뉴 건너뛰기" and first_link.attributes["href"] == "#main"
    assert tree.css_first("main#main") is not None
    assert tree.css_first("h1").text() == SEED_ARTICLE["title"]
    assert [li.text() for li in tree.css("ul.subtitles li")] == SEED_ARTICLE["subtitles"]
    figure = tree.css_first("figure")
    caption = SEED_ARTICLE["blocks"][0]["caption"]
    assert figure.css_first("img").attributes["alt"] == caption
    assert figure.css_first("figcaption").text() == f"{caption} 삼성전자 제공"
    assert len(tree.css("figure")) == 2
    paragraphs = [p.text() for p in tree.css(".article-body p")]
    assert paragraphs == [b["text"] for b in SEED_ARTICLE["blocks"] if "text" in b]
    byline = tree.css_first(".byline").text()
    assert "경향신문" in byline and "김경학 기자" in byline
    times = tree.css_first(".times").text()
    assert "입력 2024.06.13 16:18" in times and "수정 2024.06.13 17:05" in times
    original = tree.css_first(".article-source a")
    assert original.attributes["href"] == SEED_ARTICLE["url"]
    assert original.attributes["rel"] == "noopener noreferrer nofollow"
    older = tree.css_first(".prev-next .older a")
    assert older.attributes["href"] == "/articles/45"
    assert tree.css_first(".prev-next .newer") is None  # the newest post


async def test_board_beneath_the_article_marks_its_row(client):
    tree = LexborHTMLParser((await client.get("/articles/20")).text)
    beneath = tree.css_first("section.board-beneath")
    numbers = [td.text(strip=True) for td in beneath.css("td.no")]
    assert numbers[0] == "26" and len(numbers) == 20  # page 2 holds 26..7
    marked = beneath.css('tr[aria-current="page"]')
    assert len(marked) == 1 and "20" in marked[0].css_first("td.no").text()
    assert tree.css_first(".prev-next .newer a").attributes["href"] == "/articles/21"


async def test_excerpt_mode_shows_the_beginning_and_a_link(board, settings):
    set_display_mode(board, "www.khan.co.kr", "excerpt", actor="test")
    async with make_client(settings, board, excerpt_paragraphs=2) as client:
        html = (await client.get("/articles/46")).text
        data = (await client.get("/articles/46.json")).json()
    tree = LexborHTMLParser(html)
    assert len(tree.css(".article-body > p")) == 2
    assert len(tree.css("figure")) == 1
    link = tree.css_first(".excerpt-note a")
    assert link.text() == "원문 보기" and link.attributes["href"] == SEED_ARTICLE["url"]
    assert "파운드리" not in html  # the third paragraph stays at the outlet
    assert data["article"]["excerpt"] is True
    assert [b["kind"] for b in data["article"]["blocks"]] == ["figure", "paragraph", "paragraph"]
    assert "파운드리" not in str(data)


async def test_default_display_mode_setting(board, settings):
    async with make_client(settings, board, default_display_mode="excerpt",
                           excerpt_paragraphs=1) as client:
        data = (await client.get("/articles/46.json")).json()
    assert data["article"]["display_mode"] == "excerpt"
    assert [b["kind"] for b in data["article"]["blocks"]] == ["figure", "paragraph"]


async def test_hidden_post_is_gone_everywhere(client, board):
    await client.get("/")  # warm the cache: the takedown must drop it
    hide(board, 46, "언론사 요청", actor="test")
    hide(board, 30, "저작권 요청", actor="test")
    board_rows = rows((await client.get("/")).text)
    assert "46" not in [r["no"] for r in board_rows] and "30" not in [r["no"] for r in board_rows]
    assert [r["no"] for r in board_rows][:2] == ["45", "44"] and len(board_rows) == 20
    page3 = (await client.get("/index.json?page=3")).json()["board"]
    assert [r["board_no"] for r in page3["rows"]] == [4, 3, 2, 1]
    assert (await client.get("/articles/46")).status_code == 404
    assert (await client.get("/articles/46.json")).status_code == 404
    data = (await client.get("/index.json")).json()
    assert 46 not in [r["board_no"] for r in data["board"]["rows"]]
    assert data["board"]["total"] == 44
    feed = feedparser.parse((await client.get("/rss.xml")).content)
    assert not any(e.link.endswith("/articles/46") for e in feed.entries)
    assert "이재용" not in (await client.get("/rss.xml")).text
    beneath = (await client.get("/articles/31")).text
    assert "/articles/30\"" not in beneath
    health = (await client.get("/healthz")).json()
    assert health["posts"] == 44 and health["hidden"] == 2


@pytest.mark.parametrize("path", ["/articles/9999", "/articles/9999.json",
                                  "/articles/" + "9" * 30, "/articles/3000000000",
                                  "/nowhere"])
async def test_unknown_page_is_a_korean_404(client, path):
    response = await client.get(path)
    assert response.status_code == 404
    if path.endswith(".json"):
        assert response.json()["error"]["status"] == 404
    else:
        assert "페이지를 찾을 수 없습니다" in response.text
        assert 'lang="ko"' in response.text


async def test_unexpected_errors_are_a_korean_500_without_traceback(client, board, caplog):
    def boom(request):
        raise RuntimeError("secret internals /home/app/db.py line 42")

    app = client._transport.app
    app.router.routes.insert(0, Route("/boom", boom))
    response = await client.get("/boom")
    assert response.status_code == 500
    assert "일시적인 오류가 발생했습니다" in response.text
    for leak in ("Traceback", "RuntimeError", "secret internals", "line 42"):
        assert leak not in response.text
    assert "secret internals" in caplog.text  # the operator still sees it in the log


async def test_database_failure_is_a_korean_500(client, board):
    with board.write() as conn:
        conn.exec_driver_sql("ALTER TABLE articles RENAME TO articles_gone")
    response = await client.get("/?page=2")
    assert response.status_code == 500
    assert "Traceback" not in response.text and "articles_gone" not in response.text


async def test_etag_gives_304_and_cache_control(client):
    first = await client.get("/")
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = await client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = await client.get("/", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.text == first.text


async def test_cache_is_invalidated_by_import_and_by_hide(client, board, tmp_path):
    before = await client.get("/")
    etag = before.headers["etag"]
    load(board, tmp_path, [record(100, title="새로 들어온 기사")], name="later")
    after = await client.get("/", headers={"If-None-Match": etag})
    assert after.status_code == 200 and "새로 들어온 기사" in after.text
    hide(board, 47, "오보", actor="test")
    assert "새로 들어온 기사" not in (await client.get("/")).text


async def test_cache_waits_for_the_check_interval(board, settings, tmp_path):
    app = create_app(dataclasses.replace(settings, page_cache_check_seconds=3600), board)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        first = (await client.get("/")).text
        load(board, tmp_path, [record(100, title="새로 들어온 기사")], name="later")
        assert (await client.get("/")).text == first  # served from memory, no query
        # an uncached page uses the same (throttled) page map: consistent with the cache
        assert "새로 들어온 기사" not in (await client.get("/?fresh=1")).text
        # but a new article's own page is found at once (a miss re-reads the map)
        article = await client.get("/articles/47")
        assert article.status_code == 200 and "새로 들어온 기사" in article.text


async def test_rss_is_valid_and_escaped(client):
    response = await client.get("/rss.xml")
    assert response.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert len(feed.entries) == 46
    assert feed.entries[0].title == SEED_ARTICLE["title"]
    assert feed.entries[0].link.endswith("/articles/46")
    assert feed.entries[1].title == "기사 제목 44"
    assert feed.entries[5].title == "[단독] 기사 제목 40"


async def test_json_twins_carry_the_same_data_as_the_pages(client):
    for path, twin in (("/?page=2", "/index.json?page=2"), ("/", "/index.json")):
        html_rows = rows((await client.get(path)).text)
        data = (await client.get(twin)).json()["board"]["rows"]
        assert [r["no"] for r in html_rows] == [str(r["board_no"]) for r in data]
        assert [r["writer"] for r in html_rows] == [r["writer"] for r in data]
        assert [r["date"] for r in html_rows] == [r["date"] for r in data]
        assert [r["title"] for r in html_rows] == [
            "".join(f"[{t}]" for t in r["tags"]) + r["title"] for r in data]
    tree = LexborHTMLParser((await client.get("/articles/46")).text)
    data = (await client.get("/articles/46.json")).json()
    assert data["article"]["subtitles"] == [li.text() for li in tree.css("ul.subtitles li")]
    assert [b["text"] for b in data["article"]["blocks"] if b["kind"] == "paragraph"] == [
        p.text() for p in tree.css(".article-body > p")]
    assert data["article"]["published"] == "2024.06.13 16:18"
    assert [r["board_no"] for r in data["board"]["rows"]] == [
        int(td.text(strip=True).replace("현재 글,", "")) for td in tree.css(".board-beneath td.no")]


async def test_security_headers(client):
    for path in ("/", "/articles/46", "/nowhere", "/?page=abc"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"]


async def test_healthz_is_cheap_json(client):
    data = (await client.get("/healthz")).json()
    assert data == {"ok": True, "db": "ok", "board_version": data["board_version"],
                    "posts": 46, "hidden": 0, "home": "ok", "home_error": None,
                    "queue": data["queue"]}
    assert data["board_version"] >= 1 and data["queue"]["state"] == "ok"


@contextmanager
def recorded_sql(db):
    """Every statement sent to the database, by either path: SQLAlchemy (Core, text()) and
    the store's raw SQL on the driver (``store.driver``), upper-cased."""
    from ranknews.store import driver

    statements: list[str] = []

    def from_sqlalchemy(conn, cursor, statement, parameters, *args):
        statement = statement.upper()
        # SQLAlchemy's SQLite dialect always writes "LIMIT ? OFFSET ?" with an offset of 0
        if "OFFSET ?" in statement and tuple(parameters)[-1] == 0:
            statement = statement.replace("OFFSET ?", "")
        statements.append(statement)

    def from_driver(statement, parameters):
        statements.append(statement.upper())

    event.listen(db.engine, "before_cursor_execute", from_sqlalchemy)
    driver.observers.append(from_driver)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", from_sqlalchemy)
        driver.observers.remove(from_driver)


BOARD_PATHS = ("/?page=3", "/articles/12", "/index.json?page=2", "/?outlet=www.mk.co.kr")


async def test_board_queries_never_offset_or_count(client, board):
    with recorded_sql(board) as statements:
        for path in BOARD_PATHS:
            assert (await client.get(path)).status_code == 200
    # the board's page queries are raw SQL on the driver: they are seen too
    assert any("FROM ARTICLES WHERE HIDDEN_AT IS NULL" in s for s in statements)
    assert not [s for s in statements if "OFFSET" in s or "COUNT(" in s]


async def test_a_board_or_article_page_is_one_statement(board, settings):
    """Uncached, past the board counters' read (once per check interval; every request in
    these tests): a board page is one statement (its rows with their stories; the home
    page's rank snapshots are kept until rank_version moves), and so is an article page (the
    article with its wire-copy mark, its board page with the posts either side of it), at
    the board's edges and page edges too, with the right neighbours."""
    app = create_app(dataclasses.replace(settings, page_cache_check_seconds=0.0), board,
                     cache=False)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    assert (await client.get("/")).status_code == 200  # loads the page map and snapshots
    for path in ("/", "/?page=2", "/articles/46", "/articles/27", "/articles/26", "/articles/1"):
        with recorded_sql(board) as statements:
            assert (await client.get(path)).status_code == 200
        assert len([s for s in statements if "SITE_STATE" not in s]) == 1, (path, statements)
    for number, older, newer in ((46, 45, None), (27, 26, 28), (26, 25, 27), (1, None, 2)):
        data = (await client.get(f"/articles/{number}.json")).json()
        assert (data["older"] or {}).get("board_no") == older
        assert (data["newer"] or {}).get("board_no") == newer


async def test_the_query_check_sees_an_offset_planted_in_a_board_query(board, settings,
                                                                      monkeypatch):
    """The check above listens to the path the board's queries take: an OFFSET planted in
    the raw SQL of a board page is caught."""
    from ranknews.store import board as board_store

    planted = board_store._rows

    def with_offset(conn, flt, condition, params, order, limit, **options):
        real = board_store.rows

        def offsetting(conn, sql, params=None):  # inside the page's own statement
            return real(conn, re.sub(r"(LIMIT \d+)", r"\1 OFFSET 0", sql), params)

        monkeypatch.setattr(board_store, "rows", offsetting)
        try:
            return planted(conn, flt, condition, params, order, limit, **options)
        finally:
            monkeypatch.setattr(board_store, "rows", real)

    monkeypatch.setattr(board_store, "_rows", with_offset)
    app = create_app(dataclasses.replace(settings, page_cache_check_seconds=0.0), board,
                     cache=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as fresh:
        with recorded_sql(board) as statements:
            assert (await fresh.get("/?page=3")).status_code == 200
    assert [s for s in statements if "OFFSET 0" in s]


async def test_json_twins_are_utf8_korean(client):
    for path in ("/index.json", "/articles/46.json"):
        response = await client.get(path)
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        assert "게시판".encode() in response.content or "기사".encode() in response.content
        assert b"\\u" not in response.content  # the Korean as it is, not \uXXXX escapes


async def test_rss_sits_in_the_footer_with_its_icon_and_the_site_has_a_favicon(client):
    tree = LexborHTMLParser((await client.get("/")).text)
    assert "/rss.xml" not in [a.attributes["href"] for a in tree.css(".site-nav a")]
    rss = tree.css_first(".site-footer a.rss")
    assert rss.attributes["href"] == "/rss.xml" and rss.css_first("img[src='/static/rss.svg']") is not None
    icon = tree.css_first('link[rel="icon"]').attributes["href"]
    for path in (icon, "/favicon.ico"):
        response = await client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "image/svg+xml") and b"<svg" in response.content


async def test_static_stylesheet_is_served(client):
    response = await client.get("/static/ranknews.css")
    assert response.status_code == 200 and ":focus-visible" in response.text
