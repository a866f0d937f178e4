"""The board's queries, shared by the HTML pages and their JSON twins.

Pagination is keyset only: a page is "the newest ``size`` visible posts with board_no at or
below a bound", answered from the primary key (or the outlet/section indexes) without OFFSET.
Page numbers still work on the unfiltered board: ``PageMap`` keeps the board numbers in memory
(8 bytes a post) plus the small sorted list of hidden ones, and turns "page N" into a bound
with two binary searches. It refreshes incrementally when ``board_version`` moves: new numbers
are appended (``board_no > top``, an index range), hidden ones are re-read through the partial
index ``ix_articles_hidden`` (migration 0002_web). No COUNT(*) runs per request. The queries
run through the driver (``store/driver.py``): SQLAlchemy's per-statement cost was larger
than the render budget.

Filtered views (outlet, section) page with ``before``/``after`` cursors instead.
Hidden posts (``hidden_at`` set) never leave this module.
"""

from __future__ import annotations

import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import Connection

from ranknews.errors import NotFound
from ranknews.models import Article
from ranknews.store.articles import row_to_article
from ranknews.store.db import BOARD_VERSION, RANK_VERSION
from ranknews.store.driver import as_json, as_time, rows

# board_no is a 32-bit INTEGER on PostgreSQL; cursors from readers may be larger.
MAX_BOARD_NO = 2**31 - 1
_TOP = MAX_BOARD_NO + 1  # above every board number
_ROW_FIELDS = ("board_no", "title", "tags", "outlet", "outlet_domain", "section",
               "published_at", "collected_at")
_ARTICLE_COLUMNS = ("board_no", "url", "canonical_url", "outlet", "outlet_domain", "title",
                    "tags", "subtitles", "authors", "summary", "section", "blocks",
                    "published_at", "updated_at", "collected_at", "extra")
_JSON_COLUMNS = {"tags", "subtitles", "authors", "blocks", "extra"}
_TIME_COLUMNS = {"published_at", "updated_at", "collected_at"}


def _selected(columns: tuple[str, ...], table: str = "") -> str:
    """The select list of ``columns``, JSON ones read as text and decoded by orjson in
    ``as_json``: psycopg's JSON loader, in Python, cost a fifth of an uncached board page on
    PostgreSQL (0.19 against 0.14 ms for the page's statement). A no-op on SQLite."""
    prefix = f"{table}." if table else ""
    return ", ".join(f"CAST({prefix}{c} AS TEXT) AS {c}" if c in _JSON_COLUMNS else prefix + c
                     for c in columns)


_ROW_COLUMNS = _selected(_ROW_FIELDS)


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
    # the post's story and how many visible posts it holds (1: no story); 0: not read
    story_id: int | None = None
    story_size: int = 0


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
    wire_copy: tuple[int, float] | None = None  # (original's board number, containment)


