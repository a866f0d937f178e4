"""Import speed: `ranknews import` on realistic JSON Lines, against a plain-sqlite3 ceiling.

    /work/venv/bin/python benchmarks/import_speed.py                 # 10,000 articles, 3 runs
    /work/venv/bin/python benchmarks/import_speed.py --count 20000 --runs 5
    /work/venv/bin/python benchmarks/import_speed.py --postgres postgresql+psycopg://…/db

The articles are SYNTHETIC, built from real text: the headlines, outlets, sections, dates
and URLs of ../shared/data/headlines (한국경제, 매일경제, 서울경제 RSS, one line per
article, repeated URLs dropped so every line is a new post), with bodies of five paragraphs
made of real sentences from ../shared/data/stories/dev.jsonl, shuffled per article so that
every body is unique (about 800 characters, the size of a typical Korean news article).
The with-figures set adds two subtitles and two photos with caption and credit.

What is measured, each on a fresh database:
- `ranknews import FILE` as a subprocess (the operator's path), with the interpreter's
  start-up (`ranknews --help`) measured separately and the rate given both ways;
- `pipeline.import_jsonl` in-process;
- the ceiling: plain `sqlite3` `executemany` of the same rows into a table of the same
  columns, no validation, no dedup, no indexes beyond the primary key, one transaction;
- `sqlite-utils insert --nl` (when installed), a popular generic JSON-to-SQLite loader.

The machine is shared: the load average is printed beside every figure; run a few times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

_SHARED = [Path(p) for p in (os.environ.get("RANKNEWS_SHARED_DATA"),) if p] + [
    ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]  # repo or worktree
SHARED = next((p for p in _SHARED if p.exists()), _SHARED[0])
LINE = re.compile(r"^- \[(?P<outlet>[^\]]+)\] (?P<title>.+) \(\[link\]\((?P<url>[^)]+)\)\)\s*$")
DOMAINS = {"한국경제": "www.hankyung.com", "매일경제": "www.mk.co.kr", "서울경제": "www.sedaily.com"}
SENTENCE_END = re.compile(r"(?<=다\.)\s+|(?<=[.?!])\s+(?=[가-힣\"'“‘(\[])")
PYTHON = sys.executable
OUT = ROOT / "benchmarks" / "out"


# --- synthetic articles from real text -----------------------------------------------------------

def headline_lines() -> list[dict[str, str]]:
    """One dict per distinct article URL in the daily digests: outlet, title, url, day, section."""
    folder = SHARED / "headlines" / "daily"
    if not folder.exists():
        sys.exit(f"real headlines not found at {folder} (see ../shared/data/README.md)")
    seen: set[str] = set()
    found: list[dict[str, str]] = []
    for path in sorted(folder.glob("*/*.md")):
        section = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                section = line[3:].strip()[:60]
            elif (m := LINE.match(line)) and m["url"] not in seen:
                seen.add(m["url"])
                found.append({"outlet": m["outlet"], "title": m["title"], "url": m["url"],
                              "day": path.stem, "section": section})
    return found


def sentences() -> list[str]:
    """Real sentences of Korean news bodies (stories/dev.jsonl), 20 to 200 characters."""
    path = SHARED / "stories" / "dev.jsonl"
    if not path.exists():
        sys.exit(f"real article texts not found at {path}")
    found: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        flat = (" ".join(s.split()) for s in SENTENCE_END.split(text))
        found += [s for s in flat if 20 <= len(s) <= 200]  # drop clutter runs (related lists)
    return list(dict.fromkeys(found))


def records(count: int, *, figures: bool, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``count`` import records (text-only, or with subtitles and two figures)."""
    heads = headline_lines()
    if count > len(heads):
        sys.exit(f"only {len(heads):,} distinct headlines; use --count ≤ {len(heads):,}")
    pool = sentences()
    rng = random.Random(seed)
    for n, head in enumerate(heads[:count]):
        picked = rng.sample(pool, 12)
        paragraphs = [head["title"] + "."] + [" ".join(picked[i:i + 3]) for i in range(0, 12, 3)]
        minute = n % (24 * 60)
        record: dict[str, Any] = {
            "url": head["url"], "outlet": head["outlet"],
            "outlet_domain": DOMAINS.get(head["outlet"], ""),
            "title": head["title"], "section": head["section"] or None,
            "published": f"{head['day']}T{minute // 60:02d}:{minute % 60:02d}:00+09:00",
            "authors": [f"{rng.choice('김이박최정강조윤장임')}{rng.choice('민서지현우수')}"
                        f"{rng.choice('준호영연희아')} 기자"],
            "text": "\n".join(paragraphs),
        }
        if figures:
            stem = head["url"].rstrip("/").rsplit("/", 1)[-1]
            host = DOMAINS.get(head["outlet"], "img.example.com")
            record["subtitles"] = rng.sample(pool, 2)
            record["text"] = ""
            record["blocks"] = [
                {"kind": "figure", "image_url": f"https://img.{host}/photo/{stem}.jpg",
                 "caption": rng.choice(pool), "credit": f"{head['outlet']} 제공"},
                *({"kind": "paragraph", "text": p} for p in paragraphs[:3]),
                {"kind": "figure", "image_url": f"https://img.{host}/photo/{stem}-2.jpg",
                 "caption": rng.choice(pool), "credit": "사진=연합뉴스"},
                *({"kind": "paragraph", "text": p} for p in paragraphs[3:]),
            ]
        yield record


