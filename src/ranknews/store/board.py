"""The board's queries, shared by the HTML pages and their JSON twins.

Pagination is keyset only: a page is "the newest ``size`` visible posts with board_no at or
below a bound", answered from the primary key (or the outlet/section indexes) without OFFSET.
Page numbers still work on the unfiltered board: ``PageMap`` keeps the board numbers in memory
(8 bytes a post) plus the small sorted list of hidden ones, and turns "page N" into a bound
with two binary searches. It refreshes incrementally when ``board_version`` moves: new numbers
are appended (``board_no > top``, an index range), hidden ones are re-read through the partial
index ``ix_articles_hidden`` (migration 0002_web). No COUNT(*) runs per request.

Filtered views (outlet, section) page with ``before``/``after`` cursors instead.
Hidden posts (``hidden_at`` set) never leave this module.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, select

from ranknews.errors import NotFound
from ranknews.models import Article
from ranknews.store.articles import get_article, row_to_article
from ranknews.store.db import board_version
from ranknews.store.schema import articles, outlets

# board_no is a 32-bit INTEGER on PostgreSQL; cursors from readers may be larger.
MAX_BOARD_NO = 2**31 - 1
_TOP = MAX_BOARD_NO + 1  # above every board number
_ROW_COLUMNS = (articles.c.board_no, articles.c.title, articles.c.tags, articles.c.outlet,
                articles.c.outlet_domain, articles.c.section, articles.c.published_at,
                articles.c.collected_at)


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One line of the board: 번호 | 제목 | 글쓴이 | 날짜."""

    board_no: int
    title: str
    tags: tuple[str, ...]
    outlet: str
    outlet_domain: str
    section: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class BoardFilter:
    outlet: str | None = None  # outlet domain, e.g. www.khan.co.kr
    section: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.outlet or self.section)


@dataclass(slots=True)
class BoardPage:
    rows: list[BoardRow]
    filter: BoardFilter = field(default_factory=BoardFilter)
    page: int | None = None  # page number, when known (unfiltered board)
    page_count: int | None = None  # unfiltered board only
    total: int | None = None  # visible posts, unfiltered board only
    older: int | None = None  # cursor: ?before=older shows the next, older page
    newer: int | None = None  # cursor: ?after=newer shows the previous, newer page


@dataclass(slots=True)
class ArticleView:
    article: Article
    display_mode: str  # "full" or "excerpt"
    older: BoardRow | None  # the post below it on the board
    newer: BoardRow | None  # the post above it
    board: BoardPage  # the board page that holds it


