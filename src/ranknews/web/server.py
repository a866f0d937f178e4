"""Serving the website: granian (default, fastest here) or uvicorn with httptools + uvloop.

With one worker the app is built here and handed to the server. With several workers each
process builds its own app (and page cache) from the environment: ``serve`` writes the
settings into RANKNEWS_* variables, the workers read them back with ``Settings.from_env``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from typing import Iterator

from starlette.applications import Starlette

from ranknews.config import SETTINGS, Settings
from ranknews.store import Database, open_database
from ranknews.web.app import create_app

log = logging.getLogger("ranknews.web")
FACTORY = "ranknews.web.server:app_from_environment"


def app_from_environment() -> Starlette:
    """The app for a worker process (granian/uvicorn factory)."""
    settings = Settings.from_env()
    db = open_database(settings.effective_database_url,
                       busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    return create_app(settings, db)


def _export(settings: Settings) -> None:
    for setting in SETTINGS:
        os.environ[setting.env] = str(getattr(settings, setting.name))


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, *,
          db: Database | None = None, workers: int | None = None,
          server: str | None = None) -> None:
    """Serve the board until interrupted. Opens (and checks) the database first, so a corrupt
    or foreign file fails here with a clear message rather than in a worker. A given ``db``
    is used by a single uvicorn worker; granian workers open their own."""
    workers = workers or settings.web_workers
    server = server or settings.web_server
    db = db or open_database(settings.effective_database_url,
                             busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    if server == "granian":
        db.dispose()
        _export(settings)
        _serve_granian(host, port, workers)
    else:
        _serve_uvicorn(settings, db, host, port, workers)


def _serve_granian(host: str, port: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    Granian(FACTORY, factory=True, address=host, port=port, interface=Interfaces.ASGI,
            workers=workers, log_level=LogLevels.warning, websockets=False).serve()


def _serve_uvicorn(settings: Settings, db: Database, host: str, port: int,
                   workers: int) -> None:
    import uvicorn

    options = dict(host=host, port=port, http="httptools", loop="uvloop",
                   access_log=False, log_level="warning", lifespan="off")
    if workers > 1:
        db.dispose()
        _export(settings)
        uvicorn.run(FACTORY, factory=True, workers=workers, **options)
    else:
        uvicorn.run(create_app(settings, db), **options)


@contextmanager
def background_worker(settings: Settings, *, enabled: bool = True) -> Iterator[None]:
    """A ``ranknews worker`` process beside the web server, draining the queue behind
    ingest, stopped with it (a process, not threads: the web server forks its workers).
    It dies with this process even when this one is killed (PR_SET_PDEATHSIG on Linux)."""
    if not enabled:
        yield
        return
    _export(settings)
    from ranknews.pipeline.work import ALL_STAGES  # every stage behind ingest, not crawl

    stages = ",".join(ALL_STAGES)
    child = subprocess.Popen(
        [sys.executable, "-m", "ranknews", "worker", "--only", stages,
         "--threads", str(settings.worker_threads)],
        preexec_fn=_die_with_parent, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        child.terminate()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM it when its parent dies."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent stops it on a normal exit
        pass
