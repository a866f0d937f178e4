"""Wire copies: an article that reproduces a 연합뉴스, 뉴시스 or 뉴스1 story largely verbatim.

Overlap is measured on character shingles of the body with spaces removed (Korean outlets
re-space and re-punctuate copied text), as containment: the share of the copy's shingles that
are found in the original. Containment, not Jaccard, because a copy is often the wire text
plus the outlet's own byline, photo captions and related-article lists.
"""

from __future__ import annotations

import heapq
import re
from typing import Hashable, Iterable, Sequence

from ranknews.models import Article

WIRE_OUTLETS: dict[str, tuple[str, ...]] = {
    "연합뉴스": ("yna.co.kr", "yonhapnews.co.kr", "yonhapnewstv.co.kr"),
    "뉴시스": ("newsis.com",),
    "뉴스1": ("news1.kr",),
    "한결통신": ("hangyeolnews.example",),  # the demo sample's fictional wire service (예시)
}
SHINGLE = 5  # characters; short enough for reworded endings, long enough to be specific
WIRE_CONTAINMENT = 0.6  # share of the copy's shingles found in the wire story
MIN_SHINGLES = 40  # a body shorter than this (a caption, a headline) is never called a copy
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def is_wire(article: Article) -> bool:
    return is_wire_outlet(article.outlet, article.outlet_domain)


def is_wire_outlet(outlet: str, domain: str | None) -> bool:
    """Whether posts of this outlet (name, domain) are a wire service's."""
    domain = (domain or "").lower().removeprefix("www.")
    return any(outlet.strip() == name or any(domain.endswith(d) for d in domains)
               for name, domains in WIRE_OUTLETS.items())


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    flat = _DROP.sub("", text)
    return {flat[i:i + size] for i in range(max(0, len(flat) - size + 1))}


def containment(copy: set[str], original: set[str]) -> float:
    """Share of ``copy`` found in ``original``; 0 when the copy is too short to judge."""
    if len(copy) < MIN_SHINGLES or not original:
        return 0.0
    return len(copy & original) / len(copy)


def find_original(article: Article, wire_articles: list[Article]) -> tuple[Article, float] | None:
    """The wire story this article copies, with its containment; None when it copies none."""
    if is_wire(article):
        return None
    own = shingles(article.text)
    best: tuple[Article, float] | None = None
    for original in wire_articles:
        score = containment(own, shingles(original.text))
        if score >= WIRE_CONTAINMENT and (best is None or score > best[1]):
            best = (original, score)
    return best


class WireCandidates:
    """The recent wire posts an article most probably copies, found by their rarest shared
    words, so that only a handful are compared shingle by shingle.

    Built per analysis batch from the wire posts of the batch's time window (their stored
    analysis terms): a copy shares nearly all its words with the original, and its rare ones
    (names, figures) pick the original out of a day's thousands of wire posts.
    """

    def __init__(self, posts: Iterable[tuple[Hashable, Sequence[str]]]) -> None:
        self._index: dict[str, list[Hashable]] = {}
        self.size = 0
        for key, terms in posts:
            self.size += 1
            for term in set(terms):
                self._index.setdefault(term, []).append(key)

    def nearest(self, terms: Sequence[str], k: int = 5, *,
                exclude: Hashable = None) -> list[Hashable]:
        """Up to ``k`` posts sharing the most of these words, rare words counting more."""
        common = max(2, self.size // 5)  # words in a fifth of the wire posts tell nothing
        score: dict[Hashable, float] = {}
        for term in set(terms):
            posts = self._index.get(term)
            if posts and len(posts) <= common:
                weight = 1.0 / len(posts)
                for key in posts:
                    score[key] = score.get(key, 0.0) + weight
        score.pop(exclude, None)
        return heapq.nlargest(k, score, key=score.__getitem__)
