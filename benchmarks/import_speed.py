"""Import speed: `ranknews import` on realistic JSON Lines, against a plain-sqlite3 ceiling.

    .venv/bin/python benchmarks/import_speed.py                 # 10,000 articles, 3 runs
    .venv/bin/python benchmarks/import_speed.py --count 30000 --runs 3    # the README figures
    .venv/bin/python benchmarks/import_speed.py --postgres postgresql+psycopg://…/db
    .venv/bin/python benchmarks/import_speed.py --pg-ratio --count 20000 --runs 5 \
        --workers 0,1 --postgres postgresql+psycopg://…/db     # PostgreSQL / SQLite only

The articles are SYNTHETIC, built from real text: the headlines, outlets, sections, dates
and URLs of ../shared/data/headlines (한국경제, 매일경제, 서울경제 RSS, one line per
article, repeated URLs dropped so every line is a new post), with bodies of five paragraphs
made of real sentences from ../shared/data/stories/dev.jsonl, shuffled per article so that
every body is unique (about 800 characters, the size of a typical Korean news article).
The with-figures set adds two subtitles and two photos with caption and credit.

What is measured, each on a fresh database:
- `ranknews import FILE` as a subprocess (the operator's path), with the interpreter's
  start-up (`ranknews --help`) measured separately and the rate given both ways (without it,
  an upper bound: the import's workers start while the CLI is still starting);
- `pipeline.import_jsonl` in-process, with worker processes (the default) and without;
- the ceiling: plain `sqlite3` `executemany` of the same rows into a table of the same
  columns, no validation, no dedup, no indexes beyond the primary key, one transaction;
- `sqlite-utils insert --nl` (when installed), a popular generic JSON-to-SQLite loader;
- with --postgres URL (or RANKNEWS_BENCH_POSTGRES_URL), in-process on PostgreSQL and SQLite
  on the same file, rounds alternating (the order swapped every round); the figure is the
  median of the rounds' paired ratios (PostgreSQL's rate / SQLite's), the goal 0.8.

The machine is shared: the load average is printed beside every figure, and the CPU time
per article (this process and its children) beside the wall-clock rate; run a few times.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import fresh_postgres, records, shared_data, write_jsonl  # noqa: E402  (benchmarks/shared.py)

SHARED = shared_data()
PYTHON = sys.executable
OUT = ROOT / "benchmarks" / "out"


# --- runners --------------------------------------------------------------------------------------
#
# Each runner returns (wall seconds, CPU seconds). CPU counts this process and every child it
# waited for (the CLI and its worker processes): on a machine shared with other jobs the wall
# time says how long it took today, the CPU time what it costs.

@dataclass
class Run:
    wall: float
    cpu: float
    load: float


def cpu_now() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed(fn: Callable[[], Any]) -> Run:
    cpu, wall = cpu_now(), time.perf_counter()
    fn()
    return Run(time.perf_counter() - wall, cpu_now() - cpu, os.getloadavg()[0])


def cli(*args: str, checkout: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "ranknews", *args], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(checkout / "src")})


def fresh_sqlite(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def expect(summary: str, count: int) -> None:
    flat = " ".join(summary.split())
    if f"새 글 {count}건" not in flat:
        sys.exit(f"unexpected CLI summary: {flat!r}")


def run_cli(src: Path, url: str, count: int, said: list[str], checkout: Path = ROOT) -> Run:
    cli("init", "--db", url, checkout=checkout)  # creating the schema is not import time
    done: list[subprocess.CompletedProcess] = []
    run = timed(lambda: done.append(cli("import", str(src), "--db", url, checkout=checkout)))
    expect(done[0].stdout, count)
    said[:] = [" ".join(done[0].stdout.split())]
    return run


def run_in_process(src: Path, url: str, count: int, workers: int = 0) -> Run:
    from ranknews.pipeline import import_jsonl
    from ranknews.store import open_database
    db = open_database(url, create=True)
    reports = []
    try:
        run = timed(lambda: reports.append(import_jsonl(db, [src], workers=workers)))
    finally:
        db.dispose()
    if reports[0].inserted != count or reports[0].errors:
        sys.exit(f"in-process import stored {reports[0].inserted}, {reports[0].errors[:3]}")
    return run


CEILING_COLUMNS = ("url", "canonical_url", "outlet", "outlet_domain", "title", "tags",
                   "subtitles", "authors", "summary", "section", "blocks", "published_at",
                   "collected_at", "content_hash")


def run_ceiling(src: Path, path: Path) -> Run:
    """The same rows into a same-shaped table with the plain driver: read, decode (orjson),
    build the blocks, encode the JSON columns, executemany in one transaction, WAL and
    synchronous=NORMAL as ours. No validation, dedup, hashes, keys, indexes or queue."""
    fresh_sqlite(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"CREATE TABLE articles (board_no INTEGER PRIMARY KEY AUTOINCREMENT, "
                 f"{', '.join(c + ' TEXT' for c in CEILING_COLUMNS)})")

    def load() -> None:
        now = datetime.now().isoformat()
        rows = []
        with open(src, "rb") as handle:
            for line in handle:
                r = orjson.loads(line)
                blocks = r.get("blocks") or [{"kind": "paragraph", "text": p}
                                             for p in r["text"].split("\n")]
                rows.append((r["url"], r.get("canonical_url"), r["outlet"],
                             r.get("outlet_domain"), r["title"], "[]",
                             orjson.dumps(r.get("subtitles") or []).decode(),
                             orjson.dumps(r.get("authors") or []).decode(),
                             r.get("summary", ""), r.get("section"),
                             orjson.dumps(blocks).decode(), r["published"], now, ""))
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO articles ({', '.join(CEILING_COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(CEILING_COLUMNS))})", rows)
        conn.execute("COMMIT")
    run = timed(load)
    conn.close()
    return run


def run_sqlite_utils(src: Path, path: Path) -> Run:
    fresh_sqlite(path)
    exe = Path(PYTHON).with_name("sqlite-utils")
    return timed(lambda: subprocess.run([str(exe), "insert", str(path), "articles", str(src),
                                         "--nl"], check=True, capture_output=True))


_OTHER = """
import resource, sys, time
from pathlib import Path
from ranknews.pipeline import import_jsonl
from ranknews.store import open_database

