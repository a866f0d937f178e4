"""What an article from outside may hold: lengths per field, board numbers, and the
characters that never reach a page, a terminal or the database.

An article over a limit is refused whole, naming the field (an imported line is reported
with its line number, a crawled item with its URL): a 100,000-character headline is not a
headline, and every page that lists it would pay for it. Control characters (C0 and C1, but
tab and line breaks) and the bidirectional overrides are removed from text by
``clean_text``: PostgreSQL refuses NUL in text, a terminal obeys ESC, and U+202E turns a
headline around.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ranknews.errors import InvalidArticle
from ranknews.models import Article, Figure, Paragraph

# The highest board number a page can address: board_no is a 32-bit INTEGER on PostgreSQL.
MAX_BOARD_NO = 2**31 - 1
# The highest number an import may ask for, leaving a billion numbers above it to the posts
# that come after (an asked-for number becomes the top of the board).
MAX_REQUESTED_BOARD_NO = 10**9

# Characters per field (items per list for "tags", "subtitles", "authors", "blocks").
LIMITS = {
    "url": 2048, "canonical_url": 2048, "outlet": 100, "outlet_domain": 253, "title": 300,
    "tag": 50, "tags": 30, "subtitle": 500, "subtitles": 20, "author": 100, "authors": 30,
    "section": 64, "summary": 5000, "body": 300_000, "blocks": 5000, "caption": 2000,
    "credit": 200, "image_url": 2048,
}

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """``text`` without control characters and bidirectional overrides."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def clean_article(article: Article) -> Article:
    """``article`` with ``clean_text`` applied to every text field (a crawled page)."""
    def texts(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(clean_text(v) for v in values)

    blocks = tuple(Figure(b.image_url, clean_text(b.caption), clean_text(b.credit))
                   if isinstance(b, Figure) else Paragraph(clean_text(b.text))
                   for b in article.blocks)
    return replace(article, title=clean_text(article.title), outlet=clean_text(article.outlet),
                   tags=texts(article.tags), subtitles=texts(article.subtitles),
                   authors=texts(article.authors), summary=clean_text(article.summary),
                   section=clean_text(article.section) if article.section else None,
                   blocks=blocks)


def check_article(article: Article) -> Article:
    """``article`` when every field is within ``LIMITS``; else InvalidArticle naming it."""
    for name in ("url", "canonical_url", "outlet", "outlet_domain", "title", "section",
                 "summary"):
        _length(name, getattr(article, name) or "")
    for name, singular in (("tags", "tag"), ("subtitles", "subtitle"), ("authors", "author")):
        values = getattr(article, name)
        _count(name, len(values))
        for value in values:
            _length(singular, value)
    _count("blocks", len(article.blocks))
    body = 0
    for block in article.blocks:
        if isinstance(block, Figure):
            for name in ("image_url", "caption", "credit"):
                _length(name, getattr(block, name))
        else:
            body += len(block.text)
    _size("body", body)
    return article


def check_board_no(value: object) -> int | None:
    """An asked-for board number: None, or an int from 1 to ``MAX_REQUESTED_BOARD_NO``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArticle("board_no는 정수여야 합니다.")
    if not 1 <= value <= MAX_REQUESTED_BOARD_NO:
        raise InvalidArticle(f"board_no는 1부터 {MAX_REQUESTED_BOARD_NO:,}까지입니다: {value}")
    return value


def _length(name: str, text: str) -> None:
    _size(name, len(text))


def _size(name: str, size: int) -> None:
    if size > LIMITS[name]:
        raise InvalidArticle(f"{name}이(가) 너무 깁니다: {size:,}자 (최대 {LIMITS[name]:,}자)")


def _count(name: str, count: int) -> None:
    if count > LIMITS[name]:
        raise InvalidArticle(f"{name}이(가) 너무 많습니다: {count:,}개 (최대 {LIMITS[name]:,}개)")
