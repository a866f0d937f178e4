"""/sources, /sources.json and /metrics through the real web app."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx

from ranknews.metrics import CrawlMetrics
from ranknews.sources.source import SourceUpdate
from ranknews.store.collect import add_source, record_crawl
from ranknews.web.app import create_app


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://testserver")


async def test_sources_page_shows_errors_with_url_and_reason(settings, db):
    source = add_source(db, outlet="경향신문", domain="www.khan.co.kr",
                        feed_url="https://www.khan.co.kr/rss/total.xml", section="정치",
                        actor="test")
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
    assert "경향신문" in page.text and "피드가 아닙니다" in page.text
    assert "2024.06.16 10:00" in page.text  # Seoul time
    [row] = data["sources"]
    assert row["last_error_kind"] == "not_a_feed" and row["last_error_url"] == source.feed_url
    assert row["health"] == "오류" and row["failures"] == 1
    assert 'ranknews_sources{health="오류"} 1.0' in metrics.text


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
