"""The work behind ingest: one queue, leases, idempotent stages, revisions, failures, and
stories that do not depend on the order posts arrive in. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from conftest import shared_data
from sqlalchemy import select, text

from ranknews.config import Settings
from ranknews.models import Article, Paragraph
from ranknews.pipeline import drain, save_articles
from ranknews.pipeline.stages import make_stages
from ranknews.pipeline.stories import merge_stories, split_story
from ranknews.pipeline.work import Worker
from ranknews.store import stories as story_store
from ranknews.store import tasks
from ranknews.store.rank import article_rank
from ranknews.stories.scoring import bcubed

T0 = datetime(2024, 6, 18, 1, tzinfo=timezone.utc)
STRIKE = ("대한의사협회는 20일 정부의 의대 정원 확대 방침에 반발해 집단휴진에 들어간다고 밝혔다. "
          "의협 회장은 기자회견에서 정부가 대화에 나서지 않으면 휴진을 이어가겠다고 말했다. "
          "보건복지부는 업무개시명령을 검토하고 있다.")
FIRE = ("28일 오후 10시 26분쯤 김해국제공항 계류장에서 승객 170명과 승무원 6명을 태운 홍콩행 "
        "에어부산 여객기 꼬리 쪽에서 불이 났다. 탑승객은 비상 슬라이드로 모두 탈출했으며 "
        "인명 피해는 없었다.")


def post(n: int, title: str, body: str, *, hours: float = 0, outlet: str = "예시일보",
         section: str | None = None) -> Article:
    return Article(url=f"https://news{n % 3}.example.kr/{n}", outlet=f"{outlet}{n % 3}",
                   outlet_domain=f"news{n % 3}.example.kr", title=title, section=section,
                   blocks=tuple(Paragraph(p) for p in body.split("\n")),
                   published_at=T0 + timedelta(hours=hours),
                   collected_at=T0 + timedelta(hours=hours))


def board() -> list[Article]:
    return [post(i, f"의협 집단휴진 돌입 {i}", STRIKE, hours=i * 0.3) for i in range(4)] + \
        [post(10 + i, f"김해공항 에어부산 화재 {i}", FIRE, hours=2 + i * 0.4) for i in range(3)]


def now() -> datetime:
    return datetime.now(timezone.utc)


def stats(db) -> dict[str, tasks.StageStats]:
    with db.read() as conn:
        return {s.stage: s for s in tasks.queue_stats(conn, now())}


def stored(db, sql: str) -> list[tuple]:
    with db.read() as conn:
        return sorted(tuple(r) for r in conn.execute(text(sql)).all())


# -- one queue ------------------------------------------------------------------------------------

def test_a_save_enqueues_every_stage_once_and_a_drain_leaves_nothing(db):
    numbers = save_articles(db, board()).inserted
    first = stats(db)
    assert first["analysis"].queued == len(numbers)
    assert first["stories"].waiting == first["rank"].waiting == first["search"].waiting \
        == len(numbers)
    save_articles(db, board())  # the same content again: unchanged, nothing enqueued twice
    assert stats(db)["analysis"].queued == len(numbers)
    report = drain(db, Settings())
    assert {report.done[s] for s in ("analysis", "rank", "search")} == {len(numbers)}
    assert report.done["stories"] >= len(numbers) and report.done["refresh"] == 1
    assert all(s.pending == 0 and s.failed == 0 for s in stats(db).values())
    with db.read() as conn:  # every stage applied each post version exactly once
        applied = conn.execute(text("SELECT stage, applied FROM tasks WHERE board_no > 0")).all()
    assert {a for _, a in applied} == {1} and len(applied) == 4 * len(numbers)


def test_a_new_posts_rows_are_written_even_when_a_row_of_its_number_was_there(db):
    # PostgreSQL copies a new post's tasks and keys (no row can hold a number just taken);
    # a task left for that number before anyway (here queued by hand for a number asked
    # for by the post) makes the copy fail, and the save writes them by its upsert instead.
    with db.write() as conn:
        tasks.enqueue(conn, "analysis", now(), board_no=77, version="stale")
    wanted = dataclasses.replace(post(1, "의협 집단휴진 돌입", STRIKE), board_no=77)
    result = save_articles(db, [wanted, post(2, "김해공항 에어부산 화재", FIRE)])
    assert result.inserted[0] == 77 and len(result.inserted) == 2
    rows = stored(db, "SELECT stage, board_no, version, state FROM tasks WHERE board_no > 0")
    hashes = dict(stored(db, "SELECT board_no, content_hash FROM articles"))
    assert rows == sorted((stage, number, hashes[number],
                           "queued" if stage == "analysis" else "waiting")
                          for number in result.inserted for stage in tasks.POST_STAGES)
    keys = stored(db, "SELECT board_no, count(*) FROM article_keys GROUP BY board_no")
    assert [n for n, _ in keys] == sorted(result.inserted) and all(c >= 2 for _, c in keys)
    report = drain(db, Settings())
    assert report.done["analysis"] == 2 and all(s.failed == 0 for s in stats(db).values())


def test_stages_are_idempotent(db):
    numbers = save_articles(db, board()).inserted
    drain(db, Settings())
    tables = ("SELECT board_no, title_terms, body_terms, keywords FROM article_analysis",
              "SELECT board_no, story_id FROM story_members",
              "SELECT board_no, day, keywords, section FROM article_rank",
              "SELECT board_no, title, lead, grams FROM search_documents")
    before = [stored(db, sql) for sql in tables]
    with db.write() as conn:  # every stage of every post once more, for the same versions
        for stage in tasks.POST_STAGES:
            tasks.enqueue_every_post(conn, stage, now())
    drain(db, Settings())
    assert [stored(db, sql) for sql in tables] == before
    assert len(before[0]) == len(numbers)


def test_a_revision_runs_every_stage_again(db):
    first = post(1, "코스피 6000 돌파", "코스피가 20일 6000선을 돌파했다. " * 5, section="증권")
    number = save_articles(db, [first]).inserted[0]
    drain(db, Settings())
    revised = dataclasses.replace(first, title="여야 원내대표 회동…국회 본회의 합의",
                                  section=None, blocks=(Paragraph("국회 본회의 " * 10),))
    assert save_articles(db, [revised]).revised == [number]
    assert stats(db)["rank"].waiting == 1  # waits for the new version's analysis
    drain(db, Settings())
    with db.read() as conn:
        row = conn.execute(select(article_rank).where(article_rank.c.board_no == number)).one()
        hashes = conn.execute(text("SELECT a.content_hash, n.content_hash FROM articles a JOIN"
                                   " article_analysis n ON n.board_no = a.board_no")).one()
    assert row.section == "정치" and row.section_how == "model"  # not 증권's 경제 any more
    assert "6000" not in row.keywords and hashes[0] == hashes[1]


# -- leases ------------------------------------------------------------------------------------

def test_a_lost_lease_drops_the_result_and_another_worker_redoes_the_task(db):
    save_articles(db, board()[:2])
    settings = Settings.build(task_lease_seconds=0.5)
    slow, quick = (make_stages(settings, ["analysis"], name)[0] for name in ("slow", "quick"))
    with db.write() as conn:
        held = tasks.claim(conn, "analysis", 10, worker="slow", lease_seconds=0.5, now=now())
    assert len(held) == 2
    prepared = slow.prepare(db, held)  # the slow worker computes... and its lease runs out
    later = now() + timedelta(seconds=1)
    with db.write() as conn:
        taken = tasks.claim(conn, "analysis", 10, worker="quick", lease_seconds=60, now=later)
    assert [t.id for t in taken] == [t.id for t in held]
    with pytest.raises(tasks.LeaseLost):
        with db.write() as conn:
            tasks.complete(conn, slow.write(conn, prepared, now()), now())
    assert stored(db, "SELECT board_no FROM article_analysis") == []  # rolled back
    with db.write() as conn:
        tasks.complete(conn, quick.write(conn, quick.prepare(db, taken), now()), now())
    with db.read() as conn:
        rows = conn.execute(text("SELECT state, applied, attempts FROM tasks"
                                 " WHERE stage = 'analysis'")).all()
    assert [tuple(r) for r in rows] == [("done", 1, 2)] * 2


def test_a_worker_that_died_holding_tasks_loses_them_when_the_lease_runs_out(db):
    save_articles(db, board()[:3])
    with db.write() as conn:  # claimed by a worker that never comes back
        tasks.claim(conn, "analysis", 10, worker="dead", lease_seconds=1, now=now())
    report = drain(db, Settings(), stages=("analysis",))
    assert report.done.get("analysis", 0) == 0  # still leased: left to their owner
    with db.write() as conn:  # time passes
        conn.execute(text("UPDATE tasks SET lease_until = :t WHERE lease_until IS NOT NULL"),
                     {"t": now() - timedelta(seconds=1)})
    assert drain(db, Settings(), stages=("analysis",)).done["analysis"] == 3


def test_the_story_stage_has_one_holder_at_a_time(db):
    save_articles(db, board())
    drain(db, Settings(), stages=("analysis",))
    with db.write() as conn:
        assert tasks.hold(conn, "stories", "other", now() + timedelta(minutes=5), now())
    assert drain(db, Settings(), stages=("stories",)).done.get("stories", 0) == 0
    with db.write() as conn:  # the other holder went away without letting go: it runs out
        conn.execute(text("UPDATE stage_holds SET until = :t"),
                     {"t": now() - timedelta(seconds=1)})
    assert drain(db, Settings(), stages=("stories",)).done["stories"] == 7


def test_asking_for_a_held_stage_never_waits_for_the_holders_transaction(db, database_url):
    """While the story holder writes (its transaction holds the hold's row), other workers
    are told at once that the stage is taken, and go on with their other stages. Before,
    they queued behind the holder's row lock: four workers did less than one."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: nobody asks while the holder writes")
    import threading

    with db.write() as conn:
        assert tasks.hold(conn, "stories", "holder", now() + timedelta(minutes=5), now())
    answers: list[bool] = []
    with db.write() as holding:  # the holder's write transaction, still open
        assert tasks.hold(holding, "stories", "holder", now() + timedelta(minutes=5), now())

        def ask() -> None:
            with db.write() as conn:
                answers.append(tasks.hold(conn, "stories", "other",
                                          now() + timedelta(minutes=5), now()))
        asker = threading.Thread(target=ask, daemon=True)
        asker.start()
        asker.join(10)
        assert answers == [False], "the other worker waited for the holder's transaction"


# -- failures -------------------------------------------------------------------------------------

def test_a_failing_task_is_retried_then_parked_and_never_blocks_the_others(db, monkeypatch):
    from ranknews.pipeline import analysis

    numbers = save_articles(db, board()).inserted
    bad = numbers[2]
    real = analysis.analyze_posts

    def fails_on_one(analyzer, posts):
        if any(p.board_no == bad for p in posts):
            raise ValueError("이 글은 분석할 수 없습니다")
        return real(analyzer, posts)

    monkeypatch.setattr(analysis, "analyze_posts", fails_on_one)
    settings = Settings.build(task_max_attempts=2, task_backoff_seconds=60)
    first = drain(db, settings, stages=("analysis",))
    assert first.done["analysis"] == len(numbers) - 1 and first.failed == 1
    assert drain(db, settings, stages=("analysis",)).failed == 0  # backing off
    with db.write() as conn:  # the backoff has passed
        conn.execute(text("UPDATE tasks SET run_after = :t"), {"t": now()})
    second = drain(db, settings, stages=("analysis",))
    assert second.failed == 1 and stats(db)["analysis"].failed == 1
    with db.read() as conn:
        parked = tasks.failed_tasks(conn)
    assert [(p["board_no"], p["stage"]) for p in parked] == [(bad, "analysis")]
    assert "분석할 수 없습니다" in parked[0]["error"]
    monkeypatch.setattr(analysis, "analyze_posts", real)
    with db.write() as conn:
        assert tasks.retry_failed(conn, now()) == 1
    assert drain(db, settings).done["analysis"] == 1


def test_status_shows_the_queue_and_parked_tasks(db, database_url):
    from typer.testing import CliRunner

    from ranknews.cli import app

    save_articles(db, board()[:2])
    result = CliRunner().invoke(app, ["status", "--db", database_url])
    assert result.exit_code == 0, result.output
    assert "형태소 분석\t0\t2\t0\t0\t" in result.output and "남은 작업 8건" in result.output


# -- pages follow the writes -----------------------------------------------------------------

async def test_merge_and_split_change_the_pages_at_once(db, settings):
    from ranknews.web.app import create_app

    strike, fire = board()[:2], board()[4:5]
    numbers = save_articles(db, strike + fire).inserted
    drain(db, Settings())
    with db.read() as conn:
        a, b = story_store.story_of(conn, numbers[0]), story_store.story_of(conn, numbers[2])
    assert a != b
    app = create_app(dataclasses.replace(settings, page_cache_check_seconds=0.0), db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        before = (await client.get(f"/stories/{a}.json")).json()["story"]["size"]
        await client.get(f"/articles/{numbers[0]}")  # cached now
        merge_stories(db, a, b, "같은 날 묶음", actor="test")
        assert (await client.get(f"/stories/{a}.json")).json()["story"]["size"] == before + 1
        assert "관련 기사 3건" in (await client.get(f"/articles/{numbers[0]}")).text
        split_story(db, a, [numbers[2]], "다른 사건", actor="test")
        assert (await client.get(f"/stories/{a}.json")).json()["story"]["size"] == before
    drain(db, Settings())  # the assigner settles again, keeping both decisions
    with db.read() as conn:
        assert story_store.story_of(conn, numbers[2]) == numbers[2]
        assert story_store.story_of(conn, numbers[1]) == a


# -- stories do not depend on the order posts arrive in ---------------------------------------

def _stories(db) -> dict[str, int]:
    with db.read() as conn:
        found = conn.execute(text("SELECT a.url, m.story_id FROM articles a JOIN story_members m"
                                  " ON m.board_no = a.board_no")).all()
    return dict(found)


def _agreement(one: dict[str, int], other: dict[str, int]) -> float:
    urls = sorted(one)
    assert sorted(other) == urls
    return bcubed([one[u] for u in urls], [other[u] for u in urls])[2]


def test_stories_are_the_same_whatever_order_and_batches_posts_arrive_in(database_url,
                                                                         tmp_path):
    """Real labelled articles saved all at once, then in reverse order in small batches with
    the stages drained in between (late posts, settled again), give the same stories."""
    from ranknews.store import open_database

    path = shared_data("stories", "dev.jsonl")
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    articles = [Article(url=r["url"] + f"#{r['id']}", outlet=r["outlet"],
                        outlet_domain=r["outlet"], title=r["title"],
                        blocks=tuple(Paragraph(p) for p in r["text"].split("\n") if p.strip()),
                        published_at=T0 + timedelta(hours=(i * 7) % 150))
                for i, r in enumerate(rows)]
    other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    results = []
    for url, order, size in ((database_url, articles, len(articles)),
                             (other_url, articles[::-1], 17)):
        db = open_database(url, create=True)
        try:
            for at in range(0, len(order), size):
                save_articles(db, order[at:at + size])
                drain(db, Settings())
            results.append(_stories(db))
        finally:
            db.dispose()
    assert _agreement(*results) == 1.0


def test_a_worker_on_each_thread_leaves_the_same_result(db):
    """Several workers in one process (SQLite's path) share the queue without doing a task
    twice."""
    import threading

    numbers = save_articles(db, board()).inserted
    stop = threading.Event()
    workers = [Worker(db, Settings.build(worker_idle_seconds=0.05)) for _ in range(3)]
    threads = [threading.Thread(target=w.run, args=(stop,)) for w in workers]
    for thread in threads:
        thread.start()
    try:
        for _ in range(600):
            if all(s.pending == 0 for s in stats(db).values()):
                break
            stop.wait(0.1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert all(s.pending == 0 and s.failed == 0 for s in stats(db).values())
    done = sum(w.progress.done.get("analysis", 0) for w in workers)
    assert done == len(numbers)


async def test_sources_page_and_metrics_show_the_queue(db, settings):
    from ranknews.web.app import create_app

    save_articles(db, board()[:3])
    app = create_app(settings, db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        queue = {q["stage"]: q for q in (await client.get("/sources.json")).json()["queue"]}
        assert queue["analysis"]["waiting"] == 3 and queue["stories"]["waiting"] == 3
        assert queue["analysis"]["oldest_seconds"] >= 0
        assert "처리 대기열" in (await client.get("/sources")).text
        metrics = (await client.get("/metrics")).text
    assert 'ranknews_queue_tasks{stage="analysis",state="queued"} 3.0' in metrics


def test_kiwi_runs_once_per_post_version(db, monkeypatch):
    """The rank and search stages read the stored analysis: Kiwi is called by the analysis
    stage only."""
    from ranknews.text.analysis import Analyzer

    save_articles(db, board())
    drain(db, Settings(), stages=("analysis",))
    calls = []

    def counted(name):
        real = getattr(Analyzer, name)

        def wrapper(self, *args, **kwargs):
            calls.append(name)
            return real(self, *args, **kwargs)
        return wrapper

    for name in ("analyze_many", "noun_phrases", "_tokenize"):
        monkeypatch.setattr(Analyzer, name, counted(name))
    report = drain(db, Settings())
    assert report.done["rank"] == report.done["search"] == 7
    assert calls == []


def test_a_worker_survives_the_database_dropping_its_connections(db, database_url):
    """PostgreSQL restarted under a worker (its connections terminated): the worker goes on
    by itself, nothing is half-applied and nothing is lost."""
    import threading

    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: terminates the worker's server connections")
    numbers = save_articles(db, board()).inserted
    worker = Worker(db, Settings.build(worker_idle_seconds=0.05, analysis_batch_size=2))
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        for _ in range(3):  # while it works
            with db.write() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                  " WHERE datname = current_database()"
                                  " AND pid <> pg_backend_pid()"))
            stop.wait(0.5)
        for _ in range(600):
            if all(s.pending == 0 for s in stats(db).values()):
                break
            stop.wait(0.1)
    finally:
        stop.set()
        thread.join(30)
    assert all(s.pending == 0 and s.failed == 0 for s in stats(db).values())
    assert len(stored(db, "SELECT board_no FROM article_analysis")) == len(numbers)
    with db.read() as conn:
        applied = {a for (a,) in conn.execute(text("SELECT applied FROM tasks"
                                                   " WHERE board_no > 0"))}
    assert applied == {1}


def test_an_idle_worker_on_postgresql_wakes_when_work_is_queued(db, database_url):
    """Idle workers LISTEN: a save that queues work wakes them before their idle time."""
    import threading
    import time

    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: LISTEN/NOTIFY")
    worker = Worker(db, Settings.build(worker_idle_seconds=30), stages=("analysis",))
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        time.sleep(1.0)  # idle now, for up to 30 s
        started = time.monotonic()
        save_articles(db, board()[:1])
        while stats(db)["analysis"].pending and time.monotonic() - started < 25:
            time.sleep(0.05)
        waited = time.monotonic() - started
    finally:
        stop.set()
        thread.join(60)
    assert stats(db)["analysis"].pending == 0 and waited < 20


async def test_a_pause_a_host_asked_of_another_crawler_skips_it_here(db):
    """Crawlers share a host's Retry-After through the database: a long pause another
    crawler stored skips the host at once (as one's own would), a short lease is waited."""
    import asyncio

    from ranknews.fetch.politeness import HostGate, HostHeld
    from ranknews.pipeline.collect import DatabaseHosts
    from ranknews.store.collect import hold_host

    with db.write() as conn:
        hold_host(conn, "held.example:80", now() + timedelta(hours=1))
    gate = HostGate(delay=0.0, max_wait=30.0, shared=DatabaseHosts(db, "me", 60))
    started = asyncio.get_running_loop().time()
    with pytest.raises(HostHeld):
        async with gate.slot("held.example:80"):
            pass
    assert asyncio.get_running_loop().time() - started < 5
    other = DatabaseHosts(db, "other", 60)
    assert other.take("free.example:80") is None  # another crawler's request under way
    waited = asyncio.create_task(_enter(gate, "free.example:80"))
    await asyncio.sleep(0.3)
    assert not waited.done()  # waits for the other crawler, does not skip
    other.leave("free.example:80", 0.0)
    await asyncio.wait_for(waited, 10)


async def _enter(gate, host: str) -> None:  # noqa: ANN001
    async with gate.slot(host):
        pass
