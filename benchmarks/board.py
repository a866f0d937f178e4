"""Benchmark of the board at 1,000,000 articles in SQLite: import speed, in-process render
time, and HTTP throughput against nginx serving the same page as a static file.

    .venv/bin/python benchmarks/board.py            # everything
    .venv/bin/python benchmarks/board.py --only render,http --duration 10

The articles are SYNTHETIC: real headlines from ../shared/data/headlines (한국경제, 매일경제,
서울경제 RSS, 2025-12 to 2026-03) reused round-robin with made-up URLs, times and bodies built
from other headlines. The 1M-article database is cached in benchmarks/out/ (gitignored);
delete it to rebuild. Figures on a shared 2-core machine are noisy: run twice.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import DIGEST_LINE, DOMAINS, fresh_postgres, libpq_url, shared_data, write_jsonl  # noqa: E402  (benchmarks/shared.py)
from sqlalchemy.engine import make_url  # noqa: E402

from ranknews.config import Settings  # noqa: E402
from ranknews.pipeline import import_jsonl  # noqa: E402
from ranknews.pipeline.saving import save_articles  # noqa: E402
from ranknews.sources.jsonl import article_from_record  # noqa: E402
from ranknews.store import open_database  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
HEADLINES = shared_data() / "headlines"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
PYTHON = sys.executable


# --- synthetic articles from real headlines ----------------------------------------------------

def headlines() -> list[tuple[str, str, str]]:
    """(outlet, headline, section) from the daily digests."""
    if not HEADLINES.exists():
        sys.exit(f"real headlines not found at {HEADLINES} (see ../shared/data/README.md)")
    found: list[tuple[str, str, str]] = []
    for path in sorted(HEADLINES.glob("daily/*/*.md")):
        section = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                section = line[3:].strip()[:60]
            elif m := DIGEST_LINE.match(line):
                found.append((m["outlet"], m["title"], section))
    return found


def synthetic_records(count: int, *, figures: bool, seed: int = 1, offset: int = 0
                      ) -> Iterator[dict[str, Any]]:
    heads = headlines()
    rng = random.Random(seed)
    for i in range(offset, offset + count):
        outlet, title, section = heads[i % len(heads)]
        domain = DOMAINS.get(outlet, "news.example.com")
        sentences = [heads[rng.randrange(len(heads))][1] + "." for _ in range(8)]
        paragraphs = [" ".join(sentences[j:j + 2]) for j in range(0, 8, 2)]
        record: dict[str, Any] = {
            "url": f"https://{domain}/synthetic/{i}",
            "outlet": outlet, "outlet_domain": domain, "title": title, "section": section,
            "published": (START + timedelta(seconds=30 * i)).isoformat(),
            "authors": [f"기자{i % 97}"], "text": "\n".join(paragraphs),
        }
        if figures:
            record["text"] = ""
            record["subtitles"] = [sentences[0], sentences[1]]
            record["blocks"] = [
                {"kind": "figure", "image_url": f"https://img.{domain}/photo/{i}.jpg",
                 "caption": sentences[2], "credit": f"{outlet} 제공"},
                *({"text": p} for p in paragraphs[:2]),
                {"kind": "figure", "image_url": f"https://img.{domain}/photo/{i}b.jpg",
                 "caption": sentences[3], "credit": "사진=연합뉴스"},
                *({"text": p} for p in paragraphs[2:]),
            ]
        yield record


def big_database(count: int) -> str:
    """The cached SQLite database with ``count`` synthetic posts (5% with figures)."""
    path = OUT / f"board-{count}.sqlite3"
    url = f"sqlite:///{path}"
    if path.exists() and (OUT / f"board-{count}.done").exists():
        return url
    path.unlink(missing_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    db = open_database(url, create=True)
    started, batch = time.perf_counter(), []
    plain = synthetic_records(count, figures=False)
    with_figures = synthetic_records(count // 20 + 1, figures=True, seed=2)
    with db.bulk():  # as an import writes: large cache, checkpoints beside the next batch
        for i, record in enumerate(plain):
            if i % 20 == 0:
                record = {**next(with_figures), "url": record["url"],
                          "published": record["published"]}
            batch.append(article_from_record(record))
            if len(batch) == 5000:
                save_articles(db, batch)
                batch = []
                if i % 100_000 < 5000:
                    print(f"  building: {i + 1:,} posts, {time.perf_counter() - started:.0f} s",
                          flush=True)
        if batch:
            save_articles(db, batch)
    db.dispose()
    (OUT / f"board-{count}.done").write_text(str(count))
    print(f"  built {count:,} synthetic posts in {time.perf_counter() - started:.0f} s")
    return url


# --- import -------------------------------------------------------------------------------------

def bench_import(count: int) -> None:
    print(f"\n## Import ({count:,} synthetic articles a run, fresh SQLite file)")
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        for label, figures in (("text-only", False), ("with figures + subtitles", True)):
            src = write_jsonl(Path(tmp) / f"{figures}.jsonl",
                              synthetic_records(count, figures=figures, offset=10_000_000))
            db = open_database(f"sqlite:///{tmp}/import-{figures}.sqlite3", create=True)
            started = time.perf_counter()
            report = import_jsonl(db, [src])
            elapsed = time.perf_counter() - started
            db.dispose()
            assert report.inserted == count, report.errors[:3]
            print(f"  import_jsonl, {label:26s}: {count / elapsed:8,.0f} articles/s "
                  f"({elapsed:.2f} s, {src.stat().st_size / 1e6:.0f} MB)")
        cli_db = Path(tmp) / "cli.sqlite3"
        src = Path(tmp) / "False.jsonl"
        started = time.perf_counter()
        subprocess.run([PYTHON, "-m", "ranknews", "import", str(src), "--db",
                        f"sqlite:///{cli_db}"], check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        elapsed = time.perf_counter() - started
        print(f"  `ranknews import` CLI, text-only (incl. start-up): {count / elapsed:8,.0f} "
              f"articles/s ({elapsed:.2f} s)")


# --- in-process render ----------------------------------------------------------------------------

def _asgi_get(app, path: str, query: str = "") -> tuple[int, bytes]:
    """One GET through the ASGI app, without HTTP."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": query.encode(), "headers": [(b"host", b"bench")],
             "server": ("bench", 80), "client": ("127.0.0.1", 1)}
    status, body = 0, []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            body.append(message.get("body", b""))

    _LOOP.run_until_complete(app(scope, receive, send))
    return status, b"".join(body)


