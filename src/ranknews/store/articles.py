"""Writing and reading posts: insert with board numbers, revisions on change, takedowns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

from sqlalchemy import Connection, func, insert, or_, select, update

from ranknews.dedup import article_keys, same_post
from ranknews.errors import NotFound
from ranknews.models import Article, block_from_dict
from ranknews.store.analysis import enqueue
from ranknews.store.db import Database, bump_board_version
from ranknews.store.dedup import posts_by_keys, remember_keys
from ranknews.store.schema import article_revisions, articles, moderation_log, outlets

_CONTENT_COLUMNS = ("outlet", "outlet_domain", "title", "tags", "subtitles", "authors",
                    "summary", "section", "blocks", "published_at", "updated_at", "extra")


@dataclass
class SaveResult:
    inserted: list[int] = field(default_factory=list)
    revised: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    # posts that asked for a board number at or below the highest one and got a new number
    renumbered: list[int] = field(default_factory=list)

    def __iadd__(self, other: "SaveResult") -> "SaveResult":
        self.inserted += other.inserted
        self.renumbered += other.renumbered
        self.revised += other.revised
        self.unchanged += other.unchanged
        return self


def article_to_row(article: Article, *, now: datetime) -> dict[str, Any]:
    blocks = article.blocks_as_dicts()
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "outlet": article.outlet,
        "outlet_domain": article.outlet_domain,
        "title": article.title,
        "tags": list(article.tags),
        "subtitles": list(article.subtitles),
        "authors": list(article.authors),
        "summary": article.summary,
        "section": article.section,
        "blocks": blocks,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "collected_at": article.collected_at or now,
        "content_hash": article.content_hash(blocks),
        "extra": article.extra or None,
        "board_no": article.board_no,
    }


def row_to_article(row: Any) -> Article:
    m = row._mapping if hasattr(row, "_mapping") else row
    return Article(
        url=m["url"],
        canonical_url=m["canonical_url"],
        outlet=m["outlet"],
        outlet_domain=m["outlet_domain"],
        title=m["title"],
        tags=tuple(m["tags"] or ()),
        subtitles=tuple(m["subtitles"] or ()),
        authors=tuple(m["authors"] or ()),
        summary=m["summary"] or "",
        section=m["section"],
        blocks=tuple(block_from_dict(b) for b in m["blocks"] or ()),
        published_at=m["published_at"],
        updated_at=m["updated_at"],
        collected_at=m["collected_at"],
        board_no=m["board_no"],
        extra=dict(m["extra"] or {}),
    )


def save_articles(db: Database, batch: Sequence[Article], *,
                  now: datetime | None = None) -> SaveResult:
    """Store a batch in one transaction: new posts get board numbers, changed ones a revision.

    A post is the same post when its URL or canonical URL matches a stored one, or one of its
    dedup keys does (``ranknews.dedup.fingerprint``: the URL without tracking/mobile/AMP
    parts, the same body at the same outlet, an updated version of the same headline).
    New and revised posts are queued for analysis. The whole batch commits or nothing does,
    so a crash never leaves an article half-stored.
    """
    now = now or datetime.now(timezone.utc)
    pairs = _unique_rows(batch, now)
    if not pairs:
        return SaveResult()
    rows = [row for row, _ in pairs]
    with db.write() as conn:
        result = _save_rows(conn, pairs, now)
        _remember_outlets(conn, rows)
        enqueue(conn, result.inserted + result.revised, now)
        if result.inserted or result.revised:
            bump_board_version(conn)
    return result


def _unique_rows(batch: Iterable[Article],
                 now: datetime) -> list[tuple[dict[str, Any], Article]]:
    """One row per post within the batch; a later copy of the same post replaces an earlier."""
    by_key: dict[str, tuple[dict[str, Any], Article]] = {}
    alias: dict[str, str] = {}
    for article in batch:
        row = article_to_row(article, now=now)
        keys = [k for k in (row["url"], row["canonical_url"]) if k]
        keys += [k for k in article_keys(article) if _in_batch_match(k, article, alias, by_key)]
        first = next((alias[k] for k in keys if k in alias), keys[0])
        by_key[first] = (row, article)
        for k in keys:
            alias[k] = first
    return list(by_key.values())


def _in_batch_match(key: str, article: Article, alias: dict[str, str],
                    by_key: dict[str, tuple[dict[str, Any], Article]]) -> bool:
    if not key.startswith("t:") or key not in alias:
        return True  # URL and body keys are decisive; unseen headline keys are harmless
    return same_post(article, by_key[alias[key]][1])


def _save_rows(conn: Connection, pairs: list[tuple[dict[str, Any], Article]],
               now: datetime) -> SaveResult:
    rows = [row for row, _ in pairs]
    existing = _existing(conn, rows)
    keyed = posts_by_keys(conn, [k for _, a in pairs for k in article_keys(a)])
    result = SaveResult()
    fresh: list[tuple[dict[str, Any], Article]] = []
    touched: list[tuple[int, Article]] = []
    for row, article in pairs:
        old = (existing.get(row["url"]) or existing.get(row["canonical_url"] or "")
               or _by_dedup_key(conn, article, keyed))
        if old is None:
            fresh.append((row, article))
            continue
        touched.append((old["board_no"], article))
        if old["content_hash"] == row["content_hash"]:
            result.unchanged.append(old["board_no"])
        else:
            _revise(conn, old, row, now)
            result.revised.append(old["board_no"])
    if fresh:
        _insert(conn, [row for row, _ in fresh], result)
        touched += zip(result.inserted, (a for _, a in fresh))
    remember_keys(conn, touched)
    return result


def _by_dedup_key(conn: Connection, article: Article, keyed: dict[str, list[int]]) -> Any:
    """The stored post this article is another version of, found by its dedup keys."""
    for key in article_keys(article):
        for board_no in keyed.get(key, ()):
            old = conn.execute(select(articles).where(articles.c.board_no == board_no)
                               ).mappings().first()
            if old is not None and (not key.startswith("t:")
                                    or same_post(article, row_to_article(old))):
                return old
    return None


def _insert(conn: Connection, rows: list[dict[str, Any]], result: SaveResult) -> None:
    """Insert new posts in order; a requested board number is honoured only above the top."""
    top = conn.execute(select(func.max(articles.c.board_no))).scalar() or 0
    run: list[dict[str, Any]] = []
    for row in rows:
        wanted = row.pop("board_no")
        if wanted is not None and run:
            top = max(top, _insert_run(conn, run, result))
            run = []
        if wanted is not None and wanted > top:
            conn.execute(insert(articles).values(**row, board_no=wanted, revision=1))
            _advance_sequence(conn)
            result.inserted.append(wanted)
            top = wanted
            continue
        if wanted is not None:
            result.renumbered.append(wanted)
        run.append(row)
    if run:
        _insert_run(conn, run, result)


def _advance_sequence(conn: Connection) -> None:
    # SQLite's AUTOINCREMENT follows explicit numbers by itself; PostgreSQL's sequence does not.
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('articles', 'board_no'), "
            "(SELECT max(board_no) FROM articles))"
        )


def _insert_run(conn: Connection, rows: list[dict[str, Any]], result: SaveResult) -> int:
    # A plain executemany is several times faster than INSERT … RETURNING row by row;
    # the numbers are read back by URL, which is unique.
    conn.execute(insert(articles), [{**r, "revision": 1} for r in rows])
    urls = [r["url"] for r in rows]
    numbers: dict[str, int] = {}
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        query = select(articles.c.url, articles.c.board_no).where(articles.c.url.in_(chunk))
        numbers.update((url, no) for url, no in conn.execute(query))
    result.inserted += [numbers[u] for u in urls]
    return max(numbers.values())


def _existing(conn: Connection, rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = {k for r in rows for k in (r["url"], r["canonical_url"]) if k}
    found: dict[str, Any] = {}
    keys_list = list(keys)
    for start in range(0, len(keys_list), 400):
        chunk = keys_list[start:start + 400]
        query = select(articles).where(
            or_(articles.c.url.in_(chunk), articles.c.canonical_url.in_(chunk))
        )
        for row in conn.execute(query).mappings():
            found[row["url"]] = row
            if row["canonical_url"]:
                found[row["canonical_url"]] = row
    return found


def _revise(conn: Connection, old: Any, row: dict[str, Any], now: datetime) -> None:
    snapshot = {c: _jsonable(old[c]) for c in (*_CONTENT_COLUMNS, "url", "canonical_url")}
    conn.execute(insert(article_revisions).values(
        board_no=old["board_no"], revision=old["revision"], content_hash=old["content_hash"],
        snapshot=snapshot, collected_at=old["collected_at"], replaced_at=now,
    ))
    changes = {c: row[c] for c in (*_CONTENT_COLUMNS, "content_hash", "collected_at")}
    if row["canonical_url"] and not old["canonical_url"]:
        changes["canonical_url"] = row["canonical_url"]
    conn.execute(update(articles).where(articles.c.board_no == old["board_no"])
                 .values(**changes, revision=old["revision"] + 1))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _remember_outlets(conn: Connection, rows: list[dict[str, Any]]) -> None:
    wanted = {r["outlet_domain"] or r["outlet"]: r["outlet"] for r in rows}
    known = set(conn.execute(select(outlets.c.domain)
                             .where(outlets.c.domain.in_(list(wanted)))).scalars())
    new = [{"domain": d, "name": n} for d, n in wanted.items() if d not in known]
    if new:
        conn.execute(insert(outlets), new)


def get_article(conn: Connection, board_no: int, *, include_hidden: bool = False) -> Article:
    """The post with this number; NotFound when there is none or it was taken down."""
    query = select(articles).where(articles.c.board_no == board_no)
    if not include_hidden:
        query = query.where(articles.c.hidden_at.is_(None))
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"{board_no}번 글이 없습니다.")
    return row_to_article(row)


def revisions(conn: Connection, board_no: int) -> list[dict[str, Any]]:
    query = (select(article_revisions).where(article_revisions.c.board_no == board_no)
             .order_by(article_revisions.c.revision))
    return [dict(r) for r in conn.execute(query).mappings()]


def hide(db: Database, board_no: int, reason: str, *, now: datetime | None = None) -> None:
    """Take a post down: it leaves the board, pages and feeds; the reason is kept."""
    _moderate(db, board_no, "hide", reason, now, hidden=True)


def unhide(db: Database, board_no: int, reason: str, *, now: datetime | None = None) -> None:
    _moderate(db, board_no, "unhide", reason, now, hidden=False)


def _moderate(db: Database, board_no: int, action: str, reason: str,
              now: datetime | None, *, hidden: bool) -> None:
    if not reason.strip():
        raise ValueError("사유(reason)를 적어야 합니다.")
    now = now or datetime.now(timezone.utc)
    with db.write() as conn:
        changed = conn.execute(
            update(articles).where(articles.c.board_no == board_no).values(
                hidden_at=now if hidden else None, hidden_reason=reason if hidden else None)
        ).rowcount
        if not changed:
            raise NotFound(f"{board_no}번 글이 없습니다.")
        conn.execute(insert(moderation_log).values(board_no=board_no, action=action,
                                                   reason=reason, at=now))
        bump_board_version(conn)


def set_display_mode(db: Database, domain: str, mode: str | None) -> None:
    """Full text or excerpt-plus-link for one outlet (None: the site default)."""
    if mode not in (None, "full", "excerpt"):
        raise ValueError("표시 방식은 full 또는 excerpt 입니다.")
    with db.write() as conn:
        changed = conn.execute(update(outlets).where(outlets.c.domain == domain)
                               .values(display_mode=mode)).rowcount
        if not changed:
            raise NotFound(f"언론사 {domain}을(를) 찾을 수 없습니다.")
        bump_board_version(conn)