class PageMap:
    """The visible board numbers of the unfiltered board, for page number → keyset bound.

    Also keeps the outlets' display modes (a small table, changed only with board_version),
    and ``remember`` keeps other rarely changing reads (the home page's rank snapshots) until
    their counter moves. ``check_seconds`` throttles the one query that reads the counters
    (board_version, rank_version), as the page cache does: within that interval a page runs
    no query for them.
    """

    def __init__(self, check_seconds: float = 0.0) -> None:
        self.check_seconds = check_seconds
        self._numbers = array("q")  # every board_no, ascending (hidden ones too)
        self._hidden: list[int] = []  # hidden board numbers, ascending
        self._hidden_set: frozenset[int] = frozenset()
        self._modes: dict[str, str] = {}
        self._version: int | None = None
        self._versions: dict[str, int] = {}
        self._memo: dict[str, tuple[int, Any]] = {}
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def refresh(self, conn: Connection, *, force: bool = False) -> None:
        """Bring the map up to date if the board changed since it was last read."""
        now = time.monotonic()
        if not force and now - self._checked < self.check_seconds:
            return
        self._checked = now
        found = dict(rows(conn, "SELECT key, value FROM site_state "
                                "WHERE key IN ('board_version', 'rank_version')"))
        self._versions = {key: int(value) for key, value in found.items()}
        version = self._versions.get(BOARD_VERSION, 0)
        if version == self._version:
            return
        with self._lock:
            if version != self._version:
                self._load(conn)
                self._version = version

    def _load(self, conn: Connection) -> None:
        top = self._numbers[-1] if self._numbers else 0
        # sorted() rather than ORDER BY: without a range SQLite then scans its narrowest
        # covering index instead of the wide table.
        new = rows(conn, "SELECT board_no FROM articles WHERE board_no > :top", {"top": top}
                    ) if top else rows(conn, "SELECT board_no FROM articles")
        self._numbers.extend(sorted(n for (n,) in new))
        hidden = sorted(n for (n,) in rows(
            conn, "SELECT board_no FROM articles WHERE hidden_at IS NOT NULL"))
        self._hidden, self._hidden_set = hidden, frozenset(hidden)
        self._modes = dict(rows(conn, "SELECT domain, display_mode FROM outlets "
                                       "WHERE display_mode IS NOT NULL"))

    def remember(self, name: str, load: Callable[[], Any], counter: str = RANK_VERSION) -> Any:
        """``load()``'s value, read again only when ``counter`` moved since it was read (as
        of the last ``refresh``). Values are shared by all requests: treat them as read-only."""
        version = self._versions.get(counter, 0)
        held = self._memo.get(name)
        if held is not None and held[0] == version:
            return held[1]
        value = load()
        self._memo[name] = (version, value)
        return value

    def display_mode(self, domain: str, default: str) -> str:
        """The outlet's display mode (full / excerpt), else the site default."""
        return self._modes.get(domain) or default

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


def _page_sql(flt: BoardFilter, condition: str, params: dict[str, Any], order: str,
              limit: int) -> str:
    where = ["hidden_at IS NULL"]
    if flt.outlet:
        where.append("outlet_domain = :outlet")
        params["outlet"] = flt.outlet
    if flt.section:
        where.append("section = :section")
        params["section"] = flt.section
    if condition:
        where.append(condition)
    # The limit is written into the statement, not bound: PostgreSQL plans a prepared
    # statement with a bound LIMIT for a tenth of the table and so re-plans it on every
    # execution (a custom plan, ~0.3 ms for the page with its stories); with the number
    # written in, the generic plan is kept. A page uses a handful of limits (size, size + 1,
    # size + 2, 1), so a handful of prepared statements.
    return (f"SELECT {_ROW_COLUMNS} FROM articles WHERE {' AND '.join(where)} "
            f"ORDER BY board_no {order} LIMIT {int(limit)}")


def _rows(conn: Connection, flt: BoardFilter, condition: str, params: dict[str, Any],
          order: str, limit: int, *, stories: bool = False) -> list[BoardRow]:
    sql = _page_sql(flt, condition, params, order, limit)
    if not stories:
        return [_board_row(values) for values in rows(conn, sql, params)]
    return _with_stories(rows(conn, _STORIES_SQL.format(page=sql, pad="", first=""), params),
                         order)[0]


def _board_row(values: Any, story_id: int | None = None, story_size: int = 0) -> BoardRow:
    no, title, tags, outlet, domain, section, published, collected = values
    return BoardRow(no, title, tuple(as_json(tags) or ()), outlet, domain, section,
                    as_time(published) or as_time(collected), story_id, story_size)


# A page's rows with their stories in one round trip: the page (kind 0) with each row's
# story, then (kind 1) one line per visible member of those stories, counted in Python. The
# members come from the (story_id, board_no) index; no COUNT runs on the database. An
# article page adds its article (kind 2, ``_ARTICLE_BRANCH``) to the same statement; the
# other kinds then carry NULLs in its columns (``pad``).
_STORIES_SQL = (
    "WITH page AS ({page}) {first}"
    "SELECT 0, page.*, m.story_id{pad} FROM page "
    "LEFT JOIN story_members m ON m.board_no = page.board_no "
    "UNION ALL "
    "SELECT 1, s.board_no, NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.story_id{pad} "
    "FROM story_members s JOIN articles a ON a.board_no = s.board_no "
    "WHERE a.hidden_at IS NULL AND s.story_id IN (SELECT m.story_id FROM story_members m "
    "JOIN page ON page.board_no = m.board_no)")
