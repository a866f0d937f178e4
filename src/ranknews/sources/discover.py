"""Finding an outlet's feeds from its pages: the ``<link rel="alternate">`` elements of
RSS, Atom and RDF type that sites put in their ``<head>``, and the site's name."""

from __future__ import annotations

from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from ranknews.sanitize import safe_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/xml", "text/xml")


def feed_links(html: str, base_url: str) -> list[str]:
    """Feed addresses a page announces, in page order, made absolute (http(s) only)."""
    tree = LexborHTMLParser(html or "<html></html>")
    found: list[str] = []
    for link in tree.css("link"):
        attrs = link.attributes
        rel = (attrs.get("rel") or "").lower().split()
        kind = (attrs.get("type") or "").split(";")[0].strip().lower()
        href = (attrs.get("href") or "").strip()
        if "alternate" not in rel or kind not in FEED_TYPES or not href:
            continue
        url = safe_url(urljoin(base_url, href))
        if url and url not in found:
            found.append(url)
    return found


def site_name(html: str) -> str:
    """og:site_name, else the page's title (empty when neither is there)."""
    tree = LexborHTMLParser(html or "<html></html>")
    meta = tree.css_first('meta[property="og:site_name"]')
    if meta is not None and (meta.attributes.get("content") or "").strip():
        return " ".join((meta.attributes.get("content") or "").split())[:100]
    title = tree.css_first("title")
    return " ".join(title.text().split())[:100] if title is not None else ""
