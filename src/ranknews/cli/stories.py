"""Commands of analysis and stories: analyze, cluster, restory, story merge/split/show.

The library's modules are imported inside the commands: every command of the CLI loads this
module, and Kiwi and the stories' store cost time to load.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

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
    print_row,
    settings_from,
    terminal_text,
)
from ranknews.errors import NotFound

story_app = typer.Typer(help="이야기(같은 사건 묶음) 관리: merge, split, show.",
                        no_args_is_help=True)
app.add_typer(story_app, name="story")


@app.command()
@clean_errors
def analyze(db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """형태소 분석과 이야기 묶기를 지금 처리합니다 (workers do it by themselves)."""
    from ranknews.cli.work import process_queue

    settings = settings_from(db, data_dir)
    process_queue(open_db(settings), settings, ("analysis", "stories"), label="분석 중")


@app.command()
@clean_errors
def cluster(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                        help="JSON Lines: id, url, outlet, title, text, "
                                             "published (may be null)."),
            threshold: float = typer.Option(None, "--threshold",
                                            help="Override RANKNEWS_STORY_THRESHOLD.")) -> None:
    """기사 파일을 이야기로 묶어 한 줄에 하나씩 {"id", "story"}를 출력합니다."""
    from ranknews.pipeline.stories import settings_clusterer
    from ranknews.stories.jsonl import cluster_inputs, read_cluster_input
    from ranknews.text.analysis import shared_analyzer

    settings = settings_from(None, None, story_threshold=threshold)
    with open(file, encoding="utf-8") as handle:
        inputs = list(read_cluster_input(handle, str(file)))
    for key, story in cluster_inputs(inputs, settings_clusterer(settings), shared_analyzer()):
        sys.stdout.write(json.dumps({"id": key, "story": story}, ensure_ascii=False) + "\n")


@app.command()
@clean_errors
def restory(since: str = typer.Option(None, "--since", help="YYYY-MM-DD (inclusive); "
                                      "default: all posts."),
            db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """그날부터 지금까지의 글을 저장된 분석으로 다시 이야기로 묶습니다 (운영자 병합/분리는 유지)."""
    from ranknews.pipeline.stories import restory as restory_from
    from ranknews.store import stories as story_store

    settings = settings_from(db, data_dir)
    database = open_db(settings)
    start = _date(since)
    with database.read() as conn:
        total = story_store.count_analysed(conn, start, None)
    with counting_progress() as progress:
        task = progress.add_task("다시 묶는 중", total=total)
        done = restory_from(database, settings, start,
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
    from ranknews.pipeline.stories import merge_stories
    from ranknews.store.audit import cli_actor

    database = open_db(settings_from(db, data_dir))
    moved = merge_stories(database, keep, other, reason, actor=cli_actor())
    out.print(f"이야기 {other}번의 글 {moved}건을 {keep}번에 합쳤습니다.")


@story_app.command("split")
@clean_errors
def split(story_id: int = typer.Argument(...),
          board_nos: list[int] = typer.Argument(..., help="번호 of the posts that leave."),
          reason: str = typer.Option("운영자 분리", "--reason"),
          db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """이야기에서 글을 떼어 새 이야기로 만듭니다. 다시 묶어도 유지됩니다."""
    from ranknews.pipeline.stories import split_story
    from ranknews.store.audit import cli_actor

    database = open_db(settings_from(db, data_dir))
    new_id = split_story(database, story_id, board_nos, reason, actor=cli_actor())
    out.print(f"글 {len(board_nos)}건을 새 이야기 {new_id}번으로 옮겼습니다.")


@story_app.command("show")
@clean_errors
def show(story_id: int = typer.Argument(...), db: str = DbOption,
         data_dir: str = DataDirOption) -> None:
    """이야기에 속한 글: 번호, 시각, 언론사, 제목 (처음 보도부터)."""
    from ranknews.cli.work import waiting_note
    from ranknews.dedup.wire import is_wire_outlet
    from ranknews.store import stories as story_store

    settings = settings_from(db, data_dir)
    database = open_db(settings)
    note = waiting_note(database)
    with database.read() as conn:
        try:
            view = story_store.story_view(conn, story_id, is_wire=is_wire_outlet)
        except NotFound:
            if note:
                console.print(note, highlight=False, soft_wrap=True)
            raise
    zone = ZoneInfo(settings.timezone)
    title = terminal_text(view.first.title, markup=False)
    out.print(f"이야기 {story_id}번: {title} (글 {len(view.coverage)}건, 언론사 "
              f"{len({c.outlet for c in view.coverage})}곳)", highlight=False, markup=False,
              soft_wrap=True)
    for c in view.coverage:
        when = c.time.astimezone(zone).strftime("%Y.%m.%d %H:%M") if c.time else "-"
        tags = "".join(f"[{t}]" for t in c.tags)
        marks = " (통신사)" if c.is_wire else (f" (통신 기사 {c.wire_original}번 전재)"
                                               if c.wire_original else "")
        print_row(c.board_no, when, c.outlet, f"{tags}{c.title}{marks}")
    if note:
        console.print(note, highlight=False, soft_wrap=True)
