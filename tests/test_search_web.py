"""The search page and its JSON twin through the ASGI app: highlights (escaped), stories,
filters, bad input, the rate limit, takedowns, and the search box on every page."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from ranknews.config import Settings
from ranknews.models import Article, Paragraph
from ranknews.pipeline import drain
from ranknews.pipeline.saving import save_articles
from ranknews.store import stories as story_store
from ranknews.store.articles import hide
from ranknews.text.analysis import Analyzer
from ranknews.web.app import create_app

NOW = datetime.now(timezone.utc)
HOSTILE = '<script>alert("x")</script> 삼성전자 <b>신제품</b> & 공개'


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def post(n: int, title: str, body: str, **changes) -> Article:
    base = Article(url=f"https://news.example.kr/{n}", outlet="예시일보",
                   outlet_domain="news.example.kr", title=title, section="사회",
                   published_at=NOW - timedelta(hours=n), blocks=(Paragraph(body),))
    return dataclasses.replace(base, **changes)


@pytest.fixture
def searchable(db, analyzer):
    saved = save_articles(db, [
        post(1, "의협 집단휴진 강행", "대한의사협회(의협)가 18일 집단휴진을 강행했다."),
        post(2, "의협 휴진 첫날 동네 의원 문 닫아", "의협의 집단휴진 첫날 의원 휴진율이 발표됐다."),
        post(3, "집단휴진에 환자 불편", "의협 집단휴진으로 환자들이 발길을 돌렸다."),
        post(4, HOSTILE, "삼성전자가 신제품을 공개했다.", outlet="경제일보",
             outlet_domain="econ.example.kr", section="경제"),
        post(5, "메타, AI 칩 MTIA 공개", "메타가 MTIA 2세대를 공개했다.", section="국제"),
    ])
    numbers = saved.inserted
    drain(db, Settings(), stages=("analysis", "stories"))
    with db.write() as conn:  # make the three strike posts one story, whatever the clusterer said
        for other in numbers[1:3]:
            if story_store.story_of(conn, other) != story_store.story_of(conn, numbers[0]):
                story_store.merge(conn, story_store.story_of(conn, numbers[0]),
                                  story_store.story_of(conn, other), "테스트", NOW,
                                  actor="test")
    drain(db, Settings(), stages=("search",))
    return db, numbers


def client_for(db, settings: Settings, address: str = "10.0.0.1", **overrides):
    settings = dataclasses.replace(settings, page_cache_check_seconds=0.0, **overrides)
    transport = httpx.ASGITransport(app=create_app(settings, db), raise_app_exceptions=False,
                                    client=(address, 5555))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def results(html: str) -> list[str]:
    tree = LexborHTMLParser(html)
    return [li.css_first("h2").text(strip=True) for li in tree.css("li.search-result")]


async def test_search_page_is_story_aware_with_highlights(searchable, settings):
    db, numbers = searchable
    async with client_for(db, settings) as client:
        page = await client.get("/search", params={"q": "휴진"})
        twin = await client.get("/search.json", params={"q": "휴진"})
    assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
    assert len(results(page.text)) == 1  # three posts, one story
    assert "관련 기사 3건" in page.text
    assert "<mark>휴진</mark>" in page.text
    data = twin.json()
    assert [r["story"]["size"] for r in data["results"]] == [3]
    assert data["results"][0]["board_no"] in numbers[:3]


async def test_hostile_title_is_escaped_before_marking(searchable, settings):
    db, _ = searchable
    async with client_for(db, settings) as client:
        page = await client.get("/search", params={"q": "삼성전자"})
    assert "<script>alert" not in page.text and "<b>신제품" not in page.text
    assert "&lt;script&gt;" in page.text and "<mark>삼성전자</mark>" in page.text


async def test_filters_and_bad_parameters(searchable, settings):
    db, _ = searchable
    async with client_for(db, settings) as client:
        econ = await client.get("/search.json", params={"q": "공개", "outlet": "econ.example.kr"})
        world = await client.get("/search.json", params={"q": "공개", "section": "국제"})
        future = await client.get("/search.json", params={"q": "공개", "from": "2999-01-01"})
        bad_date = await client.get("/search", params={"q": "공개", "from": "어제"})
        reversed_ = await client.get("/search", params={"q": "공개", "from": "2024-02-01",
                                                        "to": "2024-01-01"})
    assert [r["outlet_domain"] for r in econ.json()["results"]] == ["econ.example.kr"]
    assert [r["section"] for r in world.json()["results"]] == ["국제"]
    assert future.json()["results"] == []
    assert bad_date.status_code == 400 and "2024.06.16 형식" in bad_date.text
    assert reversed_.status_code == 400 and "시작일" in reversed_.text


async def test_filters_are_choices_and_days_korean(searchable, settings):
    db, _ = searchable
    today = (NOW.astimezone(timezone(timedelta(hours=9))) - timedelta(days=1)).date()  # posts: <6h old
    korean_day = f"{today:%Y.%m.%d}"
    async with client_for(db, settings) as client:
        page = await client.get("/search", params={"q": "공개", "outlet": "econ.example.kr",
                                                   "from": korean_day})
        spaced = await client.get("/search.json", params={
            "q": "공개", "from": f"{today.year}. {today.month}. {today.day}."})
        future = await client.get("/search.json", params={"q": "공개", "from": "2999.01.01"})
    tree = LexborHTMLParser(page.text)
    outlets = {o.attributes["value"]: o.text() for o in tree.css('select[name="outlet"] option')}
    assert outlets == {"": "전체", "news.example.kr": "예시일보", "econ.example.kr": "경제일보"}
    selected = tree.css_first('select[name="outlet"] option[selected]')
    assert selected.text() == "경제일보"
    sections = [o.text() for o in tree.css('select[name="section"] option')]
    assert sections == ["전체", "경제", "국제", "사회"]
    day = tree.css_first('input[name="from"]')
    assert day.attributes["type"] == "text" and re.fullmatch(r"20\d\d\.\d\d\.\d\d", day.attributes["placeholder"])
    assert day.attributes["value"] == korean_day
    assert not tree.css('input[type="date"]')
    assert len(spaced.json()["results"]) == 2 and future.json()["results"] == []


@pytest.mark.parametrize("q", ["", "ab 가 " * 2_000, '" * : ^ NEAR AND OR', "ㅋㅋ", "ㄱ", "😀🔥",
                               "'; DROP TABLE articles; --", "%", "\\", "<script>"])
async def test_bad_queries_are_normal_pages(searchable, settings, q):
    db, _ = searchable
    async with client_for(db, settings) as client:
        page = await client.get("/search", params={"q": q})
        twin = await client.get("/search.json", params={"q": q})
    assert page.status_code == 200 and twin.status_code == 200
    assert "<script>" not in page.text.split("<main", 1)[1]
    assert isinstance(twin.json()["results"], list)


async def test_rate_limit_is_per_client_with_a_korean_429(searchable, settings):
    db, _ = searchable
    async with client_for(db, settings, search_rate_burst=2, search_rate_per_minute=1) as c:
        codes = [(await c.get("/search", params={"q": "휴진"})).status_code for _ in range(3)]
        limited = await c.get("/search.json", params={"q": "휴진"})
    assert codes == [200, 200, 429]
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    async with client_for(db, settings, address="10.0.0.2", search_rate_burst=2,
                          search_rate_per_minute=1) as other:
        page = await other.get("/search", params={"q": "휴진"})
    assert page.status_code == 200  # another address has its own bucket (a new app here)


async def test_429_page_is_korean(searchable, settings):
    db, _ = searchable
    async with client_for(db, settings, search_rate_burst=1, search_rate_per_minute=1) as c:
        await c.get("/search", params={"q": "휴진"})
        page = await c.get("/search", params={"q": "휴진"})
    assert page.status_code == 429 and "검색 요청이 너무 많습니다" in page.text


async def test_hidden_posts_never_appear_in_search(searchable, settings):
    db, numbers = searchable
    hide(db, numbers[3], "언론사 요청", actor="test")
    async with client_for(db, settings) as client:
        data = (await client.get("/search.json", params={"q": "삼성전자"})).json()
    assert data["results"] == []


async def test_every_page_has_the_search_box(searchable, settings):
    db, numbers = searchable
    async with client_for(db, settings) as client:
        for path in ("/", f"/articles/{numbers[0]}", "/search"):
            tree = LexborHTMLParser((await client.get(path)).text)
            form = tree.css_first("header form.site-search")
            assert form is not None and form.attributes["action"] == "/search", path
            assert form.css_first("input[name=q]") is not None



async def test_counts_and_partial_matches_are_said_on_the_page_and_in_json(searchable, settings):
    db, numbers = searchable
    async with client_for(db, settings) as client:
        page = await client.get("/search", params={"q": "휴진"})
        twin = await client.get("/search.json", params={"q": "휴진"})
        partial = await client.get("/search", params={"q": "메타 휴진"})
        partial_json = await client.get("/search.json", params={"q": "메타 휴진"})
    assert "기사 3건 · 이야기 1건" in page.text  # three posts, one story
    assert twin.json()["articles"] == 3 and twin.json()["stories"] == 1
    # no post has both words: the page says the results match only some of them
    tree = LexborHTMLParser(partial.text)
    assert "일부 단어만 일치하는 결과" in tree.css_first("li.search-partial").text()
    assert len(results(partial.text)) == 2  # the strike story and the Meta post
    data = partial_json.json()
    assert data["complete"] == 0 and data["any_term"]
    assert [r["complete"] for r in data["results"]] == [False, False]
    assert data["articles"] == 4 and data["stories"] == 2
