"""Collection end to end against a real local HTTP server and a real database:
feeds → pages → extraction → store, with every failure recorded on its source."""

from __future__ import annotations

from dataclasses import replace

import pytest
from httpserver import Reply
from newssite import add_site, page_html, rss, sources_toml
from sqlalchemy import func, select

from ranknews.config import Settings
from ranknews.fetch.client import build_client
from ranknews.metrics import CrawlMetrics
from ranknews.pipeline.collect import collect, crawl
from ranknews.sources.config import load_sources, parse_sources
from ranknews.store.collect import add_source, list_sources, recent_log, sync_sources
from ranknews.store.schema import articles

HOST = "127.0.0.1"


@pytest.fixture
def crawl_settings(settings: Settings, tmp_path) -> Settings:
    return replace(settings, fetch_host_delay=0.0, fetch_retries=0, fetch_backoff=0.01,
                   fetch_read_timeout=2.0, fetch_total_timeout=3.0,
                   sources_file=str(tmp_path / "sources.toml"))


def write_sources(settings: Settings, feeds) -> None:
    with open(settings.sources_file, "w", encoding="utf-8") as handle:
        handle.write(sources_toml(feeds))


def stored(db) -> list:
    with db.read() as conn:
        return list(conn.execute(select(articles).order_by(articles.c.board_no)).mappings())


def source_by_url(db, url):
    with db.read() as conn:
        return next(s for s in list_sources(conn) if s.feed_url == url)


async def run_crawl(db, settings, **options):
    async with build_client(settings) as client:
        return await crawl(db, client, settings, **options)


async def test_crawl_stores_articles_with_feed_section_and_tags(db, crawl_settings, httpserver):
    feed = add_site(httpserver, "daily", 3)
    write_sources(crawl_settings, [("테스트일보", HOST, feed)])
    report = await run_crawl(db, crawl_settings)
    rows = stored(db)
    assert report.inserted == 3 and len(rows) == 3
    first = next(r for r in rows if r["url"].endswith("/daily/article/1"))
    assert first["title"] == "daily 기사 1" and "단독" in first["tags"]
    assert first["section"] == "정치" and first["outlet"] == "테스트일보"
    assert any("반도체 특별법" in b.get("text", "") for b in first["blocks"])
    source = source_by_url(db, feed)
    assert source.items_collected == 3 and source.last_success_at and source.health == "정상"
    assert source.etag == '"daily-3"' and source.next_fetch_at > source.last_success_at


async def test_second_crawl_is_conditional_and_stores_nothing_twice(db, crawl_settings,
                                                                   httpserver):
    feed = add_site(httpserver, "daily", 2)
    write_sources(crawl_settings, [("테스트일보", HOST, feed)])
    await run_crawl(db, crawl_settings)
    again = await run_crawl(db, crawl_settings, everything=True)
    assert again.sources[0].not_modified and again.inserted == 0
    assert httpserver.hits("/daily/feed.xml")[1].headers["if-none-match"] == '"daily-2"'
    assert len(httpserver.hits("/daily/article/1")) == 1
    assert len(stored(db)) == 2


async def test_only_due_sources_are_crawled(db, crawl_settings, httpserver):
    feed = add_site(httpserver, "daily", 1)
    write_sources(crawl_settings, [("테스트일보", HOST, feed)])
    await run_crawl(db, crawl_settings)
    report = await run_crawl(db, crawl_settings)  # next fetch is minutes away
    assert report.sources == [] and len(httpserver.hits("/daily/feed.xml")) == 1


async def test_html_feed_is_an_error_recorded_on_the_source(db, crawl_settings, httpserver):
    feed = httpserver.add("/news/", "<html><body><h1>뉴스 홈</h1></body></html>")
    write_sources(crawl_settings, [("가짜피드", HOST, feed)])
    report = await run_crawl(db, crawl_settings)
    assert report.failed and report.failed[0].error.kind == "not_a_feed"
    source = source_by_url(db, feed)
    assert source.health == "오류" and source.failures == 1
    assert source.last_error_kind == "not_a_feed" and "HTML" in source.last_error
    assert source.last_error_url == feed and source.next_fetch_at is not None


