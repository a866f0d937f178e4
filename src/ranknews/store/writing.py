"""Saving posts: new ones get board numbers, changed ones a revision, duplicates are found.

``save_articles(db, batch)`` stores a batch in one transaction. Its result is what saving the
articles one at a time, in order, would give, and accounts for every article:
- ``inserted``: a new post;
- ``revised``: the same post as one stored (or earlier in the batch) with other content: the
  post keeps its number, its earlier content becomes a revision;
- ``unchanged``: the same post with the same content.
A post is "the same" when its URL or canonical URL matches, or one of its dedup keys
(``ranknews.dedup.fingerprint``: URL without tracking/mobile/AMP parts, same body at the same
outlet, an updated version of the same headline, confirmed by ``same_post``).

Speed (``benchmarks/import_speed.py``): an article's keys, JSON columns and content hash are
computed once, in ``prepare_article`` (``store/prepare.py``), which the importer runs in
worker processes. Lookups are one ``IN`` query per chunk for URLs and for keys, never one
per article, and the bulk
statements go straight to the driver (``store/driver.py``): SQLAlchemy's per-statement cost
was larger than SQLite's own work. Revisions are rare and stay on SQLAlchemy Core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Sequence

import orjson
from sqlalchemy import Connection, bindparam, insert, select, update

from ranknews.dedup import same_post
from ranknews.models import Article
from ranknews.store.analysis import enqueue
from ranknews.store.db import Database, bump_board_version
from ranknews.store.driver import as_time, execute_many, fetch, fetch_in
from ranknews.store.prepare import (
    COLUMNS,
    CONTENT,
    INDEX,
    JSON_COLUMNS,
    TIMES,
    PreparedArticle,
    SaveResult,
    prepare_article,
)
from ranknews.store.schema import article_revisions, articles
from ranknews.store.search_queue import enqueue as enqueue_search

# The blocks column comes as UTF-8 bytes (``prepare_article``): the database reads them as
# text itself, so the body is never decoded and re-encoded in Python on its way in.
_BLOCKS_AS_TEXT = {"sqlite": "CAST(? AS TEXT)", "postgresql": "convert_from(?, 'UTF8')::json"}


def _insert_sql(dialect: str, numbered: bool = False) -> str:
    marks = ["?"] * len(COLUMNS)
    marks[INDEX["blocks"]] = _BLOCKS_AS_TEXT[dialect]
    names = [*COLUMNS, "revision", *(["board_no"] if numbered else [])]
    values = [*marks, "1", *(["?"] if numbered else [])]
    return f"INSERT INTO articles ({', '.join(names)}) VALUES ({', '.join(values)})"


def save_articles(db: Database, batch: Sequence[Article], *,
                  now: datetime | None = None) -> SaveResult:
    """Store a batch in one transaction (see the module's docstring); a crash never leaves
    an article half-stored. New and revised posts are queued for analysis and for the search
    index."""
    now = now or datetime.now(timezone.utc)
    return save_prepared(db, [prepare_article(a, now=now, dialect=db.dialect) for a in batch],
                         now=now)


def save_prepared(db: Database, batch: Sequence[PreparedArticle], *,
                  now: datetime | None = None) -> SaveResult:
    """``save_articles`` for articles already prepared (by the importer's workers)."""
    now = now or datetime.now(timezone.utc)
    if not batch:
        return SaveResult()
    with db.write() as conn:
        plan = _Plan(conn, batch)
        result = SaveResult()
        _insert(conn, plan.new_posts, result)
        _write_revisions(conn, plan.changed_posts, now)
        for kind, post in plan.outcomes:
            if kind != "inserted":
                getattr(result, kind).append(post.board_no)
        _remember_keys(conn, plan.touched)
        _remember_outlets(conn, batch)
        enqueue(conn, result.inserted + result.revised, now)
        enqueue_search(conn, result.inserted + result.revised)
        if result.inserted or result.revised:
            bump_board_version(conn)
    return result


# --- matching each article to a post ------------------------------------------------------------

@dataclass(eq=False, slots=True)
class _Post:
    """A post as this batch sees it: stored already (``board_no``) or new (``first``)."""

    board_no: int | None
    content_hash: str
    revision: int = 1
    canonical_url: str | None = None
    first: PreparedArticle | None = None  # a new post's first version, to insert
    latest: PreparedArticle | None = None  # its content now, when it came from this batch
    changes: list[PreparedArticle] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)


class _Plan:
    """What saving ``batch`` does, decided before writing: article by article, in order."""

    def __init__(self, conn: Connection, batch: Sequence[PreparedArticle]) -> None:
        self.conn = conn
        self.new_posts: list[_Post] = []
        self.outcomes: list[tuple[str, _Post]] = []
        self.by_number: dict[int, _Post] = {}
        self.seen: dict[str, _Post] = {}  # URLs of this batch's articles → their post
        self.seen_keys: dict[str, list[_Post]] = {}  # their dedup keys → posts
        self.stored_articles: dict[int, Article] = {}
        self.stored_urls = self._stored_by_url(batch)
        self.stored_keys = self._stored_by_key(batch)
        for prepared in batch:
            self._place(prepared)

    @property
    def changed_posts(self) -> list[_Post]:
        return [p for p in {id(p): p for _, p in self.outcomes}.values() if p.changes]

    @property
    def touched(self) -> list[_Post]:
        return list({id(p): p for _, p in self.outcomes}.values())

    def _place(self, prepared: PreparedArticle) -> None:
        post = self._match(prepared)
        if post is None:
            post = _Post(None, prepared.content_hash, canonical_url=prepared.canonical_url,
                         first=prepared, latest=prepared)
            self.new_posts.append(post)
            kind = "inserted"
        elif post.content_hash == prepared.content_hash:
            kind = "unchanged"
        else:
            post.changes.append(prepared)
            post.content_hash, post.latest = prepared.content_hash, prepared
            if not post.canonical_url and self._free(prepared.canonical_url, post):
                post.canonical_url = prepared.canonical_url  # learnt: a second identity
            kind = "revised"
        self.outcomes.append((kind, post))
        post.keys.update(prepared.keys)
        for url in (prepared.url, prepared.canonical_url):
            if self._free(url, post):
                self.seen[url] = post
        for key in prepared.keys:  # a headline key may name several posts of this batch
            posts = self.seen_keys.setdefault(key, [])
            if post not in posts:
                posts.append(post)

    def _free(self, name: str | None, post: _Post) -> bool:
        """Whether the URL ``name`` names no other post: matched by its URL, an article may
        carry a canonical URL that another post owns, and must not take it (it is unique)."""
        owner = self.seen.get(name) or self.stored_urls.get(name) if name else None
        return name is not None and owner in (None, post)

    def _match(self, prepared: PreparedArticle) -> _Post | None:
        for url in (prepared.url, prepared.canonical_url):
            if url and (post := self.seen.get(url) or self.stored_urls.get(url)):
                return post
        for key in prepared.keys:
            headline = key.startswith("t:")  # only a proposal: same_post decides
            for post in self.seen_keys.get(key, ()):
                if not headline or self._same(prepared, post):
                    return post
            for number in self.stored_keys.get(key, ()):
                post = self.by_number.get(number)
                if post is not None and (not headline or self._same(prepared, post)):
                    return post
        return None

    def _same(self, prepared: PreparedArticle, post: _Post) -> bool:
        old = post.latest.article if post.latest is not None else \
            self.stored_articles.get(post.board_no)
        return old is not None and same_post(prepared.article, old)

    def _load_stored(self, rows: list[tuple]) -> None:
        for number, url, canonical, content_hash, revision in rows:
            post = self.by_number.setdefault(
                number, _Post(number, content_hash, revision, canonical))
            self.stored_urls[url] = post
            if canonical:
                self.stored_urls[canonical] = post

    def _stored_by_url(self, batch: Sequence[PreparedArticle]) -> dict[str, _Post]:
        self.stored_urls = {}
        urls = list({u for p in batch for u in (p.url, p.canonical_url) if u})
        self._load_stored(fetch_in(self.conn, _STORED + " WHERE url {values}", urls))
        self._load_stored(fetch_in(self.conn, _STORED + " WHERE canonical_url {values}", urls))
        return self.stored_urls

    def _stored_by_key(self, batch: Sequence[PreparedArticle]) -> dict[str, list[int]]:
        """Stored posts under the keys of the articles whose URLs are not stored."""
        keys = list({k for p in batch if p.url not in self.stored_urls
                     and p.canonical_url not in self.stored_urls for k in p.keys})
        found: dict[str, list[int]] = {}
        for key, number in fetch_in(
                self.conn, "SELECT key, board_no FROM article_keys WHERE key {values}", keys):
            found.setdefault(key, []).append(number)
        numbers = list({n for ns in found.values() for n in ns} - self.by_number.keys())
        self._load_stored(fetch_in(self.conn, _STORED + " WHERE board_no {values}", numbers))
        # a headline key only proposes: same_post compares the stored article's body
        headline = list({n for k, ns in found.items() if k.startswith("t:") for n in ns})
        self.stored_articles = _stored_articles(self.conn, headline)
        return found


_STORED = "SELECT board_no, url, canonical_url, content_hash, revision FROM articles"


def _stored_articles(conn: Connection, numbers: list[int]) -> dict[int, Article]:
    from ranknews.store.articles import row_to_article  # the reading module imports this one
    found: dict[int, Article] = {}
    for start in range(0, len(numbers), 500):
        query = select(articles).where(articles.c.board_no.in_(numbers[start:start + 500]))
        found.update((row.board_no, row_to_article(row)) for row in conn.execute(query))
    return found


# --- writing ------------------------------------------------------------------------------------

def _insert(conn: Connection, posts: list[_Post], result: SaveResult) -> None:
    """Insert new posts in order; a requested board number is honoured only above the top."""
    if not posts:
        return
    top = fetch(conn, "SELECT max(board_no) FROM articles")[0][0] or 0
    run: list[_Post] = []
    for post in posts:
        wanted = post.first.board_no
        if wanted is not None and run:
            top = max(top, _insert_run(conn, run))
            run = []
        if wanted is not None and wanted > top:
            execute_many(conn, _insert_sql(conn.dialect.name, numbered=True),
                         [(*post.first.values, wanted)])
            _advance_sequence(conn)
            post.board_no = top = wanted
        else:
            if wanted is not None:
                result.renumbered.append(wanted)
            run.append(post)
    if run:
        _insert_run(conn, run)
    result.inserted += [p.board_no for p in posts]


def _insert_run(conn: Connection, run: list[_Post]) -> int:
    """Insert posts without requested numbers; returns the highest number given."""
    before = _sqlite_sequence(conn)
    execute_many(conn, _insert_sql(conn.dialect.name), [p.first.values for p in run])
    after = _sqlite_sequence(conn)
    if before is not None and after == before + len(run):
        # SQLite AUTOINCREMENT under our write lock: consecutive numbers, in order
        for offset, post in enumerate(run, start=1):
            post.board_no = before + offset
    else:
        numbers = dict(fetch_in(conn, "SELECT url, board_no FROM articles WHERE url {values}",
                                [p.first.url for p in run]))
        for post in run:
            post.board_no = numbers[post.first.url]
    return max(p.board_no for p in run)


def _sqlite_sequence(conn: Connection) -> int | None:
    """The last number SQLite's AUTOINCREMENT gave (None on PostgreSQL)."""
    if conn.dialect.name != "sqlite":
        return None
    rows = fetch(conn, "SELECT seq FROM sqlite_sequence WHERE name = 'articles'")
    top = fetch(conn, "SELECT max(board_no) FROM articles")[0][0] or 0
    return max(rows[0][0] if rows else 0, top)


def _advance_sequence(conn: Connection) -> None:
    # SQLite's AUTOINCREMENT follows explicit numbers by itself; PostgreSQL's sequence does not.
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('articles', 'board_no'), "
            "(SELECT max(board_no) FROM articles))"
        )


