"""PostgreSQL search plans on a small seeded board: the candidates come from the lexeme
index, a rare word reads only its matches, a common word only the newest slices' matches
(never every match, never the primary key walked backwards testing each row).
Timings stay in benchmarks/search_latency.py; here the plans are checked."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from ranknews.search import parse_query
from ranknews.search.document import SearchDocument, text_grams
from ranknews.search.engine import search
from ranknews.store import driver
from ranknews.store.driver import run_many
from ranknews.store.pgsearch import SLICE
from ranknews.store.search import save_documents
from ranknews.text.analysis import Analyzer

NOW = datetime(2025, 3, 1, tzinfo=timezone.utc)
POSTS = 3 * SLICE + 500  # slices 0-3; the first step covers the newest two
RARE = (11, 222, 3333)  # 엔비디아가 only in these old posts


@pytest.fixture
def seeded(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL plans")
    articles, docs = [], []
    for no in range(1, POSTS + 1):
        title = f"반도체 시장 {no}호" + (" 엔비디아가 신제품 공개" if no in RARE else "")
        when = NOW - timedelta(minutes=POSTS - no)
        articles.append((no, f"https://plan.example.kr/{no}", "예시일보", "plan.example.kr",
                         title, "[]", "[]", "[]", "", "경제", "[]", when, when, f"h{no}", 1))
        docs.append(SearchDocument(no, f"h{no}", " ".join(title.split()[:2]), "",
                                   " ".join(text_grams(title))))
    with db.write() as conn:
        run_many(conn, "INSERT INTO articles (board_no, url, outlet, outlet_domain, title, tags,"
                 " subtitles, authors, summary, section, blocks, published_at, collected_at,"
                 " content_hash, revision) VALUES (:a, :b, :c, :d, :e, :f, :g, :h, :i, :j, :k,"
                 " :l, :m, :n, :o)", articles)
        save_documents(conn, docs, NOW)
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "ANALYZE search_terms")
    return db


def _plans(db, text: str) -> tuple[list[int], list[dict[str, Any]]]:
    """The search's board numbers, and the plan of each candidate step as it ran."""
    steps: list[tuple[str, Any]] = []

    def watch(sql: str, params: Any) -> None:
        if "search_terms WHERE terms @@" in sql:
            steps.append((sql, params))

    driver.observers.append(watch)
    try:
        with db.read() as conn:
            hits = search(conn, parse_query(text, Analyzer()), now=NOW, limit=100).hits
    finally:
        driver.observers.remove(watch)
    plans = []
    with db.read() as conn:
        cursor = conn.connection.driver_connection.cursor()
        for sql, params in steps:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            raw = cursor.fetchone()[0]
            plans.append((raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"])
    return [h.board_no for h in hits], plans


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += _nodes(child)
    return found


def _terms_access(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in _nodes(plan) if n.get("Relation Name") == "search_terms"
            or n.get("Index Name", "").startswith(("ix_search_terms", "search_terms"))]


def test_a_rare_word_reads_only_its_matches_through_the_index(seeded):
    numbers, plans = _plans(seeded, "엔비디아가")
    assert sorted(numbers) == sorted(RARE)
    assert plans
    for plan in plans:
        access = _terms_access(plan)
        kinds = {n["Node Type"] for n in access}
        assert "Seq Scan" not in kinds and "Index Scan" not in kinds, kinds
        assert any(n["Node Type"] == "Bitmap Index Scan"
                   and n["Index Name"] == "ix_search_terms_terms" for n in access)
        heap = [n for n in access if n["Node Type"] == "Bitmap Heap Scan"]
        assert heap and all(n["Actual Rows"] <= len(RARE) for n in heap)
        assert all(n.get("Rows Removed by Index Recheck", 0) == 0 for n in heap)


def test_a_common_word_reads_the_newest_slices_not_every_match(seeded):
    numbers, plans = _plans(seeded, "반도체")
    assert numbers == list(range(POSTS, POSTS - 100, -1))  # the newest, all of them match
    assert len(plans) == 1  # the first window held enough
    heap = [n for n in _terms_access(plans[0]) if n["Node Type"] == "Bitmap Heap Scan"]
    assert heap
    assert heap[0]["Actual Rows"] <= 2 * SLICE < POSTS
