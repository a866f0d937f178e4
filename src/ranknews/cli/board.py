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
)
from ranknews.pipeline import import_jsonl
from ranknews.store.articles import hide as hide_post
from ranknews.store.articles import set_display_mode
from ranknews.store.articles import unhide as unhide_post


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
) -> None:
    """JSON Lines 기사 파일을 불러옵니다 (import articles)."""
    database = open_db(settings_from(db, data_dir), create=True)
    total = sum(f.stat().st_size for f in files)
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), console=console, disable=not console.is_terminal,
                  transient=True) as progress:
        task = progress.add_task("가져오는 중", total=total)
        report = import_jsonl(
            database, files,
            on_progress=lambda n: progress.advance(task, n),
            on_error=lambda e: console.print(f"[yellow]건너뜀[/yellow] {e}", highlight=False),
        )
    saved = report.saved
    out.print(f"새 글 {len(saved.inserted)}건, 수정 {len(saved.revised)}건, "
              f"변경 없음 {len(saved.unchanged)}건, 오류 {len(report.errors)}줄")
    if saved.renumbered:
        console.print(f"[yellow]번호 재지정[/yellow] 기존 번호 이하라 새 번호를 받은 글: "
                      f"{len(saved.renumbered)}건")
    if report.errors:
        raise typer.Exit(code=1 if not saved.inserted and not saved.revised
                         and not saved.unchanged else 0)


@app.command()
@clean_errors
def hide(board_no: int = typer.Argument(..., help="번호 of the post."),
         reason: str = typer.Option(..., "--reason", help="Why (kept in the moderation log)."),
         db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """글을 게시 중단합니다 (takedown): 게시판, 기사 페이지, 피드에서 사라집니다."""
    hide_post(open_db(settings_from(db, data_dir)), board_no, reason)
    out.print(f"{board_no}번 글을 게시 중단했습니다. 사유: {reason}")


@app.command()
@clean_errors
def unhide(board_no: int = typer.Argument(...),
           reason: str = typer.Option(..., "--reason"),
           db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """게시 중단한 글을 되살립니다 (restore a hidden post)."""
    unhide_post(open_db(settings_from(db, data_dir)), board_no, reason)
    out.print(f"{board_no}번 글을 다시 게시했습니다.")


@app.command("outlet-mode")
@clean_errors
def outlet_mode(domain: str = typer.Argument(..., help="Outlet domain, e.g. www.khan.co.kr"),
                mode: str = typer.Argument(..., help="full | excerpt | default"),
                db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """언론사별 표시 방식: 전문(full) 또는 요약+원문 링크(excerpt)."""
    set_display_mode(open_db(settings_from(db, data_dir)), domain,
                     None if mode == "default" else mode)
    out.print(f"{domain}: {mode}")
