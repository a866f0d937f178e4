"""Subtitles (부제) that the body repeats: one rule for every path that builds an Article.

Korean outlets set their 부제 apart under the headline, and many CMSs (and the scrapers and
feeds that copy them) also put the same lines at the top of the body. Shown as they come,
the reader sees every subtitle twice. ``drop_subtitle_echo`` removes the leading body
paragraphs that repeat the subtitles, and nothing else:

- only paragraphs *before the first paragraph that is not a subtitle* are candidates
  (figures in between are kept where they are), so a subtitle quoted later in the body stays;
- a paragraph repeats the subtitles when, compared without whitespace, it equals one of
  them, or several consecutive ones run together (a CMS that glued them into one line);
- quote characters are compared folded (“ ” ‘ ’ → " '), since a feed and a page often
  differ only there.

Used by the JSON Lines import (``sources/jsonl.py``), the crawler's merge of feed and page
(``pipeline/collect.py:merge_feed_item``) and the extractor (``extract/article.py``). It
imports nothing heavy: the import workers load it on every line that has subtitles.
"""

from __future__ import annotations

import re

from ranknews.models import Block, Paragraph

_QUOTES = {"“": '"', "”": '"', "„": '"', "″": '"', "‘": "'", "’": "'", "‚": "'", "′": "'",
           "`": "'"}
_QUOTE = re.compile("[" + "".join(_QUOTES) + "]")
_MAX_RUN = 8  # subtitles glued into one line: at most this many in a row


def subtitle_key(text: str) -> str:
    """The form two subtitle lines are compared in: no whitespace, quotes folded."""
    if _QUOTE.search(text):  # str.translate is slow on Hangul text; most lines need nothing
        text = _QUOTE.sub(lambda m: _QUOTES[m.group()], text)
    return "".join(text.split())


def _keys(subtitles: tuple[str, ...] | list[str]) -> set[str]:
    parts = [subtitle_key(s) for s in subtitles]
    parts = [p for p in parts if p]
    keys = set(parts)
    for start in range(len(parts)):
        for end in range(start + 2, min(len(parts), start + _MAX_RUN) + 1):
            keys.add("".join(parts[start:end]))
    return keys


def drop_subtitle_echo(blocks: tuple[Block, ...] | list[Block],
                       subtitles: tuple[str, ...] | list[str]) -> tuple[Block, ...]:
    """The body without the leading paragraphs that repeat the subtitles (see module doc)."""
    blocks = tuple(blocks)
    if not subtitles or not blocks:
        return blocks
    first = next((b.text for b in blocks if isinstance(b, Paragraph)), "")
    if len(first) - first.count(" ") > sum(len(s) for s in subtitles):
        return blocks  # the body starts with a paragraph longer than all subtitles together
    keys = _keys(subtitles)
    if not keys:
        return blocks
    longest = max(len(k) for k in keys)
    kept: list[Block] = []
    leading = True
    for block in blocks:
        if leading and isinstance(block, Paragraph):
            # a paragraph longer than every key, spaces aside, cannot be one (and is cheap
            # to rule out: most bodies start with a long paragraph)
            if len(block.text) - block.text.count(" ") <= longest and (
                    subtitle_key(block.text) in keys):
                continue
            leading = False
        kept.append(block)
    return tuple(kept) if len(kept) != len(blocks) else blocks
