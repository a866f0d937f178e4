"""Variants of one name, learned from the text: 의협 → 대한의사협회.

Korean news introduces a short form once, beside the full name, and then uses the short form:
"대한의사협회(의협)는 …", or the other way round "의협(대한의사협회)". ``learn_aliases`` finds
those pairs in headlines and leads as they arrive; an ``AliasBook`` keeps the evidence, so the
short form is counted as the full name in every later article, including those that never
write the full name. A pair is only taken when the short form is a plausible abbreviation of
the long one (its syllables appear in the long form, in order: 의협 in 대한의사협회, 전경련 in
전국경제인연합회, where 련 is written 연 at the start of a word), so that "아이폰(사진)" or
"스토리(IP)" teach nothing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Iterable

_HANGUL_NAME = r"[가-힣A-Za-z0-9·]{2,20}"
_PAIR = re.compile(rf"({_HANGUL_NAME})\s?\(\s?({_HANGUL_NAME})\s?\)")


def is_abbreviation(short: str, long: str) -> bool:
    """Whether ``short`` can be read as an abbreviation of ``long``."""
    if not (2 <= len(short) < len(long)):
        return False
    if short.isascii() != long.isascii():
        return False  # 인공지능(AI) is a translation; counting them together is not ours to do
    if short.isascii():
        initials = "".join(w[0] for w in re.split(r"[\s\-]+", long) if w).lower()
        return short.lower() == initials
    rest = iter(long)
    return all(any(_same_syllable(ch, other) for other in rest) for ch in short)


# Initial consonants ㄴ, ㄹ, ㅇ swap at the start of a word (두음법칙): 연합회 is 련 in 전경련.
_SOFT_INITIALS = frozenset({2, 5, 11})


def _same_syllable(a: str, b: str) -> bool:
    if a == b:
        return True
    ca, cb = ord(a) - 0xAC00, ord(b) - 0xAC00
    if not (0 <= ca < 11172 and 0 <= cb < 11172) or ca % 588 != cb % 588:
        return False
    return {ca // 588, cb // 588} <= _SOFT_INITIALS


def learn_aliases(text: str) -> list[tuple[str, str]]:
    """(short, long) pairs written as "long(short)" or "short(long)" in ``text``."""
    pairs = []
    for first, second in _PAIR.findall(text or ""):
        if is_abbreviation(second, first):
            pairs.append((second, first))
        elif is_abbreviation(first, second):
            pairs.append((first, second))
    return pairs


class AliasBook:
    """Evidence for each short form; the long form seen most often with it wins."""

    def __init__(self, seen: Iterable[tuple[str, str, int]] = ()) -> None:
        self._seen: dict[str, Counter[str]] = defaultdict(Counter)
        for short, long, count in seen:
            self._seen[short][long] += count

    def add(self, short: str, long: str, count: int = 1) -> None:
        self._seen[short][long] += count

    def learn(self, text: str) -> list[tuple[str, str]]:
        pairs = learn_aliases(text)
        for short, long in pairs:
            self.add(short, long)
        return pairs

    def mapping(self) -> dict[str, str]:
        """short → long. A long form never maps on (no chains), a short form never to itself."""
        best = {short: longs.most_common(1)[0][0] for short, longs in self._seen.items() if longs}
        return {short: long for short, long in best.items() if short not in best.values()}

    def evidence(self) -> list[tuple[str, str, int]]:
        return [(s, lg, n) for s, longs in self._seen.items() for lg, n in longs.items()]
