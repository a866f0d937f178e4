"""Shared fixtures: a fresh database (SQLite file, or PostgreSQL when
RANKNEWS_TEST_DATABASE_URL is set), settings, and the path to ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ranknews.config import Settings
from ranknews.store import Database, open_database

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("RANKNEWS_SHARED_DATA", ROOT.parent / "shared" / "data"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Subprocesses (`python -m ranknews ...`) run this checkout's code, not another installed copy.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p
)


def shared_data(*parts: str) -> Path:
    """A path in ../shared/data, or skip the test with a clear message when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not found at {path} (README, Two commands: the real data "
                    "in ../shared/data)")
    return path


def pytest_sessionstart(session) -> None:  # noqa: ANN001
    """The tests empty the database of RANKNEWS_TEST_DATABASE_URL before each test: only one
    that is empty or holds ranknews (an alembic_version table), never one with something
    else in it."""
    url = os.environ.get("RANKNEWS_TEST_DATABASE_URL")
    if not url:
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = set(conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
            .scalars())
    engine.dispose()
    if tables and "alembic_version" not in tables:
        raise pytest.UsageError(
            f"RANKNEWS_TEST_DATABASE_URL holds tables that are not ranknews's "
            f"({', '.join(sorted(tables)[:5])}): the tests empty their database, so give "
            "them one of their own (README, Two commands)")


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = os.environ.get("RANKNEWS_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path / 'ranknews.sqlite3'}"


@pytest.fixture
def db(database_url: str):
    database: Database = open_database(database_url, create=True)
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # the fixture servers listen on 127.0.0.1, which the crawler refuses unless allowed
    return Settings.build(data_dir=tmp_path, database_url=database_url,
                          fetch_allowed_hosts="127.0.0.1")


@pytest.fixture
def httpserver():
    """A real HTTP server on 127.0.0.1 (an ephemeral port) serving what the test adds."""
    from httpserver import FixtureServer

    server = FixtureServer().start()
    yield server
    server.stop()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ANN001
    """The console's security tests: how many attacks were tried, how many got through."""
    try:
        from admin_support import TALLY
    except ImportError:
        return
    if not TALLY:
        return
    terminalreporter.section("admin security: attempts / got through")
    for name, (attempts, through) in sorted(TALLY.items()):
        terminalreporter.write_line(f"{name:<48} {attempts:>5} {through:>5}")
    total = sum(a for a, _ in TALLY.values()), sum(t for _, t in TALLY.values())
    terminalreporter.write_line(f"{'total':<48} {total[0]:>5} {total[1]:>5}")


class AppClient:
    """Requests to an app in this process through httpx's ASGI transport, for synchronous
    tests (starlette's TestClient is deprecated with httpx). Server errors come back as
    responses, as a reader would see them."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    def request(self, method: str, url: str, **options):  # noqa: ANN201
        import asyncio

        import httpx

        async def send():  # noqa: ANN202
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                         follow_redirects=options.pop("follow_redirects",
                                                                      False)) as client:
                return await client.request(method, url, **options)

        # on a thread of its own: callers may be async tests with a loop already running
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, send()).result()

    def get(self, url: str, **options):  # noqa: ANN201
        return self.request("GET", url, **options)

    def post(self, url: str, **options):  # noqa: ANN201
        return self.request("POST", url, **options)
