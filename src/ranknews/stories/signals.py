"""What an article offers as evidence of its event, read from its stored ``Analysis``.

- Words: headline terms count double, body terms count less the further down they are, since
  Korean news states the event in the lead and ends in bylines, captions and lists of related
  headlines about OTHER events. Counted numbers (179명, 234.64포인트, 3.25%) are words too:
  two reports of one event repeat its figures.
- Event days: the days of the month named in the headline and lead ("18일"), else the day it
  was published. Two reports naming days more than a day apart tell of two happenings, even
  when they share every name (the same minister on two days, monthly rate decisions).
- Time: when it was published (or collected), for the time window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from ranknews.text.analysis import Analysis

TITLE_WEIGHT = 2.0  # a headline word weighs as much as two lead words
LEAD_DECAY = 40  # body word k weighs 1 / (1 + k / LEAD_DECAY): half at the 40th noun
THIN_BODY_TERMS = 20  # fewer body words than this ([포토] captions, feed items): judge by headline
NUMBER_PREFIX = "#"  # keeps 18일 (a number) apart from a noun spelt the same way
_SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True, slots=True)
class Signals:
    weights: dict[str, float]  # raw term weights, before document frequencies
    days: frozenset[int]  # days of the month the event happened, as far as we can tell
    time: datetime | None  # published (or collected) time; None when unknown
    headline: frozenset[str] = frozenset()  # headline words
    thin: bool = False  # headline-only, photo caption: too little body to judge by

    @property
    def empty(self) -> bool:
        return not self.weights


def signals_from(analysis: Analysis, time: datetime | None = None) -> Signals:
    """Evidence of one article; ``time`` is when it was published, if known."""
    weights: dict[str, float] = {}
    for term in analysis.title_terms:
        if _is_word(term):
            weights[term] = weights.get(term, 0.0) + TITLE_WEIGHT
    for k, term in enumerate(analysis.body_terms):
        if _is_word(term):
            weights[term] = weights.get(term, 0.0) + 1.0 / (1.0 + k / LEAD_DECAY)
    for number in analysis.numbers:
        key = NUMBER_PREFIX + number
        weights[key] = weights.get(key, 0.0) + 1.0
    headline = frozenset(t for t in analysis.title_terms if _is_word(t))
    thin = sum(1 for t in analysis.body_terms if _is_word(t)) < THIN_BODY_TERMS
    return Signals(weights, _event_days(analysis, time), time, headline, thin)


@lru_cache(maxsize=200_000)
def _is_word(term: str) -> bool:
    # One-syllable nouns (서, 발, 틈) and bare numbers carry no event; counted numbers do.
    return len(term) > 1 and not term.replace(".", "").replace(",", "").isdigit()


def _event_days(analysis: Analysis, time: datetime | None) -> frozenset[int]:
    days = set()
    for number in analysis.lead_numbers:
        if number.endswith("일") and number[:-1].isdigit() and 1 <= int(number[:-1]) <= 31:
            days.add(int(number[:-1]))
    if not days and time is not None:
        local = time.astimezone(_SEOUL) if time.tzinfo else time
        days.add(local.day)
    return frozenset(days)


def day_gap(a: frozenset[int], b: frozenset[int]) -> int:
    """Smallest distance between days of the month (31 and 1 are a day apart); 0 if unknown."""
    if not a or not b:
        return 0
    return min(min(abs(x - y), 31 - abs(x - y)) for x in a for y in b)
