"""Relevance gates: recall@10 and nDCG@10 floors on the judged queries over the real articles
(benchmarks/search_queries.toml, judged by reading the texts; see benchmarks/search.py), and
on the held-out natural queries (benchmarks/search_natural.toml: written as readers type
them, before the engine was changed for them), with no query left without a result."""

from __future__ import annotations

import importlib.util
import sys

from conftest import ROOT, shared_data

from ranknews.text.analysis import Analyzer


def _benchmark():
    path = ROOT / "benchmarks" / "search.py"
    spec = importlib.util.spec_from_file_location("search_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["search_benchmark"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_recall_and_ndcg_floors_on_judged_queries(database_url):
    data = shared_data("stories", "dev.jsonl").parent.parent
    bench = _benchmark()
    docs, queries = bench.load_corpus(data), bench.load_queries()
    ours = bench.Ours(docs, Analyzer(), database_url)
    scores = [(bench.recall_at(ours.run(q.q), q.relevant), bench.ndcg_at(ours.run(q.q),
                                                                          q.relevant))
              for q in queries]
    recall = sum(s[0] for s in scores) / len(scores)
    ndcg = sum(s[1] for s in scores) / len(scores)
    by_category: dict[str, list[float]] = {}
    for q, (r, _) in zip(queries, scores):
        by_category.setdefault(q.category, []).append(r)
    assert recall >= 0.95, recall  # measured 1.000
    assert ndcg >= 0.93, ndcg  # measured 0.998
    for category, values in by_category.items():
        assert sum(values) / len(values) >= 0.9, category


def test_natural_queries_floors_and_no_empty_result(database_url):
    data = shared_data("stories", "dev.jsonl").parent.parent
    bench = _benchmark()
    docs = bench.load_corpus(data)
    queries = bench.load_queries(bench.QUERY_SETS["natural"])
    assert len(queries) >= 100
    ours = bench.Ours(docs, Analyzer(), database_url)
    runs = [(q, ours.run(q.q)) for q in queries]
    recall = sum(bench.recall_at(r, q.relevant) for q, r in runs) / len(runs)
    ndcg = sum(bench.ndcg_at(r, q.relevant) for q, r in runs) / len(runs)
    empty = [q.q for q, r in runs if not r]
    assert recall >= 0.95, recall  # measured 0.974 (0.759 before issue 16)
    assert ndcg >= 0.9, ndcg  # measured 0.929 (0.767 before)
    assert not empty, empty  # every query has a matching article in the corpus
