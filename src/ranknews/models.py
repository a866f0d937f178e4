"""The types handed from stage to stage: Article with its body blocks, and Outlet.

An ``Article`` is built once by a source (JSON Lines import, a feed item, an extracted page),
then passed through dedup, stories and rank, and finally stored. Stages return a new Article
(``dataclasses.replace``) rather than mutating one they were given.

Text in an Article is plain text, never HTML: templates escape it on output, so nothing from
an outlet can inject markup. Only ``Figure.image_url`` and ``Article.url`` are URLs, and those
are checked by ``ranknews.sanitize.safe_url`` before they are stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import orjson

DisplayMode = Literal["full", "excerpt"]
DISPLAY_MODES: tuple[str, ...] = ("full", "excerpt")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of body text."""

    text: str
    kind: Literal["paragraph"] = "paragraph"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "paragraph", "text": self.text}


@dataclass(frozen=True, slots=True)
class Figure:
    """A photo in the body, with its caption and credit (e.g. "삼성전자 제공", "사진=연합뉴스")."""

    image_url: str
    caption: str = ""
    credit: str = ""
    kind: Literal["figure"] = "figure"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "figure", "image_url": self.image_url, "caption": self.caption,
                "credit": self.credit}


Block = Paragraph | Figure


def block_from_dict(data: dict[str, Any]) -> Block:
    """Rebuild a block from its stored or imported dictionary form."""
    if data.get("kind") == "figure" or "image_url" in data:
        return Figure(
            image_url=str(data.get("image_url") or ""),
            caption=str(data.get("caption") or ""),
            credit=str(data.get("credit") or ""),
        )
    return Paragraph(text=str(data.get("text") or ""))


@dataclass(slots=True)
class Article:
    """One collected article, as it travels from a source to the store.

    ``title`` is the clean headline; the labels that were parsed out of it ([단독], [속보],
    (종합)…) are in ``tags``. ``board_no`` is None until the store assigns one.
    """

    url: str
    outlet: str
    title: str
    outlet_domain: str = ""
    canonical_url: str | None = None
    tags: tuple[str, ...] = ()
    subtitles: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    updated_at: datetime | None = None
    section: str | None = None
    summary: str = ""
    blocks: tuple[Block, ...] = ()
    collected_at: datetime | None = None
    board_no: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    @property
    def text(self) -> str:
        """The body's text blocks in reading order, one a line."""
        return "\n".join(self.paragraphs)

    @property
    def display_title(self) -> str:
        """The headline with its tags in front, as the board shows it in plain text."""
        return " ".join([*(f"[{t}]" for t in self.tags), self.title])

    def content_hash(self, blocks: list[dict[str, Any]] | orjson.Fragment | None = None) -> str:
        """A stable hash of what a reader sees; a changed hash makes a new revision.

        ``blocks`` may pass ``blocks_as_dicts()`` when the caller already has it, or that
        list already serialised with sorted keys, as an ``orjson.Fragment``.
        """
        payload = orjson.dumps(
            {
                "title": self.title,
                "tags": list(self.tags),
                "subtitles": list(self.subtitles),
                "authors": list(self.authors),
                "summary": self.summary,
                "section": self.section,
                "blocks": self.blocks_as_dicts() if blocks is None else blocks,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            },
            option=orjson.OPT_SORT_KEYS,
        )
        return hashlib.sha256(payload).hexdigest()

    def blocks_as_dicts(self) -> list[dict[str, Any]]:
        return [b.to_dict() for b in self.blocks]


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet as the board knows it; ``display_mode`` answers copyright complaints."""

    domain: str
    name: str
    display_mode: DisplayMode = "full"


@dataclass(frozen=True, slots=True)
class Analysis:
    """The analysed words of one article (title and, up to a limit, body), made once per
    post version by the analysis stage (``text.analysis.Analyzer``) and read by stories,
    rank and search."""

    title_terms: tuple[str, ...]
    body_terms: tuple[str, ...]
    entities: tuple[str, ...]  # proper nouns (NNP) and Latin names, first appearance order
    phrases: tuple[str, ...]  # nouns written together, joined: 집단휴진, 삼성전자
    version: int = 0  # the analyser's version (text.analysis.ANALYZER_VERSION)
    numbers: tuple[str, ...] = ()  # counted numbers, headline then body: 18일, 179명, 3.5%
    lead_numbers: tuple[str, ...] = ()  # those in the headline and the body's lead
    # the noun phrases of each keyword text (headline, lead): what trends count
    keywords: tuple[tuple[str, ...], ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return self.title_terms + self.body_terms


# -- sources: outlets and feeds as configured, and one feed as the crawler sees it --------

@dataclass(frozen=True)
class FeedConfig:
    url: str
    section: str | None = None


@dataclass(frozen=True)
class OutletConfig:
    name: str
    domain: str
    feeds: tuple[FeedConfig, ...]
    display_mode: str | None = None
    interval: int = 900  # seconds between two fetches of its feeds (sources.toml default)
    enabled: bool = True
    rules: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    id: int
    outlet: str
    domain: str
    feed_url: str
    section: str | None = None
    enabled: bool = True
    interval: int = 900
    origin: str = "config"  # config (the sources file) or operator (ranknews sources add)
    etag: str | None = None
    last_modified: str | None = None
    last_fetch_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    last_error_kind: str | None = None
    last_error_url: str | None = None
    feed_problem: str | None = None
    failures: int = 0
    items_collected: int = 0
    recent_yield: float | None = None
    next_fetch_at: datetime | None = None
    operator_interval: int | None = None  # set in the console or CLI; wins over the file's

    @property
    def health(self) -> str:
        """정상 / 경고 / 오류 / 중지 / 대기: what an operator needs at a glance."""
        if not self.enabled:
            return "중지"
        if self.failures:
            return "오류"
        if self.last_success_at is None:
            return "대기"
        if self.feed_problem or (self.last_error_at and self.last_error_at >= self.last_success_at):
            return "경고"
        return "정상"


@dataclass
class SourceUpdate:
    """What one crawl of a source learnt; the store applies it in one transaction."""

    source_id: int
    url: str
    fetched_at: datetime
    next_fetch_at: datetime
    ok: bool
    inserted: int = 0
    recent_yield: float | None = None
    failures: int = 0
    etag: str | None = None
    last_modified: str | None = None
    keep_validators: bool = True
    error: str | None = None
    error_kind: str | None = None
    error_url: str | None = None
    error_status: int | None = None
    feed_problem: str | None = None
    not_modified: bool = False
