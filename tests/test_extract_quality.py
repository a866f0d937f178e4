"""Regression gate on extraction quality (floors just under the measured scores).

The metric is ``ranknews.extract.evaluation.token_f1`` (the same as benchmarks/extraction.py).
Measured when the floors were set: mk.co.kr fixtures 0.99 average; all shared pages 0.974.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from conftest import FIXTURES, shared_data

from ranknews.extract import extract_article
from ranknews.extract.evaluation import scored_text, token_f1

MK_FIXTURES = FIXTURES / "pages" / "www.mk.co.kr"


def _scores(pages: list[Path]) -> dict[Path, float]:
    scores = {}
    for html_path in pages:
        expected = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
        article = extract_article(html_path.read_text(encoding="utf-8"), expected["url"])
        scores[html_path] = token_f1(expected["text"], scored_text(article))
    return scores


def test_token_f1_definition():
    assert token_f1("a b b c", "a b b c") == 1.0
    assert token_f1("a b", "c d") == 0.0
    assert token_f1("", "") == 1.0
    # overlap 2 of predicted 4 and expected 2: P = 0.5, R = 1 → F1 = 2/3
    assert abs(token_f1("a b", "a b x y") - 2 / 3) < 1e-9


def test_mk_fixture_pages_floor():
    pages = sorted(MK_FIXTURES.glob("*.html"))
    assert len(pages) >= 3
    scores = _scores(pages)
    assert statistics.mean(scores.values()) >= 0.97, scores
    assert min(scores.values()) >= 0.95, scores


def test_mk_fixture_metadata():
    for html_path in sorted(MK_FIXTURES.glob("*.html")):
        expected = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
        article = extract_article(html_path.read_text(encoding="utf-8"), expected["url"])
        assert article.extra["headline"] == expected["title"]
        assert list(article.authors) == expected["authors"]
        assert article.published_at is not None
        assert article.published_at.isoformat().startswith(expected["published"][:10])
        assert "@" not in article.text and "무단전재" not in article.text.replace(" ", "")


def test_all_shared_pages_floor():
    pages = sorted(shared_data("pages").glob("*/*.html"))
    scores = _scores(pages)
    mean = statistics.mean(scores.values())
    assert mean >= 0.96, f"body F1 {mean:.3f} fell under the floor"
    by_outlet: dict[str, list[float]] = {}
    for path, score in scores.items():
        by_outlet.setdefault(path.parent.name, []).append(score)
    # www.yonhapnewstv.co.kr's silver text glues paragraphs without spaces: lower ceiling.
    for outlet, values in by_outlet.items():
        floor = 0.75 if outlet == "www.yonhapnewstv.co.kr" else 0.94
        assert statistics.mean(values) >= floor, (outlet, statistics.mean(values))
