"""A crawl killed with SIGKILL at a random moment and restarted loses no stored article and
creates no duplicate post. Real subprocesses of `ranknews crawl`, a real local HTTP server,
a real database (SQLite file, or PostgreSQL with RANKNEWS_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from newssite import add_site, sources_toml
from sqlalchemy import func, select

from ranknews.store import open_database
from ranknews.store.schema import articles

SITES, PER_SITE = 3, 20


def crawl_process(database_url: str, sources: str) -> subprocess.Popen:
    # a killed crawl's feeds stay leased this long (a second process waits for them)
    env = {**os.environ, "RANKNEWS_FETCH_HOST_DELAY": "0", "RANKNEWS_FETCH_RETRIES": "0",
           "RANKNEWS_CRAWL_LEASE_SECONDS": "1", "RANKNEWS_FETCH_ALLOWED_HOSTS": "127.0.0.1"}
    return subprocess.Popen(
        [sys.executable, "-m", "ranknews", "crawl", "--db", database_url,
         "--sources-file", sources],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def page_requests(server) -> list:
    return [r for r in list(server.requests) if "/article/" in r.path]


def stored_urls(database_url: str) -> list[str]:
    db = open_database(database_url, create=True)
    try:
        with db.read() as conn:
            return list(conn.execute(select(articles.c.url)).scalars())
    finally:
        db.dispose()


def test_sigkill_at_random_moments_loses_nothing_and_duplicates_nothing(
        httpserver, database_url, tmp_path):
    feeds = [add_site(httpserver, f"site{n}", PER_SITE, page_delay=0.03) for n in range(SITES)]
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml([(f"신문{n}", "127.0.0.1", f) for n, f in enumerate(feeds)]),
                       encoding="utf-8")
    open_database(database_url, create=True).dispose()
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    before: set[str] = set()
    kills = 0
    for _ in range(8):
        remaining = SITES * PER_SITE - len(before)
        if remaining <= 1:
            break
        # A random moment of the crawl itself (not of interpreter start-up): after the k-th
        # page request, plus a few random milliseconds (mid-request, mid-extraction, mid-save).
        pages_before = len(page_requests(httpserver))
        process = crawl_process(database_url, str(sources))
        target = pages_before + rng.randrange(1, remaining)
        deadline = time.monotonic() + 60
        while (len(page_requests(httpserver)) < target and process.poll() is None
               and time.monotonic() < deadline):
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.1))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
        time.sleep(1.1)  # the killed crawl's leases run out
        now = stored_urls(database_url)
        assert len(now) == len(set(now)), f"duplicate posts (seed {seed})"
        assert before <= set(now), f"stored articles lost after a kill (seed {seed})"
        before = set(now)
    final = crawl_process(database_url, str(sources))
    assert final.wait(timeout=120) == 0
    urls = stored_urls(database_url)
    assert len(urls) == len(set(urls)) == SITES * PER_SITE, f"seed {seed}"
    assert kills >= 2, "crawls were not killed; the test proved nothing"
    db = open_database(database_url)
    with db.read() as conn:
        numbers = conn.execute(select(func.count(func.distinct(articles.c.title)))).scalar()
    db.dispose()
    assert numbers == SITES * PER_SITE
