"""Checking a new source before it is saved (the console's "소스 추가"): from a pasted site
address to its feed and a preview of the extraction of its latest item.

1. The address (``www.khan.co.kr`` is read as ``https://www.khan.co.kr``) is fetched with the
   crawler's Fetcher (robots.txt, size and time limits, redirects checked).
2. If it is a feed, that is the feed; else the page's ``<link rel="alternate">`` feeds are
   tried in order (``sources/discover.py``).
3. The feed is parsed (``fetch/feeds.py``); its newest item's page is fetched and extracted
   exactly as a crawl would (``extract_article``).

Anything that stops a source from working is a ``PreviewError`` with a Korean message the
console shows on its form: not a feed and no feed announced, a feed with no items, a latest
item with no article.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import httpx

from ranknews.config import Settings
from ranknews.errors import ExtractionError, FetchError, RanknewsError
from ranknews.fetch.feeds import FeedItem, ParsedFeed, parse_feed
from ranknews.fetch.fetcher import Fetcher, FetchPolicy
from ranknews.models import Figure, Paragraph
from ranknews.sources.discover import feed_links, site_name

MIN_BODY_CHARS = 50  # less than this is no article (a photo page, a login wall, an index)
MAX_CANDIDATES = 3
PREVIEW_PARAGRAPHS = 3


class PreviewError(RanknewsError):
    """The address cannot become a working source; the message says why, in Korean."""


@dataclass
class SourcePreview:
    address: str
    feed_url: str
    feed_title: str
    outlet: str  # a suggested outlet name (the site's or the feed's)
    domain: str  # the host of the articles
    item_count: int
    problem: str | None = None
    latest: dict[str, Any] = field(default_factory=dict)


def normalise_address(address: str) -> str:
    address = (address or "").strip()
    if not address:
        raise PreviewError("사이트나 피드 주소를 적어 주세요.")
    if "://" not in address:
        address = "https://" + address
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(address) > 2000:
        raise PreviewError(f"http(s) 주소가 아닙니다: {address[:120]}")
    return address


async def preview_source(address: str, client: httpx.AsyncClient,
                         settings: Settings) -> SourcePreview:
    url = normalise_address(address)
    fetcher = Fetcher(client, FetchPolicy.from_settings(settings))
    feed_url, feed, page_name = await _find_feed(fetcher, url)
    if not feed.items:
        raise PreviewError(f"피드에 기사가 하나도 없습니다: {feed_url}")
    latest = _newest(feed.items)
    article = await _extract(fetcher, latest)
    paragraphs = [b.text for b in article.blocks if isinstance(b, Paragraph)]
    if sum(len(p) for p in paragraphs) < MIN_BODY_CHARS:
        raise PreviewError(f"최신 기사 페이지에서 기사 본문을 찾지 못했습니다: {latest.url} "
                           "(기사가 아닌 페이지이거나 본문이 너무 짧습니다)")
    feed_title = feed.title
    return SourcePreview(
        address=url, feed_url=feed_url, feed_title=feed_title,
        outlet=page_name or article.outlet or feed_title or urlsplit(latest.url).hostname or "",
        domain=(urlsplit(latest.url).hostname or "").lower(),
        item_count=len(feed.items), problem=feed.problem,
        latest={"url": latest.url, "title": article.title or latest.title,
                "published_at": article.published_at or latest.published_at,
                "authors": list(article.authors), "subtitles": list(article.subtitles),
                "paragraphs": paragraphs[:PREVIEW_PARAGRAPHS],
                "paragraph_count": len(paragraphs),
                "figures": sum(1 for b in article.blocks if isinstance(b, Figure)),
                "chars": sum(len(p) for p in paragraphs)})


async def _find_feed(fetcher: Fetcher, url: str) -> tuple[str, ParsedFeed, str]:
    """(feed URL, parsed feed, the site's name when a page led to it)."""
    fetched = await fetcher.get(url)
    try:
        return fetched.url, _parse(fetched.content, fetched.url, fetched.content_type), ""
    except FetchError as exc:
        if exc.kind != "not_a_feed":
            raise
    html = fetched.text()
    links = feed_links(html, fetched.url)
    if not links:
        raise PreviewError("이 주소는 피드가 아니고, 페이지에 피드 링크"
                           '(<link rel="alternate" type="application/rss+xml">)도 없습니다. '
                           "RSS/Atom 피드 주소를 직접 적어 주세요.")
    problems = []
    for link in links[:MAX_CANDIDATES]:
        try:
            found = await fetcher.get(link)
            return found.url, _parse(found.content, found.url, found.content_type), \
                site_name(html)
        except FetchError as exc:
            problems.append(f"{link}: {exc}")
    raise PreviewError("페이지가 알려 준 피드를 읽지 못했습니다: " + "; ".join(problems))


def _parse(content: bytes, url: str, content_type: str) -> ParsedFeed:
    return parse_feed(content, url=url, content_type=content_type)


def _newest(items: list[FeedItem]) -> FeedItem:
    far = datetime.min.replace(tzinfo=timezone.utc)
    return max(items, key=lambda i: i.published_at or far) if any(
        i.published_at for i in items) else items[0]


async def _extract(fetcher: Fetcher, item: FeedItem) -> Any:
    from ranknews.extract import extract_article

    page = await fetcher.get(item.url)
    kind = page.content_type.split(";")[0].strip().lower()
    if kind and not kind.startswith(("text/html", "application/xhtml")):
        raise PreviewError(f"최신 기사 주소가 웹 페이지가 아닙니다 (Content-Type: {kind}): "
                           f"{item.url}")
    try:
        return await asyncio.to_thread(extract_article, page.text(), page.url)
    except ExtractionError as exc:  # e.g. a list or error page: no article on it
        raise PreviewError(f"최신 기사 페이지에서 기사 본문을 찾지 못했습니다: {item.url} "
                           f"({exc})") from exc
