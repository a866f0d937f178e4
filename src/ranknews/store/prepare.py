"""What saving takes and gives: an article prepared for saving (its column values and dedup
keys, computed once), a stored post as a save sees it, and the outcome of a save.

Plain values that pickle cheaply: the importer's worker processes prepare lines here while
the importing process saves the previous batch (``store/writing.py``). Nothing here imports
SQLAlchemy, so a worker can start preparing before the importing process has opened its
database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from ranknews.models import Article, block_from_dict
from ranknews.store.driver import as_time, time_converter

# Columns of a new post, in the order of ``PreparedArticle.values``.
COLUMNS = ("url", "canonical_url", "outlet", "outlet_domain", "title", "tags", "subtitles",
           "authors", "summary", "section", "blocks", "published_at", "updated_at",
           "collected_at", "content_hash", "extra")
JSON_COLUMNS = frozenset({"tags", "subtitles", "authors", "blocks", "extra"})
TIMES = tuple(COLUMNS.index(c) for c in ("published_at", "updated_at", "collected_at"))
INDEX = {name: i for i, name in enumerate(COLUMNS)}
_HASH = INDEX["content_hash"]
CONTENT = ("outlet", "outlet_domain", "title", "tags", "subtitles", "authors", "summary",
           "section", "blocks", "published_at", "updated_at", "extra")


@dataclass(slots=True)
class PreparedArticle:
    """An article with what saving needs computed once: its column values (JSON as text,
    times in the driver's form) and its dedup keys. Plain values, cheap to send between
    processes; the Article itself is rebuilt from them only when a headline key must be
    confirmed."""

    values: tuple  # times as the database's driver takes them (driver.time_converter); the
    # blocks as UTF-8 JSON bytes
    keys: tuple[str, ...]
    board_no: int | None = None  # a requested number (importing an existing board)
    source: Article | None = None  # kept when at hand, not sent to other processes
    origin: tuple[str, int] | None = None  # (file, line) of an imported article

    def __getstate__(self) -> tuple:
        return self.values, self.keys, self.board_no, self.origin

    def __setstate__(self, state: tuple) -> None:
        self.values, self.keys, self.board_no, self.origin = state
        self.source = None

    @property
    def url(self) -> str:
        return self.values[0]

    @property
    def canonical_url(self) -> str | None:
        return self.values[1]

    @property
    def content_hash(self) -> str:
        return self.values[_HASH]

    def column(self, name: str) -> Any:
        return self.values[INDEX[name]]

    @property
    def published_at(self) -> datetime | None:
        """The article's publication time, aware, without rebuilding the article."""
        return as_time(self.column("published_at"))

    @property
    def article(self) -> Article:
        if self.source is None:
            self.source = _article_from_values(self.values, self.board_no)
        return self.source


@dataclass(frozen=True, slots=True)
class StoredPost:
    """A stored post as a save matches articles against it."""

    board_no: int
    url: str
    canonical_url: str | None
    content_hash: str
    revision: int
    published_at: datetime | None  # aware, UTC


def prepare_article(article: Article, keys: tuple[str, ...], *, now: datetime,
                    dialect: str) -> PreparedArticle:
    """Everything about ``article`` that saving it into a ``dialect`` database needs, given
    its dedup keys (``dedup.article_keys``)."""
    # keys sorted as in the content hash's payload, so the hash embeds these bytes as they are
    # rather than serialising the body a second time; kept as UTF-8 bytes, which pickle
    # without transcoding and which the insert reads as text (store/writing.py)
    blocks = orjson.dumps(article.blocks_as_dicts(), option=orjson.OPT_SORT_KEYS)
    stored_time = time_converter(dialect)
    values = (
        article.url, article.canonical_url, article.outlet, article.outlet_domain or "",
        article.title, _json(article.tags), _json(article.subtitles), _json(article.authors),
        article.summary, article.section, blocks,
        stored_time(article.published_at),
        stored_time(article.updated_at), stored_time(article.collected_at or now),
        article.content_hash(orjson.Fragment(blocks)),
        _json(article.extra) if article.extra else None,
    )
    return PreparedArticle(values, keys, article.board_no, article)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def _article_from_values(values: tuple, board_no: int | None) -> Article:
    v = dict(zip(COLUMNS, values))
    return Article(
        url=v["url"], canonical_url=v["canonical_url"], outlet=v["outlet"],
        outlet_domain=v["outlet_domain"], title=v["title"], tags=tuple(orjson.loads(v["tags"])),
        subtitles=tuple(orjson.loads(v["subtitles"])), authors=tuple(orjson.loads(v["authors"])),
        summary=v["summary"], section=v["section"],
        blocks=tuple(block_from_dict(b) for b in orjson.loads(v["blocks"])),
        published_at=as_time(v["published_at"]), updated_at=as_time(v["updated_at"]),
        collected_at=as_time(v["collected_at"]), board_no=board_no,
        extra=orjson.loads(v["extra"]) if v["extra"] else {},
    )


@dataclass
class SaveResult:
    """Board numbers per outcome, one entry per saved article (a post changed twice in one
    batch is in ``revised`` twice), so the three lists together count every article."""

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

    @property
    def articles(self) -> int:
        """Articles saved (every one is inserted, revised or unchanged)."""
        return len(self.inserted) + len(self.revised) + len(self.unchanged)

    @property
    def repeated(self) -> int:
        """Articles that were another copy of a post met earlier in the same saves."""
        return self.articles - len({*self.inserted, *self.revised, *self.unchanged})
