"""The work queue behind ingest: one table of tasks, claimed with leases.

A task is one stage's work on one subject: a post version (``analysis``, ``stories``,
``rank``, ``search`` of a board number, ``version`` = the content hash it is for) or a piece
of the whole board (``trend_day`` of a day, ``refresh`` of the rank pages). It is unique by
(stage, board_no, arg): enqueueing it again (a revision, another change of that day) points
the same row at the new version, so a post is never queued twice for one stage.

States: ``waiting`` (for the post's analysis), ``queued``, ``done``, ``failed`` (parked after
``max_attempts``, with its error). A queued task with a live lease is running.

- ``claim`` gives a worker up to ``limit`` queued tasks of a stage with a lease (a token and
  an expiry): ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of workers on any
  number of machines share the queue; SQLite's single writer makes the same statement
  atomic there. A worker that dies holds its lease until it expires; then any worker takes
  the task again.
- ``complete`` runs in the transaction that writes the stage's result: it marks the tasks
  done only while the worker still holds their lease, and only for the version it
  processed (a revision that came meanwhile leaves the task queued for the new version).
  Anything else (a lease lost to a slow worker) raises ``LeaseLost``, which rolls the
  result back: a task is applied once.
- ``fail`` counts an attempt, backs off, and parks the task after ``max_attempts``.
Every statement is the store's one raw-SQL style (``store/driver.py``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Collection, Iterable, Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from ranknews.store.driver import as_time, copy_new_rows, rows, run, run_many
from ranknews.store.schema import metadata
from ranknews.store.types import UTCDateTime

# The stages of a post version, in order: analysis first, the others read what it stored.
POST_STAGES = ("analysis", "stories", "rank", "search")
AFTER_ANALYSIS = POST_STAGES[1:]
BOARD_STAGES = ("trend_day", "refresh")  # work on the whole board, not one post
STAGES = POST_STAGES + BOARD_STAGES

tasks = Table(
    "tasks", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("stage", String(16), nullable=False),
    Column("board_no", Integer, nullable=False, server_default=text("0")),
    Column("arg", String(32), nullable=False, server_default=text("''")),
    Column("version", String(64), nullable=False, server_default=text("''")),
    Column("state", String(8), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("applied", Integer, nullable=False, server_default=text("0")),
    Column("enqueued_at", UTCDateTime, nullable=False),
    Column("run_after", UTCDateTime, nullable=False),
    Column("lease_token", String(32)),
    Column("lease_until", UTCDateTime),
    Column("worker", String(64)),
    Column("finished_at", UTCDateTime),
    Column("error", Text),
    UniqueConstraint("stage", "board_no", "arg", name="uq_tasks_subject"),
)
# What claim and the queue's figures read: tasks not done, by stage, in order.
Index("ix_tasks_pending", tasks.c.stage, tasks.c.id,
      sqlite_where=text("state <> 'done'"), postgresql_where=text("state <> 'done'"))
Index("ix_tasks_board_no", tasks.c.board_no)


class LeaseLost(Exception):
    """A worker no longer holds the lease of a task it processed: its result is dropped."""


@dataclass(frozen=True, slots=True)
class Task:
    id: int
    stage: str
    board_no: int
    arg: str
    version: str
    attempts: int
    token: str


@dataclass(frozen=True, slots=True)
class StageStats:
    stage: str
    waiting: int
    queued: int
    running: int
    failed: int
    oldest: datetime | None  # enqueued_at of the oldest task not done

    @property
    def pending(self) -> int:
        return self.waiting + self.queued + self.running


_UPSERT = (
    "INSERT INTO tasks (stage, board_no, arg, version, state, attempts, applied, enqueued_at,"
    " run_after) VALUES (:stage, :board_no, :arg, :version, :state, 0, 0, :now, :run_after)"
    " ON CONFLICT (stage, board_no, arg) DO UPDATE SET version = excluded.version,"
    " state = excluded.state, attempts = 0, applied = 0, error = NULL,"
    " enqueued_at = CASE WHEN tasks.state IN ('queued', 'waiting') THEN tasks.enqueued_at"
    " ELSE excluded.enqueued_at END,"
    # a task already queued keeps its turn (a debounced refresh is not put off forever)
    " run_after = CASE WHEN tasks.state = 'queued' AND tasks.run_after < excluded.run_after"
    " THEN tasks.run_after ELSE excluded.run_after END"
)

_UPSERT_ARRAYS = (  # PostgreSQL: the same upsert for many posts at once, from arrays
    "INSERT INTO tasks (stage, board_no, arg, version, state, attempts, applied, enqueued_at,"
    " run_after) SELECT u.stage, u.board_no, '', u.version, u.state, 0, 0, :now, :now"
    " FROM unnest(CAST(:stages AS text[]), CAST(:numbers AS integer[]),"
    " CAST(:versions AS text[]), CAST(:states AS text[])) AS u(stage, board_no, version, state)"
    + _UPSERT[_UPSERT.index(" ON CONFLICT"):]
)

# The columns a new post's tasks are copied into (``copy_new_rows``).
_COLUMNS = ("stage", "board_no", "arg", "version", "state", "attempts", "applied", "enqueued_at",
            "run_after")

# PostgreSQL channel on which a commit that queued work wakes idle workers at once.
CHANNEL = "ranknews_work"


def enqueue_posts(conn: Connection, posts: Iterable[tuple[int, str]], now: datetime,
                  new: Collection[int] = ()) -> int:
    """New or revised posts, as (board number, content hash): their analysis is queued and
    the stages after it wait for it. In the caller's transaction (the save's). ``new``: the
    numbers this transaction inserted (board numbers are never reused, so no task of theirs
    can exist yet)."""
    versions = dict(posts)
    params = [{"stage": stage, "board_no": board_no, "arg": "", "version": version,
               "state": "queued" if stage == "analysis" else "waiting",
               "now": now, "run_after": now}
              for board_no, version in versions.items() for stage in POST_STAGES]
    if conn.dialect.name == "postgresql":
        fresh = [(p["stage"], p["board_no"], "", p["version"], p["state"], 0, 0, now, now)
                 for p in params if p["board_no"] in new]
        if fresh and copy_new_rows(conn, "tasks", _COLUMNS, fresh):
            params = [p for p in params if p["board_no"] not in new]
        if params:
            # one statement over arrays rather than a statement per row: the server binds
            # and executes once
            run(conn, _UPSERT_ARRAYS, {"stages": [p["stage"] for p in params],
                                       "numbers": [p["board_no"] for p in params],
                                       "versions": [p["version"] for p in params],
                                       "states": [p["state"] for p in params], "now": now})
    else:
        run_many(conn, _UPSERT, params)
    if versions:
        notify(conn)
    return len(versions)


def notify(conn: Connection) -> None:
    """Wake idle workers when this transaction commits (PostgreSQL; SQLite's workers are
    threads of one process that look again after ``worker_idle_seconds``)."""
    if conn.dialect.name == "postgresql":
        run(conn, f"NOTIFY {CHANNEL}")


def enqueue(conn: Connection, stage: str, now: datetime, *, board_no: int = 0, arg: str = "",
            version: str | None = None, delay: float = 0.0) -> None:
    """One task (a board-wide one, or a post's stage run again); ``version`` defaults to the
    time of this call, so that a run already under way is followed by another."""
    run(conn, _UPSERT, {"stage": stage, "board_no": board_no, "arg": arg,
                        "version": version if version is not None else now.isoformat(),
                        "state": "queued", "now": now,
                        "run_after": now + timedelta(seconds=delay)})


def enqueue_every_post(conn: Connection, stage: str, now: datetime) -> int:
    """Every post's ``stage`` run again (rebuild the search index, file every post again)."""
    return run(conn, (
        "INSERT INTO tasks (stage, board_no, arg, version, state, attempts, applied,"
        " enqueued_at, run_after) SELECT :stage, board_no, '', content_hash, 'queued', 0, 0,"
        " :now, :now FROM articles WHERE true ON CONFLICT (stage, board_no, arg) DO UPDATE"
        " SET version = excluded.version, state = 'queued', attempts = 0, applied = 0,"
        " error = NULL, run_after = excluded.run_after"), {"stage": stage, "now": now})


def release_dependents(conn: Connection, done: Sequence[tuple[int, str]], now: datetime) -> None:
    """A post version's analysis is stored: its waiting stages become queued."""
    run_many(conn, "UPDATE tasks SET state = 'queued', run_after = :now WHERE board_no = :b"
                   " AND version = :v AND state = 'waiting' AND stage <> 'analysis'",
             [{"now": now, "b": b, "v": v} for b, v in done])
    if done:
        notify(conn)


def claim(conn: Connection, stage: str, limit: int, *, worker: str, lease_seconds: float,
          now: datetime, due: datetime | None = None) -> list[Task]:
    """Up to ``limit`` queued tasks of ``stage`` due by ``due`` (default ``now``) with a fresh
    lease, oldest first."""
    token = secrets.token_hex(8)
    lock = " FOR UPDATE SKIP LOCKED" if conn.dialect.name == "postgresql" else ""
    found = rows(conn, (
        "UPDATE tasks SET lease_token = :token, lease_until = :until, worker = :worker,"
        " attempts = attempts + 1 WHERE id IN (SELECT id FROM tasks WHERE stage = :stage"
        " AND state = 'queued' AND run_after <= :due"
        " AND (lease_until IS NULL OR lease_until < :now) ORDER BY id LIMIT :limit" + lock +
        ") RETURNING id, board_no, arg, version, attempts"),
        {"token": token, "until": now + timedelta(seconds=lease_seconds), "worker": worker,
         "stage": stage, "now": now, "due": due or now, "limit": limit})
    return sorted((Task(i, stage, b, a, v, n, token) for i, b, a, v, n in found),
                  key=lambda t: t.id)


def complete(conn: Connection, done: Sequence[tuple[Task, str]], now: datetime) -> None:
    """Mark tasks done for the version each was processed at, in the caller's transaction
    (the one that wrote their result). Raises ``LeaseLost`` unless every lease is still held:
    the caller's transaction must then roll back."""
    changed = run_many(conn, (
        "UPDATE tasks SET state = CASE WHEN version = :version THEN 'done' ELSE state END,"
        " applied = applied + CASE WHEN version = :version THEN 1 ELSE 0 END,"
        " finished_at = :now, lease_token = NULL, lease_until = NULL, error = NULL"
        " WHERE id = :id AND lease_token = :token"),
        [{"version": version, "now": now, "id": task.id, "token": task.token}
         for task, version in done])
    if changed != len(done):
        raise LeaseLost(f"{len(done) - changed} of {len(done)} leases lost")


def complete_held(conn: Connection, done: Sequence[tuple[int, str]], stage: str,
                  now: datetime) -> None:
    """Mark a stage's tasks of these (board number, version) done without leases: for a stage
    whose worker holds the stage itself (the story assigner, see ``hold``)."""
    run_many(conn, (
        "UPDATE tasks SET state = 'done', applied = applied + 1, finished_at = :now,"
        " lease_token = NULL, lease_until = NULL, error = NULL, attempts = attempts + 1"
        " WHERE stage = :stage AND board_no = :b AND version = :v AND state = 'queued'"),
        [{"now": now, "stage": stage, "b": b, "v": v} for b, v in done])


def queued_posts(conn: Connection, stage: str, limit: int, now: datetime) -> list[tuple[int, str]]:
    """(board number, version) of the queued tasks of a stage, oldest first (for a holder)."""
    return [(b, v) for b, v in rows(
        conn, "SELECT board_no, version FROM tasks WHERE stage = :stage AND state = 'queued'"
              " AND run_after <= :now ORDER BY id LIMIT :limit",
        {"stage": stage, "now": now, "limit": limit})]


def release(conn: Connection, held: Sequence[Task]) -> None:
    """Give leases back without completing (a worker stopping, a result rolled back)."""
    run_many(conn, "UPDATE tasks SET lease_token = NULL, lease_until = NULL"
                   " WHERE id = :id AND lease_token = :token",
             [{"id": t.id, "token": t.token} for t in held])


def fail(conn: Connection, task: Task, error: str, now: datetime, *, max_attempts: int,
         backoff: float) -> bool:
    """Record a failure of one task; it is retried after ``backoff`` × 2^(attempts − 1)
    seconds, or parked (``failed``) once it has had ``max_attempts``. Whether it was parked."""
    parked = task.attempts >= max_attempts
    wait = backoff * 2 ** max(task.attempts - 1, 0)
    run(conn, "UPDATE tasks SET lease_token = NULL, lease_until = NULL, error = :error,"
              " run_after = :after, state = CASE WHEN :parked = 1 THEN 'failed' ELSE state END"
              " WHERE id = :id AND lease_token = :token",
        {"error": error[:2000], "after": now + timedelta(seconds=wait),
         "parked": int(parked), "id": task.id, "token": task.token})
    return parked


def retry_failed(conn: Connection, now: datetime, stage: str | None = None) -> int:
    """Parked tasks back to the queue (after the operator fixed the cause)."""
    return run(conn, "UPDATE tasks SET state = 'queued', attempts = 0, run_after = :now"
                     " WHERE state = 'failed'" + (" AND stage = :stage" if stage else ""),
               {"now": now, "stage": stage})


def queue_stats(conn: Connection, now: datetime) -> list[StageStats]:
    """Per stage: tasks waiting, queued, running (queued with a live lease), parked, and when
    the oldest of them was enqueued. Reads the tasks not done only (a partial index)."""
    counts: dict[str, dict[str, int]] = {s: {} for s in STAGES}
    oldest: dict[str, datetime | None] = dict.fromkeys(STAGES)
    for stage, state, running, count, first in rows(conn, (
            "SELECT stage, state, CASE WHEN lease_until >= :now THEN 1 ELSE 0 END,"
            " count(*), min(enqueued_at) FROM tasks WHERE state <> 'done'"
            " GROUP BY stage, state, CASE WHEN lease_until >= :now THEN 1 ELSE 0 END"),
            {"now": now}):
        kind = "running" if state == "queued" and running else state
        counts.setdefault(stage, {})
        counts[stage][kind] = counts[stage].get(kind, 0) + count
        first = as_time(first)
        if kind != "failed" and (oldest.get(stage) is None or first < oldest[stage]):
            oldest[stage] = first
    return [StageStats(stage, c.get("waiting", 0), c.get("queued", 0), c.get("running", 0),
                       c.get("failed", 0), oldest.get(stage)) for stage, c in counts.items()]


def pending_posts(conn: Connection) -> int:
    """Posts with a stage still to run (waiting, queued or running; not parked)."""
    return rows(conn, "SELECT count(DISTINCT board_no) FROM tasks WHERE state IN"
                      " ('waiting', 'queued') AND board_no > 0")[0][0]


def failed_tasks(conn: Connection, limit: int = 20) -> list[dict]:
    found = rows(conn, "SELECT id, stage, board_no, arg, attempts, finished_at, run_after, error"
                       " FROM tasks WHERE state = 'failed' ORDER BY id DESC LIMIT :limit",
                 {"limit": limit})
    names = ("id", "stage", "board_no", "arg", "attempts", "finished_at", "run_after", "error")
    return [dict(zip(names, r)) for r in found]


def prune_done(conn: Connection, before: datetime) -> int:
    """Forget tasks done before ``before`` (the table would otherwise hold 4 rows a post)."""
    return run(conn, "DELETE FROM tasks WHERE state = 'done' AND finished_at < :before",
               {"before": before})


# --- holding a whole stage: one worker at a time (the story assigner) ---------------------------

holds = Table(
    "stage_holds", metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(64)),
    Column("until", UTCDateTime),
)


