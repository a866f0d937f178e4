"""Hostile input (issue 12): nothing from outside stops the site or the crawler.

A corpus of hostile import lines, feed items, pages, server behaviours and requests, each
one tried against the real thing: real files through ``import_jsonl`` and the CLI, real HTTP
servers on 127.0.0.1 (``httpserver.py``) through the real crawler, the real web app, on
SQLite and PostgreSQL. Every bug of this kind found later gets its input added here.

``hostile_inputs()`` counts the inputs the suite tries; the README states that count (a
test keeps the two equal). "Survived" means: no crash, no 500, no lost valid data, and the
hostile input refused, cleaned or contained as its entry says.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import brotli
import httpx
import pytest
from newssite import add_site, page_html, rss, sources_toml
from sqlalchemy import select

from ranknews.config import Settings
from ranknews.dates import DateRejected, DateWindow, parse_date, parse_day
from ranknews.fetch.client import build_client
from ranknews.fetch.fetcher import Fetcher, FetchPolicy
from ranknews.models import Article, Paragraph
from ranknews.pipeline import crawl
from ranknews.pipeline.importing import import_jsonl
from ranknews.pipeline.saving import save_articles
from ranknews.store.collect import list_sources
from ranknews.store.schema import articles
from ranknews.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(timezone.utc)


def good(n: int, **changes) -> dict:
    """A valid import record; ``changes`` make it hostile."""
    return {"url": f"https://news.example.kr/a/{n}", "outlet": "예시일보",
            "title": f"정상 기사 {n}번 제목", "published": "2024-06-16T10:00:00+09:00",
            "text": f"정상 기사 {n}번의 본문입니다.\n둘째 문단입니다.", **changes}


# --- 1. the import corpus: (name, line, what must happen) -------------------------------------
# "refused": reported with its file and line, nothing stored; "cleaned": stored, with no
# control character left in any text.

def _line(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


IMPORT_CORPUS: list[tuple[str, bytes, str]] = [
    ("published in year 9999", _line(good(1, published="9999-12-31T23:59:59Z")), "refused"),
    ("published in year 1, +09:00", _line(good(2, published="0001-01-01T00:00:00+09:00")),
     "refused"),
    ("published before 1990", _line(good(3, published="1899-12-31")), "refused"),
    ("published tomorrow and a week", _line(good(4, published=(
        NOW + timedelta(days=8)).isoformat())), "refused"),
    ("updated in year 9999", _line(good(5, updated="9999-12-31T00:00:00+00:00")), "refused"),
    ("collected in year 1", _line(good(6, collected="0001-01-01T00:00:00Z")), "refused"),
    ("published as a number", _line(good(7, published=253402300799)), "refused"),
    ("published is not a date", _line(good(8, published="어제 오후")), "refused"),
    ("board_no 2^63-1", _line(good(9, board_no=2**63 - 1)), "refused"),
    ("board_no 2^60", _line(good(10, board_no=2**60)), "refused"),
    ("board_no past the INTEGER column", _line(good(11, board_no=2**31)), "refused"),
    ("board_no true", _line(good(12, board_no=True)), "refused"),
    ("board_no negative", _line(good(13, board_no=-5)), "refused"),
    ("board_no fractional", _line(good(14, board_no=1.5)), "refused"),
    ("authors as objects", _line(good(15, authors=[{"name": "홍길동"}])), "refused"),
    ("a null tag", _line(good(16, tags=[None])), "refused"),
    ("a tag that is an object", _line(good(17, tags=[{"a": 1}])), "refused"),
    ("a 100,000-character title", _line(good(18, title="가" * 100_000)), "refused"),
    ("a section past VARCHAR(64)", _line(good(19, section="분" * 65)), "refused"),
    ("an outlet_domain past VARCHAR(255)",
     _line(good(20, outlet_domain="a" * 300 + ".kr")), "refused"),
    ("21 subtitles", _line(good(21, subtitles=[f"부제 {i}" for i in range(21)])), "refused"),
    ("a 3,000-character URL", _line(good(22, url="https://news.example.kr/" + "a" * 3000)),
     "refused"),
    ("a 400,000-character body", _line(good(23, text="본문 " * 200_000)), "refused"),
    ("a block whose text is an object",
     _line(good(24, blocks=[{"kind": "paragraph", "text": {"a": 1}}])), "refused"),
    ("a figure on a data: URL",
     _line(good(25, blocks=[{"kind": "figure", "image_url": "data:image/png;base64,AAAA"}])),
     "refused"),
    ("outlet as a number", _line(good(26, outlet=42)), "refused"),
    ("outlet_domain as an object", _line(good(27, outlet_domain={"x": 1})), "refused"),
    ("a javascript: URL", _line(good(28, url="javascript:alert(1)")), "refused"),
    ("invalid UTF-8", _line(good(29)).replace("정상".encode(), b"\xff\xfe\xc3"), "refused"),
    ("a lone surrogate escape", _line(good(30)).replace("정상".encode(), b"\\ud800", 1),
     "refused"),
    ("truncated JSON", _line(good(31))[:40], "refused"),
    ("an array, not an object", b"[1, 2, 3]", "refused"),
    ("JSON nested 2,000 deep", b'{"a":' * 2000 + b"1" + b"}" * 2000, "refused"),
    ("board_no 1e999", _line(good(40)).replace(b'"url"', b'"board_no": 1e999, "url"', 1),
     "refused"),
    ("a 30-digit board_no", _line(good(41, board_no=123456789012345678901234567890)),
     "refused"),
    ("a NUL in the title", _line(good(33, title="제목\u0000 NUL")), "cleaned"),
    ("ANSI escapes in the title", _line(good(34, title="\u001b[31m빨간\u001b[0m 제목 "
                                               "\u001b]0;pwned\u0007")), "cleaned"),
    ("a right-to-left override", _line(good(35, title="제목 \u202egnp.exe")), "cleaned"),
    ("C1 controls in the body", _line(good(36, text="본문\u009b31m 셋째\u0085 줄")),
     "cleaned"),
    ("a bell in the summary", _line(good(37, summary="요약\u0007\u0007")), "cleaned"),
    ("NUL in an author and a caption", _line(good(38, authors=["홍\u0000길동"], blocks=[
        {"kind": "paragraph", "text": "본문\u0000이다"},
        {"kind": "figure", "image_url": "https://img.example.kr/1.jpg",
         "caption": "설명\u0000", "credit": "\u001b[2J사진"}])), "cleaned"),
    ("markup in the title", _line(good(39, title="<script>alert(1)</script>제목")), "cleaned"),
]
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _corpus_file(path: Path) -> tuple[dict[int, str], int]:
    """The corpus between valid lines: {line number: name} of the lines to refuse, and the
    number of lines to store."""
    refused, stored, lines = {}, 0, []
    for i, (name, line, expected) in enumerate(IMPORT_CORPUS):
        lines.append(_line(good(1000 + i)))
        stored += 1
        lines.append(line)
        if expected == "refused":
            refused[len(lines)] = name
        else:
            stored += 1
    path.write_bytes(b"\n".join(lines) + b"\n")
    return refused, stored


def test_every_hostile_line_costs_only_itself(db, tmp_path, settings):
    path = tmp_path / "hostile.jsonl"
    refused, expected_stored = _corpus_file(path)
    report = import_jsonl(db, [path], workers=1)
    errors = {e.line_no: e for e in report.errors}
    assert sorted(errors) == sorted(refused), {n: refused.get(n) for n in errors}
    assert all(e.path == str(path) and e.message for e in errors.values())
    assert report.articles == expected_stored
    with db.read() as conn:
        rows = list(conn.execute(select(articles)).mappings())
    assert len(rows) == expected_stored
    for row in rows:
        texts = [row["title"], row["summary"], row["outlet"], *row["authors"], *row["tags"],
                 *(v for b in row["blocks"] for v in b.values())]
        assert not any(_CONTROL.search(t) for t in texts), row["title"]
        assert "<script>" not in row["title"]
    _site_survives(db, settings)


def test_a_line_the_database_refuses_costs_only_itself(db, tmp_path):
    """Any exception while saving, on either database: one line at fault among 3,000 is
    reported with its file and line, the 2,999 others are saved (a batch is 2,000)."""
    _refuse_title_in_database(db, "독약")
    path = tmp_path / "poison.jsonl"
    lines = [good(n) for n in range(1, 3001)]
    lines[2400]["title"] = "독약"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n",
                    encoding="utf-8")
    errors = []
    report = import_jsonl(db, [path], workers=1, on_error=errors.append)
    assert [(e.path, e.line_no) for e in errors] == [(str(path), 2401)]
    assert "저장하지 못했습니다" in errors[0].message
    assert report.inserted == 2999
    with db.read() as conn:
        numbers = [n for (n,) in conn.execute(select(articles.c.board_no)
                                              .order_by(articles.c.board_no))]
    assert len(numbers) == 2999


def _refuse_title_in_database(db, title: str) -> None:
    """A rule only the database knows, so that saving (not validation) fails."""
    with db.write() as conn:
        if db.dialect == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER poison BEFORE INSERT ON articles "
                f"WHEN NEW.title = '{title}' BEGIN SELECT RAISE(ABORT, 'poison'); END")
        else:
            conn.exec_driver_sql(f"ALTER TABLE articles ADD CONSTRAINT poison "
                                 f"CHECK (title <> '{title}')")


def test_board_numbers_stay_addressable(db, tmp_path, settings):
    """The highest number an import may ask for leaves room for every later post, and its
    page is reachable."""
    from ranknews.limits import MAX_REQUESTED_BOARD_NO

    path = tmp_path / "numbers.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (
        good(1, board_no=MAX_REQUESTED_BOARD_NO), good(2))) + "\n", encoding="utf-8")
    report = import_jsonl(db, [path], workers=1)
    assert not report.errors and report.inserted == 2
    client = _client(db, settings)
    assert client.get(f"/articles/{MAX_REQUESTED_BOARD_NO}").status_code == 200
    assert client.get(f"/articles/{MAX_REQUESTED_BOARD_NO + 1}").status_code == 200


# --- 1. dates: one bounded parser ---------------------------------------------------------------

DATE_CORPUS = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+09:00", "0001-01-01",
               "9999-12-31T23:59:59-12:00", "1969-12-31T23:59:59Z", 10**20, -1, float("nan"),
               float("inf"), True, "2024-02-30", "2024-06-16T25:00", "+999999-01-01",
               "2024.13.45", "20240616T100000" + "0" * 500, None, {}, []]


@pytest.mark.parametrize("value", DATE_CORPUS, ids=[repr(v)[:30] for v in DATE_CORPUS])
def test_no_date_from_outside_passes_the_window_or_overflows(value):
    with pytest.raises(DateRejected):
        parse_date(value)


def test_the_window_is_a_setting_and_query_days_are_clamped():
    window = DateWindow.from_settings(Settings.build(dates_earliest="2000-01-01",
                                                     dates_ahead_hours=1))
    with pytest.raises(DateRejected):
        parse_date("1999-12-31T00:00:00+09:00", window=window)
    assert parse_date("2000-01-02", window=window).year == 2000
    assert parse_day("9999-12-31", window=window) <= (NOW + timedelta(days=1)).date()
    assert parse_day("0001-01-01", window=window).year == 2000


def test_dates_that_skipped_the_parser_never_reach_the_store(db, settings):
    """An Article built in code with extreme dates (no parser on its way) is stored with
    those dates dropped and the reason kept; every page renders and the work behind ingest
    (stories settle hour by hour up to the newest post: year 9999 would never end) runs."""
    extreme = [datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
               datetime(1, 1, 1, 0, 0, tzinfo=timezone.utc),
               datetime(1, 1, 1, 9, 0, tzinfo=timezone.utc)]
    save_articles(db, [Article(url=f"https://old.example.kr/{i}", outlet="옛날일보",
                               title=f"저장된 이상한 날짜 {i}", published_at=when,
                               updated_at=when, blocks=(Paragraph("본문입니다."),))
                       for i, when in enumerate(extreme)])
    with db.read() as conn:
        rows = list(conn.execute(select(articles.c.published_at, articles.c.updated_at,
                                        articles.c.extra)))
    assert all(r.published_at is None and r.updated_at is None for r in rows)
    assert all(len(r.extra["dates_refused"]) == 2 for r in rows)
    _site_survives(db, settings)


@pytest.mark.parametrize("moment", [datetime.max.replace(tzinfo=timezone.utc),
                                    datetime.min.replace(tzinfo=timezone.utc)])
def test_any_stored_time_formats_for_readers(moment):
    """A value stored before dates were bounded shows as nothing, never as a 500."""
    from ranknews.web.format import board_date, full_time, rfc822, zone

    for name in ("Asia/Seoul", "America/Los_Angeles", "Pacific/Kiritimati"):
        assert isinstance(board_date(moment, NOW.date(), zone(name)), str)
        assert isinstance(full_time(moment, zone(name)), str)
    assert isinstance(rfc822(moment), str)


def test_search_date_filters_never_overflow(db, settings):
    client = _client(db, settings)
    for query in ("to=9999-12-31", "from=0001-01-01", "from=9999-12-31&to=9999-12-31",
                  "to=0001-01-01", "from=2024-06-16&to=9999-12-31"):
        assert client.get(f"/search?q=기사&{query}").status_code == 200, query


def _client(db, settings, **changes):
    from conftest import AppClient

    app = create_app(dataclasses.replace(settings, page_cache_check_seconds=0.0, **changes),
                     db)
    return AppClient(app)


def _site_survives(db, settings) -> None:
    """Every page of every stored post renders; the work behind ingest (analysis, stories,
    rank, search) runs to the end with no task parked as failed."""
    from ranknews.pipeline.work import drain
    from ranknews.store.tasks import queue_stats

    drain(db, settings)
    with db.read() as conn:
        assert not any(s.failed or s.pending for s in queue_stats(conn, datetime.now(
            timezone.utc))), queue_stats(conn, datetime.now(timezone.utc))
    client = _client(db, settings)
    with db.read() as conn:
        numbers = [n for (n,) in conn.execute(select(articles.c.board_no))]
    paths = ["/", "/index.json", "/rss.xml", "/rank", "/trends", "/sources",
             "/search?q=기사", "/search?q=제목&to=9999-12-31", "/healthz",
             *(f"/articles/{n}" for n in numbers), *(f"/articles/{n}.json" for n in numbers)]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])


# --- 2 and 1. hostile pages and feed items: one bad item costs only itself ----------------------

HOST = "127.0.0.1"


def crawl_settings(settings: Settings, tmp_path: Path, **changes) -> Settings:
    return dataclasses.replace(settings, fetch_host_delay=0.0, fetch_retries=0,
                               fetch_backoff=0.01, fetch_read_timeout=3.0,
                               fetch_total_timeout=5.0,
                               sources_file=str(tmp_path / "sources.toml"), **changes)


async def run_crawl(db, settings: Settings, feeds: list[tuple[str, str, str]], **options):
    Path(settings.sources_file).write_text(sources_toml(feeds), encoding="utf-8")
    async with build_client(settings) as client:
        return await crawl(db, client, settings, **options)


def dated_page(title: str, published: str) -> str:
    """An article page whose only date is ``published`` (og:type says it is an article)."""
    return page_html(1, title=title).replace(
        '<meta property="article:published_time"',
        f'<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{published}"><meta name="x"')


def feed_of(items: list[tuple[str, str, str | None]]) -> str:
    """RSS with (url, title, pubDate or None for the default) items."""
    body = rss([(u, t) for u, t, _ in items])
    for url, _, when in items:
        if when is not None:
            body = re.sub(f"(<link>{re.escape(url)}</link>)<pubDate>[^<]*</pubDate>",
                          rf"\1<pubDate>{when}</pubDate>", body)
    return body


# (name, page or None for a status, feed pubDate, outcome): "saved", or an item error kind
PAGE_CORPUS = [
    ("page published in year 1 at +09:00", dated_page("1년 기사", "0001-01-01T00:00:00+09:00"),
     None, "saved"),
    ("page published in year 9999", dated_page("9999년 기사", "9999-12-31T23:59:59Z"), None,
     "saved"),
    ("feed date in year 9999", page_html(3, title="피드 날짜 9999"),
     "Fri, 31 Dec 9999 23:59:59 GMT", "saved"),
    ("feed date in year 1", page_html(4, title="피드 날짜 1년"),
     "Mon, 01 Jan 0001 00:00:00 +0900", "saved"),
    ("a 100,000-character headline", page_html(5, title="가" * 100_000), None, "invalid"),
    ("a page the database refuses", page_html(6, title="독약"), None, "save"),
    ("NUL and ESC in the headline", page_html(7, title="제목\u0000\u001b[31m 빨강"), None,
     "saved"),
]


async def test_hostile_pages_and_items_cost_only_themselves(db, settings, tmp_path,
                                                            httpserver):
    _refuse_title_in_database(db, "독약")
    settings = crawl_settings(settings, tmp_path)
    items = []
    for n, (name, page, when, _) in enumerate(PAGE_CORPUS):
        url = httpserver.add(f"/h/{n}", page)
        items.append((url, name, when))
    fine = httpserver.add("/h/fine", page_html(99, title="멀쩡한 기사"))
    items.append((fine, "멀쩡한 기사", None))
    feed = httpserver.add("/h/feed.xml", feed_of(items),
                          content_type="application/rss+xml; charset=utf-8")
    started = datetime.now(timezone.utc)
    report = await asyncio.wait_for(run_crawl(db, settings, [("적대일보", HOST, feed)]), 60)
    kinds = {e.url: e.kind for e in report.sources[0].item_errors}
    with db.read() as conn:
        rows = {r["url"]: r for r in conn.execute(select(articles)).mappings()}
    for (name, _, _, outcome), (url, _, _) in zip(PAGE_CORPUS, items):
        if outcome == "saved":
            assert url in rows and url not in kinds, name
            row = rows[url]
            assert not _CONTROL.search(row["title"]), name
            published = row["published_at"]
            assert published is None or datetime(1990, 1, 1, tzinfo=timezone.utc) \
                <= published <= started + timedelta(days=1), name
        else:
            assert kinds.get(url) == outcome and url not in rows, name
    assert fine in rows
    assert rows[items[0][0]]["extra"]["dates_refused"]  # the reason is kept with the post
    with db.read() as conn:
        source = next(s for s in list_sources(conn) if s.feed_url == feed)
    # the pass finished and was recorded: the feed is not re-read every few seconds
    assert source.health == "경고" and source.last_success_at is not None
    assert source.next_fetch_at >= started + timedelta(seconds=settings.crawl_min_interval)
    _site_survives(db, settings)


async def test_a_source_whose_items_all_fail_shows_its_error(db, settings, tmp_path,
                                                             httpserver, database_url):
    from typer.testing import CliRunner

    from ranknews.cli import app

    settings = crawl_settings(settings, tmp_path)
    gone = [httpserver.url(f"/gone/{n}") for n in (1, 2)]  # 404 both
    feed = httpserver.add("/gone/feed.xml", rss([(u, f"사라진 기사 {u[-1]}") for u in gone]),
                          content_type="application/rss+xml")
    await run_crawl(db, settings, [("실패일보", HOST, feed)])
    with db.read() as conn:
        source = next(s for s in list_sources(conn) if s.feed_url == feed)
    assert source.health == "오류" and "기사 2건 실패" in source.last_error
    page = _client(db, settings).get("/sources")  # readers see the state and cause in words
    assert "수집 실패" in page.text and "주소가 없어짐" in page.text
    listed = CliRunner().invoke(app, ["sources", "--db", database_url,
                                      "--sources-file", settings.sources_file])
    assert "오류" in listed.output and "실패일보" in listed.output


# --- 3. no internal addresses -----------------------------------------------------------------

INTERNAL_URLS = [
    "http://127.0.0.1:{port}/secret", "http://127.1:{port}/secret",
    "http://2130706433:{port}/secret", "http://[::1]:{port}/secret",
    "http://[::ffff:127.0.0.1]:{port}/secret", "http://0.0.0.0:{port}/secret",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.0.1/",
    "http://172.16.0.1/", "http://100.64.0.1/", "http://224.0.0.1/", "http://240.0.0.1/",
    "http://0x7f000001:{port}/secret", "http://017700000001:{port}/secret",
    "http://localhost:{port}/redirect-inside",
]


async def test_internal_addresses_are_never_fetched(db, settings, tmp_path, httpserver):
    """Only 'localhost' is allowed (by name); every other spelling of an internal address,
    direct or by redirect, is refused in the connection, before a byte is sent."""
    settings = crawl_settings(settings, tmp_path, fetch_allowed_hosts="localhost",
                              fetch_connect_timeout=2.0)
    secret = httpserver.add("/secret", page_html(1, title="내부 비밀"))
    httpserver.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    httpserver.add("/redirect-inside", b"", status=302, headers={"Location": secret})
    port = httpserver.port
    fine = f"http://localhost:{port}/fine"
    httpserver.add("/fine", page_html(2, title="공개 기사"))
    urls = [u.format(port=port) for u in INTERNAL_URLS]
    feed = httpserver.add("/inside/feed.xml", rss([(u, f"내부 {i}") for i, u in
                                                   enumerate([*urls, fine])]),
                          content_type="application/rss+xml")
    report = await run_crawl(db, settings, [("내부일보", "localhost",
                                             feed.replace("127.0.0.1", "localhost"))])
    kinds = {e.url: e.kind for e in report.sources[0].item_errors}
    assert all(kinds.get(u) == "blocked" for u in urls), kinds
    assert httpserver.hits("/secret") == [] and report.inserted == 1
    with db.read() as conn:
        assert [r.url for r in conn.execute(select(articles.c.url))] == [fine]


async def test_a_changing_dns_answer_cannot_slip_past():
    """The address checked is the address connected to: the name is resolved once, in the
    connection, and never handed on (no second lookup that could answer otherwise)."""
    import httpcore

    from ranknews.fetch.addresses import AddressPolicy, BlockedAddress, GuardedBackend

    answers = [["93.184.216.34"], ["127.0.0.1"]]  # public first, internal on a second lookup
    connected: list[str] = []

    class Recorder(httpcore.AsyncNetworkBackend):
        async def connect_tcp(self, host, port, timeout=None, local_address=None,
                              socket_options=None):
            connected.append(host)
            raise httpcore.ConnectError("no network here")

    class Rebinding(GuardedBackend):
        async def _resolve(self, host, port, timeout):
            from ipaddress import ip_address
            return [ip_address(a) for a in answers.pop(0)]

    backend = Rebinding(AddressPolicy.parse(""), inner=Recorder())
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("rebind.example", 80)
    assert connected == ["93.184.216.34"]  # the checked address, never the name
    with pytest.raises(BlockedAddress):
        await backend.connect_tcp("rebind.example", 80)
    assert connected == ["93.184.216.34"]


def test_images_on_internal_hosts_are_not_shown(db, settings):
    from ranknews.models import Figure

    save_articles(db, [Article(url="https://news.example.kr/img", outlet="예시일보",
                               title="그림 기사", published_at=NOW, blocks=(
                                   Paragraph("본문"), Figure("http://192.168.0.1/reset.cgi"),
                                   Figure("http://localhost/x.png"),
                                   Figure("https://img.example.kr/ok.jpg")))])
    page = _client(db, settings).get("/articles/1").text
    assert "192.168.0.1" not in page and "localhost/x.png" not in page
    assert "https://img.example.kr/ok.jpg" in page


# --- 4. a slow or unfriendly host never holds up the others -------------------------------------

RETRY_AFTER_CORPUS = ["3600", "99999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT",
                      "Thu, 01 Jan 1970 00:00:00 GMT", "-5", "1e9", "soon", ""]


@pytest.mark.parametrize("value", RETRY_AFTER_CORPUS)
def test_retry_after_is_capped(value):
    from ranknews.fetch.fetcher import parse_retry_after

    seconds = parse_retry_after(value, cap=1800)
    assert seconds is None or 0 <= seconds <= 1800


async def test_a_long_retry_after_skips_that_host_while_the_pass_goes_on(db, settings,
                                                                        tmp_path):
    """One '503 Retry-After: 3600' used to hold the whole pass for an hour. Now the pass
    ends at once: that host's other feed is skipped until the (capped) pause ends, without
    counting a failure, and another host is collected."""
    from httpserver import FixtureServer

    unfriendly, other = FixtureServer().start(), FixtureServer().start()
    try:
        slow = unfriendly.add("/slow.xml", b"", status=503, headers={"Retry-After": "3600"})
        feed_a = add_site(unfriendly, "a", 2)
        feed_b = add_site(other, "b", 2)
        settings = crawl_settings(settings, tmp_path, fetch_concurrency=1)
        started = datetime.now(timezone.utc)
        report = await asyncio.wait_for(run_crawl(db, settings, [
            ("늦춤일보", HOST, slow), ("같은호스트", HOST, feed_a), ("다른일보", HOST, feed_b)]), 30)
        assert report.inserted == 2  # the other host's articles
        with db.read() as conn:
            sources = {s.feed_url: s for s in list_sources(conn)}
        assert sources[slow].health == "오류" and sources[slow].last_error_kind == "rate_limited"
        assert sources[feed_a].failures == 0 and unfriendly.hits("/a/feed.xml") == []
        for url in (slow, feed_a):  # back when the pause ends: 30 minutes, not an hour
            due = sources[url].next_fetch_at - started
            assert timedelta(minutes=29) < due < timedelta(minutes=32), (url, due)
    finally:
        unfriendly.stop()
        other.stop()


async def test_a_huge_feed_is_parsed_off_the_event_loop(db, settings, tmp_path, httpserver):
    """Parsing 10,000 items takes seconds; the event loop (which serves the website under
    'ranknews run') keeps ticking meanwhile."""
    from ranknews.fetch.feeds import parse_feed

    items = [(f"https://big.example.kr/{n}", f"큰 피드 기사 {n}") for n in range(10_000)]
    body = rss(items).encode("utf-8")
    feed = httpserver.add("/big.xml", body, content_type="application/rss+xml")
    started = time.perf_counter()
    parse_feed(body, url=feed)
    alone = time.perf_counter() - started
    settings = crawl_settings(settings, tmp_path, crawl_max_items=0, fetch_max_bytes=20_000_000)
    gaps: list[float] = []

    async def ticker(done: asyncio.Event) -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    done = asyncio.Event()
    ticking = asyncio.create_task(ticker(done))
    await run_crawl(db, settings, [("큰피드", HOST, feed)])
    done.set()
    await ticking
    # the loop never stood still for the time parsing takes (it did: one gap of `alone`)
    assert max(gaps) < max(0.5, alone / 2), (max(gaps), alone)


BOMBS = {
    "gzip": lambda data: gzip.compress(data, compresslevel=9),
    "br": lambda data: brotli.compress(data, quality=5),
    "deflate": lambda data: __import__("zlib").compress(data, 9),
}


@pytest.mark.parametrize("encoding", BOMBS)
async def test_a_compression_bomb_is_cut_off_while_decompressing(encoding, httpserver):
    """200 MB of zeros compress to a few hundred KB; the crawler stops at its 1 MB limit
    having held little more than that (httpx inflated each network chunk whole)."""
    from ranknews.errors import FetchError

    bomb = BOMBS[encoding](b"\0" * 200_000_000)
    httpserver.add("/robots.txt", "", content_type="text/plain")
    url = httpserver.add(f"/bomb.{encoding}", bomb, headers={"Content-Encoding": encoding})
    settings = Settings.build(fetch_allowed_hosts="127.0.0.1")
    async with build_client(settings) as client:
        fetcher = Fetcher(client, FetchPolicy(host_delay=0, max_bytes=1_000_000))
        tracemalloc.start()
        try:
            with pytest.raises(FetchError) as caught:
                await fetcher.get(url)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert caught.value.kind == "too_large"
    assert peak < 12_000_000, f"{peak:,} bytes held for a 1 MB limit"


# --- 5. failures are visible --------------------------------------------------------------------

def test_healthz_says_when_the_home_page_cannot_render(db, settings):
    save_articles(db, [Article(url="https://news.example.kr/h", outlet="예시일보", title="글",
                               published_at=NOW, blocks=(Paragraph("본문"),))])
    client = _client(db, settings)
    assert client.get("/healthz").json()["home"] == "ok"
    with db.write() as conn:  # a broken upgrade: a table the home page reads is gone
        conn.exec_driver_sql("DROP TABLE rank_snapshots")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["home"] == "error" and response.json()["home_error"]
    assert client.get("/").status_code == 500
    metrics = client.get("/metrics").text
    # the 503 of /healthz and the 500 of /
    assert 'ranknews_http_responses_total{status="5xx"} 2.0' in metrics


def test_healthz_says_when_the_queue_behind_ingest_is_stuck(db, settings):
    old = NOW - timedelta(hours=2)  # saved two hours ago, never analysed
    save_articles(db, [Article(url="https://news.example.kr/q", outlet="예시일보", title="글",
                               published_at=old, blocks=(Paragraph("본문"),))], now=old)
    response = _client(db, settings, health_queue_max_age=1800).get("/healthz")
    assert response.status_code == 503 and response.json()["queue"]["state"] == "stuck"
    metrics = _client(db, settings).get("/metrics").text
    assert re.search(r'ranknews_queue_oldest_seconds\{stage="analysis"\} 7\d\d\d', metrics)


async def test_metrics_count_crawl_failures_by_kind(db, settings, tmp_path, httpserver):
    settings = crawl_settings(settings, tmp_path)
    gone = httpserver.url("/m/gone")
    feed = httpserver.add("/m/feed.xml", rss([(gone, "없는 기사"),
                                              ("http://10.0.0.1/x", "내부 기사")]),
                          content_type="application/rss+xml")
    await run_crawl(db, settings, [("지표일보", HOST, feed)])
    metrics = _client(db, settings).get("/metrics").text
    assert 'ranknews_crawl_failures_24h{kind="not_found"} 1.0' in metrics
    assert 'ranknews_crawl_failures_24h{kind="blocked"} 1.0' in metrics


# --- 6. behind a reverse proxy ------------------------------------------------------------------

def _asgi(db, settings, peer: str, **changes):
    app = create_app(dataclasses.replace(settings, page_cache_check_seconds=0.0, **changes), db)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(peer, 5555))
    return app, httpx.AsyncClient(transport=transport, base_url="http://testserver")


FORWARDED_CORPUS = [f"203.0.113.{n}" for n in range(200)] + [
    "", "garbage", "1.2.3.4, 5.6.7.8", "unknown", "::1", "[2001:db8::1]:443",
    "127.0.0.1", "999.999.999.999", "a" * 500, "10.0.0.1, 10.0.0.2, 10.0.0.3"]


async def test_a_client_rotating_x_forwarded_for_is_one_address(db, settings):
    """Today 500 requests with rotating headers counted 501 views; from an untrusted peer
    the header is ignored, so the same reader on the same page counts once."""
    save_articles(db, [Article(url="https://news.example.kr/v", outlet="예시일보", title="글",
                               published_at=NOW, blocks=(Paragraph("본문"),))])
    app, client = _asgi(db, settings, "198.51.100.7")
    async with client:
        for value in FORWARDED_CORPUS:
            response = await client.get("/articles/1", headers={
                "x-forwarded-for": value, "user-agent": "Mozilla/5.0 (reader)"})
            assert response.status_code == 200
    counter = _view_counter(app)
    assert sum(counter.drain().values()) == 1


async def test_trusted_proxies_name_the_client_from_the_right():
    from ranknews.web.client import ClientAddress

    address = ClientAddress("127.0.0.1, 10.0.0.0/8")

    def scope(peer: str, *values: str) -> dict:
        return {"client": (peer, 1), "headers": [(b"x-forwarded-for", v.encode())
                                                 for v in values]}

    assert address(scope("127.0.0.1", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert address(scope("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3")) == "203.0.113.9"
    assert address(scope("127.0.0.1", "6.6.6.6", "203.0.113.9")) == "203.0.113.9"
    assert address(scope("198.51.100.7", "203.0.113.9")) == "198.51.100.7"  # not a proxy
    assert address(scope("127.0.0.1")) == "127.0.0.1"
    assert address(scope("127.0.0.1", "10.0.0.1, 10.0.0.2")) == "10.0.0.1"


async def test_the_search_limit_holds_across_worker_processes(db, settings):
    """Two apps over one database stand for two worker processes: the client's budget is
    shared, keyed on the address the trusted proxy gives, however the header rotates."""
    changes = {"search_rate_burst": 2, "search_rate_per_minute": 1,
               "trusted_proxies": "127.0.0.1"}
    _, first = _asgi(db, settings, "127.0.0.1", **changes)
    _, second = _asgi(db, settings, "127.0.0.1", **changes)
    async with first, second:
        codes = []
        for n, client in enumerate([first, second, first, second]):
            response = await client.get("/search", params={"q": "기사"}, headers={
                "x-forwarded-for": f"6.6.6.{n}, 203.0.113.50"})
            codes.append(response.status_code)
        other = await second.get("/search", params={"q": "기사"},
                                 headers={"x-forwarded-for": "203.0.113.51"})
    assert codes == [200, 200, 429, 429] and other.status_code == 200


HOST_HEADERS = ["evil.example", "evil.example:8443", "127.0.0.1@evil.example",
                "evil.example/..", "[::1]"]


@pytest.mark.parametrize("host", HOST_HEADERS)
def test_redirects_never_reflect_the_host_header(db, settings, host):
    client = _client(db, settings, base_url="https://news.example.kr")
    response = client.get("/rank/", headers={"host": host}, follow_redirects=False)
    assert response.status_code in (301, 307, 308)
    assert response.headers["location"] == "/rank"  # relative: the site the reader asked


def _view_counter(app):
    layer = app.middleware_stack
    while layer is not None:
        if hasattr(layer, "counter"):
            return layer.counter
        layer = getattr(layer, "app", None)
    raise AssertionError("no view counter in the app")


# --- 7. no orphans ------------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() \
            else []
        found += [int(c) for c in children]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_killing_import_kills_its_workers(tmp_path):
    """SIGKILL on 'ranknews import' used to leave its two workers alive under PID 1."""
    path = tmp_path / "big.jsonl"
    body = "본문 문장입니다. " * 60
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(60_000):
            handle.write(json.dumps(good(n, text=body), ensure_ascii=False) + "\n")
    env = {**os.environ, "RANKNEWS_IMPORT_WORKERS": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "ranknews", "import", str(path), "--db",
         f"sqlite:///{tmp_path / 'orphans.sqlite3'}"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers: list[int] = []
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
            workers = _children(process.pid)
        assert len(workers) >= 2, "the import never started its workers"
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(w) for w in workers)
    finally:
        for worker in _children(process.pid) if process.poll() is None else []:
            os.kill(worker, signal.SIGKILL)
        process.kill()


# --- 8. URL identity keeps scheme and port ------------------------------------------------------

def test_urls_that_differ_by_port_or_scheme_are_two_posts(db, tmp_path):
    path = tmp_path / "ports.jsonl"
    records = [good(1, url="http://news.example.kr:8001/view/1", text="8001번 사이트의 본문"),
               good(2, url="http://news.example.kr:8002/view/1", text="8002번 사이트의 본문"),
               good(3, url="https://news.example.kr:8002/view/1", text="https 사이트의 본문"),
               good(4, url="https://news.example.kr:443/view/1", text="기본 포트의 본문")]
    for record in records:
        record["title"] = "같은 제목"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                    encoding="utf-8")
    report = import_jsonl(db, [path], workers=1)
    assert report.inserted == 4
    with db.read() as conn:
        rows = {r.url: r.blocks[0]["text"] for r in conn.execute(select(articles))}
    assert rows == {r["url"]: r["text"] for r in records}


# --- 2. nothing from outside drives the operator's terminal -------------------------------------

def test_search_output_carries_no_control_characters(db, settings, database_url):
    from typer.testing import CliRunner

    from ranknews.cli import app
    from ranknews.pipeline.work import drain

    # stored as a database from before the cleaning would hold it
    save_articles(db, [Article(url="https://news.example.kr/t\u001b[2J", outlet="\u009b31m일보",
                               title="삼성전자 \u001b]0;pwned\u0007 [bold]실적[/bold] \u202e발표",
                               published_at=NOW, blocks=(Paragraph("삼성전자 실적 발표"),))])
    drain(db, settings)
    for extra in ([], ["--json"]):
        result = CliRunner().invoke(app, ["search", "삼성전자", "--db", database_url, *extra])
        assert result.exit_code == 0 and "삼성전자" in result.output
        assert not _CONTROL.search(result.output), repr(result.output)
        assert "[bold]" in result.output or "\\[bold]" in result.output


# --- the count ----------------------------------------------------------------------------------

def hostile_inputs() -> int:
    """Hostile inputs the suite tries: every corpus entry, and each hostile server,
    process or request scenario that has no corpus of its own."""
    corpora = (IMPORT_CORPUS, DATE_CORPUS, PAGE_CORPUS, ["datetime.max", "datetime.min"], INTERNAL_URLS, RETRY_AFTER_CORPUS,
               BOMBS, FORWARDED_CORPUS, HOST_HEADERS)
    scenarios = [
        "a line the database refuses among 3,000", "the highest board number asked for",
        "dates that skipped the parser", "search date filters past the window",
        "a source whose items all fail", "a DNS answer that changes", "internal images",
        "a 503 with Retry-After: 3600", "a 10,000-item feed", "a home page that cannot "
        "render", "a queue that does not move", "crawl failures to count",
        "a client naming its own proxy hops", "one client across worker processes",
        "SIGKILL on import", "two sites on one host", "escapes for the terminal",
    ]
    return sum(len(c) for c in corpora) + len(scenarios)


def test_the_readme_states_the_count():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    count = hostile_inputs()
    assert f"**{count}** hostile inputs" in readme, f"README should say **{count}** hostile inputs"