_LOOP = asyncio.new_event_loop()


def open_as_before_issue_14(url: str):  # noqa: ANN201
    """The PostgreSQL board opened as before issue 14: a pre-ping on every checkout, a
    transaction around every read."""
    from sqlalchemy import create_engine

    db = open_database(url)
    db.engine.dispose()
    db.engine = create_engine(url, pool_pre_ping=True)
    db._autocommit_reads = False
    return db


def _timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000


def bench_render(url: str, repeat: int, *, before: bool = False) -> dict[str, float]:
    """Median time (ms) of each case, printed with its p95. ``before``: PostgreSQL as it was
    opened before issue 14 (pre-ping on every checkout, a transaction around every read)."""
    from ranknews.store.board import PageMap, article_view, board_page
    from ranknews.web.app import create_app
    from ranknews.web.views.board import article_context, board_context

    print(f"\n## In-process render, uncached, {make_url(url).get_backend_name()}"
          f"{' as before issue 14' if before else ''} (median / p95 of {repeat} runs, ms)")
    medians: dict[str, float] = {}
    settings = Settings.build(database_url=url)
    db = open_as_before_issue_14(url) if before else open_database(url)
    app = create_app(settings, db, cache=False)
    env = app.state.templates
    pages = PageMap()
    started = time.perf_counter()
    with db.read() as conn:
        pages.refresh(conn)
    print(f"  page map load at start ({pages.total:,} posts): "
          f"{(time.perf_counter() - started) * 1000:.0f} ms (once per process)")
    with db.read() as conn:
        newest = pages.newest()
        middle = pages.nth_from_top(pages.total // 2)
    cases = [("board page 1", "/", ""), ("board page 25,000", "/", "page=25000"),
             ("article page", f"/articles/{middle}", ""),
             ("board JSON page 1", "/index.json", ""),
             ("outlet filter page 1", "/", "outlet=www.mk.co.kr")]
    site = app.state.site

    def direct_board(page: int) -> None:
        with db.read() as conn:
            result = board_page(conn, pages, size=20, page=page)
        env.get_template("board/index.html").render(
            site=site, board=board_context(result, settings))

    def direct_article(n: int) -> None:
        with db.read() as conn:
            view = article_view(conn, pages, n, size=20, default_mode="full")
        env.get_template("board/article.html").render(site=site, **article_context(view, settings))

    for label, fn in (("query + Jinja, board page 1", lambda: direct_board(1)),
                      ("query + Jinja, board page 25,000", lambda: direct_board(25_000)),
                      ("query + Jinja, article page", lambda: direct_article(middle))):
        fn()
        med, p95 = _timed(fn, repeat)
        medians[label] = med
        print(f"  {label:40s} {med:6.2f} / {p95:6.2f}")
    for label, path, query in cases:
        status, _ = _asgi_get(app, path, query)
        assert status == 200, (path, query, status)
        med, p95 = _timed(lambda path=path, query=query: _asgi_get(app, path, query), repeat)
        medians[f"through the ASGI app, {label}"] = med
        print(f"  through the ASGI app, {label:22s} {med:6.2f} / {p95:6.2f}")
    cached = create_app(settings, db, cache=True)
    _asgi_get(cached, "/")
    med, p95 = _timed(lambda: _asgi_get(cached, "/"), repeat)
    print(f"  cached page hit through the ASGI app       {med:6.3f} / {p95:6.3f}")
    print(f"  (newest post {newest:,}; article measured {middle:,})")
    db.dispose()
    return medians


# Tables the board's pages read; the work queue and the search index are not copied.
_SKIP_TABLES = {"alembic_version", "tasks", "search_documents", "search_terms", "search_queue"}


def postgres_copy(sqlite_url: str, pg_url: str) -> None:
    """The same board in PostgreSQL (its database is wiped): the schema by the migrations,
    then every table's rows by COPY straight from the SQLite file (minutes at 1M, not the
    per-article save)."""
    import sqlite3

    import psycopg

    fresh_postgres(pg_url)
    open_database(pg_url, create=True).dispose()
    started = time.perf_counter()
    source = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    with psycopg.connect(libpq_url(pg_url)) as pg:
        pg.execute("SET TimeZone = 'UTC'")
        pg.execute("SET session_replication_role = replica")  # no FK checks while copying
        tables = [t for (t,) in pg.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            if t not in _SKIP_TABLES]
        pg.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")
        for table in tables:
            names = [c for (c,) in pg.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                " ORDER BY ordinal_position", (table,))]
            have = {r[1] for r in source.execute(f"PRAGMA table_info({table})")}
            names = [c for c in names if c in have]
            if not names:
                continue
            cols = ", ".join(f'"{c}"' for c in names)
            with pg.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {cols} FROM {table}"):
                    copy.write_row(row)
            for (col,) in pg.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                    " AND column_default LIKE 'nextval%%'", (table,)):
                pg.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{col}'),"
                           f" coalesce((SELECT max({col}) FROM {table}), 0) + 1, false)")
        pg.commit()
        pg.autocommit = True
        pg.execute("VACUUM ANALYZE")
    source.close()
    print(f"  copied into PostgreSQL in {time.perf_counter() - started:.0f} s")


