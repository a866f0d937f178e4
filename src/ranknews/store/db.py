"""Opening a database: engines for SQLite (WAL, one writer, busy timeout) and PostgreSQL,
checks that the file is a ranknews database, and Alembic migrations.

Writers go through ``Database.write()``; on SQLite that starts ``BEGIN IMMEDIATE`` so the
crawler and the importer queue for the single write lock instead of failing halfway, while
readers (the website) keep reading the last committed state in parallel (WAL).
"""

from __future__ import annotations

import ast
import functools
import select
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import orjson
from sqlalchemy import Connection, Engine, bindparam, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import DisconnectionError, OperationalError

from ranknews.errors import DatabaseError, ForeignDatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


class Database:
    """An engine plus the conventions ranknews uses for reading and writing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._checkpointer: _Checkpointer | None = None
        self._autocommit_reads = engine.dialect.name == "postgresql"
        self._reading = threading.local()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction holding the write lock (BEGIN IMMEDIATE on SQLite). On PostgreSQL
        the borrowed connection is checked with one query first (writes are not the hot
        path, and a write that fails halfway over a dead connection would leave the work it
        claimed leased until its lease ends); a dead one is replaced."""
        with self._checked_connection() as conn:
            conn.execution_options(ranknews_write=True)
            if self._autocommit_reads:  # PostgreSQL: the pool's connections are in autocommit
                conn.execution_options(isolation_level="READ COMMITTED")
            checkpointer = self._checkpointer
            if checkpointer is None:
                with conn.begin():
                    yield conn
                return
            driver = conn.connection.driver_connection
            driver.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
            driver.execute("PRAGMA wal_autocheckpoint = 0")
            try:
                with conn.begin():
                    yield conn
            finally:
                driver.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
                driver.execute(f"PRAGMA cache_size = {DEFAULT_CACHE}")
            checkpointer.request()

    def _checked_connection(self) -> Connection:
        conn = self.engine.connect()
        if not self._autocommit_reads:  # SQLite
            return conn
        try:
            conn.connection.driver_connection.execute("SELECT 1")
        except conn.dialect.loaded_dbapi.Error:
            conn.invalidate()
            conn.close()
            conn = self.engine.connect()
        return conn

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Many large write transactions in a row (an import), on SQLite: the writer gets a
        64 MB page cache so a batch does not spill pages to the WAL twice, and its commits
        skip the automatic checkpoint, which a background thread runs after each commit
        instead. Copying the WAL into the database file (and its fsync) then overlaps the
        next batch's work rather than adding to it; durability is unchanged (WAL,
        synchronous=NORMAL) and the WAL stays about one batch long."""
        if self.dialect != "sqlite" or self._checkpointer is not None:
            yield
            return
        self._checkpointer = _Checkpointer(self.engine)
        try:
            yield
        finally:
            checkpointer, self._checkpointer = self._checkpointer, None
            checkpointer.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading. On PostgreSQL it runs in autocommit: each statement
        sees the committed data as READ COMMITTED would, without a BEGIN and a ROLLBACK
        around every page (and without losing the prepared statements to the ROLLBACK).
        A read opened inside another in the same thread (a page's blocks) shares its
        connection: one connection per request."""
        held = getattr(self._reading, "conn", None)
        if held is not None:  # a read inside a read, in one request: the same connection
            yield held
            return
        with self.engine.connect() as conn:  # on PostgreSQL, in autocommit already
            self._reading.conn = conn
            try:
                yield conn
            finally:
                self._reading.conn = None

    def migrate(self) -> None:
        """Bring the schema to the newest revision of the migration chain."""
        if self._at_heads():
            return  # nothing to do, and Alembic (~0.1 s to load) is not needed to know it
        from alembic import command

        with self.write() as conn:
            cfg = _alembic_config(self.engine.url.render_as_string(hide_password=False))
            cfg.attributes["connection"] = conn
            _join_branches(conn, cfg)
            command.upgrade(cfg, "heads")

    def is_current(self) -> bool:
        if self._at_heads():
            return True
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        with self.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        script = ScriptDirectory.from_config(_alembic_config(""))
        return current == set(script.get_heads())

    def dispose(self) -> None:
        self.engine.dispose()

    def _at_heads(self) -> bool:
        """Whether the stored revisions are the migrations' heads, read without Alembic: a
        quick answer for the common case (a current database); any doubt goes to Alembic."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return False
            stored = {r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
        return stored == migration_heads()


def _join_branches(conn: Connection, cfg: Config) -> None:
    """Databases made before the migrations became one chain recorded one revision per
    feature branch, every branch upgraded to its head. Those revisions are now links of one
    chain, so such a database is at the latest of them: record that one alone."""
    from alembic.script import ScriptDirectory

    if not inspect(conn).has_table("alembic_version"):
        return
    stored = {r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    if len(stored) < 2:
        return
    order = [s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()]  # newest 1st
    latest = next(r for r in order if r in stored)
    conn.exec_driver_sql("DELETE FROM alembic_version")
    conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": latest})


@functools.cache  # the installed migrations do not change while the process runs
def migration_heads() -> frozenset[str]:
    """The newest revision of every migration branch: the revisions no other revision names
    as its ``down_revision`` (what Alembic's ``ScriptDirectory.get_heads()`` gives; a test
    checks they agree). Read from the files' literal assignments with ``ast``."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        values = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                else node.target if isinstance(node, ast.AnnAssign) else None
            if isinstance(target, ast.Name) and node.value is not None \
                    and target.id in ("revision", "down_revision"):
                values[target.id] = ast.literal_eval(node.value)
        if "revision" not in values:
            continue
        revisions.add(values["revision"])
        down = values.get("down_revision")
        parents.update(down if isinstance(down, (tuple, list)) else [down] if down else [])
    return frozenset(revisions - parents)


