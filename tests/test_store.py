"""The article store: board numbers, revisions, canonical URLs, takedowns, bad databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from ranknews.errors import DatabaseError, ForeignDatabaseError, NotFound
from ranknews.models import Article, Figure, Paragraph
from ranknews.pipeline.saving import save_articles
from ranknews.store import open_database
from ranknews.store.articles import get_article, hide, revisions, unhide

T0 = datetime(2024, 6, 16, 1, 0, tzinfo=timezone.utc)


def article(n: int, **changes) -> Article:
    base = Article(
        url=f"https://www.khan.co.kr/article/{n}",
        outlet="경향신문",
        outlet_domain="www.khan.co.kr",
        title=f"기사 {n}",
        published_at=T0,
        blocks=(Paragraph("첫 문단"), Figure("https://img.khan.co.kr/1.jpg", "캡션", "삼성전자 제공")),
    )
    return replace(base, **changes)


def test_board_numbers_increase_and_are_never_reused(db):
    first = save_articles(db, [article(1), article(2)])
    assert first.inserted == [1, 2]
    hide(db, 2, "저작권 요청", actor="test")
    again = save_articles(db, [article(3)])
    assert again.inserted == [3]


def test_round_trip_keeps_blocks_and_aware_times(db):
    save_articles(db, [article(1, subtitles=("부제 하나", "부제 둘"), authors=("홍길동",))])
    with db.read() as conn:
        stored = get_article(conn, 1)
    assert stored.subtitles == ("부제 하나", "부제 둘")
    assert stored.figures[0].credit == "삼성전자 제공"
    assert stored.published_at == T0 and stored.published_at.tzinfo is not None
    assert stored.board_no == 1


def test_changed_article_becomes_a_revision_with_the_same_number(db):
    save_articles(db, [article(1)])
    result = save_articles(db, [article(1, title="기사 1 (수정)")])
    assert result.revised == [1] and not result.inserted
    with db.read() as conn:
        assert get_article(conn, 1).title == "기사 1 (수정)"
        history = revisions(conn, 1)
    assert [h["snapshot"]["title"] for h in history] == ["기사 1"]


def test_unchanged_article_is_not_a_new_revision(db):
    save_articles(db, [article(1)])
    assert save_articles(db, [article(1)]).unchanged == [1]


def test_same_canonical_url_is_the_same_post(db):
    save_articles(db, [article(1, canonical_url="https://www.khan.co.kr/c/1")])
    result = save_articles(db, [article(1, url="https://m.khan.co.kr/article/1?utm_source=x",
                                       canonical_url="https://www.khan.co.kr/c/1",
                                       title="바뀐 제목")])
    assert result.revised == [1]


def test_requested_board_numbers_are_kept_above_the_top(db):
    result = save_articles(db, [article(1, board_no=35178), article(2)])
    assert result.inserted == [35178, 35179]
    low = save_articles(db, [article(3, board_no=10)])
    assert low.renumbered == [10] and low.inserted == [35180]


def test_hidden_post_is_gone_and_reason_kept(db):
    save_articles(db, [article(1)])
    hide(db, 1, "언론사 요청", actor="test")
    with db.read() as conn:
        with pytest.raises(NotFound):
            get_article(conn, 1)
        assert get_article(conn, 1, include_hidden=True).board_no == 1
    unhide(db, 1, "요청 철회", actor="test")
    with db.read() as conn:
        assert get_article(conn, 1).board_no == 1


def test_hiding_an_unknown_post_is_an_error(db):
    with pytest.raises(NotFound):
        hide(db, 404, "이유", actor="test")


def test_corrupt_file_gives_a_clear_message(tmp_path):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseError, match="손상"):
        open_database(f"sqlite:///{path}")


def test_foreign_database_is_refused(tmp_path):
    import sqlite3

    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(ForeignDatabaseError):
        open_database(f"sqlite:///{path}")


def test_uninitialised_database_asks_for_init(tmp_path):
    with pytest.raises(DatabaseError, match="init"):
        open_database(f"sqlite:///{tmp_path / 'new.sqlite3'}")


def test_a_revision_never_takes_a_canonical_url_another_post_owns(db):
    """Matched by its URL, a new version may carry a canonical URL that belongs to another
    post: the batch is saved (no unique-key failure) and each post keeps its own."""
    save_articles(db, [article(1), article(2, canonical_url="https://www.khan.co.kr/c/2")])
    result = save_articles(db, [article(1, title="기사 1 (수정)",
                                        canonical_url="https://www.khan.co.kr/c/2")])
    assert result.revised == [1]
    with db.read() as conn:
        assert get_article(conn, 1).canonical_url is None
        assert get_article(conn, 2).canonical_url == "https://www.khan.co.kr/c/2"


def test_migration_heads_read_without_alembic_agree_with_alembic():
    from alembic.script import ScriptDirectory

    from ranknews.store.db import _alembic_config, migration_heads

    assert migration_heads() == set(ScriptDirectory.from_config(_alembic_config("")).get_heads())


def test_migrations_form_one_chain():
    """`alembic history` shows one order: every revision has one parent, one head."""
    from alembic.script import ScriptDirectory

    from ranknews.store.db import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config(""))
    revisions = list(script.walk_revisions())
    assert len(script.get_heads()) == 1
    assert [r for r in revisions if r.down_revision is None] == [revisions[-1]]
    assert all(isinstance(r.down_revision, (str, type(None))) for r in revisions)


def test_a_database_of_the_branched_migrations_upgrades(database_url):
    """Before the chain, a database recorded one revision per feature branch; it opens
    after `ranknews init` as one at the head of the chain, its data kept."""
    from alembic import command
    from sqlalchemy import text

    from ranknews.store.db import _alembic_config, migration_heads

    db = open_database(database_url, create=True)
    save_articles(db, [article(1)])
    with db.write() as conn:  # back to the last revision of the branched era
        cfg = _alembic_config(database_url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002_search")
    with db.write() as conn:
        conn.exec_driver_sql("DELETE FROM alembic_version")
        for old_head in ("0002_web", "0002_collect", "0003_stories_time", "0002_rank",
                         "0002_search"):
            conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": old_head})
    db.dispose()
    with pytest.raises(DatabaseError):
        open_database(database_url)
    db = open_database(database_url, create=True)
    with db.read() as conn:
        stored = {r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
        assert get_article(conn, 1).title
    assert stored == set(migration_heads())
    db.dispose()


def test_a_current_database_opens_without_loading_alembic(tmp_path):
    """Every command opens its database; a current one needs no migration, so Alembic
    (about 0.1 s to load) stays unloaded. A database behind the migrations still upgrades."""
    import subprocess
    import sys

    from alembic import command

    from ranknews.store.db import Database, _alembic_config, create_db_engine

    url = f"sqlite:///{tmp_path / 'current.db'}"
    open_database(url, create=True).dispose()
    script = ("import sys; from ranknews.store import open_database; "
              f"open_database({url!r}, create=True).dispose(); "
              f"open_database({url!r}).dispose(); print('alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"

    behind = f"sqlite:///{tmp_path / 'behind.db'}"  # only the first migration applied
    db = Database(create_db_engine(behind))
    with db.write() as conn:
        cfg = _alembic_config(behind)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001_board")
    db.dispose()
    with pytest.raises(DatabaseError, match="ranknews init"):
        open_database(behind)
    open_database(behind, create=True).dispose()
    assert open_database(behind).is_current()


def test_content_hash_is_the_same_from_serialised_blocks():
    """``prepare_article`` hashes the stored blocks JSON as it is; the hash must stay what
    ``Article.content_hash`` gives, or every stored post would look changed."""
    import orjson

    from ranknews.pipeline.saving import prepare_article
    from ranknews.store.prepare import COLUMNS

    post = article(3, blocks=(Figure("https://img.example.com/a.jpg", "캡션", "삼성전자 제공"),
                           Paragraph("본문 첫 문단."), Paragraph("둘째 문단.")))
    prepared = prepare_article(post, now=datetime.now(timezone.utc), dialect="sqlite")
    assert prepared.content_hash == post.content_hash()
    stored = orjson.loads(prepared.values[COLUMNS.index("blocks")])
    assert stored == post.blocks_as_dicts()


def test_a_write_is_one_transaction_and_a_read_changes_no_connection_setting(db):
    # PostgreSQL's pool keeps its connections in autocommit: a read borrows one as it is
    # (no BEGIN, no ROLLBACK, no setting changed and changed back); a write asks for a
    # transaction, and leaves the connection in autocommit when it gives it back
    with pytest.raises(RuntimeError):
        with db.write() as conn:
            conn.execute(text("INSERT INTO site_state (key, value) VALUES ('probe', 1)"))
            raise RuntimeError("the write fails halfway")
    with db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM site_state WHERE key = 'probe'")
                            ).scalar() == 0
        reading = conn.connection.driver_connection
        autocommit_while_reading = getattr(reading, "autocommit", None)
    with db.write() as conn:
        autocommit_while_writing = getattr(conn.connection.driver_connection, "autocommit", None)
    if db.dialect == "postgresql":
        assert autocommit_while_reading is True and autocommit_while_writing is False
        with db.read() as conn:
            assert conn.connection.driver_connection.autocommit is True


def test_postgresql_sessions_run_in_utc_and_keep_the_urls_own_options(database_url):
    """Times come back as the same instants whatever the server's zone, attached to
    ``timezone.utc`` (psycopg's fast path); options the operator put in the URL still apply."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no session time zone")
    from sqlalchemy.engine import make_url

    from ranknews.store import open_database

    url = make_url(database_url).update_query_dict(
        {"options": "-c statement_timeout=4321 -c TimeZone=Asia/Seoul"}
    ).render_as_string(hide_password=False)
    db = open_database(url, create=True)
    try:
        with db.read() as conn:
            raw = conn.connection.driver_connection
            assert raw.execute("SHOW TimeZone").fetchone()[0] == "UTC"
            assert raw.execute("SHOW statement_timeout").fetchone()[0] == "4321ms"
            moment = raw.execute(
                "SELECT CAST('2024-06-16 18:00:00+09' AS timestamptz)").fetchone()[0]
        assert moment.tzinfo is timezone.utc and moment.hour == 9
    finally:
        db.dispose()