def write_jsonl(path: Path, items: Iterator[dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path


# --- runners --------------------------------------------------------------------------------------

def load() -> str:
    return "load {:.1f}".format(os.getloadavg()[0])


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "ranknews", *args], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})


def fresh_sqlite(tmp: Path, name: str) -> str:
    path = tmp / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_postgres(url: str) -> str:
    """Empty the reference PostgreSQL database (every table of ours), keep its schema."""
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def run_cli(src: Path, url: str, expected: int) -> tuple[float, str]:
    cli("init", "--db", url)  # schema creation is not import time
    started = time.perf_counter()
    done = cli("import", str(src), "--db", url)
    elapsed = time.perf_counter() - started
    if f"새 글 {expected:,}건" not in done.stdout and f"새 글 {expected}건" not in done.stdout:
        sys.exit(f"unexpected CLI summary: {done.stdout!r} {done.stderr[-500:]!r}")
    return elapsed, done.stdout.strip().splitlines()[-1]


def run_in_process(src: Path, url: str, expected: int) -> float:
    from ranknews.pipeline import import_jsonl
    from ranknews.store import open_database
    db = open_database(url, create=True)
    try:
        started = time.perf_counter()
        report = import_jsonl(db, [src])
        elapsed = time.perf_counter() - started
    finally:
        db.dispose()
    if report.inserted != expected or report.errors:
        sys.exit(f"in-process import stored {report.inserted}, errors {report.errors[:3]}")
    return elapsed


CEILING_COLUMNS = ("url", "canonical_url", "outlet", "outlet_domain", "title", "tags",
                   "subtitles", "authors", "summary", "section", "blocks", "published_at",
                   "collected_at", "content_hash")


