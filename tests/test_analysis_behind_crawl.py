"""The crawler and the work behind it: `ranknews crawl` drains the queue at the end (unless
`--no-process`), and `ranknews run` works behind the crawl, so stories exist without a
separate command."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from newssite import add_site, sources_toml
from sqlalchemy import func, select
from typer.testing import CliRunner

from ranknews.cli import app
from ranknews.service import run_service
from ranknews.store import open_database
from ranknews.store import stories as story_store
from ranknews.store.schema import articles
from ranknews.store.tasks import pending_posts

runner = CliRunner()


def _numbers(db) -> list[int]:
    with db.read() as conn:
        return list(conn.execute(select(articles.c.board_no).order_by(articles.c.board_no))
                    .scalars())


def _storied(db) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(story_store.story_members))
                   .scalar())


def queue_length(conn) -> int:  # noqa: ANN001
    return pending_posts(conn)


def test_crawl_processes_what_it_saved_unless_told_not_to(database_url, tmp_path, httpserver):
    feed = add_site(httpserver, "story", 3)
    toml = tmp_path / "s.toml"
    toml.write_text(sources_toml([("이야기일보", "127.0.0.1", feed)]), encoding="utf-8")
    base = ["--db", database_url, "--sources-file", str(toml)]
    env = {"RANKNEWS_FETCH_HOST_DELAY": "0", "RANKNEWS_FETCH_ALLOWED_HOSTS": "127.0.0.1"}
    plain = runner.invoke(app, ["crawl", "--no-process", *base], env=env)
    assert plain.exit_code == 0 and "새 글 3건" in plain.output
    db = open_database(database_url)
    try:
        with db.read() as conn:
            assert queue_length(conn) == 3  # crawling alone only queues
        assert _storied(db) == 0
        feed2 = add_site(httpserver, "more", 2)
        toml.write_text(sources_toml([("이야기일보", "127.0.0.1", feed),
                                      ("더보기일보", "127.0.0.1", feed2)]), encoding="utf-8")
        drained = runner.invoke(app, ["crawl", *base], env=env)
        assert drained.exit_code == 0, drained.output
        assert "새 글 2건" in drained.output and "형태소 분석 5건" in drained.output
        numbers = _numbers(db)
        with db.read() as conn:
            assert queue_length(conn) == 0
            stories = {b: story_store.story_of(conn, b) for b in numbers}
            assert None not in stories.values() and len(stories) == 5
            view = story_store.story_view(conn, stories[numbers[0]])
        assert numbers[0] in [c.board_no for c in view.coverage]
    finally:
        db.dispose()


async def test_run_analyses_behind_the_crawl(db, settings, httpserver, tmp_path):
    feed = add_site(httpserver, "behind", 3)
    toml = tmp_path / "run.toml"
    toml.write_text(sources_toml([("뒤일보", "127.0.0.1", feed)]), encoding="utf-8")
    settings = replace(settings, sources_file=str(toml), fetch_host_delay=0.0,
                       crawl_run_tick=1, worker_idle_seconds=0.1)
    stop = asyncio.Event()
    service = asyncio.create_task(run_service(db, settings, serve=False, stop=stop))
    try:
        for _ in range(600):
            await asyncio.sleep(0.1)
            with db.read() as conn:
                if len(_numbers(db)) == 3 and _storied(db) == 3 and queue_length(conn) == 0:
                    break
        assert len(_numbers(db)) == 3 and _storied(db) == 3
        with db.read() as conn:
            assert queue_length(conn) == 0  # ranked and indexed too
    finally:
        stop.set()
        await asyncio.wait_for(service, 20)
    assert service.exception() is None
