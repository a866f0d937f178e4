"""Stories in the database: which story each post belongs to, operator links, page queries.

A story's id is the board number of the post that founded it (see ``stories.cluster``).
``story_links`` keeps operator decisions (``together`` / ``apart`` pairs of posts); every
clustering run loads them, so they survive ``restory``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import (
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)

from ranknews.dates import story_time
from ranknews.errors import NotFound
from ranknews.models import Analysis
from ranknews.store.analysis import article_analysis
from ranknews.store.audit import check_actor, record
from ranknews.store.board import (
    _TOP,
    BoardFilter,
    BoardPage,
    BoardRow,
    PageMap,
    _newer_than,
    _older_than,
)
from ranknews.store.db import bump_board_version, bump_version, site_versions
from ranknews.store.driver import as_json, as_time, rows, run, run_many
from ranknews.store.schema import articles, metadata
from ranknews.store.types import UTCDateTime

# Moved by every write of the story assigner: another assigner that holds the stage next
# knows its own copy of the window's state is stale (``pipeline.stories``).
STORIES_VERSION = "stories_version"

story_members = Table(
    "story_members",
    metadata,
    Column("board_no", Integer, ForeignKey("articles.board_no", ondelete="CASCADE"),
           primary_key=True),
    Column("story_id", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
)
Index("ix_story_members_story", story_members.c.story_id, story_members.c.board_no)
# Migration 0003_stories_time: the time stories go by, for period queries.
Index("ix_articles_story_time", func.coalesce(articles.c.published_at, articles.c.collected_at))

story_links = Table(
    "story_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("a", Integer, nullable=False),
    Column("b", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # together | apart
    Column("reason", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)


def article_time(row: Any) -> datetime | None:
    """When an article happened as far as stories know: published, else collected."""
    return story_time(row["published_at"], row["collected_at"])


def save_members(conn: Connection, assigned: Sequence[tuple[int, int, float]],
                 now: datetime) -> None:
    """(board number, story, score) of posts (re)assigned; the pages showing them change."""
    numbers = [b for b, _, _ in assigned]
    if not numbers:
        return
    run(conn, "DELETE FROM story_members WHERE board_no = ANY(:numbers)", {"numbers": numbers})
    run_many(conn, "INSERT INTO story_members (board_no, story_id, score, assigned_at)"
                   " VALUES (:board_no, :story_id, :score, :now)",
             [(b, s, score, now) for b, s, score in assigned])
    bump_board_version(conn)


def stories_version(conn: Connection) -> int:
    return site_versions(conn, (STORIES_VERSION,))[STORIES_VERSION]


def bump_stories_version(conn: Connection) -> None:
    bump_version(conn, STORIES_VERSION)


# -- the assigner's snapshots: its state at the start of a time bucket ---------------------

story_snapshots = Table(
    "story_snapshots", metadata,
    Column("bucket", UTCDateTime, primary_key=True),
    Column("state", LargeBinary, nullable=False),
    Column("saved_at", UTCDateTime, nullable=False),
)


def snapshot_at_or_before(conn: Connection, bucket: datetime) -> tuple[datetime, bytes] | None:
    found = rows(conn, "SELECT bucket, state FROM story_snapshots WHERE bucket <= :bucket"
                       " ORDER BY bucket DESC LIMIT 1", {"bucket": bucket})
    return (as_time(found[0][0]), bytes(found[0][1])) if found else None  # type: ignore


def replace_snapshots(conn: Connection, after: datetime,
                      snapshots: Sequence[tuple[datetime, bytes]], now: datetime,
                      keep_since: datetime) -> None:
    """Snapshots after ``after`` are replaced by ``snapshots``; those before ``keep_since``
    are dropped (they are older than any settling needs)."""
    run(conn, "DELETE FROM story_snapshots WHERE bucket > :after OR bucket < :keep",
        {"after": after, "keep": keep_since})
    run_many(conn, "INSERT INTO story_snapshots (bucket, state, saved_at)"
                   " VALUES (:bucket, :state, :now)",
             [(bucket, state, now) for bucket, state in snapshots])


def story_of(conn: Connection, board_no: int) -> int | None:
    return conn.execute(select(story_members.c.story_id)
                        .where(story_members.c.board_no == board_no)).scalar()


def members(conn: Connection, story_id: int) -> list[int]:
    return list(conn.execute(select(story_members.c.board_no)
                             .where(story_members.c.story_id == story_id)
                             .order_by(story_members.c.board_no)).scalars())


def story_sizes(conn: Connection, board_nos: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(story id, number of visible posts in it) for each post that has a story.

    Counted in Python from the (story_id, board_no) index: a board page's stories only, and
    no COUNT over the board (the web tests forbid board-wide counts).
    """
    numbers = list(board_nos)
    if not numbers:
        return {}
    mine = dict(conn.execute(select(story_members.c.board_no, story_members.c.story_id)
                             .where(story_members.c.board_no.in_(numbers))).all())
    if not mine:
        return {}
    sizes: dict[int, int] = {}
    query = (select(story_members.c.story_id)
             .join(articles, articles.c.board_no == story_members.c.board_no)
             .where(articles.c.hidden_at.is_(None),
                    story_members.c.story_id.in_(set(mine.values()))))
    for story_id in conn.execute(query).scalars():
        sizes[story_id] = sizes.get(story_id, 0) + 1
    return {b: (s, sizes.get(s, 0)) for b, s in mine.items()}


