"""Commands of analysis and stories: analyze, cluster, restory, story merge/split/show.

The library's modules are imported inside the commands: every command of the CLI loads this
module, and Kiwi and the stories' store cost time to load.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from ranknews.cli.common import (
    DataDirOption,
    DbOption,
    app,
    clean_errors,
    counting_progress,
    open_db,
    out,
    settings_from,
)
from ranknews.config import Settings

if TYPE_CHECKING:
    from ranknews.store import Database

story_app = typer.Typer(help="이야기(같은 사건 묶음) 관리: merge, split, show.",
                        no_args_is_help=True)
app.add_typer(story_app, name="story")


@app.command()
@clean_errors
def analyze(limit: int = typer.Option(None, "--limit", help="At most this many posts."),
            db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """분석 대기열을 처리합니다: 형태소 분석, 이야기 묶기, 통신사 기사 전재 표시."""
    settings = settings_from(db, data_dir)
    drain_queue(open_db(settings), settings, limit)


def drain_queue(database: Database, settings: Settings, limit: int | None = None) -> None:
    """Analyse what waits in the queue with a progress bar (``analyze``, ``crawl --analyze``)."""
    from ranknews.pipeline.analysis import analyze_pending, story_clusterer
    from ranknews.store.analysis import queue_length
    from ranknews.text.analysis import shared_analyzer

    with database.read() as conn:
        waiting = queue_length(conn)
    clusterer = story_clusterer(database, settings)
    with counting_progress() as progress:
        task = progress.add_task("분석 중", total=min(waiting, limit or waiting))
        done = analyze_pending(database, shared_analyzer(), clusterer,
                               batch=settings.analysis_batch_size, limit=limit,
                               on_progress=lambda n: progress.advance(task, n))
    out.print(f"분석 {done}건, 남은 대기 {max(waiting - done, 0)}건")


@app.command()
@clean_errors
def cluster(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                        help="JSON Lines: id, url, outlet, title, text, "
                                             "published (may be null)."),
            threshold: float = typer.Option(None, "--threshold",
                                            help="Override RANKNEWS_STORY_THRESHOLD.")) -> None:
    """기사 파일을 이야기로 묶어 한 줄에 하나씩 {"id", "story"}를 출력합니다."""
    from ranknews.pipeline.analysis import settings_clusterer
    from ranknews.stories.jsonl import cluster_inputs, read_cluster_input
    from ranknews.text.analysis import shared_analyzer

    settings = settings_from(None, None, story_threshold=threshold)
    with open(file, encoding="utf-8") as handle:
        inputs = list(read_cluster_input(handle, str(file)))
    for key, story in cluster_inputs(inputs, settings_clusterer(settings), shared_analyzer()):
        sys.stdout.write(json.dumps({"id": key, "story": story}, ensure_ascii=False) + "\n")


@app.command()
@clean_errors
def restory(since: str = typer.Option(None, "--since", help="YYYY-MM-DD (inclusive)."),
            until: str = typer.Option(None, "--until", help="YYYY-MM-DD (exclusive)."),
            db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """기간 안의 글을 저장된 분석으로 다시 이야기로 묶습니다 (운영자 병합/분리는 유지)."""
    from ranknews.pipeline.analysis import restory as restory_period
    from ranknews.store import stories as story_store

    settings = settings_from(db, data_dir)
    database = open_db(settings)
    start, end = _date(since), _date(until)
    with database.read() as conn:
        total = story_store.count_analysed(conn, start, end)
    with counting_progress() as progress:
        task = progress.add_task("다시 묶는 중", total=total)
        done = restory_period(database, settings, start, end,
                              on_progress=lambda n: progress.advance(task, n))
    out.print(f"다시 묶은 글 {done}건")


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"날짜 형식이 잘못되었습니다: {value} (YYYY-MM-DD)") from exc
    # operators and readers count days in Seoul
    return day if day.tzinfo else day.replace(tzinfo=ZoneInfo("Asia/Seoul"))


@story_app.command("merge")
@clean_errors
def merge(keep: int = typer.Argument(..., help="Story id that stays."),
          other: int = typer.Argument(..., help="Story id merged into it."),
          reason: str = typer.Option("운영자 병합", "--reason"),
          db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """두 이야기를 합칩니다. 다시 묶어도(restory) 유지됩니다."""
    from ranknews.store import stories as story_store
    from ranknews.store.audit import cli_actor

    database = open_db(settings_from(db, data_dir))
    with database.write() as conn:
        moved = story_store.merge(conn, keep, other, reason, datetime.now(timezone.utc),
                                  actor=cli_actor())
    out.print(f"이야기 {other}번의 글 {moved}건을 {keep}번에 합쳤습니다.")


@story_app.command("split")
@clean_errors
def split(story_id: int = typer.Argument(...),
          board_nos: list[int] = typer.Argument(..., help="번호 of the posts that leave."),
          reason: str = typer.Option("운영자 분리", "--reason"),
          db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """이야기에서 글을 떼어 새 이야기로 만듭니다. 다시 묶어도 유지됩니다."""
    from ranknews.store import stories as story_store
    from ranknews.store.audit import cli_actor

    database = open_db(settings_from(db, data_dir))
    with database.write() as conn:
        new_id = story_store.split(conn, story_id, board_nos, reason, datetime.now(timezone.utc),
                                   actor=cli_actor())
    out.print(f"글 {len(board_nos)}건을 새 이야기 {new_id}번으로 옮겼습니다.")


@story_app.command("show")
@clean_errors
def show(story_id: int = typer.Argument(...), db: str = DbOption,
         data_dir: str = DataDirOption) -> None:
    """이야기에 속한 글 번호를 보여 줍니다."""
    from ranknews.store import stories as story_store

    database = open_db(settings_from(db, data_dir))
    with database.read() as conn:
        numbers = story_store.members(conn, story_id)
    if not numbers:
        from ranknews.errors import NotFound
        raise NotFound(f"이야기 {story_id}번이 없습니다.")
    out.print(" ".join(str(n) for n in numbers))
