"""Scaling out on PostgreSQL: three `ranknews worker` processes (one killed with SIGKILL
mid-run), two `ranknews serve` processes and one `ranknews import` of 2,000 real-shaped
articles, with fixture feeds on local HTTP servers, give what one process gives on SQLite:
the same posts and revisions, the same stories, ranks and search results; no task lost or
applied twice; no host fetched by two crawlers at once.

Real processes, stopped by their own process ids. Needs PostgreSQL
(RANKNEWS_TEST_DATABASE_URL) and the real data in ../shared/data (see the README).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, shared_data
from httpserver import FixtureServer
from newssite import add_site, sources_toml
from sqlalchemy import text

from ranknews.pipeline.rank import rankings_page
from ranknews.search import parse_query
from ranknews.search.engine import search
from ranknews.store import open_database
from ranknews.store.tasks import queue_stats
from ranknews.stories.scoring import bcubed
from ranknews.text.analysis import shared_analyzer

ARTICLES = 2000
HOSTS = 4  # fixture sites, each its own host (port)
PAGES = 15  # articles per site
pytestmark = pytest.mark.skipif(
    not os.environ.get("RANKNEWS_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="needs PostgreSQL: set RANKNEWS_TEST_DATABASE_URL (see README, Two commands)")


def _import_file(tmp: Path) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from shared import records, write_jsonl

    shared_data("headlines", "daily")
    shared_data("stories", "dev.jsonl")
    lines = list(records(ARTICLES, figures=False))
    revised = [dict(r, text=r["text"] + "\n(종합) 추가 취재 내용이 덧붙었다.") for r in lines[::97]]
    return write_jsonl(tmp / "articles.jsonl", lines + revised)


def _sites(tmp: Path) -> tuple[list[FixtureServer], Path]:
    servers, feeds = [], []
    for i in range(HOSTS):
        server = FixtureServer().start()
        server.delay = 0.05  # a remote host's latency
        feeds.append((f"사이트{i}일보", f"127.0.0.1:{server.port}",
                      add_site(server, f"site{i}", PAGES)))
        servers.append(server)
    path = tmp / "sources.toml"
    path.write_text(sources_toml(feeds), encoding="utf-8")
    return servers, path


def _env(url: str, sources: Path, tmp: Path) -> dict[str, str]:
    return {**os.environ, "RANKNEWS_DATABASE_URL": url, "RANKNEWS_SOURCES_FILE": str(sources),
            "RANKNEWS_DATA_DIR": str(tmp), "RANKNEWS_FETCH_HOST_DELAY": "0.05",
            "RANKNEWS_TASK_LEASE_SECONDS": "30", "RANKNEWS_ANALYSIS_BATCH_SIZE": "50",
            "RANKNEWS_WORKER_IDLE_SECONDS": "0.2", "RANKNEWS_CRAWL_RUN_TICK": "1",
            "RANKNEWS_RANK_REFRESH_SECONDS": "1", "RANKNEWS_PAGE_CACHE_CHECK_SECONDS": "0.5",
            "RANKNEWS_ANALYSIS_THREADS": "1", "RANKNEWS_IMPORT_WORKERS": "1",
            # the fixture servers are on 127.0.0.1, which the crawler reaches only when allowed
            "RANKNEWS_FETCH_ALLOWED_HOSTS": "127.0.0.1"}


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ranknews", *args], env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _pending(db) -> int:  # noqa: ANN001
    with db.read() as conn:
        return sum(s.pending for s in queue_stats(conn, datetime.now(timezone.utc)))


def _analysed(db) -> int:  # noqa: ANN001
    with db.read() as conn:
        return conn.execute(text("SELECT count(*) FROM article_analysis")).scalar()


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)


def _run_multi(url: str, source: Path, sources: Path, tmp: Path) -> dict:
    env = _env(url, sources, tmp)
    db = open_database(url, create=True)
    ports = [_free_port(), _free_port()]
    serving = [_start(["serve", "--no-worker", "--server", "uvicorn", "--port", str(p)], env,
                      tmp / f"serve{i}.log") for i, p in enumerate(ports)]
    workers = [_start(["worker", "--threads", "1"], env, tmp / f"worker{i}.log")
               for i in range(3)]
    killed = None
    try:
        importer = _start(["import", "--no-process", str(source)], env, tmp / "import.log")
        _wait(lambda: _analysed(db) >= 100, 300, "the workers to start analysing")
        os.kill(workers[0].pid, signal.SIGKILL)  # mid-run: its leases must run out
        killed = workers[0].wait(10)
        assert importer.wait(300) == 0, (tmp / "import.log").read_text()
        _wait(lambda: all(_up(p) for p in ports), 60, "both web servers")
        _wait(lambda: _analysed(db) >= ARTICLES + HOSTS * PAGES and _pending(db) == 0, 900,
              "the queue behind ingest to empty")
        seen = _hide_through_the_cli(db, env, ports, _first_url(source))
    finally:
        for process in [*workers[1:], *serving]:
            _stop(process)
    assert killed == -signal.SIGKILL
    assert seen
    state = _state(db)
    with db.read() as conn:
        state["tasks"] = conn.execute(text(
            "SELECT state, applied, count(*) FROM tasks WHERE board_no > 0"
            " GROUP BY state, applied")).all()
    db.dispose()
    return state


def _first_url(source: Path) -> str:
    with source.open(encoding="utf-8") as handle:
        return json.loads(handle.readline())["url"]


def _number(db, url: str) -> int:  # noqa: ANN001
    with db.read() as conn:
        return conn.execute(text("SELECT board_no FROM articles WHERE url = :u"),
                            {"u": url}).scalar()


def _hide_through_the_cli(db, env: dict[str, str], ports: list[int],  # noqa: ANN001
                          url: str) -> bool:
    """A write through one process (a takedown) reaches every web server within the page
    cache's check interval."""
    number = _number(db, url)
    for port in ports:
        assert httpx.get(f"http://127.0.0.1:{port}/articles/{number}").status_code == 200
    done = subprocess.run([sys.executable, "-m", "ranknews", "hide", str(number), "--reason",
                           "확장 시험"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    time.sleep(1.0)  # the check interval is 0.5 s
    return all(httpx.get(f"http://127.0.0.1:{p}/articles/{number}").status_code == 404
               for p in ports)


def _run_single(source: Path, sources: Path, tmp: Path) -> dict:
    url = f"sqlite:///{tmp / 'single.sqlite3'}"
    env = _env(url, sources, tmp)
    for args in (["import", str(source)], ["crawl", "--all"]):
        done = subprocess.run([sys.executable, "-m", "ranknews", *args], env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
    db = open_database(url)
    number = _number(db, _first_url(source))
    subprocess.run([sys.executable, "-m", "ranknews", "hide", str(number), "--reason",
                    "확장 시험"], env=env, check=True, capture_output=True)
    state = _state(db)
    db.dispose()
    return state


def _state(db) -> dict:  # noqa: ANN001
    """What the two runs must agree on, named by URL (board numbers depend on timing)."""
    with db.read() as conn:
        posts = dict(conn.execute(text("SELECT url, content_hash FROM articles")).all())
        urls = dict(conn.execute(text("SELECT board_no, url FROM articles")).all())
        revisions = dict(conn.execute(text(
            "SELECT a.url, count(*) FROM article_revisions r JOIN articles a"
            " ON a.board_no = r.board_no GROUP BY a.url")).all())
        stories = {urls[b]: s for b, s in conn.execute(
            text("SELECT board_no, story_id FROM story_members")).all()}
        latest = conn.execute(text("SELECT max(published_at) FROM articles")).scalar()
    at = (latest if isinstance(latest, datetime) else datetime.fromisoformat(latest)
          .replace(tzinfo=timezone.utc)) + timedelta(hours=1)
    members: dict[int, frozenset[str]] = {}
    for url, story in stories.items():
        members[story] = members.get(story, frozenset()) | {url}
    ranks = rankings_page(db, at, timezone="Asia/Seoul")
    named = {period: {section: [(members.get(e["story_id"], frozenset({urls[e["board_no"]]})),
                                 e["score"]) for e in entries]
                      for section, entries in value["sections"].items()}
             for period, value in ranks["periods"].items()}
    return {"posts": posts, "revisions": revisions, "stories": stories, "ranks": named,
            "search": _searches(db, at, urls)}


QUERIES = ("삼성전자", "반도체", "금리", "코스피", "환율", "부동산", "site2 기사", "수출")


def _searches(db, at: datetime, urls: dict[int, str]) -> dict[str, list[str]]:  # noqa: ANN001
    found = {}
    with db.read() as conn:
        for query in QUERIES:
            hits = search(conn, parse_query(query, shared_analyzer()), now=at, limit=10).hits
            found[query] = [urls[h.board_no] for h in hits]
    return found


def test_workers_on_postgresql_give_what_one_process_gives(database_url, tmp_path):
    source = _import_file(tmp_path)
    servers, sources = _sites(tmp_path)
    try:
        multi = _run_multi(database_url, source, sources, tmp_path)
        single = _run_single(source, sources, tmp_path)
        for server in servers:
            assert server.most_in_flight == 1, "a host was fetched by two crawlers at once"
            assert server.requests, "every site was crawled"
    finally:
        for server in servers:
            server.stop()
    assert multi["posts"] == single["posts"]
    assert len(multi["posts"]) == ARTICLES + HOSTS * PAGES
    assert multi["revisions"] == single["revisions"] and multi["revisions"]
    urls = sorted(single["stories"])
    assert sorted(multi["stories"]) == urls
    f1 = bcubed([multi["stories"][u] for u in urls], [single["stories"][u] for u in urls])[2]
    assert f1 == 1.0
    assert multi["ranks"] == single["ranks"]
    assert multi["search"] == single["search"]
    assert any(multi["search"].values())
    # every post version's stages ran, each exactly once: none lost, none applied twice
    assert [tuple(r[:2]) for r in multi["tasks"]] == [("done", 1)], multi["tasks"]
    print(json.dumps({"posts": len(multi["posts"]), "stories": len(set(multi["stories"]
                                                                        .values()))}))