def links(conn: Connection) -> list[tuple[int, int, str]]:
    query = select(story_links).order_by(story_links.c.id)
    return [(r.a, r.b, r.kind) for r in conn.execute(query)]


def add_links(conn: Connection, pairs: Iterable[tuple[int, int]], kind: str, reason: str,
              now: datetime) -> None:
    rows = [{"a": a, "b": b, "kind": kind, "reason": reason, "created_at": now}
            for a, b in pairs]
    if rows:
        conn.execute(insert(story_links), rows)


def merge(conn: Connection, keep: int, other: int, reason: str, now: datetime, *,
          actor: str) -> int:
    """Operator: story ``other`` joins story ``keep``; remembered as ``together`` links,
    recorded in the audit log as ``actor``'s."""
    actor = check_actor(actor)
    if keep == other:
        raise ValueError("같은 이야기끼리는 합칠 수 없습니다.")
    kept, moved = members(conn, keep), members(conn, other)
    if not kept or not moved:
        raise NotFound(f"이야기 {keep if not kept else other}번이 없습니다.")
    conn.execute(delete(story_links).where(and_(
        story_links.c.kind == "apart",
        story_links.c.a.in_(kept + moved), story_links.c.b.in_(kept + moved))))
    add_links(conn, [(kept[0], b) for b in moved], "together", reason, now)
    conn.execute(update(story_members).where(story_members.c.story_id == other)
                 .values(story_id=keep))
    record(conn, actor=actor, action="story.merge", target=f"story:{keep}",
           before={str(keep): kept, str(other): moved},
           after={str(keep): sorted(kept + moved)}, reason=reason, now=now)
    bump_board_version(conn)  # story pages and board rows show stories
    return len(moved)


def split(conn: Connection, story_id: int, board_nos: Sequence[int], reason: str,
          now: datetime, *, actor: str) -> int:
    """Operator: these posts leave the story and form their own; remembered as links,
    recorded in the audit log as ``actor``'s."""
    actor = check_actor(actor)
    current = members(conn, story_id)
    if not current:
        raise NotFound(f"이야기 {story_id}번이 없습니다.")
    moving = [b for b in dict.fromkeys(board_nos) if b in current]
    staying = [b for b in current if b not in moving]
    if not moving or not staying:
        raise ValueError("옮길 글은 그 이야기에 속해야 하고, 남는 글이 있어야 합니다.")
    conn.execute(delete(story_links).where(and_(
        story_links.c.kind == "together",
        story_links.c.a.in_(current), story_links.c.b.in_(current))))
    add_links(conn, [(a, b) for a in moving for b in staying], "apart", reason, now)
    add_links(conn, [(moving[0], b) for b in moving[1:]], "together", reason, now)
    new_id = min(moving)
    conn.execute(update(story_members).where(story_members.c.board_no.in_(moving))
                 .values(story_id=new_id))
    stays_as = story_id
    if story_id in moving:  # the founder left: the rest keep the story under a new id
        stays_as = min(staying)
        conn.execute(update(story_members).where(story_members.c.board_no.in_(staying))
                     .values(story_id=stays_as))
    record(conn, actor=actor, action="story.split", target=f"story:{story_id}",
           before={str(story_id): current},
           after={str(stays_as): staying, str(new_id): sorted(moving)}, reason=reason, now=now)
    bump_board_version(conn)  # story pages and board rows show stories
    return new_id


def _when() -> Any:
    # the expression of index ix_articles_story_time (migration 0003_stories_time)
    return func.coalesce(articles.c.published_at, articles.c.collected_at)


def period_board_nos(conn: Connection, start: datetime | None,
                     end: datetime | None) -> list[int]:
    """Board numbers of the posts whose time is in [start, end), ascending.

    A range scan of the time index; the analyses are then read by board number in chunks
    (``analysed``), so a period at the end of 1,000,000 stored posts costs its own size."""
    query = select(articles.c.board_no)
    if start is not None:
        query = query.where(_when() >= start)
    if end is not None:
        query = query.where(_when() < end)
    return sorted(conn.execute(query).scalars())


