"""The board's page map and keyset queries, checked against a plain list of visible posts."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timezone

from ranknews.models import Article, Paragraph
from ranknews.pipeline.saving import save_articles
from ranknews.store.articles import hide, unhide
from ranknews.store.board import BoardFilter, PageMap, article_view, board_page

T0 = datetime(2024, 6, 16, 1, 0, tzinfo=timezone.utc)


def article(n: int) -> Article:
    return Article(url=f"https://www.mk.co.kr/news/{n}", outlet="매일경제",
                   outlet_domain="www.mk.co.kr", title=f"기사 {n}", published_at=T0,
                   section="경제" if n % 2 else "정치", blocks=(Paragraph("문단"),))


def test_page_numbers_follow_takedowns_and_gaps(db):
    save_articles(db, [article(n) for n in range(1, 121)])
    save_articles(db, [replace(article(500), board_no=500)])  # a gap in the numbers
    rng = random.Random(7)
    hidden = set(rng.sample(range(1, 121), 30)) | {500, 17}
    for n in sorted(hidden):
        hide(db, n, "테스트", actor="test")
    unhide(db, 17, "복구", actor="test")
    hidden.discard(17)
    visible = sorted((set(range(1, 121)) | {500}) - hidden, reverse=True)
    pages = PageMap()
    with db.read() as conn:
        for size in (1, 7, 20):
            for page in range(1, len(visible) // size + 3):
                got = [r.board_no for r in board_page(conn, pages, size=size, page=page).rows]
                assert got == visible[(page - 1) * size: page * size], (size, page)
            for k, number in enumerate(visible):
                assert pages.page_of(number, size) == k // size + 1
        assert pages.total == len(visible)
        assert 500 not in pages and visible[0] in pages


def test_map_refreshes_incrementally_when_the_board_changes(db):
    save_articles(db, [article(n) for n in range(1, 6)])
    pages = PageMap()
    with db.read() as conn:
        assert [r.board_no for r in board_page(conn, pages, size=3).rows] == [5, 4, 3]
    save_articles(db, [article(6)])
    hide(db, 4, "요청", actor="test")
    with db.read() as conn:
        assert [r.board_no for r in board_page(conn, pages, size=3).rows] == [6, 5, 3]
        assert [r.board_no for r in board_page(conn, pages, size=3, page=2).rows] == [2, 1]
        assert pages.total == 5


def test_filtered_cursors_and_neighbours(db):
    save_articles(db, [article(n) for n in range(1, 21)])
    pages = PageMap()
    odd = BoardFilter(section="경제")
    with db.read() as conn:
        first = board_page(conn, pages, size=4, flt=odd)
        assert [r.board_no for r in first.rows] == [19, 17, 15, 13] and first.older == 13
        second = board_page(conn, pages, size=4, flt=odd, before=first.older)
        assert [r.board_no for r in second.rows] == [11, 9, 7, 5] and second.newer == 11
        back = board_page(conn, pages, size=4, flt=odd, after=second.newer)
        assert [r.board_no for r in back.rows] == [19, 17, 15, 13] and back.newer is None
        view = article_view(conn, pages, 10, size=4, default_mode="full")
        assert (view.older.board_no, view.newer.board_no) == (9, 11)
        assert view.board.page == 3 and 10 in [r.board_no for r in view.board.rows]
