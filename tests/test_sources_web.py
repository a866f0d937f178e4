"""/sources, /sources.json and /metrics through the real web app."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from ranknews.metrics import CrawlMetrics
from ranknews.sources.source import SourceUpdate
from ranknews.store.collect import add_source, record_crawl
from ranknews.web.app import create_app


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://testserver")


async def test_sources_page_shows_each_outlet_state_in_words_without_feed_links(settings, db):
    source = add_source(db, outlet="경향신문", domain="www.khan.co.kr",
                        feed_url="https://www.khan.co.kr/rss/total.xml", section="정치",
                        actor="test")
    fine = add_source(db, outlet="매일경제", domain="www.mk.co.kr",
                      feed_url="https://www.mk.co.kr/rss/all.xml", actor="test")
    ok_at = datetime(2024, 6, 16, 0, 30, tzinfo=timezone.utc)
    for s in (source, fine):
        record_crawl(db, SourceUpdate(source_id=s.id, url=s.feed_url, fetched_at=ok_at,
                                      next_fetch_at=ok_at, ok=True, inserted=3))
    at = datetime(2024, 6, 16, 1, 0, tzinfo=timezone.utc)
    record_crawl(db, SourceUpdate(source_id=source.id, url=source.feed_url, fetched_at=at,
                                  next_fetch_at=at, ok=False, failures=1,
                                  error="피드가 아닙니다 (HTML 페이지)", error_kind="not_a_feed",
                                  error_url=source.feed_url))
    app = create_app(settings, db, cache=False)
    async with client_for(app) as client:
        page = await client.get("/sources")
        data = (await client.get("/sources.json")).json()
        metrics = await client.get("/metrics")
    assert page.status_code == 200 and 'lang="ko"' in page.text
    assert "경향신문" in page.text and "수집 실패" in page.text and "정상 수집 중" in page.text
    assert "피드 형식이 아님" in page.text  # the cause in words, not the raw message
    assert "2024.06.16 09:30" in page.text  # last success, Seoul time
    for feed in (source.feed_url, fine.feed_url):  # no feed addresses, on the page or in JSON
        assert feed not in page.text and feed not in str(data)
    assert "/static/sources.css" in page.text
    failing, healthy = data["outlets"]  # troubled outlets first
    assert failing["outlet"] == "경향신문" and failing["health_word"] == "수집 실패"
    assert failing["feeds"][0]["failures"] == 1 and healthy["health"] == "정상"
    assert 'ranknews_sources{health="오류"} 1.0' in metrics.text


@pytest.mark.e2e
async def test_sources_page_fits_a_phone(settings, db):
    """The outlet cards fit a 390 px screen: nothing is wider than the screen (the old table
    broke its headers one character a line)."""
    from test_e2e import CHROMIUM, CHROMIUM_ARGS, _playwright

    pytest.importorskip("playwright")
    for n in range(6):
        add_source(db, outlet=f"아주 긴 이름의 지역 신문사 {n}", domain=f"news{n}.example.kr",
                   feed_url=f"https://news{n}.example.kr/rss", section="사회", actor="test")
    sync_playwright = _playwright()
    app = create_app(settings, db, cache=False)
    async with client_for(app) as client:
        html = (await client.get("/sources")).text
        css = (await client.get("/static/sources.css")).text
        base = (await client.get("/static/ranknews.css")).text
    html = html.replace('<link rel="stylesheet" href="/static/ranknews.css">',
                        f"<style>{base}</style>").replace(
        '<link rel="stylesheet" href="/static/sources.css">', f"<style>{css}</style>")

    def measure() -> tuple[int, int]:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 390, "height": 844})
                page.set_content(html)
                return page.evaluate("document.documentElement.scrollWidth"), \
                    page.locator(".outlet-card").count()
            finally:
                browser.close()

    import asyncio

    width, cards = await asyncio.to_thread(measure)
    assert cards == 6 and width <= 390


async def test_metrics_include_the_crawlers_counters_when_it_runs_here(settings, db):
    app = create_app(settings, db)  # with the page cache, as `ranknews run` serves it
    app.state.metrics = CrawlMetrics()
    async with client_for(app) as client:
        await client.get("/metrics")
        await client.get("/sources")
        app.state.metrics.errors.labels("timeout").inc()
        add_source(db, outlet="새 소스", domain="a.kr", feed_url="https://a.kr/rss", actor="test")
        text = (await client.get("/metrics")).text
        page = (await client.get("/sources")).text
    assert 'ranknews_fetch_errors_total{kind="timeout"} 1.0' in text
    assert "새 소스" in page
    assert "ranknews_items_collected 0.0" in text


async def test_empty_sources_page_is_korean_not_an_error(settings, db):
    async with client_for(create_app(settings, db, cache=False)) as client:
        page = await client.get("/sources")
    assert page.status_code == 200 and "등록된 소스가 없습니다" in page.text