_ARTICLE_REST = tuple(c for c in _ARTICLE_COLUMNS if c not in _ROW_FIELDS)
_ARTICLE_BRANCH = (  # first: PostgreSQL types the union's columns from the left
    "SELECT 2, " + _selected(_ROW_FIELDS, "w") + ", NULL, "
    + _selected(_ARTICLE_REST, "w") + ", c.original_board_no, c.containment "
    "FROM articles w LEFT JOIN wire_copies c ON c.board_no = w.board_no "
    "WHERE w.hidden_at IS NULL AND w.board_no = :article UNION ALL ")
_ARTICLE_PAD = ", NULL" * (len(_ARTICLE_REST) + 2)
_ROW_END = 1 + len(_ROW_FIELDS)  # kind, the row's columns, then its story


def _with_stories(found: list[tuple], order: str
                  ) -> tuple[list[BoardRow], tuple[Article, tuple[int, float] | None] | None]:
    """The page's rows with their story sizes, and the article of kind 2 (with its wire-copy
    mark) if the statement asked for one and it is visible."""
    sizes: dict[int, int] = {}
    page, article = [], None
    for values in found:
        kind, story_id = values[0], values[_ROW_END]
        if kind == 1:
            sizes[story_id] = sizes.get(story_id, 0) + 1
        elif kind == 0:
            page.append((values[1:_ROW_END], story_id))
        else:
            rest = values[_ROW_END + 1:_ROW_END + 1 + len(_ARTICLE_REST)]
            named = dict(zip(_ROW_FIELDS, values[1:_ROW_END])) | dict(zip(_ARTICLE_REST, rest))
            original, containment = values[-2:]
            article = (_article(tuple(named[c] for c in _ARTICLE_COLUMNS)),
                       (original, containment) if original is not None else None)
    page.sort(key=lambda item: item[0][0], reverse=order == "DESC")
    return ([_board_row(values, story_id, sizes.get(story_id, 0) if story_id is not None else 1)
             for values, story_id in page], article)


def _older_than(conn: Connection, flt: BoardFilter, bound: int, limit: int,
                *, inclusive: bool, stories: bool = False) -> list[BoardRow]:
    if bound > MAX_BOARD_NO:  # a cursor above every number is no condition at all
        return _rows(conn, flt, "", {}, "DESC", limit, stories=stories)
    condition = "board_no <= :bound" if inclusive else "board_no < :bound"
    return _rows(conn, flt, condition, {"bound": bound}, "DESC", limit, stories=stories)


def _newer_than(conn: Connection, flt: BoardFilter, bound: int, limit: int,
                *, stories: bool = False) -> list[BoardRow]:
    if bound >= MAX_BOARD_NO:
        return []
    return _rows(conn, flt, "board_no > :bound", {"bound": bound}, "ASC", limit,
                 stories=stories)[::-1]


def board_page(conn: Connection, pages: PageMap, *, size: int, page: int = 1,
               flt: BoardFilter = BoardFilter(), before: int | None = None,
               after: int | None = None) -> BoardPage:
    """One page of the board, newest first.

    ``page`` numbers work on the unfiltered board; ``before``/``after`` cursors anywhere.
    A page past the end comes back with no rows (the caller shows a link back). The rows
    come with their stories (``story_id``, ``story_size``), read in the same statement.
    """
    pages.refresh(conn)
    if after is not None:
        rows = _newer_than(conn, flt, after, size + 1, stories=True)
        has_newer, rows = len(rows) > size, rows[-size:]
        result = BoardPage(rows, flt, newer=rows[0].board_no if has_newer and rows else None)
        result.older = _older_cursor(conn, flt, rows)
    elif before is not None or flt.active:
        bound = before if before is not None else _TOP
        rows = _older_than(conn, flt, bound, size + 1, inclusive=before is None, stories=True)
        result = BoardPage(rows[:size], flt,
                           older=rows[size - 1].board_no if len(rows) > size else None)
        result.newer = _newer_cursor(conn, flt, result.rows)
    else:
        bound = pages.nth_from_top((page - 1) * size)
        rows = [] if bound is None else _older_than(conn, flt, bound, size, inclusive=True,
                                                    stories=True)
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


