"""Search latency at scale, on a SYNTHETIC expansion of the real headlines and texts.

The synthetic corpus (built once, cached under benchmarks/out/, gitignored): article i has
a real headline from ../shared/data/headlines (33,920 of them, 3 outlets, 98 days) and a
body of 6 to 18 real sentences drawn from the real article texts (stories/ and pages/),
about 800 characters; publication times spread over a year, newest last. Every headline and
sentence is analysed by Kiwi once and the index columns of an article are assembled from
its pieces, exactly as the indexer would build them with the default settings (Kiwi on the
title, bigrams on title and body), so 1,000,000 articles take minutes, not hours.

Being built from ~34k headlines and ~1.8k sentences it is more repetitive than real news:
common words match more articles than they would, which makes it a pessimistic test.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import statistics
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from shared import fresh_postgres, libpq_url  # benchmarks/shared.py

from ranknews.search import parse_query
from ranknews.search.document import SearchDocument, build_document, text_grams
from ranknews.search.engine import RankingOptions, search
from ranknews.store import open_database
from ranknews.store.pgsearch import terms_literal
from ranknews.text.analysis import Analysis, Analyzer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
_HEADLINE = re.compile(r"- \[(.+?)\] (.+) \(\[link\]\((.+)\)\)")
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
_RUNS = 3


def _headlines(data: Path) -> list[tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for path in sorted((data / "headlines" / "daily").glob("*/*.md")):
        for line in path.read_text("utf-8").splitlines():
            m = _HEADLINE.match(line.strip())
            if m:
                found.setdefault(m.group(2), (m.group(1), m.group(2)))
    return list(found.values())


def _sentences(docs: list) -> list[str]:  # noqa: ANN001
    pieces = (s.strip() for d in docs for s in re.split(r"(?<=[.!?다])\s+", d.text))
    return list(dict.fromkeys(s for s in pieces if len(s) >= 20))


class Pieces:
    """Headlines and sentences analysed once, to assemble synthetic articles from."""

    def __init__(self, data: Path, docs: list, analyzer: Analyzer) -> None:  # noqa: ANN001
        self.headlines = _headlines(data)
        self.sentences = _sentences(docs)
        started = time.perf_counter()
        analyses = analyzer.analyze_many([(t, "") for _, t in self.headlines])
        print(f"  analysed {len(self.headlines)} real headlines in "
              f"{time.perf_counter() - started:.0f} s")
        empty = Analysis((), (), (), ())
        self.title_docs = [build_document(0, "", t, "", a, body_chars=0)
                           for (_, t), a in zip(self.headlines, analyses)]
        self.sentence_grams = [" ".join(text_grams(s)) for s in self.sentences]
        self._empty = empty

    def article(self, i: int, rng: random.Random) -> tuple[dict, SearchDocument]:
        h = rng.randrange(len(self.headlines))
        outlet, title = self.headlines[h]
        picks = [rng.randrange(len(self.sentences)) for _ in range(rng.randint(6, 18))]
        body = " ".join(self.sentences[p] for p in picks)
        grams = " ".join([self.title_docs[h].grams, *(self.sentence_grams[p] for p in picks)])
        doc = SearchDocument(i, "synthetic", self.title_docs[h].title, "", grams)
        row = {"board_no": i, "url": f"https://synthetic.example/{i}", "outlet": outlet,
               "title": title, "body": body,
               "published": START + timedelta(seconds=i * 31_536_000 // 1_000_000)}
        return row, doc


def _article_values(row: dict) -> tuple:
    blocks = json.dumps([{"kind": "paragraph", "text": row["body"]}], ensure_ascii=False)
    when = row["published"].strftime("%Y-%m-%d %H:%M:%S.000000")
    return (row["board_no"], row["url"], row["outlet"], row["outlet"], row["title"], "[]", "[]",
            "[]", "", "경제", blocks, when, when, "synthetic", 1)


_ARTICLE_SQL = ("INSERT INTO articles (board_no, url, outlet, outlet_domain, title, tags, "
                "subtitles, authors, summary, section, blocks, published_at, collected_at, "
                "content_hash, revision) VALUES ({})")


def build_sqlite(path: Path, n: int, pieces: Pieces) -> None:
    db = open_database(f"sqlite:///{path}", create=True)
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    rng = random.Random(7)
    started = time.perf_counter()
    for start in range(1, n + 1, 20_000):
        rows = [pieces.article(i, rng) for i in range(start, min(n + 1, start + 20_000))]
        with conn:
            conn.executemany(_ARTICLE_SQL.format(",".join("?" * 15)),
                             [_article_values(r) for r, _ in rows])
            conn.executemany("INSERT INTO search_documents (board_no, content_hash, title, lead,"
                             " grams, indexed_at) VALUES (?, ?, ?, ?, ?, '2025-01-01 00:00:00')",
                             [(d.board_no, d.content_hash, d.title, d.lead, d.grams)
                              for _, d in rows])
        print(f"\r  SQLite: {start + len(rows) - 1:,} articles, "
              f"{time.perf_counter() - started:.0f} s", end="", flush=True)
    with conn:
        conn.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    conn.execute("ANALYZE")
    conn.close()
    print(f"\n  SQLite built and optimised in {time.perf_counter() - started:.0f} s, "
          f"{path.stat().st_size / 1e9:.1f} GB")


def _postgres_has(url: str, n: int) -> bool:
    """Whether the database already holds this corpus (built by this code, all n indexed)."""
    import psycopg

    try:
        with psycopg.connect(libpq_url(url)) as pg:
            found = pg.execute("SELECT count(*), max(board_no) FROM search_terms").fetchone()
            done = pg.execute("SELECT obj_description('search_terms'::regclass)").fetchone()
    except psycopg.Error:
        return False
    return tuple(found) == (n, n) and done[0] == f"synthetic {n}"


def build_postgres(url: str, n: int, pieces: Pieces) -> None:

    if _postgres_has(url, n):
        print(f"  PostgreSQL: reusing the {n:,} synthetic articles already built")
        return
    fresh_postgres(url)
    open_database(url, create=True).dispose()
    import psycopg

    rng = random.Random(7)
    started = time.perf_counter()
    with psycopg.connect(libpq_url(url)) as pg:
        pg.execute("DROP INDEX ix_search_terms_terms")
        for start in range(1, n + 1, 20_000):
            rows = [pieces.article(i, rng) for i in range(start, min(n + 1, start + 20_000))]
            with pg.cursor().copy(
                    "COPY articles (board_no, url, outlet, outlet_domain, title, tags, subtitles,"
                    " authors, summary, section, blocks, published_at, collected_at, content_hash,"
                    " revision) FROM STDIN") as copy:
                for r, _ in rows:
                    values = list(_article_values(r))
                    values[11] = values[12] = r["published"]
                    copy.write_row(values)
            with pg.cursor().copy(
                    "COPY search_documents (board_no, content_hash, title, lead, grams, "
                    "indexed_at) FROM STDIN") as copy:
                for _, d in rows:
                    copy.write_row((d.board_no, d.content_hash, d.title, d.lead, d.grams, START))
            with pg.cursor().copy("COPY search_terms (board_no, terms) FROM STDIN") as copy:
                for _, d in rows:
                    copy.write_row((d.board_no,
                                    terms_literal(d.title, d.lead, d.grams, d.board_no)))
            pg.commit()
            print(f"\r  PostgreSQL: {start + len(rows) - 1:,} articles, "
                  f"{time.perf_counter() - started:.0f} s", end="", flush=True)
        pg.execute("SET maintenance_work_mem = '1GB'")
        pg.execute("CREATE INDEX ix_search_terms_terms ON search_terms USING gin (terms)"
                   " WITH (fastupdate = off)")
        pg.execute("SELECT setval(pg_get_serial_sequence('articles', 'board_no'), %s)", (n,))
        pg.execute(f"COMMENT ON TABLE search_terms IS 'synthetic {n}'")
        pg.commit()
        pg.autocommit = True
        pg.execute("VACUUM ANALYZE articles")
        pg.execute("VACUUM ANALYZE search_documents")
        pg.execute("VACUUM ANALYZE search_terms")
    print(f"\n  PostgreSQL built in {time.perf_counter() - started:.0f} s")


def latency_queries(queries: list, pieces: Pieces) -> list[str]:  # noqa: ANN001
    """The judged queries, plus the most frequent headline terms alone and in pairs."""
    counts: dict[str, int] = {}
    for doc in pieces.title_docs:
        for term in set(doc.title.split()):
            if len(term) >= 2:
                counts[term] = counts.get(term, 0) + 1
    common = sorted(counts, key=counts.get, reverse=True)[:40]  # type: ignore[arg-type]
    rng = random.Random(3)
    pairs = [f"{rng.choice(common)} {rng.choice(common)}" for _ in range(20)]
    return [q.q for q in queries] + common + pairs


def measure(run: Callable[[str], object], texts: list[str]) -> list[float]:
    for text in texts:  # warm caches once
        run(text)
    timings = []
    for _ in range(_RUNS):
        for text in texts:
            started = time.perf_counter()
            run(text)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(label: str, timings: list[float]) -> None:
    timings = sorted(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"  {label:40} p50 {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms   "
          f"max {timings[-1]:7.1f} ms   ({len(timings)} searches)")


def run_latency(docs: list, queries: list, analyzer: Analyzer, *, sqlite_n: int,  # noqa: ANN001
                pg_url: str | None, pg_n: int, windows: tuple[int, ...] = (200,)) -> None:
    from search import DATA  # the benchmark's data directory

    print("\nLatency (SYNTHETIC corpus: real headlines + real sentences, see "
          "benchmarks/search_latency.py)")
    pieces = Pieces(DATA, docs, analyzer)
    texts = latency_queries(queries, pieces)
    now = START + timedelta(days=366)
    targets = []
    if sqlite_n:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"search-synthetic-{sqlite_n}.sqlite3"
        if not path.exists():
            partial = path.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            build_sqlite(partial, sqlite_n, pieces)
            partial.rename(path)
        targets.append((f"SQLite FTS5, {sqlite_n:,} articles", f"sqlite:///{path}"))
    if pg_url and pg_n:
        build_postgres(pg_url, pg_n, pieces)
        targets.append((f"PostgreSQL GIN, {pg_n:,} articles", pg_url))
    for label, url in targets:
        db = open_database(url)
        for window in windows:
            options = RankingOptions(candidate_limit=window)
            with db.read() as conn:
                def run(text: str, options: RankingOptions = options) -> object:
                    return search(conn, parse_query(text, analyzer), options=options,
                                  limit=20, now=now)
                report(f"{label}, {window} candidates", measure(run, texts))
        db.dispose()