def analysed(conn: Connection, board_nos: Sequence[int]) -> list[dict[str, Any]]:
    """These posts' stored analysis, time, current story (None if none) and what the story
    assigner orders and tells wire posts by, by board number; posts not analysed yet are left
    out.

    Only the fields stories read (terms and counted numbers; ``entities`` and ``phrases`` come
    back empty), through the driver with orjson: ``restory`` reads 1,000s of these a second,
    and SQLAlchemy's JSON processing of six columns was a third of its time."""
    found: list[dict[str, Any]] = []
    for at in range(0, len(board_nos), 500):
        sql = ("SELECT a.board_no, a.published_at, a.collected_at, m.story_id, m.score,"
               " n.version, n.title_terms, n.body_terms, n.numbers, n.lead_numbers,"
               " a.url, a.outlet, a.outlet_domain, n.content_hash FROM articles a"
               " JOIN article_analysis n ON n.board_no = a.board_no"
               " LEFT JOIN story_members m ON m.board_no = a.board_no"
               " WHERE a.board_no = ANY(:numbers)")
        found.extend({"board_no": number, "story_id": story_id, "score": score,
                      "time": story_time(as_time(published), as_time(collected)),
                      "url": url, "outlet": outlet, "outlet_domain": domain, "digest": digest,
                      "analysis": Analysis(tuple(as_json(title) or ()),
                                           tuple(as_json(body) or ()), (), (), version,
                                           tuple(as_json(numbers) or ()),
                                           tuple(as_json(lead) or ()))}
                     for number, published, collected, story_id, score, version, title, body,
                     numbers, lead, url, outlet, domain, digest in rows(
                         conn, sql, {"numbers": list(board_nos[at:at + 500])}))
    found.sort(key=lambda r: r["board_no"])
    return found


def wire_posts_between(conn: Connection, start: datetime, end: datetime, outlets: Sequence[str],
                       domains: Sequence[str]) -> list[tuple[int, tuple[str, ...]]]:
    """Analysed posts of the given (wire) outlets and outlet domains (a domain matches its
    subdomains too) in [start, end), with their analysed terms: the originals wire copies are
    looked for among. Read through the driver (a day holds thousands of wire posts, read once
    per analysis batch)."""
    params: dict[str, Any] = {"start": start, "end": end, "outlets": list(outlets)}
    params.update({f"d{i}": f"%{d}" for i, d in enumerate(domains)})
    wire = " OR ".join(["a.outlet = ANY(:outlets)"]
                       + [f"a.outlet_domain LIKE :d{i}" for i in range(len(domains))])
    sql = ("SELECT a.board_no, n.title_terms, n.body_terms FROM articles a "
           "JOIN article_analysis n ON n.board_no = a.board_no "
           "WHERE coalesce(a.published_at, a.collected_at) >= :start "
           f"AND coalesce(a.published_at, a.collected_at) < :end AND ({wire})")
    return [(number, tuple(as_json(title) or ()) + tuple(as_json(body) or ()))
            for number, title, body in rows(conn, sql, params)]


def count_analysed(conn: Connection, start: datetime | None, end: datetime | None) -> int:
    when = _when()
    query = select(func.count()).select_from(
        articles.join(article_analysis, article_analysis.c.board_no == articles.c.board_no))
    if start is not None:
        query = query.where(when >= start)
    if end is not None:
        query = query.where(when < end)
    return int(conn.execute(query).scalar() or 0)


@dataclass(frozen=True, slots=True)
class Coverage:
    """One post of a story as the story page lists it."""

    board_no: int
    outlet: str
    outlet_domain: str
    title: str
    tags: tuple[str, ...]
    time: datetime | None
    wire_original: int | None  # the wire post this one copies, if any
    is_wire: bool


@dataclass(slots=True)
class StoryView:
    story_id: int
    coverage: list[Coverage]  # oldest first

    @property
    def first(self) -> Coverage:
        return self.coverage[0]

    def exclusive_claims(self) -> list[tuple[Coverage, bool]]:
        """Posts labelled [단독], and whether each was in fact the first report."""
        return [(c, c.board_no == self.first.board_no) for c in self.coverage if "단독" in c.tags]


