"""STAND-IN until the real ``ranknews.extract.extract_article`` (issue 3, item 4) lands.

Only what the crawler needs to run end to end: title and time from meta tags, body from
<article> (or <body>) through ``html_to_blocks``. ``pipeline.default_extractor`` prefers
the real extractor as soon as it exists; delete this module then.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from ranknews.errors import ExtractionError
from ranknews.extract.blocks import html_to_blocks
from ranknews.models import Article
from ranknews.sources.jsonl import parse_time
from ranknews.text.headline import split_tags


def extract_article(html: str, url: str, rules: dict[str, Any] | None = None,
                    outlet: str | None = None) -> Article:
    tree = LexborHTMLParser(html)
    raw_title = _meta(tree, "og:title") or _text(tree, "h1") or _text(tree, "title")
    if not raw_title:
        raise ExtractionError("제목을 찾을 수 없습니다")
    tags, title = split_tags(raw_title)
    body = tree.css_first((rules or {}).get("body") or "article") or tree.body
    published = _meta(tree, "article:published_time")
    try:
        published_at = parse_time(published, "published") if published else None
    except Exception:  # noqa: BLE001 - a bad date is not a reason to lose the article
        published_at = None
    return Article(url=url, outlet=outlet or urlsplit(url).hostname or "", title=title,
                   outlet_domain=urlsplit(url).hostname or "", tags=tuple(tags),
                   canonical_url=_canonical(tree), published_at=published_at,
                   blocks=html_to_blocks(body.html if body is not None else ""))


def _meta(tree: LexborHTMLParser, prop: str) -> str:
    node = tree.css_first(f'meta[property="{prop}"]') or tree.css_first(f'meta[name="{prop}"]')
    return " ".join((node.attributes.get("content") or "").split()) if node else ""


def _text(tree: LexborHTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    return " ".join(node.text().split()) if node else ""


def _canonical(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first('link[rel="canonical"]')
    return (node.attributes.get("href") or None) if node else None
