"""What a page says about itself: JSON-LD, Open Graph and other meta tags.

Structured data is read before any markup heuristics because outlets fill it for search
engines and portals, and it is usually right: the headline without the site name, the
publication time with its offset, the byline. Each field keeps every candidate in the order
of trust (JSON-LD NewsArticle, then Open Graph/article:*, then other meta tags); the caller
picks the first usable one.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from selectolax.lexbor import LexborHTMLParser

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle",
                  "opinionnewsarticle", "blogposting", "webpage", "reviewnewsarticle",
                  "backgroundnewsarticle", "socialmediaposting", "liveblogposting"}
# JSON-LD written by hand often carries // comments and trailing commas.
_JSON_TOKENS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|,(?=\s*[\]}])', re.S)


@dataclass
class PageMetadata:
    """Candidates for each article field, most trusted first."""

    titles: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    canonical: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    article_body: str = ""


def loads_lenient(text: str) -> Any:
    """json.loads that tolerates the comments and trailing commas found in real JSON-LD."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    cleaned = _JSON_TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    try:
        return json.loads(cleaned, strict=False)
    except ValueError:
        return None


def read_metadata(tree: LexborHTMLParser) -> PageMetadata:
    """Collect JSON-LD and meta-tag candidates from a parsed page."""
    meta = PageMetadata()
    for item in _json_ld_articles(tree):
        _add_json_ld(meta, item)
    _add_meta_tags(meta, tree)
    for link in tree.css('link[rel="canonical"]'):
        meta.canonical.append(link.attributes.get("href") or "")
    title = tree.css_first("title")
    if title is not None:
        meta.titles.append(title.text())
    for name in ("titles", "descriptions", "authors", "sections", "site_names", "canonical",
                 "images", "keywords", "published", "updated"):
        values = [_clean(v) for v in getattr(meta, name)]
        setattr(meta, name, list(dict.fromkeys(v for v in values if v)))
    return meta


def _clean(value: object) -> str:
    if not isinstance(value, str):
        return ""
    # Some outlets escape twice ("&amp;quot;"); unescaping twice is harmless for text.
    return " ".join(html.unescape(html.unescape(value)).split())


def _json_ld_articles(tree: LexborHTMLParser) -> Iterator[dict[str, Any]]:
    for script in tree.css('script[type="application/ld+json"]'):
        data = loads_lenient(script.text(deep=True) or "")
        for item in _flatten(data):
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
                yield item


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"])


def _names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organization value (string, object or list of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _urls(value.get("url") or value.get("contentUrl"))
    if isinstance(value, list):
        return [url for item in value for url in _urls(item)]
    return []


def _add_json_ld(meta: PageMetadata, item: dict[str, Any]) -> None:
    is_page = str(item.get("@type")).lower() == "webpage"
    if not is_page:
        meta.titles.extend(_names(item.get("headline")))
    meta.descriptions.extend(_names(item.get("description")))
    meta.authors.extend(_names(item.get("author")))
    meta.published.extend(_names(item.get("datePublished")))
    meta.updated.extend(_names(item.get("dateModified")))
    meta.sections.extend(_names(item.get("articleSection")))
    meta.site_names.extend(_names(item.get("publisher")))
    meta.images.extend(_urls(item.get("image")))
    page = item.get("mainEntityOfPage")
    if isinstance(page, dict) and isinstance(page.get("@id"), str):
        meta.canonical.append(page["@id"])
    keywords = item.get("keywords")
    if isinstance(keywords, str):
        meta.keywords.extend(k.strip() for k in keywords.split(","))
    elif isinstance(keywords, list):
        meta.keywords.extend(k for k in keywords if isinstance(k, str))
    body = item.get("articleBody")
    if isinstance(body, str) and len(body) > len(meta.article_body):
        meta.article_body = body


# meta name/property → PageMetadata field, in order of trust within meta tags.
_META_FIELDS = (
    ("titles", ("og:title", "twitter:title", "dable:title", "title", "dc.title")),
    ("descriptions", ("og:description", "description", "twitter:description")),
    ("authors", ("dable:author", "author", "article:author", "byl", "dc.creator",
                 "sailthru.author", "parsely-author")),
    ("published", ("article:published_time", "og:published_time", "pubdate", "publishdate",
                   "article:published", "datepublished", "date", "dc.date", "dc.date.issued",
                   "parsely-pub-date", "sailthru.date", "og:regdate", "nv:news:date")),
    ("updated", ("article:modified_time", "og:updated_time", "article:modified",
                 "datemodified", "lastmod")),
    ("sections", ("article:section", "dable:section", "section", "category")),
    ("site_names", ("og:site_name", "application-name", "twitter:site")),
    ("canonical", ("og:url",)),
    ("images", ("og:image", "twitter:image", "dable:image")),
    ("keywords", ("news_keywords", "keywords", "article:tag")),
)
_META_INDEX = {key: name for name, keys in _META_FIELDS for key in keys}


def _add_meta_tags(meta: PageMetadata, tree: LexborHTMLParser) -> None:
    found: dict[str, list[tuple[int, str]]] = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "")
        key = key.strip().lower()
        name = _META_INDEX.get(key)
        if name is None:
            continue
        rank = next(i for i, (n, keys) in enumerate(_META_FIELDS) if n == name)
        order = _META_FIELDS[rank][1].index(key)
        found.setdefault(name, []).append((order, attrs.get("content") or ""))
    for name, values in found.items():
        values.sort(key=lambda pair: pair[0])  # stable: document order within one key
        target = getattr(meta, name)
        for _, value in values:
            if name == "keywords":
                target.extend(v.strip() for v in value.split(","))
            else:
                target.append(value)
    for node in tree.css("[itemprop=datePublished], time[datetime]"):
        value = node.attributes.get("datetime") or node.attributes.get("content")
        if value:
            meta.published.append(value)
