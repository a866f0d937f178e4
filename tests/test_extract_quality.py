"""Regression gate on extraction quality (floors just under the measured scores).

The metrics are ``ranknews.extract.evaluation.token_f1`` and ``bigram_f1`` (the same as
benchmarks/extraction.py). Measured when the floors were set: mk.co.kr fixtures 0.99
average; all shared pages 0.974 token F1; leave one outlet out 0.978 bigram F1 (every
outlet ≥ 0.87), readability-lxml 0.883 on the same pages; own fixture pages 1.000.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from conftest import FIXTURES, shared_data

from ranknews.extract import extract_article
from ranknews.extract.evaluation import (
    EvalPage,
    bigram_f1,
    leave_one_outlet_out,
    run_page,
    scored_text,
    token_f1,
)

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


def test_bigram_f1_ignores_how_paragraphs_are_joined():
    assert bigram_f1("가나다\n라마", "가나다라마") == 1.0
    assert bigram_f1("가나 다라", "가나다라") == 1.0
    assert bigram_f1("", "") == 1.0 and bigram_f1("가나", "") == 0.0
    # expected bigrams 가나 나다; predicted 가나 나라: overlap 1 of 2 each → F1 = 0.5
    assert abs(bigram_f1("가나다", "가나라") - 0.5) < 1e-9


def _eval_pages(paths: list[Path], group) -> list[EvalPage]:
    pages = []
    for html_path in paths:
        expected = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
        pages.append(EvalPage(group(html_path), expected["url"],
                              html_path.read_text(encoding="utf-8"), expected["text"]))
    return pages


OWN = FIXTURES / "pages" / "own"


def _own_pages() -> list[EvalPage]:
    return _eval_pages(sorted(p for p in OWN.glob("*.html") if p.with_suffix(".json").exists()),
                       lambda path: "own")


def test_own_structures_floor():
    """Framework payloads, hidden and app copies, summary boxes: each body once, in full."""
    pages = _own_pages()
    assert len(pages) >= 8
    scores = {p.url: bigram_f1(p.expected, run_page(p).text) for p in pages}
    assert min(scores.values()) >= 0.97, scores


@pytest.mark.nodb
def test_leave_one_outlet_out_floor_and_above_readability():
    """Each outlet measured with thresholds chosen without it and without the rules only
    its pages triggered (evaluation.leave_one_outlet_out), against readability-lxml."""
    import lxml.html
    from readability import Document

    paths = sorted(shared_data("pages").glob("*/*.html"))
    pages = _eval_pages(paths, lambda path: path.parent.name)
    result = leave_one_outlet_out(pages, _own_pages())
    assert result.mean_bigram >= 0.95, result.outlets
    for outlet, score in result.outlets.items():
        assert score["bigram"] >= 0.85, (outlet, score)
    theirs = []
    for page in pages:
        summary = Document(page.html).summary(html_partial=True)
        text = "\n".join(lxml.html.fromstring(summary).itertext()) if summary.strip() else ""
        theirs.append(bigram_f1(page.expected, text))
    assert result.mean_bigram > statistics.mean(theirs) + 0.05


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