async def test_item_whose_page_is_gone_is_recorded_and_others_stored(db, crawl_settings,
                                                                     httpserver):
    good = httpserver.add("/a/1", page_html(1))
    gone = httpserver.url("/a/2")  # nothing there: 404
    feed = httpserver.add("/a/feed.xml", rss([(good, "기사 하나"), (gone, "사라진 기사")]),
                          content_type="application/rss+xml")
    write_sources(crawl_settings, [("테스트일보", HOST, feed)])
    report = await run_crawl(db, crawl_settings)
    assert report.inserted == 1 and [r["url"] for r in stored(db)] == [good]
    source = source_by_url(db, feed)
    assert source.last_error_kind == "not_found" and source.last_error_url == gone
    assert source.health == "경고" and source.failures == 0
    with db.read() as conn:
        log = recent_log(conn, source.id)
    assert any(e["url"] == gone and e["kind"] == "not_found" and e["status"] == 404
               for e in log)


async def test_malformed_feed_still_gives_its_valid_items(db, crawl_settings, httpserver):
    one = httpserver.add("/m/1", page_html(1))
    two = httpserver.add("/m/2", page_html(2))
    broken = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
              f"<title>깨진 피드</title>"
              f"<item><title>첫 기사 & 둘째</title><link>{one}</link></item>"
              f"<item><title>둘째 기사</title><link>{two}</link></item>"
              f"<item><title>링크 없는 기사</title></item>"
              f"<item><title>닫히지 않은")
    feed = httpserver.add("/m/feed.xml", broken, content_type="application/rss+xml")
    write_sources(crawl_settings, [("테스트일보", HOST, feed)])
    report = await run_crawl(db, crawl_settings)
    assert report.inserted == 2
    source = source_by_url(db, feed)
    assert source.feed_problem and "피드 형식 오류" in source.feed_problem
    assert source.health == "경고"


async def test_euc_kr_page_through_the_crawler(db, crawl_settings, httpserver):
    title = "똠방각하 전격 귀국…여야 반응 엇갈려"
    body = page_html(1, title=title, charset="euc-kr").encode("cp949")
    url = httpserver.add("/k/1", body, content_type="text/html; charset=EUC-KR")
    feed = httpserver.add("/k/feed.xml", rss([(url, title)]),
                          content_type="application/rss+xml")
    write_sources(crawl_settings, [("테스트일보", HOST, feed)])
    await run_crawl(db, crawl_settings)
    [row] = stored(db)
    assert row["title"] == title
    assert any("반도체 특별법" in b.get("text", "") for b in row["blocks"])


async def test_robots_forbidden_pages_are_not_fetched(db, crawl_settings, httpserver):
    httpserver.add("/robots.txt", "User-agent: *\nDisallow: /private/\n",
                   content_type="text/plain")
    secret = httpserver.add("/private/1", page_html(1))
    feed = httpserver.add("/feed.xml", rss([(secret, "비공개 기사")]),
                          content_type="application/rss+xml")
    write_sources(crawl_settings, [("테스트일보", HOST, feed)])
    await run_crawl(db, crawl_settings)
    assert stored(db) == [] and not httpserver.hits("/private/1")
    assert source_by_url(db, feed).last_error_kind == "robots"


async def test_hostile_responses_never_cost_stored_articles(db, crawl_settings, httpserver):
    feed = add_site(httpserver, "ok", 2)
    write_sources(crawl_settings, [("테스트일보", HOST, feed)])
    await run_crawl(db, crawl_settings)
    bad_pages = {
        "/bad/bytes": Reply(200, b"\xff\xfe\x00<html>\x81\x82" * 100 + b"<p>\xc0"),
        "/bad/pdf": Reply(200, b"%PDF-1.4", content_type="application/pdf"),
        "/bad/huge": Reply(200, b"x" * 6_000_000),
        "/bad/slow": Reply(200, drip=(b"<p>", 0.5, 100)),
        "/bad/empty": Reply(200, b""),
    }
    for path, reply in bad_pages.items():
        httpserver.route(path)(lambda request, reply=reply: reply)
    hostile = httpserver.add("/bad/feed.xml", rss([(httpserver.url(p), p) for p in bad_pages]),
                             content_type="application/rss+xml")
    write_sources(crawl_settings, [("테스트일보", HOST, feed), ("나쁜서버", HOST, hostile)])
    report = await run_crawl(db, replace(crawl_settings, fetch_max_bytes=5_000_000),
                             everything=True)
    assert len(stored(db)) >= 2
    assert {r["url"] for r in stored(db)} >= {httpserver.url("/ok/article/1"),
                                              httpserver.url("/ok/article/2")}
    hostile_report = next(r for r in report.sources if r.source.feed_url == hostile)
    kinds = {e.url.rsplit("/", 1)[1]: e.kind for e in hostile_report.item_errors}
    assert kinds["pdf"] == "not_html" and kinds["huge"] == "too_large"
    assert kinds["slow"] == "timeout"