def _write_revisions(conn: Connection, posts: list[_Post], now: datetime) -> None:
    """Apply each post's later versions in order: the content each replaces is kept as a
    revision, the post gets the last one. Rare (updates, repeated lines): SQLAlchemy Core."""
    if not posts:
        return
    stored = {row["board_no"]: dict(row) for row in conn.execute(
        select(articles).where(articles.c.board_no.in_(
            [p.board_no for p in posts if p.first is None]))).mappings()}
    history: list[dict[str, Any]] = []
    finals: list[dict[str, Any]] = []
    for post in posts:
        state = stored[post.board_no] if post.first is None else \
            {**_decoded(post.first), "board_no": post.board_no, "revision": 1}
        for version in post.changes:
            history.append({
                "board_no": post.board_no, "revision": state["revision"],
                "content_hash": state["content_hash"], "collected_at": state["collected_at"],
                "replaced_at": now,
                "snapshot": {c: _jsonable(state[c]) for c in (*CONTENT, "url", "canonical_url")},
            })
            adopted = version.canonical_url if version.canonical_url == post.canonical_url \
                else None
            state = {**_decoded(version), "url": state["url"], "board_no": post.board_no,
                     "canonical_url": state["canonical_url"] or adopted,
                     "revision": state["revision"] + 1}
        finals.append({"b_no": post.board_no, **{c: state[c] for c in (
            *CONTENT, "canonical_url", "content_hash", "collected_at", "revision")}})
    conn.execute(insert(article_revisions), history)
    conn.execute(update(articles).where(articles.c.board_no == bindparam("b_no")), finals)


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


def _remember_keys(conn: Connection, posts: list[_Post]) -> None:
    """Every key of every touched post (a revision adds its new keys)."""
    execute_many(conn, "INSERT INTO article_keys (key, board_no) VALUES (?, ?) "
                       "ON CONFLICT DO NOTHING",
                 [(key, post.board_no) for post in posts for key in post.keys])


def _remember_outlets(conn: Connection, batch: Sequence[PreparedArticle]) -> None:
    outlet, domain = INDEX["outlet"], INDEX["outlet_domain"]
    wanted = {p.values[domain] or p.values[outlet]: p.values[outlet] for p in batch}
    known = {d for (d,) in fetch_in(conn, "SELECT domain FROM outlets WHERE domain {values}",
                                    list(wanted))}
    execute_many(conn, "INSERT INTO outlets (domain, name) VALUES (?, ?)",
                 [(d, n) for d, n in wanted.items() if d not in known])
