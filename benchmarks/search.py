"""Search benchmark: relevance, indexing speed and latency, ours beside plain baselines.

    python benchmarks/search.py                       # relevance + indexing speed
    python benchmarks/search.py --latency 1000000     # + latency at 1M synthetic articles
    python benchmarks/search.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/db
    python benchmarks/search.py --set natural --skip-indexing   # the held-out natural set

Query sets (``--set``): ``judged`` (search_queries.toml, word-level judgements), ``natural``
(search_natural.toml: 137 queries as readers type them, written from the labelled events
before the engine was tuned for them: HELD-OUT, report only, never tune on it) and ``dev``
(search_natural_dev.toml: the same kind of queries over the pages, for tuning). Each set
also reports the share of queries with no result at all.

Relevance: the judged queries of benchmarks/search_queries.toml over the real articles of
../shared/data (stories/dev.jsonl and pages/*/*.json), recall@10 and nDCG@10 per category
for ranknews search and, in the same run over the same texts, plain SQLite FTS5
(unicode61 on the raw text), FTS5 trigram and LIKE '%q%'. Ablations show what each part of
the index buys: Kiwi on title+lead only, bigrams only, Kiwi on the whole body.

recall@10 = |relevant ∩ top 10| / min(|relevant|, 10); nDCG@10 with binary gains.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import sqlite3
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import fresh_postgres, shared_data  # noqa: E402  (benchmarks/shared.py)

sys.path.insert(0, str(ROOT / "benchmarks"))

from ranknews.models import Article, Paragraph  # noqa: E402
from ranknews.pipeline.saving import save_articles  # noqa: E402
from ranknews.search import Indexer, parse_query  # noqa: E402
from ranknews.search.engine import search  # noqa: E402
from ranknews.store import open_database  # noqa: E402
from ranknews.store.search import save_documents  # noqa: E402
from ranknews.text.analysis import Analyzer  # noqa: E402

DATA = shared_data()
QUERIES = ROOT / "benchmarks" / "search_queries.toml"
QUERY_SETS = {"judged": QUERIES, "natural": ROOT / "benchmarks" / "search_natural.toml",
              "dev": ROOT / "benchmarks" / "search_natural_dev.toml"}
OUT = ROOT / "benchmarks" / "out"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
K = 10


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str
    outlet: str
    published: datetime | None


@dataclass(frozen=True)
class Query:
    q: str
    category: str
    relevant: frozenset[str]


# ---- data --------------------------------------------------------------------------------

def write_documents(db, docs) -> None:  # noqa: ANN001
    """Store search documents in a transaction of their own."""
    from datetime import datetime, timezone

    with db.write() as conn:
        save_documents(conn, docs, datetime.now(timezone.utc))


def load_corpus(data: Path = DATA) -> list[Doc]:
    docs = []
    for line in (data / "stories" / "dev.jsonl").read_text("utf-8").splitlines():
        d = json.loads(line)
        docs.append(Doc(d["id"], d["title"], d["text"], d["outlet"], None))
    for path in sorted(glob.glob(str(data / "pages" / "*" / "*.json"))):
        d = json.loads(Path(path).read_text("utf-8"))
        docs.append(Doc(d["url"], d["title"], d.get("text") or "", Path(path).parent.name,
                        _date(d.get("published"))))
    return docs


def _date(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def load_queries(path: Path = QUERIES) -> list[Query]:
    raw = tomllib.loads(path.read_text("utf-8"))["query"]
    return [Query(r["q"], r.get("category") or r["kind"], frozenset(r["relevant"]))
            for r in raw]


def to_article(doc: Doc) -> Article:
    url = doc.id if doc.id.startswith("http") else f"https://stories.example/{doc.id}"
    paragraphs = tuple(Paragraph(p) for p in doc.text.split("\n") if p.strip())
    return Article(url=url, outlet=doc.outlet, outlet_domain=doc.outlet, title=doc.title,
                   published_at=doc.published, collected_at=datetime(2025, 1, 1,
                                                                     tzinfo=timezone.utc),
                   blocks=paragraphs)


# ---- metrics -----------------------------------------------------------------------------

def recall_at(ranked: list[str], relevant: frozenset[str], k: int = K) -> float:
    return len(set(ranked[:k]) & relevant) / min(len(relevant), k)


def ndcg_at(ranked: list[str], relevant: frozenset[str], k: int = K) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal


# ---- systems -----------------------------------------------------------------------------

class Ours:
    """ranknews search over a fresh database; ``variant`` switches parts of the index off."""

    def __init__(self, docs: list[Doc], analyzer: Analyzer, url: str, *, variant: str = "ours",
                 analysis_chars: int = 0) -> None:
        self.analyzer = analyzer
        self.db = open_database(url, create=True)
        saved = save_articles(self.db, [to_article(d) for d in docs])
        self.ids = {no: d.id for no, d in zip(saved.inserted, docs)}
        indexer = Indexer(analyzer, analysis_chars=analysis_chars, body_chars=4000)
        articles = [replace(to_article(d), board_no=no) for no, d in zip(saved.inserted, docs)]
        documents = indexer.documents(articles)
        if variant == "kiwi-only":
            documents = [replace(x, grams="") for x in documents]
        elif variant == "grams-only":
            documents = [replace(x, title="", lead="") for x in documents]
        write_documents(self.db, documents)

    def run(self, q: str) -> list[str]:
        with self.db.read() as conn:
            found = search(conn, parse_query(q, self.analyzer), limit=K, now=NOW)
        return [self.ids[h.board_no] for h in found.hits]


class Baseline:
    """Plain SQLite over the raw text: FTS5 unicode61, FTS5 trigram, or LIKE."""

    def __init__(self, docs: list[Doc], kind: str) -> None:
        self.kind = kind
        self.conn = sqlite3.connect(":memory:")
        self.ids = [d.id for d in docs]
        if kind == "like":
            self.conn.execute("CREATE TABLE t(body)")
        else:
            tokenizer = "trigram" if kind == "trigram" else "unicode61"
            self.conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize='{tokenizer}')")
        self.conn.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)",
                              [(i + 1, d.title + "\n" + d.text) for i, d in enumerate(docs)])

    def run(self, q: str) -> list[str]:
        if self.kind == "like":
            rows = self.conn.execute("SELECT rowid FROM t WHERE body LIKE ? ORDER BY rowid DESC "
                                     "LIMIT ?", (f"%{q}%", K))
        else:  # the reader's words, each quoted, all required: what a plain FTS box does
            match = " ".join('"' + w.replace('"', '""') + '"' for w in q.split())
            rows = self.conn.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) "
                                     "LIMIT ?", (match, K))
        return [self.ids[r[0] - 1] for r in rows]


Scores = dict[str, dict[str, tuple[float, float, float]]]  # system → category → r, n, zero


def relevance(docs: list[Doc], queries: list[Query], analyzer: Analyzer,
              pg_url: str | None, *, ablations: bool = True) -> Scores:
    systems = build_systems(docs, analyzer, pg_url, ablations=ablations)
    misses: dict[str, list[str]] = {}
    table = score_systems(systems, queries, misses)
    _print_misses(misses)
    return table


def _print_misses(misses: dict[str, list[str]]) -> None:
    for name in ("ranknews (SQLite)", "ranknews (PostgreSQL)"):
        if misses.get(name):
            print(f"queries {name} did not fully recall:", "; ".join(misses[name]))


def build_systems(docs: list[Doc], analyzer: Analyzer, pg_url: str | None, *,
                  ablations: bool = True) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp())
    systems: dict[str, object] = {
        "ranknews (SQLite)": Ours(docs, analyzer, f"sqlite:///{tmp / 'ours.sqlite3'}"),
    }
    if pg_url:
        _reset_pg(pg_url)
        systems["ranknews (PostgreSQL)"] = Ours(docs, analyzer, pg_url)
    if ablations:
        systems |= _ablations(docs, analyzer, tmp)
    systems |= {
        "FTS5 unicode61 (raw text)": Baseline(docs, "unicode61"),
        "FTS5 trigram (raw text)": Baseline(docs, "trigram"),
        "LIKE '%q%'": Baseline(docs, "like"),
    }
    return systems


def _ablations(docs: list[Doc], analyzer: Analyzer, tmp: Path) -> dict[str, object]:
    return {
        "  ablation: + Kiwi on 300 chars of lead": Ours(
            docs, analyzer, f"sqlite:///{tmp / 't.sqlite3'}", analysis_chars=300),
        "  ablation: Kiwi title+300 chars, no bigrams": Ours(
            docs, analyzer, f"sqlite:///{tmp / 'k.sqlite3'}", variant="kiwi-only",
            analysis_chars=300),
        "  ablation: bigrams only": Ours(docs, analyzer, f"sqlite:///{tmp / 'g.sqlite3'}",
                                         variant="grams-only"),
        "  ablation: Kiwi on 2000 chars, no bigrams": Ours(
            docs, analyzer, f"sqlite:///{tmp / 'f.sqlite3'}", variant="kiwi-only",
            analysis_chars=2000),
    }


def score_systems(systems: dict[str, object], queries: list[Query],
                  misses: dict[str, list[str]] | None = None) -> Scores:
    """Each system's scores per category; ``misses`` collects each system's queries not
    fully recalled."""
    table: Scores = {}
    misses = {} if misses is None else misses
    for name, system in systems.items():
        per_cat: dict[str, list[tuple[float, float, float]]] = {}
        for query in queries:
            ranked = system.run(query.q)  # type: ignore[attr-defined]
            score = (recall_at(ranked, query.relevant), ndcg_at(ranked, query.relevant),
                     float(not ranked))
            per_cat.setdefault(query.category, []).append(score)
            per_cat.setdefault("ALL", []).append(score)
            if score[0] < 1:
                misses.setdefault(name, []).append(f"{query.q} ({score[0]:.2f})")
        table[name] = {c: tuple(_mean([s[i] for s in v]) for i in range(3))  # type: ignore
                       for c, v in per_cat.items()}
    return table


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _reset_pg(url: str) -> None:
    fresh_postgres(url)


def print_relevance(table: Scores, queries: list[Query], label: str = "judged") -> None:
    cats = ["ALL", *dict.fromkeys(q.category for q in queries)]
    counts = {c: sum(1 for q in queries if c in ("ALL", q.category)) for c in cats}
    print(f"\nRelevance: {len(queries)} {label} queries, recall@10 / nDCG@10 / no result")
    print(f"{'system':44}" + "".join(f"{c + f' ({counts[c]})':>26}" for c in cats))
    for name, row in table.items():
        print(f"{name:44}" + "".join(
            f"{row[c][0]:>10.3f} / {row[c][1]:.3f} / {row[c][2]:.2f}" for c in cats))


# ---- indexing speed ------------------------------------------------------------------------

def indexing_speed(docs: list[Doc], workers: int, rounds: int) -> None:
    """Articles/s for Indexer + write_documents over the real texts (fresh SQLite)."""
    tmp = Path(tempfile.mkdtemp())
    db = open_database(f"sqlite:///{tmp / 'speed.sqlite3'}", create=True)
    batch = [to_article(d) for d in docs]
    articles = []
    for r in range(rounds):
        # another outlet each round, or dedup would take the copies for revisions
        copies = [replace(a, url=f"{a.url.rstrip('/')}/r{r}",
                          outlet_domain=f"r{r}.{a.outlet_domain}") for a in batch]
        saved = save_articles(db, copies)
        articles += [replace(a, board_no=n) for a, n in zip(copies, saved.inserted)]
    chars = sum(len(a.title) + len(a.text) for a in articles) / len(articles)
    print(f"\nIndexing speed: {len(articles)} real articles (mean {chars:.0f} characters), "
          f"{workers} Kiwi threads")
    for label, analysis_chars in (("Kiwi on title only, bigrams on the body", 0),
                                  ("Kiwi on title + 300 chars, bigrams on the body", 300),
                                  ("Kiwi on title + 2000 chars (whole body here)", 2000)):
        indexer = Indexer(Analyzer(num_workers=workers), analysis_chars=analysis_chars)
        indexer.documents(articles[:8])  # load the model before timing
        started = time.perf_counter()
        for i in range(0, len(articles), 256):
            write_documents(db, indexer.documents(articles[i:i + 256]))
        took = time.perf_counter() - started
        print(f"  {label:56} {len(articles) / took:8.1f} articles/s")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", help="PostgreSQL URL of a scratch database (it is wiped)")
    parser.add_argument("--latency", type=int, default=0, metavar="N",
                        help="also measure latency at N synthetic articles (e.g. 1000000)")
    parser.add_argument("--pg-latency", type=int, default=0, metavar="N",
                        help="PostgreSQL latency at N synthetic articles (needs --pg)")
    parser.add_argument("--index-rounds", type=int, default=4,
                        help="copies of the real texts timed for indexing speed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--windows", default="100",
                        help="candidate windows to time, comma-separated (default: the setting)")
    parser.add_argument("--skip-relevance", action="store_true")
    parser.add_argument("--set", default="judged", help="query sets, comma-separated: "
                        + ", ".join(QUERY_SETS) + " (default: judged)")
    parser.add_argument("--no-ablations", action="store_true")
    parser.add_argument("--skip-indexing", action="store_true")
    args = parser.parse_args()
    if not (DATA / "stories" / "dev.jsonl").exists():
        sys.exit(f"real data not found at {DATA}")
    docs, queries = load_corpus(), load_queries()
    analyzer = Analyzer()
    if not args.skip_relevance:
        systems = build_systems(docs, analyzer, args.pg, ablations=not args.no_ablations)
        for name in args.set.split(","):
            chosen = load_queries(QUERY_SETS[name])
            misses: dict[str, list[str]] = {}
            print_relevance(score_systems(systems, chosen, misses), chosen, name)
            _print_misses(misses)
    if not args.skip_indexing:
        indexing_speed(docs, args.workers, args.index_rounds)
    if args.latency or args.pg_latency:
        from search_latency import run_latency

        run_latency(docs, queries, analyzer, sqlite_n=args.latency,
                    pg_url=args.pg if args.pg_latency else None, pg_n=args.pg_latency,
                    windows=tuple(int(w) for w in args.windows.split(",")))


if __name__ == "__main__":
    main()