async def test_metrics_count_fetches_errors_and_articles(db, crawl_settings, httpserver):
    feed = add_site(httpserver, "daily", 2)
    missing = httpserver.url("/nothing.xml")
    write_sources(crawl_settings, [("테스트일보", HOST, feed), ("없는피드", HOST, missing)])
    metrics = CrawlMetrics()
    await run_crawl(db, crawl_settings, metrics=metrics)
    text = metrics.exposition().decode()
    assert 'ranknews_articles_stored_total{result="inserted"} 2.0' in text
    assert 'ranknews_fetch_errors_total{kind="not_found"} 1.0' in text
    assert 'ranknews_fetches_total{outcome="2xx"}' in text
    assert "ranknews_extraction_seconds_count 2.0" in text


async def test_operator_added_and_disabled_sources(db, crawl_settings, httpserver):
    from ranknews.store.collect import set_enabled

    feed = add_site(httpserver, "hand", 1)
    write_sources(crawl_settings, [("다른신문", HOST, add_site(httpserver, "other", 1))])
    add_source(db, outlet="손으로", domain=HOST, feed_url=feed, section="사회", actor="test")
    sync_sources(db, load_sources(crawl_settings.sources_file))
    set_enabled(db, "다른신문", False, actor="test")
    report = await run_crawl(db, crawl_settings)
    assert [r.source.feed_url for r in report.sources] == [feed]
    assert stored(db)[0]["section"] == "사회"
    set_enabled(db, "다른신문", True, actor="test")
    assert len((await run_crawl(db, crawl_settings)).sources) == 1


def test_sync_keeps_the_operators_choice(db):
    outlets = parse_sources({"outlet": [{"name": "A", "domain": "a.kr",
                                         "feeds": [{"url": "https://a.kr/rss"}]}]})
    assert sync_sources(db, outlets) == 1
    from ranknews.store.collect import set_enabled

    set_enabled(db, "a.kr", False, actor="test")
    assert sync_sources(db, outlets) == 0
    with db.read() as conn:
        assert not list_sources(conn)[0].enabled


async def test_collect_takes_a_source_list_directly(db, crawl_settings, httpserver):
    feed = add_site(httpserver, "direct", 2)
    source = add_source(db, outlet="직접", domain=HOST, feed_url=feed, actor="test")
    async with build_client(crawl_settings) as client:
        report = await collect([source], db, client, crawl_settings)
    assert report.inserted == 2
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(articles)).scalar() == 2


async def test_two_crawlers_share_the_due_feeds_each_fetched_once(db, crawl_settings,
                                                                   httpserver):
    """Each crawler claims one feed at a time per lane: a second crawler (another process or
    machine) takes the feeds the first has not reached, instead of the first claiming them
    all at the start of its pass."""
    import asyncio

    feeds = [(f"사이트{i}", f"s{i}.example", add_site(httpserver, f"s{i}", 2, page_delay=0.2))
             for i in range(6)]
    write_sources(crawl_settings, feeds)
    one_lane = replace(crawl_settings, fetch_concurrency=1)
    async with build_client(one_lane) as client:
        first, second = await asyncio.gather(
            crawl(db, client, one_lane, holder="crawler-1"),
            crawl(db, client, one_lane, holder="crawler-2"))
    mine = {r.source.feed_url for r in first.sources}
    theirs = {r.source.feed_url for r in second.sources}
    assert mine and theirs, "one crawler took every feed"
    assert not mine & theirs
    assert mine | theirs == {url for _, _, url in feeds}
    assert len(stored(db)) == 12
