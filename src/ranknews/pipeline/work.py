"""Workers: what drains the queue behind ingest (``store.tasks``), on one machine or many.

A ``Worker`` takes turns over its stages: for each, it claims a batch of ready tasks with a
lease, runs the stage (``pipeline.stages``: read and compute outside any transaction, then
write the result and complete the tasks in one), and goes on; when no stage had work it
sleeps ``worker_idle_seconds`` (on PostgreSQL, a NOTIFY from a save wakes it at once).
The story assigner is one worker at a time: it holds the stage instead of leasing tasks.

- A batch that fails is split in halves and retried, down to the one task that fails; that
  task is retried with backoff and parked after ``task_max_attempts`` (``ranknews status``
  and /sources show it). The tasks behind it go on.
- A lost database connection fails the batch like any error: its transaction rolled back,
  nothing is half-applied, and the next batch opens a new connection.
- ``drain`` runs workers in this process until nothing is left to do: what ``ranknews
  import``, ``crawl`` and the demo do at the end, and what ``serve`` and ``run`` do in the
  background (threads; on SQLite that is the single-process path: one writer at a time).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Sequence

from sqlalchemy.exc import InterfaceError, OperationalError

from ranknews.config import Settings
from ranknews.logs import log_event
from ranknews.pipeline.stages import HeldStage, PostStage, make_stages
from ranknews.store import Database
from ranknews.store import tasks as task_store

log = logging.getLogger("ranknews.work")

ALL_STAGES = ("analysis", "stories", "rank", "search", "trend_day", "refresh")
PRUNE_EVERY = 600.0  # seconds between two removals of old finished tasks by a worker


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Progress:
    """What a worker did (for progress bars and tests)."""

    done: dict[str, int] = field(default_factory=dict)
    failed: int = 0

    def add(self, stage: str, count: int) -> None:
        self.done[stage] = self.done.get(stage, 0) + count


class Worker:
    """One worker: its stages, in the order of the data's way."""

    def __init__(self, db: Database, settings: Settings, stages: Sequence[str] = ALL_STAGES,
                 *, name: str | None = None,
                 on_done: Callable[[str, int], None] | None = None) -> None:
        self.db = db
        self.settings = settings
        self.name = name or worker_name()
        self.stages = make_stages(settings, [s for s in ALL_STAGES if s in stages], self.name)
        self.on_done = on_done
        self.progress = Progress()
        self.stopping = threading.Event()  # set: finish the batch at hand, start no other
        self._waiter = Wakeup(db)

    def step(self, *, flush: bool = False) -> int:
        """One batch of each stage that has work; how many tasks were done. ``flush`` also
        takes the board's tasks that wait for a later time (a debounced page refresh), not
        the retries of failed tasks (they keep their backoff)."""
        total = 0
        for stage in self.stages:
            if self.stopping.is_set():
                break
            if isinstance(stage, HeldStage):
                count = stage.step(self.db, self.stopping)
            else:
                count = self._run(stage, flush=flush)
            if count:
                total += count
                self.progress.add(stage.name, count)
                if self.on_done:
                    self.on_done(stage.name, count)
        return total

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop``; sleep when there is nothing to do. Never gives up on an error:
        it is logged, and the next round tries again (a lost connection is replaced by the
        pool: the engine checks connections before use)."""
        pruned = 0.0
        self.stopping = stop
        while not stop.is_set():
            try:
                busy = self.step()
                if time.monotonic() - pruned > PRUNE_EVERY:
                    pruned = time.monotonic()
                    self._prune()
            except Exception as exc:  # noqa: BLE001 - a worker outlives a database restart
                log_event(log, "worker_round_failed", level=logging.ERROR, worker=self.name,
                          reason=f"{exc.__class__.__name__}: {exc}")
                busy = 0
            if not busy:
                self._waiter.wait(stop, self.settings.worker_idle_seconds)
        self.close()

    def _prune(self) -> None:
        with self.db.write() as conn:
            task_store.prune_done(conn, now() - timedelta(hours=self.settings.task_keep_hours))

    def close(self) -> None:
        self._waiter.close()
        for stage in self.stages:
            if isinstance(stage, HeldStage):
                stage.close(self.db)

    # -- one batch ---------------------------------------------------------------------------
    def _run(self, stage: PostStage, *, flush: bool = False) -> int:
        moment = now()
        with self.db.write() as conn:
            claimed = task_store.claim(
                conn, stage.name, stage.batch_size, worker=self.name,
                lease_seconds=self.settings.task_lease_seconds, now=moment,
                due=moment + timedelta(days=3650)
                if flush and stage.name in task_store.BOARD_STAGES else None)
        if not claimed:
            return 0
        # a task claimed before and never finished may be what killed its worker: alone
        suspects = [t for t in claimed if t.attempts > 1]
        healthy = [t for t in claimed if t.attempts <= 1]
        done = self._batch(stage, healthy) if healthy else 0
        for task in suspects:
            done += self._batch(stage, [task])
        return done

    def _batch(self, stage: PostStage, batch: list[task_store.Task]) -> int:
        try:
            prepared = stage.prepare(self.db, batch)
            with self.db.write() as conn:
                finished = stage.write(conn, prepared, now())
                task_store.complete(conn, finished, now())
            return len(batch)
        except task_store.LeaseLost as exc:
            log_event(log, "lease_lost", level=logging.WARNING, stage=stage.name,
                      worker=self.name, reason=str(exc))
            self._release(batch)
            return 0
        except (OperationalError, InterfaceError):
            self._release(batch)  # if the database answers again: others may go on at once
            raise  # the database, not the posts: nothing is counted against the tasks
        except Exception as exc:  # noqa: BLE001 - one bad post must not stop the others
            if len(batch) > 1:
                half = len(batch) // 2
                return self._batch(stage, batch[:half]) + self._batch(stage, batch[half:])
            self._fail(stage, batch[0], exc)
            return 0

    def _fail(self, stage: PostStage, task: task_store.Task, exc: Exception) -> None:
        reason = f"{exc.__class__.__name__}: {exc}"
        try:
            with self.db.write() as conn:
                parked = task_store.fail(conn, task, reason, now(),
                                         max_attempts=self.settings.task_max_attempts,
                                         backoff=self.settings.task_backoff_seconds)
        except Exception:  # noqa: BLE001 - the lease runs out and the task comes back
            log.exception("recording a failed task")
            return
        self.progress.failed += 1
        log_event(log, "task_parked" if parked else "task_failed", level=logging.WARNING,
                  stage=stage.name, board_no=task.board_no, arg=task.arg,
                  attempts=task.attempts, reason=reason)

    def _release(self, batch: list[task_store.Task]) -> None:
        try:
            with self.db.write() as conn:
                task_store.release(conn, batch)
        except Exception:  # noqa: BLE001 - the leases run out by themselves
            log.exception("releasing leases")


class Wakeup:
    """How an idle worker waits: on PostgreSQL it LISTENs (``store.tasks.CHANNEL``), so a
    save that queued work wakes it at once; else, and whenever listening fails, it sleeps
    ``worker_idle_seconds`` (the polling that always works)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._conn = None

    def wait(self, stop: threading.Event, seconds: float) -> None:
        if stop.is_set():
            return
        listener = self._listener()
        if listener is None:
            stop.wait(seconds)
            return
        deadline = time.monotonic() + seconds
        try:  # in slices of a second, so that a stopping worker stops soon
            while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
                for _ in listener.notifies(timeout=min(left, 1.0), stop_after=1):
                    return
        except Exception:  # noqa: BLE001 - a lost connection: back to polling, listen anew
            self.close()
            stop.wait(seconds)

    def _listener(self):  # noqa: ANN202
        if self.db.dialect != "postgresql":
            return None
        if self._conn is None:
            try:
                import psycopg

                url = self.db.engine.url.set(drivername="postgresql")
                self._conn = psycopg.connect(url.render_as_string(hide_password=False),
                                             autocommit=True)
                self._conn.execute(f"LISTEN {task_store.CHANNEL}")
            except Exception:  # noqa: BLE001 - polling will do
                self._conn = None
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001
                pass
            self._conn = None


