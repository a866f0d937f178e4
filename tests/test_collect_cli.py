"""The commands: sources (health table, add, disable, enable), crawl, run, and the demo
collecting its sample through the real crawler."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timezone
from zoneinfo import ZoneInfo

import httpx
from newssite import add_site, sources_toml
from sqlalchemy import select
from typer.testing import CliRunner

from ranknews.cli import app
from ranknews.sample import collect_sample, sample_server
from ranknews.service import run_service
from ranknews.store.collect import list_sources
from ranknews.store.schema import articles

runner = CliRunner()

# the fixture servers are on 127.0.0.1, which the crawler reaches only when allowed
CRAWL_ENV = {"RANKNEWS_FETCH_HOST_DELAY": "0", "RANKNEWS_FETCH_ALLOWED_HOSTS": "127.0.0.1"}


def test_sources_commands(database_url, tmp_path, httpserver):
    feed = add_site(httpserver, "cli", 2)
    toml = tmp_path / "s.toml"
    toml.write_text(sources_toml([("클리일보", "127.0.0.1", feed)]), encoding="utf-8")
    base = ["--db", database_url, "--sources-file", str(toml)]
    listed = runner.invoke(app, ["sources", *base])
    assert listed.exit_code == 0 and "클리일보" in listed.output and "대기" in listed.output
    assert runner.invoke(app, ["sources", "disable", "클리일보", *base]).exit_code == 0
    crawled = runner.invoke(app, ["crawl", *base], env=CRAWL_ENV)
    assert crawled.exit_code == 0 and "소스 0개" in crawled.output
    assert runner.invoke(app, ["sources", "enable", "클리일보", *base]).exit_code == 0
    crawled = runner.invoke(app, ["crawl", *base], env=CRAWL_ENV)
    assert crawled.exit_code == 0 and "새 글 2건" in crawled.output
    added = runner.invoke(app, ["sources", "add", httpserver.url("/x.xml"), "--outlet", "추가",
                                "--db", database_url])
    assert added.exit_code == 0 and "추가" in added.output
    again = runner.invoke(app, ["sources", "add", httpserver.url("/x.xml"), "--outlet", "추가",
                                "--db", database_url])
    assert again.exit_code != 0 and "이미 등록된" in again.output
    missing = runner.invoke(app, ["sources", "disable", "없는신문", *base])
    assert missing.exit_code == 1 and "찾을 수 없습니다" in missing.output


def test_bad_sources_file_is_one_korean_line(database_url, tmp_path):
    toml = tmp_path / "bad.toml"
    toml.write_text('[[outlet]]\nname = "x"\ndomain = "a.kr"\nfeeds = ["ftp://a.kr/"]\n',
                    encoding="utf-8")
    result = runner.invoke(app, ["crawl", "--db", database_url, "--sources-file", str(toml)])
    assert result.exit_code == 1 and "http(s)" in result.output
    assert "Traceback" not in result.output


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


async def test_demo_collects_the_sample_through_the_crawler(db, settings, tmp_path):
    with sample_server() as site:
        report = await collect_sample(db, settings, tmp_path, site)
        async with httpx.AsyncClient() as client:
            robots = await client.get(site.base + "/robots.txt")
    assert robots.status_code == 200
    assert report.inserted >= 9 and not report.failed
    assert all(not r.item_errors for r in report.sources)
    with db.read() as conn:
        rows = list(conn.execute(select(articles)).mappings())
        sources = list_sources(conn)
    on_site = [r for r in rows if r["url"].startswith(site.base)]  # 원문 pages that stay up
    crawled = [r for r in on_site if r["blocks"] not in (None, "", "[]", [])]
    assert len(crawled) == report.inserted
    assert all(r["canonical_url"] for r in on_site)
    assert {s.outlet for s in sources} >= {"매일경제"}
    # collected day by day: board numbers follow the days
    seoul = ZoneInfo("Asia/Seoul")
    days = [_aware(r["published_at"]).astimezone(seoul).date()
            for r in sorted(crawled, key=lambda r: r["board_no"])]
    assert days == sorted(days)


async def test_run_crawls_and_serves_metrics(db, settings, httpserver, tmp_path):
    feed = add_site(httpserver, "run", 2)
    toml = tmp_path / "run.toml"
    toml.write_text(sources_toml([("런일보", "127.0.0.1", feed)]), encoding="utf-8")
    settings = replace(settings, sources_file=str(toml), fetch_host_delay=0.0, crawl_run_tick=1)
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stop = asyncio.Event()
    service = asyncio.create_task(run_service(db, settings, port=port, stop=stop))
    try:
        text = ""
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                await asyncio.sleep(0.1)
                try:
                    text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
                except httpx.TransportError:
                    continue
                if 'ranknews_articles_stored_total{result="inserted"} 2.0' in text:
                    break
        assert 'ranknews_articles_stored_total{result="inserted"} 2.0' in text
    finally:
        stop.set()
        await asyncio.wait_for(service, 10)
