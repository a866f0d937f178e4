"""PostgreSQL server settings (docs/postgresql.md): the server's defaults against the settings
the docs give for a board of 1M articles, on the same data, on a server this script restarts.

    PYTHONPATH=src python benchmarks/pg_server_settings.py --pgdata DIR --port 5433 \\
        --board-posts 1000000 --rounds 3

Give it a server of its own (``initdb``; never a shared one: it is restarted with each
configuration in turn). Its databases:
- ``rn_board``: the board of ``benchmarks/board.py --posts N --only render --pg URL``;
- ``rn_search``: the corpus of ``benchmarks/search.py --pg URL --pg-latency N``;
- ``rn_import``: emptied and imported into every round.

Each round restarts the server with each configuration (``pg_ctl restart -o "-c …"``), runs
one untimed pass to warm it, then times: board page 1 and an article page through the ASGI
app, uncached (300 requests each); the 76 judged queries and 10 common words of
``benchmarks/pg_settings.py``; an import of ``--import-count`` synthetic articles
(``import_jsonl``, worker processes) into an empty ``rn_import``. Configurations alternate
round by round so that load from other work hits each alike; medians over the rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))
from board import OUT, _asgi_get, _timed  # noqa: E402  (benchmarks/board.py)
from import_speed import run_in_process  # noqa: E402
from pg_settings import timed_queries  # noqa: E402
from shared import fresh_postgres, records, write_jsonl  # noqa: E402

from ranknews.config import Settings  # noqa: E402
from ranknews.store import open_database  # noqa: E402

# docs/postgresql.md, "Server settings", the column for 1M articles (8 GB of RAM)
CONFIGS: dict[str, dict[str, str]] = {
    "server defaults": {},
    "docs/postgresql.md, 1M": {
        "shared_buffers": "2GB", "effective_cache_size": "6GB", "work_mem": "16MB",
        "maintenance_work_mem": "512MB", "random_page_cost": "1.1", "jit": "off",
        "max_wal_size": "4GB",
    },
}


def restart(pgdata: Path, port: int, settings: dict[str, str]) -> None:
    """Restart the server with ``settings`` on its command line (the defaults for the rest)."""
    options = " ".join([f"-p {port}", *(f"-c {k}={v}" for k, v in settings.items())])
    owner = pgdata.stat().st_uid
    as_owner = ["runuser", "-u", _user(owner), "--"] if os.getuid() == 0 and owner else []
    pg_ctl = Path(_pg_bin()) / "pg_ctl"
    subprocess.run([*as_owner, str(pg_ctl), "-D", str(pgdata), "-w", "-m", "fast", "-l",
                    str(pgdata.parent / "log"), "restart", "-o", options],
                   check=True, stdout=subprocess.DEVNULL)


def _user(uid: int) -> str:
    import pwd

    return pwd.getpwuid(uid).pw_name


def _pg_bin() -> str:
    return subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True
                          ).stdout.strip() or sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]


def page_times(url: str, posts: int, repeat: int) -> dict[str, float]:
    """Median ms of board page 1 and an article page through the ASGI app, uncached."""
    from ranknews.web.app import create_app

    db = open_database(url)
    app = create_app(Settings.build(database_url=url), db, cache=False)
    found = {}
    for name, path in (("board page 1", "/"), ("article page", f"/articles/{posts // 2}")):
        for _ in range(20):
            _asgi_get(app, path)
        found[name] = _timed(lambda: _asgi_get(app, path), repeat)[0]  # noqa: B023
    db.dispose()
    return found


def search_times(url: str) -> list[float]:
    """ms of each query of pg_settings.py's set, after one untimed pass."""
    from datetime import datetime, timezone

    from ranknews.search.engine import search

    queries = timed_queries()
    now = datetime(2026, 1, 2, tzinfo=timezone.utc)
    db = open_database(url)
    timings = []
    with db.read() as conn:
        for timed in (False, True):
            for q in queries:
                started = time.perf_counter()
                search(conn, q, now=now, limit=20)
                if timed:
                    timings.append((time.perf_counter() - started) * 1000)
    db.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pgdata", type=Path, required=True)
    parser.add_argument("--port", type=int, default=5433)
    parser.add_argument("--board-posts", type=int, default=1_000_000)
    parser.add_argument("--import-count", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base = f"postgresql+psycopg://postgres@127.0.0.1:{args.port}"
    OUT.mkdir(exist_ok=True)
    print(f"# PostgreSQL server settings, {args.rounds} rounds, {os.cpu_count()} CPUs, "
          f"{time.strftime('%Y-%m-%d %H:%M')}; board {args.board_posts:,} posts, import "
          f"{args.import_count:,} articles")
    found: dict[str, dict[str, list[float]]] = {name: {} for name in CONFIGS}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        src = write_jsonl(Path(tmp) / "import.jsonl", records(args.import_count, figures=False))
        for round_no in range(args.rounds):
            order = list(CONFIGS) if round_no % 2 == 0 else list(reversed(CONFIGS))
            for name in order:
                restart(args.pgdata, args.port, CONFIGS[name])
                page_times(f"{base}/rn_board", args.board_posts, 50)  # warm after the restart
                got = found[name]
                for page, ms in page_times(f"{base}/rn_board", args.board_posts,
                                           args.repeat).items():
                    got.setdefault(page, []).append(ms)
                got.setdefault("search", []).extend(search_times(f"{base}/rn_search"))
                run = run_in_process(src, fresh_postgres(f"{base}/rn_import"),
                                     args.import_count)
                got.setdefault("import", []).append(args.import_count / run.wall)
                print(f"  round {round_no + 1}, {name:26s} board page 1 "
                      f"{got['board page 1'][-1]:.2f} ms, article page "
                      f"{got['article page'][-1]:.2f} ms, import {got['import'][-1]:,.0f}/s; "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
    restart(args.pgdata, args.port, {})
    for name, got in found.items():
        searches = sorted(got["search"])
        print(f"  {name:26s} board page 1 {statistics.median(got['board page 1']):.2f} ms, "
              f"article page {statistics.median(got['article page']):.2f} ms; search p50 "
              f"{statistics.median(searches):.1f} / p95 "
              f"{searches[int(len(searches) * 0.95) - 1]:.1f} ms; import "
              f"{statistics.median(got['import']):,.0f}/s")


if __name__ == "__main__":
    main()
