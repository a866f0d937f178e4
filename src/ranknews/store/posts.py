"""Writing posts: the rows a save reads and writes. The decisions are not made here: which
stored post an article is (``dedup.plan``) and what follows a save (``pipeline.saving``).

- ``PostLookup``: the stored posts a batch may be, by URL, by dedup key and by number;
- ``insert_posts``: new posts get board numbers (번호, never reused), in order; a requested
  number is honoured only above the highest one stored;
- ``write_revisions``: a post that came back changed keeps its number; each content it
  replaces is kept in ``article_revisions``;
- ``remember_keys`` and ``remember_outlets``: the dedup keys and outlets of a batch.
Every function runs in the caller's write transaction; the ones that change what the board
shows move ``board_version`` themselves.

Speed (``benchmarks/import_speed.py``): an article's column values are computed once, in
``store.prepare``, which the importer runs in worker processes; lookups are one query per
list of URLs or keys, never one per article; bulk statements go straight to the driver
(``store/driver.py``). Revisions are rare and use SQLAlchemy Core.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Collection, Sequence

import orjson
from sqlalchemy import Connection, bindparam, insert, select, update

from ranknews.models import Article
from ranknews.store.db import bump_board_version
from ranknews.store.driver import as_time, copy_new_rows, copy_rows, rows, run, run_many
from ranknews.store.prepare import (
    COLUMNS,
    CONTENT,
    INDEX,
    JSON_COLUMNS,
    TIMES,
    PreparedArticle,
    StoredPost,
)
from ranknews.store.schema import article_revisions, articles

_STORED = ("SELECT board_no, url, canonical_url, content_hash, revision, published_at "
           "FROM articles")
# The blocks column comes as UTF-8 bytes (``store.prepare``): the database reads them as
# text itself, so the body is never decoded and re-encoded in Python on its way in.
_BLOCKS_AS_TEXT = {"sqlite": "CAST(:blocks AS TEXT)",
                   "postgresql": "convert_from(:blocks, 'UTF8')::json"}


class PostLookup:
    """The stored posts a batch may be (``dedup.plan.Lookup``), read on ``conn``."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def posts_by_url(self, urls: list[str]) -> list[StoredPost]:
        if not urls:
            return []
        return _stored(rows(
            self.conn, _STORED + " WHERE url = ANY(:urls) OR canonical_url = ANY(:urls)",
            {"urls": urls}))

    def numbers_by_key(self, keys: list[str]) -> list[tuple[str, int]]:
        if not keys:
            return []
        return [(k, n) for k, n in rows(
            self.conn, "SELECT key, board_no FROM article_keys WHERE key = ANY(:keys)",
            {"keys": keys})]

    def posts_by_number(self, numbers: list[int]) -> list[StoredPost]:
        if not numbers:
            return []
        return _stored(rows(self.conn, _STORED + " WHERE board_no = ANY(:numbers)",
                            {"numbers": numbers}))

    def articles(self, numbers: list[int]) -> dict[int, Article]:
        from ranknews.store.articles import row_to_article  # the reading module imports this

        found: dict[int, Article] = {}
        for start in range(0, len(numbers), 500):
            query = select(articles).where(articles.c.board_no.in_(numbers[start:start + 500]))
            found.update((row.board_no, row_to_article(row)) for row in self.conn.execute(query))
        return found


def _stored(found: list[tuple]) -> list[StoredPost]:
    return [StoredPost(*r[:-1], as_time(r[-1])) for r in found]


def _insert_sql(dialect: str, numbered: bool = False) -> str:
    marks = [f":{name}" for name in COLUMNS]
    marks[INDEX["blocks"]] = _BLOCKS_AS_TEXT[dialect]
    names = [*COLUMNS, "revision", *(["board_no"] if numbered else [])]
    values = [*marks, "1", *([":board_no"] if numbered else [])]
    return f"INSERT INTO articles ({', '.join(names)}) VALUES ({', '.join(values)})"


def insert_posts(conn: Connection, new: Sequence[PreparedArticle]) -> tuple[list[int], list[int]]:
    """Insert new posts in order: their board numbers, and the requested numbers that were
    not honoured (at or below the highest number stored, so they got new ones)."""
    if not new:
        return [], []
    top = rows(conn, "SELECT max(board_no) FROM articles")[0][0] or 0
    numbers: list[int | None] = [None] * len(new)
    renumbered: list[int] = []
    run_start = 0
    for i, post in enumerate(new):
        wanted = post.board_no
        if wanted is None:
            continue
        if run_start < i:
            top = max(top, _insert_run(conn, new, numbers, run_start, i))
        run_start = i + 1
        if wanted > top:
            run_many(conn, _insert_sql(conn.dialect.name, numbered=True),
                     [(*post.values, wanted)])
            _advance_sequence(conn)
            numbers[i] = top = wanted
        else:
            renumbered.append(wanted)
            top = max(top, _insert_run(conn, new, numbers, i, i + 1))
    if run_start < len(new):
        _insert_run(conn, new, numbers, run_start, len(new))
    bump_board_version(conn)
    return [n for n in numbers if n is not None], renumbered


