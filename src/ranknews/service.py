"""`ranknews run`: the crawler on its schedule, the workers behind it and the website, in one
process, sharing one database, one HTTP client and one set of metrics (so /metrics shows the
crawler's counters). The workers (``pipeline.work``) run on threads and drain the queue
behind ingest: collection only saves and enqueues, and never waits for them."""

from __future__ import annotations

import asyncio
from typing import Any

from ranknews.config import Settings
from ranknews.fetch.client import build_client
from ranknews.fetch.fetcher import Fetcher, FetchPolicy
from ranknews.metrics import CONTENT_TYPE, CrawlMetrics
from ranknews.pipeline import BackgroundWorkers, crawl_forever
from ranknews.store import Database


async def run_service(db: Database, settings: Settings, *, host: str = "127.0.0.1",
                      port: int = 8000, serve: bool = True, work: bool = True,
                      stop: asyncio.Event | None = None) -> None:
    """Crawl forever, with ``work`` drain the queue behind the crawl on worker threads, and
    with ``serve`` serve the site, until interrupted or ``stop``."""
    metrics = CrawlMetrics()
    stop = stop or asyncio.Event()
    workers = BackgroundWorkers(db, settings, threads=max(1, settings.worker_threads)).start() \
        if work else None
    async with build_client(settings) as client:
        fetcher = Fetcher(client, FetchPolicy.from_settings(settings),
                          observe=metrics.observe_fetch)
        crawler = asyncio.create_task(crawl_forever(db, client, settings, fetcher=fetcher,
                                                    metrics=metrics, stop=stop))
        try:
            if serve:
                await _serve(web_app(settings, db, metrics), host, port, stop)
            else:
                await crawler
        finally:
            stop.set()
            await crawler
            if workers is not None:
                await asyncio.to_thread(workers.close)


def web_app(settings: Settings, db: Database, metrics: CrawlMetrics) -> Any:
    """The website with the crawler's metrics; a bare /metrics app until the web app exists."""
    try:
        from ranknews.web.app import create_app
    except ImportError:
        return _metrics_only_app(metrics)
    app = create_app(settings, db)
    app.state.metrics = metrics
    return app


def _metrics_only_app(metrics: CrawlMetrics) -> Any:
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def exposition(request: Any) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return Starlette(routes=[Route("/metrics", exposition)])


async def _serve(app: Any, host: str, port: int, stop: asyncio.Event) -> None:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                           access_log=False, lifespan="off"))

    async def stop_when_asked() -> None:
        await stop.wait()
        server.should_exit = True

    watcher = asyncio.create_task(stop_when_asked())
    try:
        await server.serve()
    finally:
        watcher.cancel()
