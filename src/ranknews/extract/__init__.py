"""Turning an outlet's page into an Article: structured data, main text, Korean cleanup.

``extract_article(html, url)`` is the entry point; ``decode_html(bytes, content_type)``
turns fetched bytes into the text it takes. See ``extract/article.py`` for the fallback order.
"""

from ranknews.extract.article import extract_article
from ranknews.extract.encoding import decode_html

__all__ = ["decode_html", "extract_article"]
