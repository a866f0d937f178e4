"""Serving the board: ``ranknews serve``."""

from __future__ import annotations

import typer

from ranknews.cli.common import DataDirOption, DbOption, app, clean_errors, out, settings_from


@app.command()
@clean_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(None, "--workers", help="Worker processes (RANKNEWS_WEB_WORKERS)."),
    server: str = typer.Option(None, "--server", help="granian or uvicorn (RANKNEWS_WEB_SERVER)."),
    no_worker: bool = typer.Option(False, "--no-worker", help="Do not drain the queue behind "
                                   "ingest here ('ranknews worker' processes do it)."),
    db: str = DbOption,
    data_dir: str = DataDirOption,
) -> None:
    """게시판 웹 서버를 실행합니다 (serve the board); 새 글의 처리도 뒤에서 함께 합니다."""
    from ranknews.web.server import background_worker
    from ranknews.web.server import serve as serve_board

    settings = settings_from(db, data_dir, web_workers=workers, web_server=server)
    out.print(f"게시판: http://{host}:{port}/  (끝내려면 Ctrl+C)")
    with background_worker(settings, enabled=not no_worker and settings.worker_threads > 0):
        serve_board(settings, host, port)