def run_ceiling(src: Path, path: Path) -> float:
    """The same rows into a same-shaped table with the plain driver: read, json-decode,
    executemany in one transaction. No validation, no dedup, no keys, no analysis queue."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"CREATE TABLE articles (board_no INTEGER PRIMARY KEY AUTOINCREMENT, "
                 f"{', '.join(c + ' TEXT' for c in CEILING_COLUMNS)})")
    started = time.perf_counter()
    with open(src, encoding="utf-8") as handle:
        rows = []
        for line in handle:
            r = json.loads(line)
            blocks = r.get("blocks") or [{"kind": "paragraph", "text": p}
                                         for p in r["text"].split("\n")]
            rows.append((r["url"], r.get("canonical_url"), r["outlet"], r.get("outlet_domain"),
                         r["title"], "[]", json.dumps(r.get("subtitles") or []),
                         json.dumps(r.get("authors") or []), r.get("summary", ""),
                         r.get("section"), json.dumps(blocks, ensure_ascii=False),
                         r["published"], datetime.now().isoformat(), ""))
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO articles ({', '.join(CEILING_COLUMNS)}) VALUES "
                     f"({', '.join('?' * len(CEILING_COLUMNS))})", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def run_sqlite_utils(src: Path, path: Path) -> float | None:
    exe = Path(PYTHON).with_name("sqlite-utils")
    if not exe.exists():
        return None
    started = time.perf_counter()
    subprocess.run([str(exe), "insert", str(path), "articles", str(src), "--nl"], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def startup() -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        cli("--help")
        times.append(time.perf_counter() - started)
    return min(times)


def best_and_median(label: str, count: int, times: list[float], loads: list[str],
                    extra: str = "") -> float:
    rates = sorted(count / t for t in times)
    print(f"  {label:44s} median {statistics.median(rates):8,.0f}/s  best {rates[-1]:8,.0f}/s"
          f"  [{', '.join(loads)}]{extra}", flush=True)
    return statistics.median(rates)


def measure(label: str, count: int, runs: int, fn: Callable[[int], float],
            extra: str = "") -> float:
    times, loads = [], []
    for i in range(runs):
        times.append(fn(i))
        loads.append(load())
    return best_and_median(label, count, times, loads, extra)


# --- main -----------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("RANKNEWS_BENCH_POSTGRES_URL"),
                        help="PostgreSQL URL for the reference figures (its tables are dropped)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"# ranknews import speed, {args.count:,} SYNTHETIC articles from real headlines and "
          f"sentences, {args.runs} runs each, {os.cpu_count()} CPUs, {date.today()}")
    boot = startup()
    print(f"  interpreter + ranknews start-up (`ranknews --help`, best of 3): {boot:.2f} s "
          f"[{load()}]")
    with tempfile.TemporaryDirectory(dir=OUT) as name:
        tmp = Path(name)
        for kind, figures in (("text-only", False), ("with figures", True)):
            src = write_jsonl(tmp / f"{kind}.jsonl", records(args.count, figures=figures))
            size = src.stat().st_size / 1e6
            print(f"\n## {kind} ({size:.1f} MB)")
            ceiling = measure("ceiling: sqlite3 executemany, no checks", args.count, args.runs,
                              lambda i: run_ceiling(src, _unlinked(tmp / f"ceil{i}.db")))
            ours = measure("import_jsonl in-process, SQLite", args.count, args.runs,
                           lambda i: run_in_process(src, fresh_sqlite(tmp, f"in{i}"),
                                                    args.count))
            cli_times: list[float] = []
            summary = ""

            def once(i: int) -> float:
                nonlocal summary
                elapsed, summary = run_cli(src, fresh_sqlite(tmp, f"cli{i}"), args.count)
                cli_times.append(elapsed)
                return elapsed
            measure("`ranknews import` CLI, SQLite (with start-up)", args.count, args.runs, once)
            best_and_median("`ranknews import` CLI, SQLite (minus start-up)", args.count,
                            [max(t - boot, 1e-3) for t in cli_times], ["same runs"])
            print(f"    CLI said: {summary}")
            peer = [run_sqlite_utils(src, _unlinked(tmp / f"su{i}.db")) for i in range(args.runs)]
            if peer[0] is not None:
                best_and_median("peer: `sqlite-utils insert --nl`", args.count,
                                [t for t in peer if t], [load()])
            else:
                print("  peer: sqlite-utils not installed (pip install sqlite-utils)")
            if args.postgres:
                measure("import_jsonl in-process, PostgreSQL", args.count, args.runs,
                        lambda i: run_in_process(src, fresh_postgres(args.postgres),
                                                 args.count))
            print(f"  ratio to the ceiling (in-process medians): {ours / ceiling:.2f}")


def _unlinked(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


if __name__ == "__main__":
    main()