def hold(conn: Connection, name: str, holder: str, until: datetime, now: datetime) -> bool:
    """Take or renew the hold on ``name`` for ``holder`` until ``until``, if nobody else holds
    it. In a write transaction, the row lock also fences a holder whose hold ran out: its
    next ``hold`` fails, so two holders never write at once.

    A live hold of another worker is read without a lock and answered at once: the others
    never wait for the holder's write transaction (they go on with their other stages)."""
    current = rows(conn, "SELECT holder, until FROM stage_holds WHERE name = :name",
                   {"name": name})
    if not current:
        run(conn, "INSERT INTO stage_holds (name, holder, until) VALUES (:name, NULL, NULL)"
                  " ON CONFLICT (name) DO NOTHING", {"name": name})
    elif current[0][0] not in (None, holder) and as_time(current[0][1]) >= now:
        return False
    return run(conn, "UPDATE stage_holds SET holder = :holder, until = :until WHERE name = :name"
                     " AND (holder IS NULL OR holder = :holder OR until < :now)",
               {"name": name, "holder": holder, "until": until, "now": now}) == 1


def let_go(conn: Connection, name: str, holder: str) -> None:
    run(conn, "UPDATE stage_holds SET holder = NULL, until = NULL WHERE name = :name"
              " AND holder = :holder", {"name": name, "holder": holder})
