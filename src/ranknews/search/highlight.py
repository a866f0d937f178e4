"""Marking query terms in titles and snippets: escape every piece first, then add <mark>.

The text comes from outlets (hostile titles included), so the matches are found on the raw
text and every slice, matched or not, is escaped on its own before the marks go around it.
"""

from __future__ import annotations

import re
from typing import Sequence

from markupsafe import Markup, escape


def _pattern(needles: Sequence[str]) -> re.Pattern[str] | None:
    parts = []
    for needle in sorted(set(needles), key=len, reverse=True):
        if not needle:
            continue
        if needle.isascii():  # Latin/number tokens: whole runs only (ai, not s-ai-d)
            parts.append(rf"(?<![A-Za-z0-9]){re.escape(needle)}(?![A-Za-z0-9])")
        else:
            parts.append(re.escape(needle))
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def highlight(text: str, needles: Sequence[str]) -> Markup:
    """``text`` escaped, with each occurrence of a needle wrapped in <mark>."""
    pattern = _pattern(needles)
    if pattern is None:
        return Markup(escape(text))
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[last:match.start()])))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def snippet(text: str, needles: Sequence[str], *, width: int = 120) -> str:
    """A plain-text window of ``text`` around its first match (the start when none)."""
    text = " ".join(text.split())
    pattern = _pattern(needles)
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - width // 3) if match else 0
    piece = text[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
