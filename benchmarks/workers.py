"""Throughput of the work behind ingest and of crawling, with 1, 2 and 4 worker processes on
PostgreSQL, beside the single-process SQLite path, in the same run.

    .venv/bin/python benchmarks/workers.py --postgres postgresql+psycopg://postgres@127.0.0.1/rn_bench
    .venv/bin/python benchmarks/workers.py --only crawl --crawlers 1 2 4

1. Work behind ingest: ``ranknews import --no-process`` of N real-shaped articles (real
   headlines of ../shared/data/headlines with bodies of real sentences), then K ``ranknews
   worker`` processes (every stage but crawl) until the queue is empty: posts per second of
   the whole pipeline (analysis, stories, rank, search, pages). SQLite: the same import, then
   ``drain`` in one process (one writer, as ``ranknews import`` does by default).
2. Crawling: K ``ranknews worker --only crawl`` processes against fixture sites on local HTTP
   servers that answer after 200 ms, with politeness on (one request at a time per host,
   ``fetch_host_delay`` between two): pages per second until every page is stored.

The database named by ``--postgres`` is emptied (its public schema dropped) for each run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # the fixture HTTP server and news site

from httpserver import FixtureServer  # noqa: E402
from newssite import add_site, sources_toml  # noqa: E402
from shared import fresh_postgres, records, write_jsonl  # noqa: E402  (benchmarks/shared.py)
from sqlalchemy import text  # noqa: E402

from ranknews.config import Settings  # noqa: E402
from ranknews.pipeline.work import ALL_STAGES, drain  # noqa: E402
from ranknews.store import open_database  # noqa: E402
from ranknews.store.tasks import queue_stats  # noqa: E402

WORK_STAGES = ",".join(ALL_STAGES)  # every stage but crawl


def reset(url: str) -> str:
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return url
    fresh_postgres(url)
    return url


def env_for(url: str, tmp: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "RANKNEWS_DATABASE_URL": url,
            "RANKNEWS_DATA_DIR": str(tmp), "RANKNEWS_WORKER_IDLE_SECONDS": "0.2",
            "RANKNEWS_RANK_REFRESH_SECONDS": "2", "RANKNEWS_ANALYSIS_THREADS": "1",
            "RANKNEWS_FETCH_ALLOWED_HOSTS": "127.0.0.1", **extra}


def cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "ranknews", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def pending(db) -> int:  # noqa: ANN001
    with db.read() as conn:
        return sum(s.pending for s in queue_stats(conn, datetime.now(timezone.utc)))


def stored(db) -> int:  # noqa: ANN001
    with db.read() as conn:
        return conn.execute(text("SELECT count(*) FROM articles")).scalar()


def wait(condition, timeout: float = 3600.0) -> float:  # noqa: ANN001
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise SystemExit("timed out")
        time.sleep(0.25)
    return time.monotonic() - started


def workers(env: dict[str, str], count: int, stages: str) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-m", "ranknews", "worker", "--only", stages],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)]


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(60)


def work_postgres(url: str, source: Path, count: int, tmp: Path) -> float:
    env = env_for(reset(url), tmp)
    cli(env, "import", "--no-process", str(source))
    db = open_database(url)
    running = workers(env, count, WORK_STAGES)
    try:
        seconds = wait(lambda: pending(db) == 0)
    finally:
        stop(running)
        db.dispose()
    return seconds


def work_sqlite(source: Path, tmp: Path) -> float:
    url = reset(f"sqlite:///{tmp / 'work.sqlite3'}")
    cli(env_for(url, tmp), "import", "--no-process", str(source))
    db = open_database(url)
    started = time.monotonic()
    drain(db, Settings.build(database_url=url, analysis_threads=2))
    seconds = time.monotonic() - started
    db.dispose()
    return seconds


def crawl(url: str, count: int, tmp: Path, hosts: int, pages: int) -> float:
    servers = []
    feeds = []
    for i in range(hosts):
        server = FixtureServer().start()
        server.delay = 0.2  # a remote host's answer time
        feeds.append((f"사이트{i}", f"127.0.0.1:{server.port}", add_site(server, f"s{i}", pages)))
        servers.append(server)
    sources = tmp / "sources.toml"
    sources.write_text(sources_toml(feeds), encoding="utf-8")
    env = env_for(reset(url), tmp, RANKNEWS_SOURCES_FILE=str(sources),
                  RANKNEWS_CRAWL_RUN_TICK="1", RANKNEWS_CRAWL_MAX_ITEMS=str(pages))
    cli(env, "init")
    db = open_database(url)
    running = workers(env, count, "crawl")
    try:
        seconds = wait(lambda: stored(db) >= hosts * pages)
    finally:
        stop(running)
        db.dispose()
        for server in servers:
            assert server.most_in_flight == 1, "politeness broken: two requests at once"
            server.stop()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/"
                        "rn_bench_workers")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--crawlers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--hosts", type=int, default=24)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--only", choices=("work", "crawl"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.only != "crawl":
            source = write_jsonl(tmp / "articles.jsonl", records(args.articles, figures=False))
            base = work_sqlite(source, tmp)
            print(f"work behind ingest, {args.articles:,} articles (all stages)")
            print(f"  SQLite, one process: {args.articles / base:7.1f} posts/s  (1.00×)")
            for count in args.workers:
                seconds = work_postgres(args.postgres, source, count, tmp)
                print(f"  PostgreSQL, {count} worker(s): {args.articles / seconds:7.1f} posts/s"
                      f"  ({base / seconds:.2f}× SQLite)")
        if args.only != "work":
            total = args.hosts * args.pages
            print(f"crawling {total} pages of {args.hosts} hosts (200 ms a response, one "
                  f"request at a time per host, {Settings().fetch_host_delay} s apart)")
            first = None
            for count in args.crawlers:
                seconds = crawl(args.postgres, count, tmp, args.hosts, args.pages)
                first = first or seconds
                print(f"  {count} crawler(s): {total / seconds:6.1f} pages/s "
                      f"({first / seconds:.2f}× one crawler)")
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
