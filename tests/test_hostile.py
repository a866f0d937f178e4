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
from httpserver import Reply
from newssite import add_site, page_html, rss, sources_toml
from sqlalchemy import select, text

from ranknews.config import Settings
from ranknews.dates import DateRejected, DateWindow, parse_date, parse_day
from ranknews.fetch.client import build_client
from ranknews.fetch.fetcher import Fetcher, FetchPolicy
from ranknews.models import Article, Paragraph
from ranknews.pipeline import crawl
from ranknews.pipeline.importing import import_jsonl
from ranknews.store.articles import save_articles
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


def test_stored_dates_from_before_the_window_never_break_a_page(db, settings):
    """Posts stored before dates were bounded (saved here past the parser) render, analyse,
    rank and index: the reading side shows what it cannot convert as nothing."""
    extreme = [datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
               datetime(1, 1, 1, 0, 0, tzinfo=timezone.utc),
               datetime(1, 1, 1, 9, 0, tzinfo=timezone.utc)]
    save_articles(db, [Article(url=f"https://old.example.kr/{i}", outlet="옛날일보",
                               title=f"저장된 이상한 날짜 {i}", published_at=when,
                               updated_at=when, blocks=(Paragraph("본문입니다."),))
                       for i, when in enumerate(extreme)])
    _site_survives(db, settings)


def test_search_date_filters_never_overflow(db, settings):
    client = _client(db, settings)
    for query in ("to=9999-12-31", "from=0001-01-01", "from=9999-12-31&to=9999-12-31",
                  "to=0001-01-01", "from=2024-06-16&to=9999-12-31"):
        assert client.get(f"/search?q=기사&{query}").status_code == 200, query


def _client(db, settings, **changes):
    from starlette.testclient import TestClient

    app = create_app(dataclasses.replace(settings, page_cache_check_seconds=0.0, **changes),
                     db)
    return TestClient(app, raise_server_exceptions=False)


def _site_survives(db, settings) -> None:
    """Every page of every stored post renders; analysis, ranking and indexing run."""
    from ranknews.cli.search import make_indexer
    from ranknews.pipeline.analysis import analyze_pending, story_clusterer
    from ranknews.pipeline.rank import update_rank
    from ranknews.pipeline.search import index_pending
    from ranknews.text.analysis import shared_analyzer

    analyze_pending(db, shared_analyzer(), story_clusterer(db, settings))
    update_rank(db, shared_analyzer(), timezone=settings.timezone)
    index_pending(db, make_indexer(settings))
    client = _client(db, settings)
    with db.read() as conn:
        numbers = [n for (n,) in conn.execute(select(articles.c.board_no))]
    paths = ["/", "/index.json", "/rss.xml", "/rank", "/trends", "/sources",
             "/search?q=기사", "/search?q=제목&to=9999-12-31", "/healthz",
             *(f"/articles/{n}" for n in numbers), *(f"/articles/{n}.json" for n in numbers)]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
