"""Search candidates on PostgreSQL: the newest matching posts, without reading every match.

Tables (migration 0007_pgperf_search):
- ``search_terms(board_no, terms)``: one small tsvector per post with its lexemes only (no
  positions, no weights) plus one *slice* lexeme ``#s<board_no // SLICE>``, GIN-indexed.
  A post's bigrams without positions are about a tenth of the positional vector, and a
  query loosened to AND/OR over lexemes (``tsquery.loosen``) is answered by GIN exactly,
  so no row is read back to recheck it.
- ``search_documents``: the token columns (title, lead, grams), read for the candidates
  only, for the exact check (``tsquery.matches``: phrases and columns) and for ranking.

Newest first without sorting every match: the loosened query is ANDed with the slice
lexemes of the newest slices, a few at a time (3, then 6, 24, 96 slices older), so GIN
walks the posting lists of a few thousand posts, not of the whole board (its fast scan
skips through the larger lists); a common word fills the window from the newest slice. A
rare word finds its few matches in each step, and after the last window the rest of the
board is searched without slices. Each step takes a batch of the newest matches of its
window (``ORDER BY board_no + 0``: a top-N sort of that window's matches, never a walk
of the primary key testing every row), joins the post and its token columns in the same
statement, and keeps the exact matches, until ``limit`` posts are found.
"""

from __future__ import annotations

import time
from typing import Any, Iterator

from sqlalchemy import Connection

from ranknews.store.driver import as_time, rows
from ranknews.store.search_rows import WORD_START, Candidate, lexeme_literal
from ranknews.store.tsquery import Document, loosen, matches, parse

SLICE = 4096  # board numbers per slice lexeme; fixed by the stored vectors
_WINDOWS = (3, 6, 24, 96)  # slices per step, newest first (the first from the slice after
# the newest indexed post's); then the rest
_MAX_BATCH = 2000
_TOP_SECONDS = 5.0  # how long the newest board number is reused (one query less per search)
_tops: dict[str, tuple[float, int]] = {}


def slice_lexeme(board_no: int) -> str:
    return _slice_name(board_no // SLICE)


def _slice_name(number: int) -> str:
    return f"#s{number}"


def terms_literal(title: str, lead: str, grams: str, board_no: int) -> str:
    """The position-free tsvector literal of a document: its distinct tokens and its slice."""
    tokens = set(title.split())
    tokens.update(lead.split())
    tokens.update(grams.split())
    tokens.discard(WORD_START)  # the word-start marker is no token
    tokens.add(slice_lexeme(board_no))
    return " ".join(lexeme_literal(t) for t in tokens)


def _top(conn: Connection) -> int | None:
    """The newest indexed board number, read at most every few seconds per database. The
    first window also takes the slice after it, so posts indexed meanwhile are not missed
    (4,096 posts in a few seconds would be needed to pass it)."""
    key = conn.engine.url.render_as_string(hide_password=True)
    now = time.monotonic()
    cached = _tops.get(key)
    if cached and now - cached[0] < _TOP_SECONDS:
        return cached[1]
    top = rows(conn, "SELECT max(board_no) FROM search_terms")[0][0]
    if top is not None:
        _tops[key] = (now, top)
    return top


def forget_top() -> None:
    """Documents were saved here: read the newest board number again."""
    _tops.clear()


def _windows(top: int) -> Iterator[tuple[str, int]]:
    """(slice condition, lowest board number covered) per step, newest first; the last step
    has no slice condition and covers everything older."""
    newest = top // SLICE + 1
    for size in _WINDOWS:
        oldest = max(newest - size + 1, 0)
        slices = " | ".join(lexeme_literal(_slice_name(s)) for s in range(newest, oldest - 1, -1))
        yield f"({slices})", oldest * SLICE
        if oldest == 0:
            return
        newest = oldest - 1
    yield "", 0


def candidates(conn: Connection, tsquery: str, where: str, params: dict[str, Any],
               limit: int) -> list[Candidate]:
    """The newest ``limit`` visible posts matching ``tsquery`` exactly, with their token
    columns. ``where`` holds the filters on ``a`` (articles), as ``store.search`` writes them."""
    if limit <= 0:
        return []
    node = parse(tsquery)
    loose = loosen(node)
    top = _top(conn)
    if top is None:
        return []
    found: list[Candidate] = []
    below = (top // SLICE + 2) * SLICE
    for window, lowest in _windows(top):
        batch = limit + 20  # most loosened matches are exact
        while True:
            q = f"({loose}) & {window}" if window else loose
            got = rows(conn, _STEP_SQL.format(where=where), {**params, "q": q, "below": below,
                                                               "n": batch})
            for no, when, title, lead, grams in got:
                if title is not None and matches(node, Document(title, lead, grams)):
                    found.append(Candidate(no, as_time(when), title, lead, grams))
                    if len(found) >= limit:
                        return found
            if len(got) < batch:
                break
            below = got[-1][0]
            batch = min(batch * 2, _MAX_BATCH)
        below = lowest
        if below <= 0:
            break
    return found


# The step: the window's newest matches (by the lexeme index alone), then the post (visible,
# filtered) and its token columns; a row whose post is hidden or filtered out comes back with
# NULL columns, so that the step still sees how many matches it took.
_STEP_SQL = (
    "WITH m AS (SELECT board_no FROM search_terms WHERE terms @@ CAST(:q AS tsquery)"
    " AND board_no < :below ORDER BY board_no + 0 DESC LIMIT :n)"
    " SELECT m.board_no, coalesce(a.published_at, a.collected_at), d.title, d.lead, d.grams"
    " FROM m LEFT JOIN articles a ON a.board_no = m.board_no AND a.hidden_at IS NULL{where}"
    " LEFT JOIN search_documents d ON d.board_no = a.board_no"
    " ORDER BY m.board_no DESC")

