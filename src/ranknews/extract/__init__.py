"""Turning an outlet's page into an Article: structured data, main text, Korean cleanup.

``extract_article(html, url)`` is the entry point; ``decode_html(bytes, content_type)``
turns fetched bytes into the text it takes. See ``extract/article.py`` for the fallback order.

The two are loaded on first use, so that light modules of this package (``subtitles``,
``rules``, ``encoding``) can be imported without the HTML parser and the extractor.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NoArticleFound", "decode_html", "extract_article"]


def __getattr__(name: str) -> Any:
    if name == "extract_article":
        from ranknews.extract.article import extract_article

        return extract_article
    if name == "decode_html":
        from ranknews.extract.encoding import decode_html

        return decode_html
    if name == "NoArticleFound":
        from ranknews.errors import NoArticleFound

        return NoArticleFound
    raise AttributeError(name)
