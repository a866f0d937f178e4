"""Everything from outside passes through here before a reader can see it.

Article text is stored as plain text and escaped by the templates. HTML that arrives from
outside (an imported ``html`` body, a feed's description) is cleaned with nh3, a maintained
sanitizer (ammonia), and then reduced to text and figure blocks. URLs are limited to http(s).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3

_BODY_TAGS = {"p", "br", "div", "figure", "figcaption", "img", "span", "b", "strong", "em", "i"}
_BODY_ATTRIBUTES = {"img": {"src", "alt"}}


def clean_html(fragment: str) -> str:
    """Remove scripts, event handlers, iframes, SVG and unsafe URLs; keep body structure."""
    return nh3.clean(
        fragment or "",
        tags=_BODY_TAGS,
        attributes=_BODY_ATTRIBUTES,
        url_schemes={"http", "https"},
        clean_content_tags={"script", "style", "iframe", "svg", "math", "object", "embed",
                            "noscript", "template"},
        link_rel=None,
    )


def strip_tags(fragment: str) -> str:
    """Plain text of an HTML fragment (for feed descriptions and summaries)."""
    cleaned = nh3.clean(fragment or "", tags=set(),
                        clean_content_tags={"script", "style", "iframe", "svg", "template"})
    return " ".join(html.unescape(cleaned).split())


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL, else None (no javascript:, data:, etc.).

    Root-relative ``/static/`` paths are our own files (the bundled sample's photos).
    """
    if not url:
        return None
    url = url.strip()
    if url.startswith("/static/") and ".." not in url and "//" not in url:
        return url if not any(ch in url for ch in "\x00\r\n\t <>\"'`") else None
    if _UNSAFE_URL_CHARS.search(url):
        return None
    if url.startswith(("https://", "http://")):  # the usual case, without urlsplit
        host = url.partition("//")[2]
        return url if host and host[0] not in "/?#" else None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


_UNSAFE_URL_CHARS = re.compile("[\x00\r\n\t <>\"'`]")
