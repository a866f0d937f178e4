"""`ranknews demo`: a fresh SQLite board with the bundled sample, served locally."""

from __future__ import annotations

from pathlib import Path

import typer

from ranknews.cli.common import app, clean_errors, open_db, out
from ranknews.config import Settings
from ranknews.sample import load_sample


@app.command()
@clean_errors
def demo(host: str = typer.Option("127.0.0.1", "--host"),
         port: int = typer.Option(8000, "--port"),
         data_dir: Path = typer.Option(Path("./data/demo"), "--data-dir",
                                       help="Where the demo database is created."),
         no_serve: bool = typer.Option(False, "--no-serve", help="Load the sample and exit."),
         ) -> None:
    """데모: 새 SQLite 데이터베이스에 예시 기사를 싣고 게시판을 엽니다 (no network needed)."""
    path = data_dir / "ranknews.sqlite3"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    settings = Settings.from_env(data_dir=str(data_dir), database_url=f"sqlite:///{path.resolve()}",
                                 base_url=f"http://{host}:{port}")
    db = open_db(settings, create=True)
    report = load_sample(db)
    out.print(f"예시 기사 {report.inserted}건을 실었습니다: {path}")
    if no_serve:
        return
    from ranknews.web.server import serve

    out.print(f"게시판: http://{host}:{port}/  (끝내려면 Ctrl+C)")
    db.dispose()
    serve(settings, host, port)