def print_ratios(sqlite: dict[str, float], postgres: dict[str, float], label: str = "") -> None:
    print(f"\n## PostgreSQL{label} / SQLite, uncached medians")
    for label, value in sqlite.items():
        if label in postgres:
            print(f"  {label:48s} {value:6.2f} / {postgres[label]:6.2f} ms"
                  f"   {postgres[label] / value:4.2f}x")


# --- HTTP -----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str = "/", timeout: float = 120) -> bytes:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=30)
            if response.status_code == 200:
                return response.content
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer")


def wrk(port: int, path: str, duration: int, connections: int) -> dict[str, Any]:
    out = subprocess.run(["/usr/bin/wrk", "-t2", f"-c{connections}", f"-d{duration}s",
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    errors = 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(x) for x in m.groups())
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m[1])
    latency = re.search(r"Latency\s+(\S+)", out)[1]
    return {"rps": rps, "errors": errors, "latency": latency}


def run_ours(url: str, server: str, workers: int, duration: int, connections: int,
             cache: bool = True) -> tuple[dict[str, Any], bytes]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "RANKNEWS_DATABASE_URL": url}
    if not cache:
        env["RANKNEWS_PAGE_CACHE_ENTRIES"] = "0"
    proc = subprocess.Popen([PYTHON, "-m", "ranknews", "serve", "--port", str(port),
                             "--server", server, "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        page = wait_for(port)
        for _ in range(workers * 20):  # every worker loads its page map and fills its cache
            wait_for(port)
        wrk(port, "/", 2, connections)  # warm-up
        return wrk(port, "/", duration, connections), page
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


def run_nginx(page: bytes, duration: int, connections: int) -> dict[str, Any] | None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("  nginx not installed: no ceiling measured")
        return None
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "index.html").write_bytes(page)
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(f"""
daemon off; worker_processes 2; pid {tmp}/nginx.pid; error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; client_body_temp_path {tmp}; proxy_temp_path {tmp};
  fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
  server {{ listen 127.0.0.1:{port}; root {tmp}; default_type text/html; }}
}}
""")
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", tmp], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            wait_for(port)
            wrk(port, "/", 2, connections)
            return wrk(port, "/", duration, connections)
        finally:
            proc.terminate()
            proc.wait(10)


def bench_http(url: str, duration: int, connections: int) -> None:
    print(f"\n## HTTP, board page 1, wrk -t2 -c{connections} -d{duration}s from a second process")
    results: dict[str, dict[str, Any]] = {}
    page = b""
    for server, workers, cache in (("granian", 1, True), ("granian", 2, True),
                                   ("uvicorn", 1, True), ("uvicorn", 2, True),
                                   ("granian", 2, False)):
        label = f"{server}, {workers} worker{'s' if workers > 1 else ''}" + (
            "" if cache else ", page cache off")
        result, page = run_ours(url, server, workers, duration, connections, cache)
        results[label] = result
        print(f"  ranknews {label:36s} {result['rps']:9,.0f} req/s  errors {result['errors']}"
              f"  latency avg {result['latency']}")
    ceiling = run_nginx(page, duration, connections)
    if ceiling:
        print(f"  nginx, same page as a static file      {ceiling['rps']:9,.0f} req/s  "
              f"errors {ceiling['errors']}  latency avg {ceiling['latency']}")
        best = max(results.items(), key=lambda kv: kv[1]["rps"])
        print(f"  best ranknews ({best[0]}) / nginx = {best[1]['rps'] / ceiling['rps']:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--import-count", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--only", default="import,render,http")
    parser.add_argument("--pg", help="PostgreSQL URL of a scratch database (wiped): render the"
                        " same board there too, and print the ratios")
    args = parser.parse_args()
    only = set(args.only.split(","))
    print(f"ranknews board benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"{datetime.now():%Y-%m-%d %H:%M}; SYNTHETIC articles from real headlines")
    OUT.mkdir(parents=True, exist_ok=True)
    if "import" in only:
        bench_import(args.import_count)
    if only & {"render", "http"}:
        print(f"\n## Database: {args.posts:,} synthetic posts in SQLite (cached in {OUT})")
        url = big_database(args.posts)
        print(f"  size {Path(url.removeprefix('sqlite:///')).stat().st_size / 1e9:.2f} GB")
        if "render" in only:
            medians = bench_render(url, args.repeat)
            if args.pg:
                postgres_copy(url, args.pg)
                print_ratios(medians, bench_render(args.pg, args.repeat))
                print_ratios(medians, bench_render(args.pg, args.repeat, before=True),
                             " as before issue 14")
        if "http" in only:
            bench_http(url, args.duration, args.connections)


if __name__ == "__main__":
    main()
