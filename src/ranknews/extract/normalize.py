"""One text normalisation for every field the extractor outputs (title, subtitles, body,
captions): the same page text always comes out the same way.

- entities the page escaped twice ("&amp;quot;" shows as "&quot;") are unescaped once more;
- quotes escaped for JavaScript inside meta tags (``\\"``, ``\\'``) lose the backslash;
- non-breaking and other odd spaces become plain spaces; zero-width characters and soft
  hyphens are removed; runs of whitespace become one space, none at the ends.

Quote characters themselves are kept as the page shows them (“ ” stay curly, " stays
straight); comparisons that must ignore them fold them with ``fold_quotes``.
"""

from __future__ import annotations

import html
import re

_ENTITY = re.compile(r"&(?:#\d{2,6}|#x[0-9a-fA-F]{2,5}|[a-zA-Z]{2,8});")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"', "«": '"', "»": '"',
                         "‘": "'", "’": "'", "‚": "'", "′": "'", "`": "'"})


def clean_text(text: str) -> str:
    """The text as a reader sees it, in one canonical spelling (see the module doc)."""
    if not text:
        return ""
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if "\\" in text:
        text = text.replace('\\"', '"').replace("\\'", "'")
    text = text.translate(_INVISIBLE)
    return " ".join(text.split())  # str.split() splits on NBSP and every Unicode space


def fold_quotes(text: str) -> str:
    """Quotes folded to ASCII and whitespace removed: for comparing two spellings."""
    return "".join(clean_text(text).translate(_QUOTES).split())