def story_view(conn: Connection, story_id: int, *,
               is_wire: Callable[[str, str], bool] = lambda outlet, domain: False) -> StoryView:
    """Every visible post of a story, oldest first; NotFound when it has none. ``is_wire``
    tells a wire service's post by its outlet and domain (``dedup.wire``)."""
    from ranknews.store.dedup import wire_copies

    query = (select(articles.c.board_no, articles.c.outlet, articles.c.outlet_domain,
                    articles.c.title, articles.c.tags, articles.c.published_at,
                    articles.c.collected_at, wire_copies.c.original_board_no)
             .join(story_members, story_members.c.board_no == articles.c.board_no)
             .outerjoin(wire_copies, wire_copies.c.board_no == articles.c.board_no)
             .where(story_members.c.story_id == story_id, articles.c.hidden_at.is_(None)))
    coverage = [Coverage(r.board_no, r.outlet, r.outlet_domain, r.title, tuple(r.tags or ()),
                         article_time(r._mapping), r.original_board_no,
                         is_wire(r.outlet, r.outlet_domain))
                for r in conn.execute(query)]
    if not coverage:
        raise NotFound(f"이야기 {story_id}번이 없습니다.")
    far = datetime.max.replace(tzinfo=timezone.utc)
    coverage.sort(key=lambda c: (c.time or far, c.board_no))
    return StoryView(story_id, coverage)


def newest_of_stories(conn: Connection, board_nos: Sequence[int]) -> set[int]:
    """Those of ``board_nos`` that are the newest visible post of their story (or have none):
    the rows a one-row-per-story board keeps."""
    mine = dict(conn.execute(select(story_members.c.board_no, story_members.c.story_id)
                             .where(story_members.c.board_no.in_(list(board_nos)))).all())
    newest: dict[int, int] = {}
    if mine:
        query = (select(story_members.c.story_id, story_members.c.board_no)
                 .join(articles, articles.c.board_no == story_members.c.board_no)
                 .where(articles.c.hidden_at.is_(None),
                        story_members.c.story_id.in_(set(mine.values()))))
        for story_id, board_no in conn.execute(query):
            newest[story_id] = max(newest.get(story_id, 0), board_no)
    return {b for b in board_nos if b not in mine or newest.get(mine[b]) == b}


# -- the one-row-per-story board -----------------------------------------------------------

STORY_BOARD_ROUNDS = 8  # board batches read per page at most (each 2 × page size posts)


def story_board_page(conn: Connection, pages: PageMap, *, size: int,
                     flt: BoardFilter | None = None, before: int | None = None,
                     after: int | None = None) -> BoardPage:
    """A page of the one-row-per-story board: ``size`` story heads, newest first.

    A story's head is its newest visible post (a post with no story is its own head), so
    each story appears once on the whole board, at its latest post. The page walks the
    ordinary keyset board (``store.board``) in batches from its cursor and keeps the heads
    until it has ``size`` of them, so a page is full unless the board ends (or
    ``STORY_BOARD_ROUNDS`` batches held too few heads; the cursor then continues where the
    walk stopped). Paging is by cursors only (``before`` / ``after``): page numbers of the
    post board do not count stories.
    """
    flt = flt or BoardFilter()
    pages.refresh(conn)
    if after is not None:
        rows, beyond = _heads(conn, flt, after, size, older=False)
        result = BoardPage(rows, flt, newer=beyond)
    else:
        rows, beyond = _heads(conn, flt, before if before is not None else _TOP, size,
                              older=True, inclusive=before is None)
        result = BoardPage(rows, flt, older=beyond)
    if rows and after is not None:
        result.older = _cursor_if_any(conn, flt, rows[-1].board_no, older=True)
    elif rows:
        result.newer = _cursor_if_any(conn, flt, rows[0].board_no, older=False)
    return result


def _cursor_if_any(conn: Connection, flt: BoardFilter, bound: int, *,
                   older: bool) -> int | None:
    """``bound`` as a cursor if some head lies beyond it (or the walk could not tell)."""
    found, beyond = _heads(conn, flt, bound, 1, older=older)
    return bound if found or beyond is not None else None


def _heads(conn: Connection, flt: BoardFilter, bound: int, want: int, *, older: bool,
           inclusive: bool = False) -> tuple[list[BoardRow], int | None]:
    """Up to ``want`` heads beyond ``bound`` (newest first), and the cursor beyond them when
    more may follow: the last head shown, or where the walk gave up."""
    found: list[BoardRow] = []
    batch = 2 * want + 1
    for _ in range(STORY_BOARD_ROUNDS):
        rows = (_older_than(conn, flt, bound, batch, inclusive=inclusive) if older
                else _newer_than(conn, flt, bound, batch)[::-1])  # going up: oldest first
        inclusive = False
        if not rows:
            return _ordered(found, older), None
        keep = newest_of_stories(conn, [r.board_no for r in rows])
        for row in rows:
            if row.board_no in keep:
                found.append(row)
                if len(found) > want:
                    shown = found[:want]
                    return _ordered(shown, older), shown[-1].board_no
        if len(rows) < batch:
            return _ordered(found, older), None
        bound = rows[-1].board_no
    return _ordered(found, older), bound  # too few heads in the rounds allowed


def _ordered(rows: list[BoardRow], older: bool) -> list[BoardRow]:
    return rows if older else rows[::-1]
