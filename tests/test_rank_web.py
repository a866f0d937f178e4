"""/rank, /trends, their JSON twins, the home page blocks, and view counting through the app
(pages answered by the page cache count too; bots and bursts do not)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import select
from test_rank import NOW, burst_today, steady_history

from ranknews.pipeline import update_rank
from ranknews.pipeline.saving import save_articles
from ranknews.store.rank import page_views
from ranknews.web.app import create_app

UA = "Mozilla/5.0 (Linux; Android 14) Chrome/120.0 Mobile Safari/537.36"


@pytest.fixture
def ranked(db):
    now = datetime.now(timezone.utc)
    shift = now - NOW
    posts = [dataclasses.replace(p, published_at=p.published_at + shift,
                                 collected_at=p.collected_at + shift)
             for p in steady_history() + burst_today()]
    save_articles(db, posts)
    update_rank(db, now=now)
    return db


def make_app(settings, db, **overrides):
    settings = dataclasses.replace(settings, page_cache_check_seconds=0.0, **overrides)
    return create_app(settings, db)


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://testserver", headers={"user-agent": UA})


async def test_home_shows_top_stories_then_trends_then_the_board(ranked, settings):
    async with client_for(make_app(settings, ranked)) as client:
        html = (await client.get("/")).text
        data = (await client.get("/index.json")).json()
    tree = LexborHTMLParser(html)
    headings = [h.text(strip=True) for h in tree.css("main h1, main h2")]
    assert headings[0].startswith("주요 뉴스") and headings[1].startswith("실시간 이슈 키워드")
    assert headings[2] == "게시판"
    assert tree.css_first(".keyword-list li a").text() == "한빛나노"
    assert data["home"]["keywords"][0]["keyword"] == "한빛나노"
    assert data["home"]["stories"] and data["board"]["rows"]
    assert [a.text(strip=True) for a in tree.css(".rank-list > li > a")] == [
        s["title"] for s in data["home"]["stories"]]


async def test_later_board_pages_have_no_home_blocks(ranked, settings):
    async with client_for(make_app(settings, ranked)) as client:
        data = (await client.get("/index.json?page=2")).json()
        html = (await client.get("/?page=2")).text
    assert "home" not in data and "실시간 이슈 키워드" not in html


async def test_rank_page_and_its_twin_show_the_reasons(ranked, settings):
    async with client_for(make_app(settings, ranked)) as client:
        html = (await client.get("/rank?period=today")).text
        data = (await client.get("/rank.json?period=today")).json()
    stories = data["rank"]["stories"]
    assert stories and stories[0]["reasons"][0].startswith("언론사")
    tree = LexborHTMLParser(html)
    assert [li.text(strip=True) for li in tree.css(".rank-list > li > .why")] == [
        " · ".join(s["reasons"]) for s in stories]
    assert tree.css_first('.tabs a[aria-current="page"]').text() == "오늘"


async def test_rank_per_section(ranked, settings):
    async with client_for(make_app(settings, ranked)) as client:
        data = (await client.get("/rank.json?period=week&section=경제")).json()
    assert all(s["section"] == "경제" for s in data["rank"]["stories"])


async def test_trends_page_links_each_keyword_to_its_articles(ranked, settings):
    async with client_for(make_app(settings, ranked)) as client:
        html = (await client.get("/trends")).text
        data = (await client.get("/trends.json")).json()
    first = data["trends"]["keywords"][0]
    assert first["keyword"] == "한빛나노" and first["article_count"] == 9
    tree = LexborHTMLParser(html)
    links = [a.attributes["href"] for a in tree.css("#kw-1 .trend-articles a")]
    assert links == [f"/articles/{a['board_no']}" for a in first["articles"]]


@pytest.mark.parametrize("query", ["/rank?period=year", "/rank?section=날씨",
                                   "/rank.json?period=%00"])
async def test_bad_parameters_are_a_korean_400(ranked, settings, query):
    async with client_for(make_app(settings, ranked)) as client:
        response = await client.get(query)
    assert response.status_code == 400
    assert "기간" in response.text or "분야" in response.text


async def test_empty_database_pages_render(db, settings):
    async with client_for(make_app(settings, db)) as client:
        for path in ("/rank", "/trends", "/", "/rank.json", "/trends.json"):
            assert (await client.get(path)).status_code == 200
        assert "급상승 키워드가 없습니다" in (await client.get("/trends")).text
        home = LexborHTMLParser((await client.get("/")).text)
    # no keywords: no trends block on the home page, the board comes sooner
    assert home.css_first("#home-trends") is None and "실시간 이슈 키워드" not in home.html


async def test_home_top_stories_lead_to_the_full_ranking(ranked, settings):
    async with client_for(make_app(settings, ranked)) as client:
        tree = LexborHTMLParser((await client.get("/")).text)
    more = tree.css_first(".home-stories .more-link a")
    assert more.text().endswith("더 보기") and more.attributes["href"] == "/rank"


async def test_on_a_quiet_night_more_opens_the_days_ranking(db, settings):
    from datetime import timedelta

    from ranknews.models import Article, Paragraph

    now = datetime.now(timezone.utc)
    save_articles(db, [Article(url=f"https://news.example.kr/q/{i}", outlet=f"일보{i}",
                               outlet_domain=f"n{i}.example.kr", title=title, section="사회",
                               published_at=now - timedelta(hours=7),
                               collected_at=now - timedelta(hours=7),
                               blocks=(Paragraph(title),))
                       for i, title in enumerate(["새벽 도심 화재 진압", "국회 예산안 처리"])])
    update_rank(db, now=now)
    async with client_for(make_app(settings, db)) as client:
        data = (await client.get("/index.json")).json()["home"]
        target = (await client.get(data["more_url"])).text
        opened = (await client.get("/rank.json")).json()["rank"]
        asked = (await client.get("/rank.json?period=now")).json()["rank"]
    # nothing in the last hours: the block shows the day's stories, and so does its link
    assert data["stories"] and data["more_url"] == "/rank?period=today"
    assert data["stories"][0]["title"] in target
    # /rank opens on the day's ranking too; "지금", asked for, is shown empty
    assert [s["title"] for s in opened["stories"]] == [s["title"] for s in data["stories"]]
    assert asked["stories"] == []


async def test_views_count_once_per_visitor_including_cached_pages(ranked, settings):
    app = make_app(settings, ranked)
    async with client_for(app) as client:
        for _ in range(3):  # the 2nd and 3rd are answered by the page cache
            assert (await client.get("/articles/3")).status_code == 200
        await client.get("/articles/3", headers={"user-agent": UA + " other browser"})
        await client.get("/articles/3", headers={"user-agent": "Googlebot/2.1"})
        await client.get("/articles/3.json")  # the twin is not a reader's view
        await client.get("/articles/999999")  # a 404 is not a view
    counting = next(m for m in app.user_middleware if m.cls.__name__ == "ViewCounting")
    layer = app.middleware_stack
    while type(layer).__name__ != "ViewCounting":
        layer = layer.app
    layer.flush()
    with ranked.read() as conn:
        rows = conn.execute(select(page_views.c.target, page_views.c.views)).all()
    assert counting and rows == [("article:3", 2)]


async def test_a_burst_from_one_address_is_not_counted(ranked, settings):
    app = make_app(settings, ranked, rank_views_per_address=5)
    async with client_for(app) as client:
        for i in range(40):
            await client.get(f"/articles/{i + 1}", headers={"user-agent": f"{UA} {i}"})
    layer = app.middleware_stack
    while type(layer).__name__ != "ViewCounting":
        layer = layer.app
    layer.flush()
    with ranked.read() as conn:
        total = sum(r.views for r in conn.execute(select(page_views)).all())
    assert total == 5 and layer.counter.dropped["burst"] == 35


async def test_rank_pages_do_no_scoring_per_request(ranked, settings, monkeypatch):
    import ranknews.rank.pages as pages

    def forbidden(*args, **kwargs):
        raise AssertionError("computed in a request")

    monkeypatch.setattr(pages, "compute_trends", forbidden)
    monkeypatch.setattr(pages, "story_facts", forbidden)
    async with client_for(make_app(settings, ranked)) as client:
        for path in ("/", "/rank", "/trends", "/rank.json?period=week"):
            assert (await client.get(path)).status_code == 200


async def test_a_rank_update_drops_only_the_pages_that_show_rankings(ranked, settings):
    """Saving a rank or trends snapshot moves rank_version, not board_version: the home page,
    /rank and /trends are rendered again, the board's other pages stay cached."""
    from sqlalchemy import text

    from ranknews.store.db import board_version
    from ranknews.store.rank import load_snapshot, save_snapshot

    app = make_app(settings, ranked)
    async with client_for(app) as client:
        article = (await client.get("/articles/3")).text
        for path in ("/", "/trends", "/trends.json", "/rank"):
            assert (await client.get(path)).status_code == 200
        with ranked.write() as conn:
            before = board_version(conn)
            at, payload = load_snapshot(conn, "trends")
            payload["keywords"][0]["keyword"] = payload["keywords"][0]["display"] = "새키워드"
            save_snapshot(conn, "trends", payload, at)
            assert board_version(conn) == before
            # changed behind the cache's back (no version moves): only a re-render shows it
            conn.execute(text("UPDATE articles SET title = '바뀐 제목' WHERE board_no = 3"))
        assert (await client.get("/trends.json")).json()["trends"]["keywords"][0][
            "keyword"] == "새키워드"
        assert "새키워드" in (await client.get("/trends")).text
        assert "새키워드" in (await client.get("/")).text
        assert (await client.get("/articles/3")).text == article  # still the cached page


async def test_rank_opens_on_the_first_period_with_stories(db, settings):
    """A quiet night: nothing in the last six hours, so /rank opens on "오늘"; "지금" asked
    for is shown empty."""
    now = datetime.now(timezone.utc)
    shift = now - NOW - timedelta(hours=10)
    save_articles(db, [dataclasses.replace(p, published_at=p.published_at + shift,
                                           collected_at=p.collected_at + shift)
                       for p in steady_history() + burst_today()])
    update_rank(db, now=now)
    async with client_for(make_app(settings, db)) as client:
        opened = (await client.get("/rank.json")).json()["rank"]
        asked = (await client.get("/rank.json?period=now")).json()["rank"]
        html = (await client.get("/rank")).text
    assert opened["period"] == "today" and opened["stories"]
    assert asked["period"] == "now" and not asked["stories"]
    assert LexborHTMLParser(html).css_first('.tabs a[aria-current="page"]').text() == "오늘"
