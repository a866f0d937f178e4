"""Board and article pages through the ASGI app, uncached: SQLite, PostgreSQL, and
PostgreSQL opened as before issue 14 (pre-ping on every checkout, a transaction around every
read), in alternating rounds so that load from other work hits all three alike.

    PYTHONPATH=src python benchmarks/board.py --posts 300000 --only render --pg PG_URL
    PYTHONPATH=src python benchmarks/board_pg.py 300000 PG_URL

The first command builds the SQLite board (cached in benchmarks/out/) and copies it into
PostgreSQL; this one reuses both.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from board import OUT, _asgi_get, open_as_before_issue_14  # noqa: E402  (benchmarks/board.py)
from shared import libpq_url  # noqa: E402  (benchmarks/shared.py)

from ranknews.config import Settings  # noqa: E402
from ranknews.store import open_database  # noqa: E402
from ranknews.web.app import create_app  # noqa: E402


def main() -> None:
    posts, pg = int(sys.argv[1]), sys.argv[2]
    sqlite = f"sqlite:///{OUT / f'board-{posts}.sqlite3'}"
    apps = {}
    for name, url, before in (("SQLite", sqlite, False), ("PostgreSQL", pg, False),
                              ("PostgreSQL as before", pg, True)):
        db = open_as_before_issue_14(url) if before else open_database(url)
        apps[name] = create_app(Settings.build(database_url=url), db, cache=False)
    paths = ("/", f"/articles/{posts // 2}")
    timings: dict[tuple[str, str], list[float]] = {}
    for _ in range(5):
        for name, app in apps.items():
            for path in paths:
                _asgi_get(app, path)
                for _ in range(100):
                    started = time.perf_counter()
                    _asgi_get(app, path)
                    timings.setdefault((name, path), []).append(
                        (time.perf_counter() - started) * 1000)
    print(f"medians of 500 requests each, uncached; load average {os.getloadavg()[0]:.1f}")
    for path in paths:
        base = statistics.median(timings[("SQLite", path)])
        cells = []
        for name in apps:
            median = statistics.median(timings[(name, path)])
            cells.append(f"{name} {median:.2f} ms ({median / base:.2f}x)")
        print(f"{path:18s} " + ";  ".join(cells))
    decoding(apps["PostgreSQL"], pg)


def decoding(app, pg: str) -> None:  # noqa: ANN001
    """What psycopg spends turning board page 1's rows into Python values, with the session
    in the server's own time zone and in UTC (``store.db._session_options``): the statement
    ``app`` sends for the page, run again on two connections of psycopg's own."""
    import psycopg

    from ranknews.store import driver

    seen: list[tuple[str, dict]] = []

    def observe(sql: str, params: dict) -> None:
        seen.append((sql, params))

    driver.observers.append(observe)
    _asgi_get(app, "/")
    driver.observers.remove(observe)
    sql, params = seen[-1]
    plain = libpq_url(pg)
    with psycopg.connect(plain) as own, psycopg.connect(plain, options="-c TimeZone=UTC") as utc:
        timings = {}
        for _ in range(3):
            for conn in (own, utc):
                cursor = conn.cursor()
                cursor.execute(sql, params)
                for _ in range(1000):
                    cursor.scroll(0, "absolute")
                    started = time.perf_counter()
                    cursor.fetchall()
                    timings.setdefault(conn, []).append((time.perf_counter() - started) * 1e6)
        zone = own.execute("SHOW TimeZone").fetchone()[0]
        own_us, utc_us = (statistics.median(timings[c]) for c in (own, utc))
        print(f"decoding board page 1's {cursor.rowcount} rows: session zone {zone} "
              f"{own_us:.1f} µs, UTC {utc_us:.1f} µs")


if __name__ == "__main__":
    main()
