"""Headline labels: [단독], [속보], (종합)… are parsed out of a headline and kept beside it.

Korean outlets put labels in square brackets in front ("[단독] …", "[속보] …") and wire
services put update markers in parentheses at the end ("…중단(종합)", "…(2보)"). The board
shows them as badges, stories use them (a [단독] that was not first), and rank boosts [속보].
"""

from __future__ import annotations

import re

# Leading bracketed labels: [단독], 【속보】, <인터뷰>. Long bracketed text is content, not a label.
_LEADING = re.compile(r"^\s*(?:\[([^\[\]]{1,12})\]|【([^【】]{1,12})】|<([^<>]{1,8})>)\s*")
# Trailing update markers used by wire services and their copies.
_TRAILING = re.compile(
    r"\s*[\(\[]((?:종합)?\s*\d*\s*보|종합|상보|속보|수정|업데이트|사진|영상|포토|전문|일문일답)[\)\]]\s*$"
)
_SPACES = re.compile(r"\s+")

# Labels that mean the same thing are written one way on the board.
_CANONICAL = {"1보": "속보", "포토뉴스": "포토", "사진": "포토", "동영상": "영상", "video": "영상"}


def _canonical(label: str) -> str:
    label = _SPACES.sub("", label.strip())
    return _CANONICAL.get(label.lower(), label)


def split_tags(raw: str) -> tuple[tuple[str, ...], str]:
    """Return (labels, clean headline) for a raw headline.

    >>> split_tags("[단독] “양아치같이 뭐 하는 짓” 한 마디에")
    (('단독',), '“양아치같이 뭐 하는 짓” 한 마디에')
    >>> split_tags("이스라엘군, 낮시간 군사활동 중단(종합2보)")
    (('종합2보',), '이스라엘군, 낮시간 군사활동 중단')
    """
    title = _SPACES.sub(" ", raw or "").strip()
    tags: list[str] = []
    while match := _LEADING.match(title):
        rest = title[match.end():]
        if not rest:
            break  # a headline that is only a bracket keeps its text
        tags.append(_canonical(next(g for g in match.groups() if g)))
        title = rest
    while (match := _TRAILING.search(title)) and match.start() > 0:
        tags.append(_canonical(match.group(1)))
        title = title[: match.start()].rstrip()
    return tuple(dict.fromkeys(tags)), title
