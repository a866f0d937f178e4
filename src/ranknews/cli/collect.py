"""Commands of collection: sources (list with health, add, disable, enable), crawl, run.

The crawler's modules are imported inside the commands that use them: every command of the
CLI loads this module, and most never crawl.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from ranknews.cli.common import (
    DataDirOption,
    DbOption,
    app,
    clean_errors,
    console,
    open_db,
    out,
    print_row,
    settings_from,
    terminal_text,
)
from ranknews.config import Settings
from ranknews.dates import local_time
from ranknews.logs import configure_logging

if TYPE_CHECKING:
    from rich.table import Table

    from ranknews.pipeline.collect import CollectReport
    from ranknews.sources.source import Source

SourcesFileOption = typer.Option(
    None, "--sources-file", help="Sources TOML (RANKNEWS_SOURCES_FILE; default: shipped list).")

# crawl's exit codes (README, Exit codes): 0 done, also when some feeds failed; 1 an error
# (settings, sources file, database); 2 a wrong command line; 3 every feed crawled failed
EXIT_ALL_FEEDS_FAILED = 3

sources_app = typer.Typer(help="수집 소스(언론사 피드): 목록과 상태, 추가, 중지, 재개.",
                          invoke_without_command=True, no_args_is_help=False)
app.add_typer(sources_app, name="sources")


def _settings(db: str | None, data_dir: str | None, sources_file: str | None) -> Settings:
    return settings_from(db, data_dir, sources_file=sources_file)


@sources_app.callback()
@clean_errors
def sources(ctx: typer.Context, db: str = DbOption, data_dir: str = DataDirOption,
            sources_file: str = SourcesFileOption) -> None:
    """소스 목록과 상태 (last success, last error with reason, items, next fetch)."""
    if ctx.invoked_subcommand is not None:
        return
    from ranknews.sources.config import load_sources
    from ranknews.store.collect import list_sources, sync_sources

    settings = _settings(db, data_dir, sources_file)
    database = open_db(settings, create=True)
    sync_sources(database, load_sources(settings.sources_file))
    with database.read() as conn:
        rows = list_sources(conn)
    tz = ZoneInfo(settings.timezone)
    if out.is_terminal:
        out.print(_table(rows, tz))
    else:  # piped: one tab-separated line per source, for scripts and grep
        print_row(*_COLUMNS)
        for s in rows:
            print_row(*_cells(s, tz))


@sources_app.command("add")
@clean_errors
def sources_add(feed_url: str = typer.Argument(..., help="RSS/Atom feed URL"),
                outlet: str = typer.Option(..., "--outlet", help="언론사 이름, e.g. 경향신문"),
                domain: str = typer.Option(None, "--domain", help="default: the feed's host"),
                section: str = typer.Option(None, "--section", help="섹션, e.g. 정치"),
                interval: int = typer.Option(900, "--interval", min=60, help="seconds"),
                db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """피드를 소스로 추가합니다 (kept in the database across restarts)."""
    from urllib.parse import urlsplit

    from ranknews.sources.config import check_domain, check_feed_url
    from ranknews.store.audit import cli_actor
    from ranknews.store.collect import add_source

    url = check_feed_url(feed_url, "피드")
    database = open_db(_settings(db, data_dir, None), create=True)
    source = add_source(database, outlet=outlet, feed_url=url, section=section,
                        domain=check_domain(domain or urlsplit(url).netloc), interval=interval,
                        actor=cli_actor())
    out.print(f"소스 {source.id}번 추가: {outlet} {url}")


@sources_app.command("disable")
@clean_errors
def sources_disable(which: str = typer.Argument(..., help="번호, 피드 주소, 도메인 또는 언론사"),
                    db: str = DbOption, data_dir: str = DataDirOption,
                    sources_file: str = SourcesFileOption) -> None:
    """소스 수집을 중지합니다."""
    _toggle(which, False, _settings(db, data_dir, sources_file))


@sources_app.command("enable")
@clean_errors
def sources_enable(which: str = typer.Argument(..., help="번호, 피드 주소, 도메인 또는 언론사"),
                   db: str = DbOption, data_dir: str = DataDirOption,
                   sources_file: str = SourcesFileOption) -> None:
    """중지한 소스를 다시 수집합니다 (다음 수집 때 바로)."""
    _toggle(which, True, _settings(db, data_dir, sources_file))


def _toggle(which: str, enabled: bool, settings: Settings) -> None:
    from ranknews.sources.config import load_sources
    from ranknews.store.audit import cli_actor
    from ranknews.store.collect import set_enabled, sync_sources

    database = open_db(settings, create=True)
    sync_sources(database, load_sources(settings.sources_file))
    changed = set_enabled(database, which, enabled, actor=cli_actor())
    word = "재개" if enabled else "중지"
    for source in changed:
        out.print(f"{word}: {source.id}번 {source.outlet} {source.feed_url}")


@app.command()
@clean_errors
def crawl(db: str = DbOption, data_dir: str = DataDirOption,
          sources_file: str = SourcesFileOption,
          everything: bool = typer.Option(False, "--all", help="Crawl every enabled source, "
                                          "due or not."),
          no_process: bool = typer.Option(False, "--no-process", help="Leave the work behind "
                                          "ingest (analysis, stories, ranking, search) to "
                                          "workers.")) -> None:
    """수집 시기가 된 소스를 한 번 수집하고, 새 글의 분석·이야기·순위·검색 색인까지 처리합니다."""
    settings = _settings(db, data_dir, sources_file)
    configure_logging(settings.log_format)
    database = open_db(settings, create=True)
    report = asyncio.run(_crawl_with_progress(database, settings, everything))
    out.print(_summary(report))
    if not no_process:
        from ranknews.cli.work import process_queue

        process_queue(database, settings)
    if report.sources and len(report.failed) == len(report.sources):
        console.print(f"[red]오류:[/red] 수집한 피드 {len(report.sources)}개가 모두 실패했습니다 "
                      "(원인: ranknews sources).", highlight=False)
        raise typer.Exit(EXIT_ALL_FEEDS_FAILED)


async def _crawl_with_progress(database, settings: Settings, everything: bool) -> CollectReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from ranknews.fetch.client import build_client
    from ranknews.pipeline.collect import SourceReport, crawl

    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  disable=not console.is_terminal, transient=True) as progress:
        task = progress.add_task("수집 중", total=None)

        def done(report: SourceReport) -> None:
            progress.update(task, advance=1,
                            description=f"수집 중: {report.source.outlet}")

        async with build_client(settings) as client:
            return await crawl(database, client, settings, everything=everything,
                                    on_start=lambda n: progress.update(task, total=n),
                                    on_source_done=done)


def _summary(report: CollectReport) -> str:
    errors = sum(len(r.item_errors) for r in report.sources)
    unchanged = sum(1 for r in report.sources if r.not_modified)
    return (f"소스 {len(report.sources)}개 수집: 새 글 {report.inserted}건, "
            f"변경 없는 피드 {unchanged}개, 실패한 피드 {len(report.failed)}개, "
            f"실패한 기사 {errors}건")


_COLUMNS = ("번호", "언론사", "섹션", "상태", "수집", "마지막 성공", "다음 수집", "마지막 오류",
            "피드")


def _cells(s: Source, tz: ZoneInfo) -> list[str]:
    error = f"{s.last_error_kind}: {s.last_error}" if s.last_error else ""
    return [str(s.id), s.outlet, s.section or "", s.health, str(s.items_collected),
            _when(s.last_success_at, tz), _when(s.next_fetch_at, tz), error, s.feed_url]


def _table(rows: list[Source], tz: ZoneInfo) -> Table:
    from rich.table import Table

    table = Table(title="수집 소스", show_lines=False)
    for column in _COLUMNS:
        table.add_column(column, overflow="fold")
    colours = {"정상": "green", "경고": "yellow", "오류": "red", "중지": "dim", "대기": "cyan"}
    for s in rows:
        cells = [terminal_text(c) for c in _cells(s, tz)]  # no markup from outside
        cells[3] = f"[{colours[s.health]}]{s.health}[/]"
        cells[7] = cells[7][:80]
        table.add_row(*cells)
    return table


def _when(value: datetime | None, tz: ZoneInfo) -> str:
    local = local_time(value, tz)
    return local.strftime("%Y.%m.%d %H:%M") if local else "-"


@app.command()
@clean_errors
def run(host: str = typer.Option("127.0.0.1", "--host"),
        port: int = typer.Option(8000, "--port"),
        db: str = DbOption, data_dir: str = DataDirOption,
        sources_file: str = SourcesFileOption,
        no_serve: bool = typer.Option(False, "--no-serve", help="Only crawl, serve nothing."),
        no_work: bool = typer.Option(False, "--no-work", help="Leave the work behind ingest to "
                                     "'ranknews worker' processes.")
        ) -> None:
    """정해진 주기로 수집하고, 새 글을 처리하면서 게시판을 엽니다 (one process)."""
    from ranknews.service import run_service

    settings = _settings(db, data_dir, sources_file)
    configure_logging(settings.log_format)
    database = open_db(settings, create=True)
    if not no_serve:
        out.print(f"게시판: http://{host}:{port}/  수집 현황: /sources  (끝내려면 Ctrl+C)")
    try:
        asyncio.run(run_service(database, settings, host=host, port=port, serve=not no_serve,
                                work=not no_work))
    except KeyboardInterrupt:
        pass


@sources_app.command("interval")
@clean_errors
def sources_interval(source_id: int = typer.Argument(..., help="소스 번호"),
                     seconds: str = typer.Argument(..., help="seconds, or 'default' for the "
                                                   "sources file's interval"),
                     db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """소스의 수집 주기를 정합니다 (초). default: 소스 파일의 주기로 되돌립니다."""
    from ranknews.store.audit import cli_actor
    from ranknews.store.collect import set_interval

    if seconds != "default" and not seconds.isdigit():
        raise ValueError("수집 주기는 초 단위 숫자 또는 default 입니다.")
    value = None if seconds == "default" else int(seconds)
    source = set_interval(open_db(_settings(db, data_dir, None)), source_id, value,
                          actor=cli_actor())
    out.print(f"{source.id}번 {source.outlet}: {value or '소스 파일'} "
              f"({source.interval}초)")
