"""How extraction quality is measured, shared by the benchmark and the regression gate.

``token_f1``: F1 over whitespace tokens. Both texts are split with ``str.split()`` (no other
normalisation); the overlap is the multiset intersection of the two token bags (a token
counts min(times expected, times predicted)); precision = overlap / predicted tokens,
recall = overlap / expected tokens, F1 = 2PR / (P + R). Two empty texts score 1.
"""

from __future__ import annotations

from collections import Counter

from ranknews.models import Article


def token_f1(expected: str, predicted: str) -> float:
    """Token-multiset F1 of a predicted body against the expected one."""
    want, got = Counter(expected.split()), Counter(predicted.split())
    if not want and not got:
        return 1.0
    overlap = sum((want & got).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def scored_text(article: Article) -> str:
    """The text scored against a page's expected body: subtitles, then paragraphs."""
    return "\n".join([*article.subtitles, *article.paragraphs])
