"""/sources, /sources.json and /metrics through the real web app (skipped until the web app
has landed on this branch)."""

from __future__ import annotations

import pytest

from ranknews.sources.source import SourceUpdate
from ranknews.store.collect import add_source, record_crawl

web_app = pytest.importorskip("ranknews.web.app", reason="web app not merged yet")


def client_for(settings, db):
    from starlette.testclient import TestClient

    features = tuple(dict.fromkeys((*web_app.FEATURES, "ranknews.web.views.sources")))
    return TestClient(web_app.create_app(settings, db, cache=False, features=features))


def test_sources_page_shows_errors_with_url_and_reason(settings, db):
    from datetime import datetime, timezone

    source = add_source(db, outlet="경향신문", domain="www.khan.co.kr",
                        feed_url="https://www.khan.co.kr/rss/total.xml", section="정치")
    at = datetime(2024, 6, 16, 1, 0, tzinfo=timezone.utc)
    record_crawl(db, SourceUpdate(source_id=source.id, url=source.feed_url, fetched_at=at,
                                  next_fetch_at=at, ok=False, failures=1,
                                  error="피드가 아닙니다 (HTML 페이지)", error_kind="not_a_feed",
                                  error_url=source.feed_url))
    client = client_for(settings, db)
    page = client.get("/sources")
    assert page.status_code == 200 and 'lang="ko"' in page.text
    assert "경향신문" in page.text and "피드가 아닙니다" in page.text
    assert "2024.06.16 10:00" in page.text  # Seoul time
    data = client.get("/sources.json").json()
    [row] = data["sources"]
    assert row["last_error_kind"] == "not_a_feed" and row["last_error_url"] == source.feed_url
    assert row["health"] == "오류"
    metrics = client.get("/metrics")
    assert 'ranknews_sources{health="오류"} 1.0' in metrics.text
