"""Feeds → items, through feedparser (RSS 0.9x/1.0/2.0, Atom).

A malformed feed (feedparser's ``bozo``) still gives every item that has a link and a
title; the problem is returned so the caller can record it on the source. Something that is
not a feed at all (an HTML page, an error page) raises FetchError(kind="not_a_feed").
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin

import feedparser

from ranknews.dates import (
    DEFAULT_WINDOW,
    DateOutOfWindow,
    DateRejected,
    DateWindow,
    parse_date,
)
from ranknews.errors import FetchError
from ranknews.sanitize import safe_url, strip_tags
from ranknews.text.headline import split_tags


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str
    tags: tuple[str, ...] = ()
    published_at: datetime | None = None
    category: str | None = None
    summary: str = ""
    authors: tuple[str, ...] = ()
    date_refused: str | None = None  # why the item's date was not believed


@dataclass
class ParsedFeed:
    items: list[FeedItem] = field(default_factory=list)
    problem: str | None = None  # why the feed is malformed, when it is
    skipped: int = 0  # entries with no usable link or title
    title: str = ""  # the feed's own title (channel/feed title), plain text


def parse_feed(content: bytes, *, url: str, content_type: str | None = None,
               limit: int | None = None, dates: DateWindow = DEFAULT_WINDOW) -> ParsedFeed:
    """Items of a feed, newest first as the feed lists them, at most ``limit``. An item's
    date outside ``dates`` is dropped (the item stays, its ``date_refused`` says why)."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(content, response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    if not parsed.version and not parsed.entries:
        raise FetchError(f"피드가 아닙니다 ({_what_it_is(content, content_type)})",
                         url=url, kind="not_a_feed")
    result = ParsedFeed(problem=_problem(parsed),
                        title=" ".join(strip_tags(parsed.feed.get("title") or "").split())[:100])
    for entry in parsed.entries:
        item = _item(entry, url, dates)
        if item is None:
            result.skipped += 1
        elif limit is None or len(result.items) < limit:
            result.items.append(item)
    return result


def _item(entry: Any, feed_url: str, dates: DateWindow) -> FeedItem | None:
    link = entry.get("link") or _guid_link(entry)
    url = safe_url(urljoin(feed_url, link.strip())) if isinstance(link, str) and link else None
    raw_title = " ".join(strip_tags(entry.get("title") or "").split())
    if url is None or not raw_title:
        return None
    tags, title = split_tags(raw_title)
    if not title:
        return None
    category = next((t.get("term") for t in entry.get("tags") or () if t.get("term")), None)
    author = entry.get("author")
    published, refused = _time(entry, dates)
    return FeedItem(
        url=url, title=title, tags=tuple(tags), published_at=published, date_refused=refused,
        category=" ".join(strip_tags(category).split())[:64] or None if category else None,
        summary=" ".join(strip_tags(entry.get("summary") or "").split())[:1000],
        authors=(" ".join(strip_tags(author).split()),) if author else (),
    )


def _guid_link(entry: Any) -> str | None:
    guid = entry.get("id")
    if isinstance(guid, str) and guid.startswith(("http://", "https://")):
        return guid
    return None


def _time(entry: Any, dates: DateWindow) -> tuple[datetime | None, str | None]:
    """The item's time and, when one was given but refused, why. feedparser gives a UTC
    struct_time (a missing zone in the feed was read as UTC); a date it could not read is
    tried as the Korean sites write it."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    value: Any = entry.get("published") or entry.get("updated")
    if parsed:
        try:
            value = datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
        except (OverflowError, ValueError, TypeError, OSError):
            return None, "날짜가 범위를 벗어났습니다"
    if not value:
        return None, None
    try:
        return parse_date(value, window=dates), None
    except DateOutOfWindow as exc:
        return None, str(exc)
    except DateRejected:
        return None, None


def _problem(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    # A feed served as text/html or with a wrong charset label is common and harmless.
    if exc is not None and exc.__class__.__name__ in ("NonXMLContentType",
                                                      "CharacterEncodingOverride"):
        return None
    return f"피드 형식 오류: {exc.__class__.__name__}: {exc}"[:300]


def _what_it_is(content: bytes, content_type: str | None) -> str:
    head = content[:2048].lower()
    if b"<html" in head or b"<!doctype html" in head:
        return "HTML 페이지"
    if not content.strip():
        return "빈 응답"
    return f"Content-Type: {content_type or '없음'}"
