"""`ranknews demo`: a fresh SQLite board filled from the bundled sample through the whole
pipeline (local HTTP server → crawler → extraction → store), then served locally.

The sample's dates are moved to the present first (sample/clock.py), so every page reads one
clock; its photos are served by the board (/static/sample/photos); the sample site stays up
on ``--sample-port`` while the board is served, so "원문" links lead to its pages."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path

import typer

from ranknews.cli.common import app, clean_errors, open_db, out
from ranknews.config import Settings
from ranknews.errors import ConfigError


@app.command()
@clean_errors
def demo(host: str = typer.Option("127.0.0.1", "--host"),
         port: int = typer.Option(8000, "--port"),
         data_dir: Path = typer.Option(Path("./data/demo"), "--data-dir",
                                       help="Where the demo database is created."),
         no_serve: bool = typer.Option(False, "--no-serve", help="Load the sample and exit."),
         sample_port: int = typer.Option(0, "--sample-port",
                                         help="예시 사이트의 포트 (기본: --port 다음 번호)."),
         ) -> None:
    """데모: 새 SQLite 데이터베이스에 예시 기사를 싣고 게시판을 엽니다 (no network needed)."""
    from sqlalchemy import func, select

    from ranknews.sample import collect_sample, prepared_sample, sample_server
    from ranknews.store.schema import articles

    path = data_dir / "ranknews.sqlite3"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    settings = Settings.from_env(data_dir=str(data_dir), database_url=f"sqlite:///{path.resolve()}",
                                 base_url=f"http://{host}:{port}")
    db = open_db(settings, create=True)
    sample = prepared_sample(datetime.now(timezone.utc), settings.base_url)
    sample_port = sample_port or port + 1
    try:
        site = sample_server(sample, host=host, port=sample_port)
    except OSError as exc:
        raise ConfigError(f"예시 사이트를 {host}:{sample_port}에서 열 수 없습니다 (이미 쓰는 "
                          "포트이거나 권한이 없습니다). --sample-port로 다른 포트를 고르세요."
                          ) from exc
    # The sample site stays up while the board is served: "원문" links lead to its pages.
    with site:
        report = asyncio.run(collect_sample(db, settings, data_dir, site, sample))
        _analyse(db, settings)
        with db.read() as conn:
            total = conn.execute(select(func.count()).select_from(articles)).scalar()
        out.print(f"예시 기사 {total}건을 실었습니다: {path}", soft_wrap=True)
        out.print(f"그중 {report.inserted}건은 예시 사이트({site.base})의 RSS 피드 "
                  f"{len(site.site.feeds)}개에서 실제 수집기로 모았습니다 (실패 "
                  f"{sum(len(r.item_errors) for r in report.sources)}건).", soft_wrap=True)
        if no_serve:
            return
        from ranknews.web.server import serve

        out.print(f"게시판: http://{host}:{port}/  (끝내려면 Ctrl+C)")
        out.print(f"예시 사이트: {site.base}/ (게시판의 '원문' 링크가 가는 곳, 게시판과 함께 "
                  "열려 있습니다)", soft_wrap=True)
        db.dispose()
        serve(settings, host, port)


def _analyse(db, settings: Settings) -> None:  # noqa: ANN001
    """The work behind ingest, drained here (as ``ranknews run`` does in the background):
    analysis, stories, ranking, search, and the rank and trends pages as of now."""
    from ranknews.cli.work import process_queue

    process_queue(db, settings)
