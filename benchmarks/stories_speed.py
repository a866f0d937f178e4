"""Speed of analysis, story assignment with many articles stored, and restory.

    PYTHONPATH=src .venv/bin/python benchmarks/stories_speed.py [--stored 1000000]

1. Analysis: the labelled texts (../shared/data/stories/dev.jsonl) through Kiwi, one
   ``Analyzer.analyze`` call per article vs one ``analyze_many`` call for all (batching):
   articles/s and characters/s.
2. Assignment: a SQLite database holding ``--stored`` articles made by SYNTHETIC EXPANSION of
   the dev analyses (each real analysis repeated with its numbers shifted, one article every
   ~90 s so a 72 h window holds ~2,900), the clusterer restored for the window, then the time
   of ``StoryClusterer.assign`` for 1,000 further articles: median and p95.
3. Restory: ``pipeline.restory`` over the newest 20,000 stored articles (the stories open at
   the period's start carried in): articles/s of wall-clock and of CPU time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ranknews.config import Settings
from ranknews.pipeline.stories import restored_clusterer, restory
from ranknews.store import open_database
from ranknews.stories import signals_from
from ranknews.text.analysis import Analysis, Analyzer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import shared_data  # noqa: E402  (benchmarks/shared.py)

SHARED = shared_data()
START = datetime(2020, 1, 1, tzinfo=timezone.utc)
STEP = timedelta(seconds=90)


def analysis_speed(rows: list[dict]) -> list[Analysis]:
    analyzer = Analyzer()
    pairs = [(r["title"], r["text"]) for r in rows]
    chars = sum(len(t) + min(len(x), analyzer.body_chars) for t, x in pairs)
    started = time.perf_counter()
    for title, text in pairs:
        analyzer.analyze(title, text)
    single = time.perf_counter() - started
    started = time.perf_counter()
    analyses = analyzer.analyze_many(pairs)
    batch = time.perf_counter() - started
    print(f"analysis, {len(pairs)} articles, {chars / len(pairs):.0f} chars each on average:")
    for name, took in (("one call per article", single), ("analyze_many (batch)", batch)):
        print(f"  {name:22} {len(pairs) / took:7.1f} articles/s {chars / took:9.0f} chars/s "
              f"{1000 * took / len(pairs):6.1f} ms/article")
    print(f"  batch/single speed ratio: {single / batch:.2f}")
    return analyses


def _variant(a: Analysis, n: int) -> dict:
    # A synthetic copy: the same words, its counted numbers made unique to this copy so that
    # copies do not all collapse into one story.
    numbers = [f"{n}{x}" for x in a.numbers[:5]] + list(a.numbers[5:])
    return {"title_terms": list(a.title_terms), "body_terms": list(a.body_terms),
            "entities": list(a.entities), "phrases": list(a.phrases), "numbers": numbers,
            "lead_numbers": numbers[:3], "version": a.version}


def fill(url: str, analyses: list[Analysis], stored: int) -> None:
    db = open_database(url, create=True)
    started = time.perf_counter()
    chunk = 20_000
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO outlets (domain, name) VALUES ('synthetic.test', '합성')")
    for base in range(0, stored, chunk):
        arts, anal, members = [], [], []
        for n in range(base + 1, min(stored, base + chunk) + 1):
            a = analyses[n % len(analyses)]
            when = (START + n * STEP).isoformat(sep=" ")
            arts.append((n, f"https://synthetic.test/{n}", "합성", "synthetic.test",
                         " ".join(a.title_terms), "[]", "[]", "[]", "", "[]", when, when,
                         "x", 1))
            v = _variant(a, n // 7)
            anal.append((n, v["version"], *(json.dumps(v[k], ensure_ascii=False) for k in (
                "title_terms", "body_terms", "entities", "phrases", "numbers", "lead_numbers")),
                when))
            members.append((n, n - n % 7 + (1 if n % 7 == 0 else 0) or 1, 1.0, when))
        with db.engine.begin() as conn:
            raw = conn.connection.driver_connection
            raw.executemany(
                "INSERT INTO articles (board_no, url, outlet, outlet_domain, title, tags, "
                "subtitles, authors, summary, blocks, published_at, collected_at, content_hash,"
                " revision) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", arts)
            raw.executemany("INSERT INTO article_analysis VALUES (?,?,?,?,?,?,?,?,?)", anal)
            raw.executemany("INSERT INTO story_members VALUES (?,?,?,?)", members)
    print(f"stored {stored:,} synthetic articles in {time.perf_counter() - started:.0f} s")
    db.dispose()


def assignment_speed(url: str, analyses: list[Analysis], stored: int) -> None:
    db = open_database(url)
    settings = Settings()
    started = time.perf_counter()
    clusterer = restored_clusterer(db, settings, START + (stored + 1) * STEP)
    print(f"window restored in {time.perf_counter() - started:.1f} s: "
          f"{clusterer.window_articles:,} articles, {clusterer.open_stories:,} open stories")
    times = []
    for k in range(1000):
        n = stored + 1 + k
        v = _variant(analyses[k % len(analyses)], n // 7 + 1)
        analysis = Analysis(**{f: tuple(v[f]) for f in (
            "title_terms", "body_terms", "entities", "phrases", "numbers", "lead_numbers")})
        signals = signals_from(analysis, START + n * STEP)
        started = time.perf_counter()
        clusterer.assign(n, signals)
        times.append(time.perf_counter() - started)
    times.sort()
    print(f"assign with {stored:,} stored: median {1000 * statistics.median(times):.2f} ms, "
          f"p95 {1000 * times[int(0.95 * len(times))]:.2f} ms (goal: median <= 2 ms)")
    started, cpu = time.perf_counter(), time.process_time()
    period_start = START + (stored - 20_000) * STEP
    done = restory(db, settings, period_start)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    # CPU time as well: on this shared machine the wall clock also counts other processes
    print(f"restory of the newest {done:,} articles: {done / took:,.0f} articles/s wall, "
          f"{done / cpu:,.0f} articles/s of CPU time (goal >= 1,000)")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stored", type=int, default=1_000_000)
    args = parser.parse_args()
    rows = [json.loads(x) for x in (SHARED / "stories" / "dev.jsonl").open(encoding="utf-8")]
    analyses = analysis_speed(rows)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/speed.sqlite3"
        fill(url, analyses, args.stored)
        assignment_speed(url, analyses, args.stored)


if __name__ == "__main__":
    main()
