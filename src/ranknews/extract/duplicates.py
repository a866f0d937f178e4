"""A body the page carries twice comes out once.

Outlets put a second copy of the article beside the visible one: a print version, an app or
AMP copy, a read-aloud (TTS) copy, a copy hidden for screen readers, or the text again in a
collapsed "원문 보기" box. Two steps remove the second copy, each a general rule:

1. ``drop_hidden_copies`` (before the body is searched): an element hidden by the page
   itself (``hidden``, ``aria-hidden``, an inline ``display:none``/``visibility:hidden``, or
   a class that says hidden/print/app/TTS) is removed when most of its text also appears
   outside it. A hidden element whose text is found nowhere else is kept: frameworks
   stream the real body into a hidden element and swap it in with a script (React's
   ``<div hidden id="S:0">``), and "read more" boxes hide the rest of an article.
2. ``dedupe_blocks`` (after the body is built): a paragraph of at least
   ``ExtractParams.duplicate_min`` characters whose text (without spaces) already appeared
   in the paragraphs before it is a repeat and is dropped, as is a figure whose image was
   already shown. Keeping the first occurrence keeps the reading order.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ranknews.extract.rulebook import RuleList, fired
from ranknews.models import Block, Figure, Paragraph

HIDDEN_CLASS = RuleList("hidden-class", (
    "hidden", "hide", r"d-none", "blind", "sr-only", r"screen_?out", r"visually-?hidden",
    r"off-?screen", r"print[_-]?(?:only|area|body|view|content)", r"(?:only|for)[_-]?print",
    r"app[_-]?(?:only|body|content|view)", r"tts[_-]?\w*", r"amp[_-]?(?:body|content)"),
    r"(?:^|\s)(?:{})(?:$|\s)", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAYBE_HIDDEN = ("[hidden], [aria-hidden=true], [style*=none], [style*=hidden], [class*=hid], "
                 "[class*=Hid], [class*=none], [class*=blind], [class*=only], [class*=screen], "
                 "[class*=print], [class*=app], [class*=tts], [class*=amp], [id*=print], "
                 "[id*=tts], [id*=app], [id*=hidden]")
_PIECE = 20  # characters per piece when looking for a hidden element's text elsewhere


def is_hidden(node: LexborNode, disabled: frozenset[str] = frozenset()) -> bool:
    attrs = node.attributes
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return names != " " and HIDDEN_CLASS.search(names, disabled)


def _compact(node: LexborNode) -> str:
    return "".join((node.text(separator=" ") or "").split())


def drop_hidden_copies(tree: LexborHTMLParser, min_chars: int = 60,
                       disabled: frozenset[str] = frozenset()) -> int:
    """Remove hidden elements whose text is mostly found elsewhere on the page; how many."""
    root = tree.body
    if root is None:
        return 0
    candidates: list[LexborNode] = []
    ids: set[int] = set()
    for node in root.css(_MAYBE_HIDDEN):
        if not is_hidden(node, disabled) or _inside(node, ids):
            continue
        candidates.append(node)
        ids.add(node.mem_id)
    if not candidates:
        return 0
    whole = _compact(root)
    removed = 0
    for node in candidates:
        text = _compact(node)
        if len(text) < min_chars:
            continue
        rest = whole.replace(text, "", 1)
        pieces = [text[i:i + _PIECE] for i in range(0, len(text) - _PIECE + 1, _PIECE)]
        found = sum(1 for piece in pieces if piece in rest)
        if pieces and found >= 0.6 * len(pieces):
            node.decompose()
            whole = rest
            removed += 1
    if removed:
        fired("duplicate:hidden-copy")
    return removed


def _inside(node: LexborNode, ancestors: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ancestors:
            return True
        parent = parent.parent
    return False


def dedupe_blocks(blocks: list[Block], min_chars: int) -> list[Block]:
    """Each paragraph and each image once, first occurrence kept (see the module doc)."""
    kept: list[Block] = []
    seen = ""
    images: set[str] = set()
    for block in blocks:
        if isinstance(block, Figure):
            if block.image_url in images:
                continue
            images.add(block.image_url)
            kept.append(block)
            continue
        key = "".join(block.text.split())
        if len(key) >= min_chars and key in seen:
            fired("duplicate:paragraph")
            continue
        seen += key
        kept.append(block)
    return kept


def prose(blocks: list[Block]) -> int:
    return sum(len(b.text) for b in blocks if isinstance(b, Paragraph))