class PageMap:
    """The visible board numbers of the unfiltered board, for page number → keyset bound."""

    def __init__(self) -> None:
        self._numbers = array("q")  # every board_no, ascending (hidden ones too)
        self._hidden: list[int] = []  # hidden board numbers, ascending
        self._hidden_set: frozenset[int] = frozenset()
        self._version: int | None = None
        self._lock = threading.Lock()

    def refresh(self, conn: Connection) -> None:
        """Bring the map up to date if the board changed since it was last read."""
        version = board_version(conn)
        if version == self._version:
            return
        with self._lock:
            if version == self._version:
                return
            self._load(conn)
            self._version = version

    def _load(self, conn: Connection) -> None:
        top = self._numbers[-1] if self._numbers else 0
        query = select(articles.c.board_no)
        if top:
            query = query.where(articles.c.board_no > top)
        # sorted() here rather than ORDER BY: without a range SQLite then scans its narrowest
        # covering index instead of the wide table.
        self._numbers.extend(sorted(conn.execute(query).scalars()))
        hidden = sorted(conn.execute(
            select(articles.c.board_no).where(articles.c.hidden_at.is_not(None))).scalars())
        self._hidden, self._hidden_set = hidden, frozenset(hidden)

    @property
    def total(self) -> int:
        return len(self._numbers) - len(self._hidden)

    @property
    def hidden_count(self) -> int:
        return len(self._hidden)

    def page_count(self, size: int) -> int:
        return max(1, -(-self.total // size))

    def _hidden_above(self, board_no: int) -> int:
        return len(self._hidden) - bisect_right(self._hidden, board_no)

    def nth_from_top(self, k: int) -> int | None:
        """The board number of the k-th (0-based) visible post, newest first."""
        numbers, count = self._numbers, len(self._numbers)
        p = k
        while p < count:
            number = numbers[count - 1 - p]
            # p - hidden_above(p) never exceeds k, so p only moves forward
            target = k + self._hidden_above(number)
            if target > p:
                p = target
            elif number in self._hidden_set:
                p += 1
            else:
                return number
        return None

    def page_of(self, board_no: int, size: int) -> int:
        """The page (1-based) of the unfiltered board that shows this visible post."""
        above = len(self._numbers) - bisect_right(self._numbers, board_no)
        return (above - self._hidden_above(board_no)) // size + 1

    def newest(self) -> int | None:
        return self.nth_from_top(0)

    def __contains__(self, board_no: int) -> bool:
        i = bisect_left(self._numbers, board_no)
        return (i < len(self._numbers) and self._numbers[i] == board_no
                and board_no not in self._hidden_set)


def _visible_rows(flt: BoardFilter):  # noqa: ANN202 - a SQLAlchemy Select
    query = select(*_ROW_COLUMNS).where(articles.c.hidden_at.is_(None))
    if flt.outlet:
        query = query.where(articles.c.outlet_domain == flt.outlet)
    if flt.section:
        query = query.where(articles.c.section == flt.section)
    return query


def _row(r) -> BoardRow:  # noqa: ANN001 - a SQLAlchemy Row
    return BoardRow(r.board_no, r.title, tuple(r.tags or ()), r.outlet, r.outlet_domain,
                    r.section, r.published_at or r.collected_at)


def _older_than(conn: Connection, flt: BoardFilter, bound: int, limit: int,
                *, inclusive: bool) -> list[BoardRow]:
    query = _visible_rows(flt)
    if bound <= MAX_BOARD_NO:  # a cursor above every number is no condition at all
        query = query.where(articles.c.board_no <= bound if inclusive
                            else articles.c.board_no < bound)
    query = query.order_by(articles.c.board_no.desc()).limit(limit)
    return [_row(r) for r in conn.execute(query)]


def _newer_than(conn: Connection, flt: BoardFilter, bound: int, limit: int) -> list[BoardRow]:
    if bound >= MAX_BOARD_NO:
        return []
    query = (_visible_rows(flt).where(articles.c.board_no > bound)
             .order_by(articles.c.board_no.asc()).limit(limit))
    return [_row(r) for r in reversed(conn.execute(query).all())]


def board_page(conn: Connection, pages: PageMap, *, size: int, page: int = 1,
               flt: BoardFilter = BoardFilter(), before: int | None = None,
               after: int | None = None) -> BoardPage:
    """One page of the board, newest first.

    ``page`` numbers work on the unfiltered board; ``before``/``after`` cursors anywhere.
    A page past the end comes back with no rows (the caller shows a link back).
    """
    pages.refresh(conn)
    if after is not None:
        rows = _newer_than(conn, flt, after, size + 1)
        has_newer, rows = len(rows) > size, rows[-size:]
        result = BoardPage(rows, flt, newer=rows[0].board_no if has_newer and rows else None)
        result.older = _older_cursor(conn, flt, rows)
    elif before is not None or flt.active:
        bound = before if before is not None else _TOP
        rows = _older_than(conn, flt, bound, size + 1, inclusive=before is None)
        result = BoardPage(rows[:size], flt,
                           older=rows[size - 1].board_no if len(rows) > size else None)
        result.newer = _newer_cursor(conn, flt, result.rows)
    else:
        bound = pages.nth_from_top((page - 1) * size)
        rows = [] if bound is None else _older_than(conn, flt, bound, size, inclusive=True)
        result = BoardPage(rows, flt, page=page)
    if not flt.active:
        result.total, result.page_count = pages.total, pages.page_count(size)
        if result.page is None and result.rows:
            result.page = pages.page_of(result.rows[0].board_no, size)
    return result




def _older_cursor(conn: Connection, flt: BoardFilter, rows: list[BoardRow]) -> int | None:
    if not rows:
        return None
    probe = _older_than(conn, flt, rows[-1].board_no, 1, inclusive=False)
    return rows[-1].board_no if probe else None


def _newer_cursor(conn: Connection, flt: BoardFilter, rows: list[BoardRow]) -> int | None:
    if not rows:
        return None
    probe = _newer_than(conn, flt, rows[0].board_no, 1)
    return rows[0].board_no if probe else None


def display_mode(conn: Connection, domain: str, default: str) -> str:
    """The outlet's display mode (full / excerpt), else the site default."""
    mode = conn.execute(select(outlets.c.display_mode)
                        .where(outlets.c.domain == domain)).scalar()
    return mode or default


def article_view(conn: Connection, pages: PageMap, board_no: int, *, size: int,
                 default_mode: str) -> ArticleView:
    """A visible post with its neighbours and the board page that holds it; else NotFound."""
    pages.refresh(conn)
    if board_no not in pages:
        raise NotFound(f"{board_no}번 글이 없습니다.")
    article = get_article(conn, board_no)
    older = _older_than(conn, BoardFilter(), board_no, 1, inclusive=False)
    newer = _newer_than(conn, BoardFilter(), board_no, 1)
    board = board_page(conn, pages, size=size, page=pages.page_of(board_no, size))
    mode = display_mode(conn, article.outlet_domain or article.outlet, default_mode)
    return ArticleView(article, mode, older[0] if older else None,
                       newer[0] if newer else None, board)


def latest(conn: Connection, pages: PageMap, *, limit: int) -> list[Article]:
    """The newest visible posts in full (for feeds)."""
    pages.refresh(conn)
    query = (select(articles).where(articles.c.hidden_at.is_(None))
             .order_by(articles.c.board_no.desc()).limit(limit))
    return [row_to_article(r) for r in conn.execute(query)]
