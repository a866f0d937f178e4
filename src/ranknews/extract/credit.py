"""Photo credits in Korean captions: "삼성전자 제공", "사진=연합뉴스", "/연합뉴스", "(사진=뉴스1)"."""

from __future__ import annotations

import re

_PATTERNS = (
    re.compile(r"\s*[\(\[]?\s*(사진\s*[=:]\s*[^()\[\]]{1,30}?)\s*[\)\]]?\s*$"),
    re.compile(r"\s*[\(\[]?\s*((?:사진|자료|그래픽|영상)?\s*[^\s()\[\].]{1,20}\s*제공)\s*[\)\]]?\s*$"),
    re.compile(r"\s*(/\s*[^/\s]{2,15}(?:\s*[^/\s]{1,10})?)\s*$"),
    re.compile(r"\s*(ⓒ\s*[^.]{1,30}|©\s*[^.]{1,30})\s*$"),
)


def split_credit(caption: str) -> tuple[str, str]:
    """Return (caption without credit, credit); credit is '' when none is found."""
    caption = " ".join(caption.split())
    for pattern in _PATTERNS:
        match = pattern.search(caption)
        if match and match.start() > 0:
            credit = match.group(1).strip().lstrip("/").strip()
            return caption[: match.start()].rstrip(), credit
        if match and match.start() == 0 and pattern is _PATTERNS[0]:
            return "", match.group(1).strip()
    return caption, ""