def _insert_run(conn: Connection, new: Sequence[PreparedArticle], numbers: list[int | None],
                start: int, end: int) -> int:
    """Insert ``new[start:end]`` with numbers of the database's choosing; the highest one."""
    run_posts = new[start:end]
    if conn.dialect.name == "postgresql":
        # numbers taken from the sequence in one query, in order, then the rows by COPY
        got = [n for (n,) in rows(
            conn, "SELECT nextval(pg_get_serial_sequence('articles', 'board_no')) AS n"
                  " FROM generate_series(1, :count) ORDER BY n", {"count": len(run_posts)})]
        copy_rows(conn, "articles", [*COLUMNS, "revision", "board_no"],
                  [(*p.values, 1, n) for p, n in zip(run_posts, got)])
        numbers[start:end] = got
        return got[-1]
    before = _sqlite_sequence(conn)
    run_many(conn, _insert_sql(conn.dialect.name), [p.values for p in run_posts])
    after = _sqlite_sequence(conn)
    if before is not None and after == before + len(run_posts):
        # SQLite AUTOINCREMENT under our write lock: consecutive numbers, in order
        numbers[start:end] = range(before + 1, after + 1)
    else:
        found = dict(rows(conn, "SELECT url, board_no FROM articles WHERE url = ANY(:urls)",
                          {"urls": [p.url for p in run_posts]}))
        numbers[start:end] = [found[p.url] for p in run_posts]
    return max(n for n in numbers[start:end] if n is not None)


def _sqlite_sequence(conn: Connection) -> int | None:
    """The last number SQLite's AUTOINCREMENT gave (None on PostgreSQL)."""
    if conn.dialect.name != "sqlite":
        return None
    found = rows(conn, "SELECT seq FROM sqlite_sequence WHERE name = 'articles'")
    top = rows(conn, "SELECT max(board_no) FROM articles")[0][0] or 0
    return max(found[0][0] if found else 0, top)


def _advance_sequence(conn: Connection) -> None:
    # SQLite's AUTOINCREMENT follows explicit numbers by itself; PostgreSQL's sequence does not.
    if conn.dialect.name == "postgresql":
        run(conn, "SELECT setval(pg_get_serial_sequence('articles', 'board_no'), "
                  "(SELECT max(board_no) FROM articles))")


def write_revisions(conn: Connection, changed: Sequence[tuple[int, PreparedArticle | None,
                                                              str | None,
                                                              list[PreparedArticle]]],
                    now: datetime) -> None:
    """Apply each post's later versions in order: (board number, its first version when it
    was inserted by this batch, the canonical URL it ends with, its later versions). The
    content each version replaces is kept as a revision; the post gets the last one."""
    if not changed:
        return
    stored = {row["board_no"]: dict(row) for row in conn.execute(
        select(articles).where(articles.c.board_no.in_(
            [number for number, first, _, _ in changed if first is None]))).mappings()}
    history: list[dict[str, Any]] = []
    finals: list[dict[str, Any]] = []
    for number, first, canonical, versions in changed:
        state = stored[number] if first is None else \
            {**_decoded(first), "board_no": number, "revision": 1}
        for version in versions:
            history.append({
                "board_no": number, "revision": state["revision"],
                "content_hash": state["content_hash"], "collected_at": state["collected_at"],
                "replaced_at": now,
                "snapshot": {c: _jsonable(state[c]) for c in (*CONTENT, "url", "canonical_url")},
            })
            adopted = version.canonical_url if version.canonical_url == canonical else None
            state = {**_decoded(version), "url": state["url"], "board_no": number,
                     "canonical_url": state["canonical_url"] or adopted,
                     "revision": state["revision"] + 1}
        finals.append({"b_no": number, **{c: state[c] for c in (
            *CONTENT, "canonical_url", "content_hash", "collected_at", "revision")}})
    conn.execute(insert(article_revisions), history)
    conn.execute(update(articles).where(articles.c.board_no == bindparam("b_no")), finals)
    bump_board_version(conn)


def _decoded(prepared: PreparedArticle) -> dict[str, Any]:
    """Column values as SQLAlchemy Core takes them (decoded JSON, aware datetimes)."""
    row = dict(zip(COLUMNS, prepared.values))
    for name in JSON_COLUMNS:
        row[name] = orjson.loads(row[name]) if row[name] is not None else None
    for i in TIMES:
        row[COLUMNS[i]] = as_time(row[COLUMNS[i]])
    return row


def _jsonable(value: Any) -> Any:
    return value.astimezone(timezone.utc).isoformat() if isinstance(value, datetime) else value


def remember_keys(conn: Connection, pairs: Sequence[tuple[str, int]],
                  new: Collection[int] = ()) -> None:
    """Dedup keys (key, board number) of saved posts (a revision adds its new keys).
    ``new``: the numbers this transaction inserted, whose keys no row can hold yet."""
    if conn.dialect.name == "postgresql":
        fresh = [(k, n) for k, n in dict.fromkeys(pairs) if n in new]
        if fresh and copy_new_rows(conn, "article_keys", ("key", "board_no"), fresh):
            pairs = [(k, n) for k, n in pairs if n not in new]
        if pairs:  # one statement over arrays, not one per key
            run(conn, "INSERT INTO article_keys (key, board_no) SELECT * FROM"
                      " unnest(CAST(:keys AS text[]), CAST(:numbers AS integer[]))"
                      " ON CONFLICT DO NOTHING",
                {"keys": [k for k, _ in pairs], "numbers": [n for _, n in pairs]})
        return
    run_many(conn, "INSERT INTO article_keys (key, board_no) VALUES (:key, :board_no) "
                   "ON CONFLICT DO NOTHING", list(pairs))


def remember_outlets(conn: Connection, batch: Sequence[PreparedArticle]) -> None:
    outlet, domain = INDEX["outlet"], INDEX["outlet_domain"]
    wanted = {p.values[domain] or p.values[outlet]: p.values[outlet] for p in batch}
    known = {d for (d,) in rows(conn, "SELECT domain FROM outlets WHERE domain = ANY(:domains)",
                                {"domains": list(wanted)})}
    run_many(conn, "INSERT INTO outlets (domain, name) VALUES (:domain, :name)",
             [(d, n) for d, n in wanted.items() if d not in known])