def _articles(conn: Connection, condition: str, params: dict[str, Any]) -> list[Article]:
    sql = (f"SELECT {_selected(_ARTICLE_COLUMNS)} FROM articles "
           f"WHERE hidden_at IS NULL AND {condition}")
    return [_article(values) for values in rows(conn, sql, params)]


def _article(values: tuple) -> Article:
    row = dict(zip(_ARTICLE_COLUMNS, values))
    for name in _JSON_COLUMNS:
        row[name] = as_json(row[name])
    for name in _TIME_COLUMNS:
        row[name] = as_time(row[name])
    return row_to_article(row)


def _neighbours(conn: Connection, board: BoardPage, board_no: int
                ) -> tuple[BoardRow | None, BoardRow | None]:
    """The posts below and above this one: from its board page, or one query at an edge."""
    numbers = [r.board_no for r in board.rows]
    i = numbers.index(board_no) if board_no in numbers else -1
    if 0 < i < len(numbers) - 1:
        return board.rows[i + 1], board.rows[i - 1]
    older = (board.rows[i + 1:i + 2] if 0 <= i < len(numbers) - 1
             else _older_than(conn, BoardFilter(), board_no, 1, inclusive=False))
    newer = (board.rows[i - 1:i] if i > 0 else _newer_than(conn, BoardFilter(), board_no, 1))
    return (older[0] if older else None), (newer[0] if newer else None)


def _article_page(conn: Connection, pages: PageMap, board_no: int, size: int
                  ) -> tuple[Article, tuple[int, float] | None, BoardPage, BoardRow | None,
                             BoardRow | None]:
    """A visible post (with its wire-copy mark), the board page holding it, and the posts
    below and above it, in one statement: the article, and the page's rows from the post
    just above the page down to the one just below it. NotFound if it is not visible."""
    page = pages.page_of(board_no, size)
    bound = pages.nth_from_top((page - 1) * size)
    above = pages.nth_from_top((page - 1) * size - 1) if page > 1 else None
    if bound is None:  # the map changed under us: no page to show with it
        bound = board_no
    params: dict[str, Any] = {"bound": above or bound, "article": board_no}
    sql = _page_sql(BoardFilter(), "board_no <= :bound", params, "DESC",
                    size + 1 + (above is not None))
    found, article = _with_stories(rows(conn, _STORIES_SQL.format(
        page=sql, pad=_ARTICLE_PAD, first=_ARTICLE_BRANCH), params), "DESC")
    if article is None:
        raise NotFound(f"{board_no}번 글이 없습니다.")
    inside = [r for r in found if r.board_no <= bound]
    board = BoardPage(inside[:size], BoardFilter(), page=page, total=pages.total,
                      page_count=pages.page_count(size))
    numbers = [r.board_no for r in found]
    if board_no not in numbers:  # the board moved since the page map was read
        return (*article, board, *_neighbours(conn, board, board_no))
    i = numbers.index(board_no)
    return (*article, board, found[i + 1] if i + 1 < len(found) else None,
            found[i - 1] if i else None)


def article_view(conn: Connection, pages: PageMap, board_no: int, *, size: int,
                 default_mode: str) -> ArticleView:
    """A visible post with its neighbours and the board page that holds it; else NotFound."""
    pages.refresh(conn)
    if board_no not in pages:
        pages.refresh(conn, force=True)  # it may have arrived since the last check
    if board_no not in pages:
        raise NotFound(f"{board_no}번 글이 없습니다.")
    article, copy, board, older, newer = _article_page(conn, pages, board_no, size)
    mode = pages.display_mode(article.outlet_domain or article.outlet, default_mode)
    return ArticleView(article, mode, older, newer, board, copy)


def latest(conn: Connection, pages: PageMap, *, limit: int) -> list[Article]:
    """The newest visible posts in full (for feeds)."""
    pages.refresh(conn)
    return _articles(conn, "board_no > 0 ORDER BY board_no DESC LIMIT :limit", {"limit": limit})