def cpu():
    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF,
               resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))

db = open_database(sys.argv[2], create=True)
started, used = time.perf_counter(), cpu()
report = import_jsonl(db, [Path(sys.argv[1])])
saved = report.saved
print(time.perf_counter() - started, cpu() - used, len(saved.inserted),
      len(saved.inserted) + len(saved.revised) + len(saved.unchanged))
"""


def run_other_checkout(src: Path, url: str, count: int, other: Path) -> Run:
    """``import_jsonl`` of another checkout (e.g. main before this work), in a subprocess
    that times the import alone (not its start-up)."""
    if url.startswith("sqlite"):
        fresh_sqlite(Path(url.removeprefix("sqlite:///")))
    else:
        fresh_postgres(url)
    done = subprocess.run([PYTHON, "-c", _OTHER, str(src), url], capture_output=True,
                          text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(other / "src")})
    wall, cpu, inserted, _ = done.stdout.split()
    if int(inserted) != count:
        sys.exit(f"the other checkout stored {inserted} of {count}")
    return Run(float(wall), float(cpu), os.getloadavg()[0])


def accounting(n: int, tmp: Path, other: Path | None) -> None:
    """The digests as listed, repeated URLs kept: every valid line must be accounted for."""
    src = write_jsonl(tmp / "listed.jsonl", records(n, figures=False, distinct=False))
    distinct = len({json.loads(line)["url"] for line in src.open(encoding="utf-8")})
    print(f"\n## accounting: the first {n:,} digest lines as listed ({distinct:,} distinct "
          f"URLs; a URL listed under several sections comes back with another section)")
    url = fresh_sqlite(tmp / "listed.db")
    cli("init", "--db", url)
    summary = " ".join(cli("import", str(src), "--db", url).stdout.split())
    print(f"  `ranknews import` said: {summary}")
    if other:
        url = fresh_sqlite(tmp / "listed-other.db")
        done = subprocess.run([PYTHON, "-c", _OTHER, str(src), url], capture_output=True,
                              text=True, check=True,
                              env={**os.environ, "PYTHONPATH": str(other / "src")})
        _, _, inserted, counted = done.stdout.split()
        print(f"  {other}: {inserted} new posts; new + revised + unchanged = {counted} "
              f"of {n:,} valid lines")


def report(label: str, count: int, runs: list[Run]) -> Run:
    """Print the median run (by wall time) and return it."""
    median = sorted(runs, key=lambda r: r.wall)[len(runs) // 2]
    best = min(runs, key=lambda r: r.wall)
    loads = ", ".join(f"{r.load:.1f}" for r in runs)
    print(f"  {label:46s} {count / median.wall:7,.0f}/s median, {count / best.wall:7,.0f}/s "
          f"best; {median.cpu / count * 1e6:5.0f} µs CPU/article  [load {loads}]", flush=True)
    return median


def alternating(src: Path, n: int, runs: int, pg_url: str, tmp: Path, *, workers: int = 0,
                other: Path | None = None) -> float:
    """SQLite and PostgreSQL importing the same file in-process, ``runs`` rounds (at least
    3), each round running both back to back, the order swapped every round so that neither
    always runs first (warm caches, a neighbour's burst of load). Each round gives a paired
    ratio (PostgreSQL's rate / SQLite's); the median of those is the figure, printed with
    every round's ratio and the load average. Returns that median."""
    runs = max(runs, 3)
    found: dict[str, list[Run]] = {}
    label = "" if workers == 0 else f", {workers} process{'es' if workers > 1 else ''}"
    for i in range(runs):
        order = ("SQLite", "PostgreSQL") if i % 2 == 0 else ("PostgreSQL", "SQLite")
        for name in order:
            url = fresh_sqlite(tmp / "in.db") if name == "SQLite" else fresh_postgres(pg_url)
            found.setdefault(name, []).append(run_in_process(src, url, n, workers))
        if other:
            found.setdefault(f"PostgreSQL, {other}", []).append(
                run_other_checkout(src, pg_url, n, other))
    for name, r in found.items():
        report(f"import_jsonl in-process{label}, {name}", n, r)
    base = found["SQLite"]
    result = 0.0
    for name, r in found.items():
        if name == "SQLite":
            continue
        paired = sorted(b.wall / run.wall for b, run in zip(base, r))
        median = paired[len(paired) // 2]
        result = result or median
        print(f"  {name} / SQLite{label}, per round: "
              + ", ".join(f"{b.wall / run.wall:.2f}" for b, run in zip(base, r))
              + f"; median {median:.2f}x -> {'meets' if median >= 0.8 else 'misses'}"
              " the 0.8x goal", flush=True)
    return result


def pg_ratio(n: int, runs: int, pg_url: str, other: Path | None, workers: str) -> None:
    """PostgreSQL's import rate against SQLite's on the same file, in the same run
    (``alternating``), for each worker setting in ``workers`` (0: the default pool)."""
    print(f"# import_jsonl in-process, {n:,} SYNTHETIC articles, {max(runs, 3)} alternating "
          f"rounds, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
          f"{datetime.now():%Y-%m-%d %H:%M}")
    with tempfile.TemporaryDirectory(dir=OUT) as name:
        tmp = Path(name)
        src = write_jsonl(tmp / "text-only.jsonl", records(n, figures=False))
        for count in (int(w) for w in workers.split(",")):
            alternating(src, n, runs, pg_url, tmp, workers=count, other=other)


# --- main -----------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare-with", type=Path, metavar="CHECKOUT",
                        help="another checkout of ranknews (e.g. main before this work) whose "
                             "import_jsonl is measured on the same data in the same run")
    parser.add_argument("--postgres", default=os.environ.get("RANKNEWS_BENCH_POSTGRES_URL"),
                        help="PostgreSQL URL for reference figures (its public schema is dropped)")
    parser.add_argument("--pg-ratio", action="store_true",
                        help="only import_jsonl in-process on SQLite and PostgreSQL (and the "
                             "--compare-with checkout on PostgreSQL), runs alternating")
    parser.add_argument("--workers", default="0", help="with --pg-ratio: worker settings to "
                        "compare, comma-separated (0: the default pool; 1: one process)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.pg_ratio:
        pg_ratio(args.count, args.runs, args.postgres, args.compare_with, args.workers)
        return
    n, runs = args.count, range(args.runs)
    print(f"# ranknews import speed: {n:,} SYNTHETIC articles (real headlines, URLs and "
          f"sentences), {args.runs} runs each, {os.cpu_count()} CPUs, {date.today()}")
    starts = sorted((timed(lambda: cli("--help")) for _ in runs), key=lambda r: r.wall)
    boot = starts[len(starts) // 2]
    print(f"  start-up of the CLI (`ranknews --help`), median: {boot.wall:.2f} s wall, "
          f"{boot.cpu:.2f} s CPU  [load {', '.join(f'{r.load:.1f}' for r in starts)}]")
    with tempfile.TemporaryDirectory(dir=OUT) as name:
        tmp = Path(name)
        for kind, figures in (("text-only", False), ("with figures", True)):
            src = write_jsonl(tmp / f"{kind}.jsonl", records(n, figures=figures))
            print(f"\n## {kind} ({src.stat().st_size / 1e6:.1f} MB)")
            ceiling = report("ceiling: sqlite3 executemany, no checks", n,
                             [run_ceiling(src, tmp / "ceiling.db") for _ in runs])
            ours = report("import_jsonl in-process, SQLite", n,
                          [run_in_process(src, fresh_sqlite(tmp / "in.db"), n) for _ in runs])
            report("import_jsonl in-process, SQLite, 1 process", n,
                   [run_in_process(src, fresh_sqlite(tmp / "one.db"), n, workers=1)
                    for _ in runs])
            if args.compare_with:
                report(f"import_jsonl of {args.compare_with}", n,
                       [run_other_checkout(src, fresh_sqlite(tmp / "other.db"), n,
                                           args.compare_with) for _ in runs])
            said: list[str] = []
            cli_runs = [run_cli(src, fresh_sqlite(tmp / "cli.db"), n, said) for _ in runs]
            report("`ranknews import` CLI, SQLite", n, cli_runs)
            # an upper bound: the workers already run during the CLI's start-up
            report("`ranknews import` CLI minus start-up (upper bound: overlaps the workers)", n,
                   [Run(r.wall - boot.wall, r.cpu - boot.cpu, r.load) for r in cli_runs])
            print(f"    the CLI said: {said[0]}")
            if args.compare_with:
                report(f"`ranknews import` CLI of {args.compare_with}", n,
                       [run_cli(src, fresh_sqlite(tmp / "cli-other.db"), n, [],
                                args.compare_with) for _ in runs])
            if Path(PYTHON).with_name("sqlite-utils").exists():
                report("peer: `sqlite-utils insert --nl`", n,
                       [run_sqlite_utils(src, tmp / "su.db") for _ in runs])
            else:
                print("  peer: sqlite-utils not installed (pip install sqlite-utils)")
            if args.postgres:  # on the same file, rounds alternating with SQLite
                alternating(src, n, args.runs, args.postgres, tmp)
                if args.compare_with:
                    other = report(f"import_jsonl of {args.compare_with}, PostgreSQL", n,
                                   [run_other_checkout(src, args.postgres, n,
                                                       args.compare_with) for _ in runs])
                    print(f"  {args.compare_with} on PostgreSQL / SQLite in-process: "
                          f"{ours.wall / other.wall:.2f} of its rate")
            print(f"  ours / ceiling: {ceiling.wall / ours.wall:.2f} of its speed (wall), "
                  f"{ceiling.cpu / ours.cpu:.2f} of its CPU efficiency")
        accounting(n, tmp, args.compare_with)


if __name__ == "__main__":
    main()
