"""Commands of the board: init, import, hide/unhide, outlet display mode, serve, demo."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from ranknews.cli.common import (
    DataDirOption,
    DbOption,
    app,
    clean_errors,
    console,
    open_db,
    out,
    settings_from,
    terminal_text,
)
from ranknews.dates import DateWindow
from ranknews.pipeline.importing import ImportReport, import_jsonl


@app.command()
@clean_errors
def init(db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """데이터베이스를 만들거나 최신 스키마로 올립니다 (create or upgrade the database)."""
    settings = settings_from(db, data_dir)
    open_db(settings, create=True).dispose()
    out.print(f"데이터베이스 준비 완료: {settings.effective_database_url}")


@app.command("import")
@clean_errors
def import_(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                       help="JSON Lines files (see README, Import format)."),
    db: str = DbOption,
    data_dir: str = DataDirOption,
    no_process: bool = typer.Option(False, "--no-process", help="Leave the work behind "
                                    "ingest (analysis, stories, ranking, search) to workers."),
) -> None:
    """JSON Lines 기사 파일을 불러옵니다 (import articles), 그리고 분석·이야기·순위·검색 색인까지
    처리합니다."""
    settings = settings_from(db, data_dir)
    total = sum(f.stat().st_size for f in files)
    # no auto-refresh thread: the importer forks its workers only from a single-threaded
    # process, so the bar is redrawn by the progress callback instead
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), console=console, disable=not console.is_terminal,
                  transient=True, auto_refresh=False) as progress:
        task = progress.add_task("가져오는 중", total=total)

        def advance(n: int) -> None:
            progress.advance(task, n)
            progress.refresh()

        # the database is opened once the workers have started on the first lines: loading
        # SQLAlchemy and checking the schema then overlap their work
        report = import_jsonl(
            lambda: open_db(settings, create=True), files, dialect=settings.database_dialect,
            on_progress=advance, workers=settings.import_workers,
            dates=DateWindow.from_settings(settings),
            on_error=lambda e: console.print(f"[yellow]건너뜀[/yellow] {terminal_text(e)}",
                                             highlight=False),
        )
    out.print(import_summary(report))
    saved = report.saved
    if report.repeated:
        console.print(f"[yellow]중복[/yellow] 이미 앞 줄에서 저장한 글이 다시 나온 줄 "
                      f"{report.repeated}건: 새 글로 만들지 않고 같은 글의 수정 또는 "
                      f"변경 없음으로 셌습니다.", highlight=False)
    if saved.renumbered:
        console.print(f"[yellow]번호 재지정[/yellow] 기존 번호 이하라 새 번호를 받은 글: "
                      f"{len(saved.renumbered)}건")
    if not no_process and report.articles:
        from ranknews.cli.work import process_queue

        database = open_db(settings)
        try:
            process_queue(database, settings)
        finally:
            database.dispose()
    if report.errors:
        raise typer.Exit(code=1 if not report.articles else 0)


def import_summary(report: ImportReport) -> str:
    """One line that accounts for every line read: each valid line is new, a revision or
    unchanged (a repeated line is one of these too), each invalid one an error."""
    saved = report.saved
    return (f"읽은 기사 {report.articles + len(report.errors)}줄: 새 글 {len(saved.inserted)}건, "
            f"수정 {len(saved.revised)}건, 변경 없음 {len(saved.unchanged)}건 "
            f"(그중 같은 글의 중복 {report.repeated}건), 오류 {len(report.errors)}줄")


@app.command()
@clean_errors
def hide(board_no: int = typer.Argument(..., help="번호 of the post."),
         reason: str = typer.Option(..., "--reason", help="Why (kept in the moderation log)."),
         db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """글을 게시 중단합니다 (takedown): 게시판, 기사 페이지, 피드에서 사라집니다."""
    from ranknews.store.articles import hide as hide_post
    from ranknews.store.audit import cli_actor

    hide_post(open_db(settings_from(db, data_dir)), board_no, reason, actor=cli_actor())
    out.print(f"{board_no}번 글을 게시 중단했습니다. 사유: {reason}")


@app.command()
@clean_errors
def unhide(board_no: int = typer.Argument(...),
           reason: str = typer.Option(..., "--reason"),
           db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """게시 중단한 글을 되살립니다 (restore a hidden post)."""
    from ranknews.store.articles import unhide as unhide_post
    from ranknews.store.audit import cli_actor

    unhide_post(open_db(settings_from(db, data_dir)), board_no, reason, actor=cli_actor())
    out.print(f"{board_no}번 글을 다시 게시했습니다.")


@app.command("outlet-mode")
@clean_errors
def outlet_mode(outlet: str = typer.Argument(..., help="언론사 이름 또는 도메인, "
                                            "e.g. 경향신문 or www.khan.co.kr"),
                mode: str = typer.Argument(..., help="full | excerpt | default"),
                db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """언론사별 표시 방식: 전문(full) 또는 요약+원문 링크(excerpt)."""
    from ranknews.store.articles import outlet_domains, set_display_mode
    from ranknews.store.audit import cli_actor

    database = open_db(settings_from(db, data_dir))
    for domain in outlet_domains(database, outlet):
        set_display_mode(database, domain, None if mode == "default" else mode,
                         actor=cli_actor())
        out.print(f"{terminal_text(domain)}: {mode}", highlight=False)