def pending(db: Database) -> int:
    """Tasks not done and not parked (waiting, queued or running)."""
    with db.read() as conn:
        return sum(s.pending for s in task_store.queue_stats(conn, now()))


def drain(db: Database, settings: Settings, *, stages: Sequence[str] = ALL_STAGES,
          on_done: Callable[[str, int], None] | None = None,
          max_seconds: float | None = None) -> Progress:
    """Work in this process until no task is left that it can do (parked ones stay parked;
    tasks leased by workers elsewhere are left to them). Debounced tasks run at once."""
    worker = Worker(db, settings, stages, on_done=on_done)
    started = time.monotonic()
    try:  # debounced tasks (the rank pages) wait their turn while other work goes on
        while worker.step() or worker.step(flush=True):
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                break
    finally:
        worker.close()
    return worker.progress


class BackgroundWorkers:
    """Workers on threads of this process (``serve`` and ``run`` drain the queue so)."""

    def __init__(self, db: Database, settings: Settings, *, threads: int = 1,
                 stages: Sequence[str] = ALL_STAGES) -> None:
        self.stop = threading.Event()
        self.workers = [Worker(db, settings, stages) for _ in range(max(1, threads))]
        self.threads = [threading.Thread(target=w.run, args=(self.stop,), daemon=True,
                                         name=f"ranknews-worker-{i}")
                        for i, w in enumerate(self.workers)]

    def start(self) -> BackgroundWorkers:
        for thread in self.threads:
            thread.start()
        return self

    def close(self, timeout: float = 30.0) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)