BULK_CACHE_KIB = 65536
DEFAULT_CACHE = -2000  # SQLite's default: 2 MB
WAL_AUTOCHECKPOINT = 1000  # SQLite's default, in pages


class _Checkpointer:
    """A thread running ``PRAGMA wal_checkpoint(PASSIVE)`` whenever asked, on its own
    connection (the sqlite3 module lets other threads run while SQLite works)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._wanted = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="ranknews-checkpoint",
                                        daemon=True)
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def close(self) -> None:
        self._closing = True
        self._wanted.set()
        self._thread.join()

    def _run(self) -> None:
        raw = self._engine.raw_connection()
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                # PASSIVE never blocks the writer; the last one runs after the last commit
                raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                if self._closing:
                    return
        finally:
            raw.close()


def _alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _json_dumps(value: object) -> str:
    # orjson: JSON columns are most of the cost of a bulk import with the standard library.
    return orjson.dumps(value).decode("utf-8")


def create_db_engine(url: str, *, busy_timeout_ms: int = 5000) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_ms)
    return _postgres_engine(url)


def _postgres_engine(url: str) -> Engine:
    """PostgreSQL without a round trip per borrowed connection.

    No ``pool_pre_ping`` (a ``SELECT 1`` each time a request borrows a connection): a
    connection is recycled after an hour, and one the server closed while it sat in the pool
    (a restart, ``pg_terminate_backend``) is recognised when borrowed by its socket having
    something to read while idle (the server's goodbye, or end of file) - a system call, not
    a query - and replaced by a fresh one (SQLAlchemy retries the checkout). Statements run
    more than twice on a connection are prepared on the server (psycopg's
    ``prepare_threshold``); the pool's connections stay in autocommit, so a read
    (``Database.read``) sends no BEGIN and no ROLLBACK and changes no setting when it
    borrows and returns one (0.013 against 0.022 ms), and the prepared statements survive
    (psycopg deallocates them on every ROLLBACK); ``Database.write`` asks for a READ
    COMMITTED transaction. JSON columns are decoded by orjson rather than the standard library
    (an article's blocks: a third of an article page's time on PostgreSQL otherwise).
    Sessions run in UTC (``_session_options``)."""
    engine = create_engine(url, pool_recycle=3600, json_serializer=_json_dumps,
                           json_deserializer=orjson.loads, isolation_level="AUTOCOMMIT",
                           connect_args={"prepare_threshold": 2,
                                         "options": _session_options(url)})

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_conn, _record, _proxy) -> None:  # noqa: ANN001
        if _server_spoke(dbapi_conn):
            raise DisconnectionError("the server closed this idle connection")

    return engine


def _session_options(url: str) -> str:
    """libpq's ``options`` for our sessions: the URL's own, then ``TimeZone=UTC``.

    Every time ranknews stores is UTC and every statement compares instants, so the session's
    zone changes no result; it changes what psycopg does with each timestamp it reads. Under
    UTC it attaches ``timezone.utc``; under any other zone (Debian's servers default to the
    system's, e.g. ``Etc/UTC`` or ``Asia/Seoul``) a ``ZoneInfo`` conversion per value: 25.8
    against 14.6 µs to decode board page 1's 20 rows (``benchmarks/board_pg.py``)."""
    own = make_url(url).query.get("options", ())
    return " ".join([*([own] if isinstance(own, str) else own), "-c TimeZone=UTC"])


def _server_spoke(dbapi_conn) -> bool:  # noqa: ANN001
    """Whether an idle psycopg connection is closed or has unread input (which, for a
    connection nobody listens on, is the server's notice that it closed it)."""
    if dbapi_conn.closed:
        return True
    try:
        readable, _, _ = select.select([dbapi_conn.pgconn.socket], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, json_serializer=_json_dumps,
                           connect_args={"timeout": busy_timeout_ms / 1000,
                                         "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writing = conn.get_execution_options().get("ranknews_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def open_database(url: str, *, create: bool = False, busy_timeout_ms: int = 5000) -> Database:
    """Open the database at ``url``; with ``create`` make and migrate it, else check it.

    Raises DatabaseError with a Korean message an operator can act on when the file is
    corrupt, foreign, or not yet initialised.
    """
    try:
        db = Database(create_db_engine(url, busy_timeout_ms=busy_timeout_ms))
        _check_readable(db, create=create)
        if create:
            db.migrate()
        elif not db.is_current():
            raise DatabaseError(
                "데이터베이스 스키마가 최신이 아닙니다. 'ranknews init'으로 업그레이드하세요."
            )
        return db
    except (OperationalError, SADatabaseError, sqlite3.DatabaseError) as exc:
        raise DatabaseError(
            f"데이터베이스를 열 수 없습니다 ({_safe(url)}): {exc.__class__.__name__}: "
            f"{getattr(exc, 'orig', exc)}. 파일이 손상되었거나 SQLite 파일이 아닙니다."
        ) from exc


def _check_readable(db: Database, *, create: bool) -> None:
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            conn.exec_driver_sql("PRAGMA schema_version").scalar()
        tables = set(inspect(conn).get_table_names())
    if not tables:
        if not create:
            raise DatabaseError(
                "데이터베이스가 비어 있습니다. 먼저 'ranknews init'을 실행하세요."
            )
        return
    if "alembic_version" not in tables or "articles" not in tables:
        raise ForeignDatabaseError(
            "이 데이터베이스는 ranknews가 만든 것이 아닙니다 "
            f"(표: {', '.join(sorted(tables)[:5])}…). 다른 파일이나 --db URL을 지정하세요."
        )


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


BOARD_VERSION = "board_version"
# Bumped when a precomputed rank or trends page is saved: only the pages that show one (the
# home page, /rank, /trends) are dropped from page caches, not the whole board.
RANK_VERSION = "rank_version"
# Bumped when search documents are written: search pages are dropped, not the board's.
SEARCH_VERSION = "search_version"


def bump_version(conn: Connection, key: str) -> None:
    """Move one of the ``site_state`` counters that page caches watch."""
    _write_state(conn, key, "value + 1", 1)


def set_site_state(conn: Connection, key: str, value: int) -> None:
    """Set one ``site_state`` value (an id kept across processes, not a counter)."""
    _write_state(conn, key, ":value", value)


def _write_state(conn: Connection, key: str, new_value: str, initial: int) -> None:
    params = {"key": key, "value": initial}
    updated = conn.execute(
        text(f"UPDATE site_state SET value = {new_value} WHERE key = :key"), params
    ).rowcount
    if not updated:
        conn.execute(text("INSERT INTO site_state (key, value) VALUES (:key, :value)"), params)


def bump_board_version(conn: Connection) -> None:
    """Tell every process's page cache that the board changed."""
    bump_version(conn, BOARD_VERSION)


def board_version(conn: Connection) -> int:
    return site_versions(conn, (BOARD_VERSION,))[BOARD_VERSION]


def site_versions(conn: Connection, keys: tuple[str, ...]) -> dict[str, int]:
    """The counters ``keys`` in one query (0 for a counter never bumped)."""
    rows = conn.execute(
        text("SELECT key, value FROM site_state WHERE key IN :keys").bindparams(
            bindparam("keys", expanding=True)), {"keys": list(keys)}
    ).all()
    found = {key: int(value) for key, value in rows}
    return {key: found.get(key, 0) for key in keys}
