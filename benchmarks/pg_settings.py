"""Search latency on PostgreSQL under per-session settings, against the server's defaults.

    PYTHONPATH=src python benchmarks/pg_settings.py postgresql+psycopg://…/db_with_corpus

The database must hold a synthetic corpus built by ``benchmarks/search.py --pg URL
--pg-latency N``. Each configuration runs in its own connection pool with ``PGOPTIONS``
(settings a session may change: work_mem, effective_cache_size, random_page_cost, jit);
server-wide settings (shared_buffers) need a restart and are not measured here. The
configurations alternate over several rounds so that load from other work hits each alike.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import tomllib
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ranknews.search import parse_query  # noqa: E402
from ranknews.search.engine import search  # noqa: E402
from ranknews.store import open_database  # noqa: E402
from ranknews.text.analysis import Analyzer  # noqa: E402

CONFIGS = {
    "server defaults": "",
    "docs/postgresql.md (session part)": "-c work_mem=16MB -c effective_cache_size=6GB"
                                         " -c random_page_cost=1.1 -c jit=off",
    "work_mem 64MB only": "-c work_mem=64MB",
}
COMMON = ["정부", "대통령", "서울", "시장", "한국", "2025", "AI", "경제", "기업", "미국"]


def timed_queries() -> list:
    """The 76 judged queries of search_queries.toml and the common words, parsed."""
    raw = tomllib.loads((ROOT / "benchmarks" / "search_queries.toml").read_text("utf-8"))
    analyzer = Analyzer()
    return [parse_query(q, analyzer) for q in [r["q"] for r in raw["query"]] + COMMON]


def main() -> None:
    url = sys.argv[1]
    queries = timed_queries()
    now = datetime(2026, 1, 2, tzinfo=timezone.utc)
    timings: dict[str, list[float]] = {name: [] for name in CONFIGS}
    for round_no in range(4):
        for name, options in CONFIGS.items():
            os.environ["PGOPTIONS"] = options
            db = open_database(url)
            with db.read() as conn:
                for q in queries:
                    started = time.perf_counter()
                    search(conn, q, now=now, limit=20)
                    if round_no:  # the first round warms the caches
                        timings[name].append((time.perf_counter() - started) * 1000)
            db.dispose()
    print(f"{len(queries)} queries (76 judged + {len(COMMON)} common words), 3 timed rounds,"
          f" load {os.getloadavg()[0]:.1f}")
    for name, values in timings.items():
        values.sort()
        print(f"  {name:36s} p50 {statistics.median(values):6.1f} ms"
              f"   p95 {values[int(len(values) * 0.95) - 1]:6.1f} ms")


if __name__ == "__main__":
    main()
