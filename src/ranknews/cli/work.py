"""The work behind ingest from the command line: ``worker`` (run stages, on any machine),
``status`` (the queue per stage), and the progress bar that ``import``, ``crawl``,
``analyze``, ``index`` and ``rank-update`` show while they drain the queue."""

from __future__ import annotations

import signal
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Sequence

import typer

from ranknews.cli.common import (
    DataDirOption,
    DbOption,
    app,
    clean_errors,
    console,
    counting_progress,
    open_db,
    out,
    settings_from,
)
from ranknews.config import Settings
from ranknews.pipeline.stages import STAGE_NAMES

if TYPE_CHECKING:
    from ranknews.store import Database

STAGES = ("crawl", "analysis", "stories", "rank", "search", "trend_day", "refresh")


def process_queue(database: Database, settings: Settings,
                  stages: Sequence[str] | None = None, *, label: str = "처리 중") -> int:
    """Drain the queue in this process with a progress bar; print what was done. Returns
    the tasks done."""
    from ranknews.pipeline.work import ALL_STAGES, drain, pending

    total = pending(database)
    with counting_progress() as progress:
        bar = progress.add_task(label, total=total or None)
        report = drain(database, settings, stages=stages or ALL_STAGES,
                       on_done=lambda stage, n: progress.advance(bar, n))
    done = sum(report.done.values())
    parts = [f"{STAGE_NAMES[s]} {n}건" for s, n in report.done.items() if n]
    out.print(f"처리한 작업 {done}건" + (f" ({', '.join(parts)})" if parts else ""),
              soft_wrap=True)
    if report.failed:
        console.print(f"[yellow]실패[/yellow] 작업 {report.failed}건: 'ranknews status'로 "
                      "이유를 확인하세요.", highlight=False)
    return done


def waiting_note(database: Database) -> str | None:
    """A line for readers of results: posts still being processed behind ingest."""
    from ranknews.store.tasks import pending_posts

    with database.read() as conn:
        waiting = pending_posts(conn)
    if not waiting:
        return None
    return (f"참고: 아직 처리 중인 글이 {waiting}건 있어 결과에 빠졌을 수 있습니다 "
            "('ranknews status'로 확인, 'ranknews worker' 또는 'ranknews serve'가 처리합니다).")


@app.command()
@clean_errors
def worker(only: str = typer.Option(None, "--only", help="Stages, comma-separated: "
                                    + ", ".join(STAGES) + " (default: all)."),
           threads: int = typer.Option(1, "--threads", min=1, max=64,
                                       help="Worker threads in this process."),
           db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """대기열의 작업을 처리합니다: 여러 대의 서버에서 함께 실행할 수 있습니다 (PostgreSQL)."""
    from ranknews.logs import configure_logging

    chosen = _stages(only)
    settings = settings_from(db, data_dir)
    configure_logging(settings.log_format)
    database = open_db(settings, create=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    out.print(f"작업자 시작: {', '.join(STAGE_NAMES[s] for s in chosen)} "
              f"(스레드 {threads}개, 끝내려면 Ctrl+C)", soft_wrap=True)
    _run_workers(database, settings, chosen, threads, stop)
    out.print("작업자를 멈췄습니다.")


def _run_workers(database: Database, settings: Settings, stages: list[str], threads: int,
                 stop: threading.Event) -> None:
    from ranknews.pipeline.work import BackgroundWorkers

    work = [s for s in stages if s != "crawl"]
    pool = BackgroundWorkers(database, settings, threads=threads, stages=work).start() \
        if work else None
    try:
        if "crawl" in stages:
            from ranknews.pipeline.collect import crawl_worker

            crawl_worker(database, settings, stop)
        else:
            while not stop.wait(0.5):
                pass
    finally:
        if pool is not None:
            pool.stop.set()
            pool.close()


def _stages(only: str | None) -> list[str]:
    if not only:
        return list(STAGES)
    chosen = [s.strip() for s in only.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in STAGES]
    if unknown:
        raise ValueError(f"알 수 없는 단계: {', '.join(unknown)} (가능: {', '.join(STAGES)})")
    return chosen


@app.command()
@clean_errors
def status(retry: bool = typer.Option(False, "--retry", help="Put parked tasks back in the "
                                      "queue (after fixing their cause)."),
           db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """처리 대기열의 상태: 단계별 대기·처리 중·실패 작업 수와 가장 오래된 작업."""
    from ranknews.store import tasks

    settings = settings_from(db, data_dir)
    database = open_db(settings)
    now = datetime.now(timezone.utc)
    if retry:
        with database.write() as conn:
            count = tasks.retry_failed(conn, now)
        out.print(f"실패한 작업 {count}건을 다시 대기열에 넣었습니다.")
    with database.read() as conn:
        stats = tasks.queue_stats(conn, now)
        failed = tasks.failed_tasks(conn)
    lines = status_lines(stats, now)
    if out.is_terminal:
        out.print(_table(lines))
        out.print(lines[-1])
    else:  # piped: tab-separated lines, for scripts and grep
        for line in lines:
            typer.echo(line)
    for f in failed:
        subject = f"{f['board_no']}번 글" if f["board_no"] else f["arg"] or "전체"
        out.print(f"실패: {STAGE_NAMES.get(f['stage'], f['stage'])} {subject} "
                  f"(시도 {f['attempts']}회): {f['error']}", highlight=False, markup=False,
                  soft_wrap=True)
    if failed:
        out.print("'ranknews status --retry'로 실패한 작업을 다시 시도합니다.")


def status_lines(stats: Sequence, now: datetime) -> list[str]:
    """One line per stage: waiting, queued, running, failed, and the oldest task's age."""
    lines = ["단계\t대기(분석 전)\t대기\t처리 중\t실패\t가장 오래된 작업"]
    for s in stats:
        age = _age(now - s.oldest) if s.oldest else "-"
        lines.append(f"{STAGE_NAMES.get(s.stage, s.stage)}\t{s.waiting}\t{s.queued}\t"
                     f"{s.running}\t{s.failed}\t{age}")
    total = sum(s.pending for s in stats)
    lines.append("대기열이 비어 있습니다." if not total else f"남은 작업 {total}건")
    return lines


def _table(lines: list[str]):  # noqa: ANN202
    from rich.table import Table

    head, *body = [line.split("\t") for line in lines[:-1]]
    table = Table(title="처리 대기열")
    for column in head:
        table.add_column(column)
    for row in body:
        table.add_row(*row)
    return table


def _age(delta) -> str:  # noqa: ANN001
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds}초 전"
    if seconds < 3600:
        return f"{seconds // 60}분 전"
    if seconds < 86400:
        return f"{seconds // 3600}시간 전"
    return f"{seconds // 86400}일 전"
