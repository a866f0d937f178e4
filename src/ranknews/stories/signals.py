"""What an article offers as evidence of its event, read from its stored ``Analysis``.

- Words: headline terms count double, body terms count less the further down they are, since
  Korean news states the event in the lead and ends in bylines, captions and lists of related
  headlines about OTHER events. Counted numbers (179명, 234.64포인트, 3.25%) are words too:
  two reports of one event repeat its figures.
- Event days: the days named in the headline and lead ("18일", with the month when it is named:
  "11월 21일"), else the day it was published. Two reports naming different days tell of two
  happenings, even when they share every name (the same minister on two days, monthly rate
  decisions, a rebuttal the day after a press conference).
- Announced days: a day the lead announces (오는 17일, 내일(16일), 다음 달 3일: the analysis
  keeps the time word before the date) is also a day the article reports ahead of. A preview
  of a happening and the reports of it are two events, however many names they share.
- Days far (more than ``ANCHOR_DAYS``) from a known publication day are background (a caption
  of an earlier event), not the article's own: the publication day stands for them.
- Lead figures: the counted numbers of the headline and lead by unit (명, %, 차, 년도). Two
  leads that count in the same unit and never agree (a rate cut to 3.25% and one to 1.75%; the
  2023 and the 2025 visit) report different happenings; updated tolls deep in the body do not
  count, only the lead's. Counters of an occurrence (2차, 7연속, 13차례, 3번째) are one unit:
  which occurrence of a repeated happening (a second launch, the 13th hold) the lead reports.
- Time: when it was published (or collected), for the time window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Iterator, Protocol
from zoneinfo import ZoneInfo

from ranknews.dates import local_time
from ranknews.text.analysis import NEXT, TIME_WORDS, TOMORROW, Analysis

TITLE_WEIGHT = 2.0  # a headline word weighs as much as two lead words
LEAD_DECAY = 40  # body word k weighs 1 / (1 + k / LEAD_DECAY): half at the 40th noun
ANCHOR_DAYS = 3  # a named day further than this from a known publication day is background
THIN_BODY_TERMS = 20  # fewer body words than this ([포토] captions, feed items): judge by headline
NUMBER_PREFIX = "#"  # keeps 18일 (a number) apart from a noun spelt the same way
# Units that tell a time of day or a date: compared as event days, not as lead figures.
TIME_UNITS = frozenset({"일", "시", "분", "초", "월"})
_SEOUL = ZoneInfo("Asia/Seoul")
# Counters of an occurrence (2차 발사, 7연속 동결, 13차례, 3번째, 5회째): one unit, ORDINAL, so
# that "7연속" and "7차례 연속" agree and "7연속" and "13차례" do not.
ORDINAL = "번째"
ORDINAL_UNITS = frozenset({"차", "차례", "연속", "번째", "회째"})


@dataclass(frozen=True, slots=True)
class Signals:
    weights: dict[str, float]  # raw term weights, before document frequencies
    days: frozenset[int]  # event days: month * 100 + day, or the day alone (see day_gap)
    time: datetime | None  # published (or collected) time; None when unknown
    headline: frozenset[str] = frozenset()  # headline words
    thin: bool = False  # headline-only, photo caption: too little body to judge by
    figures: dict[str, frozenset[str]] = field(default_factory=dict)  # lead: unit → values
    named_days: bool = False  # the days were named in the text (not the publication day)
    ahead: frozenset[int] = frozenset()  # those of ``days`` announced: 오는 17일, 내일(16일)

    @property
    def empty(self) -> bool:
        return not self.weights


def signals_from(analysis: Analysis, time: datetime | None = None) -> Signals:
    """Evidence of one article; ``time`` is when it was published, if known."""
    weights: dict[str, float] = {}
    get = weights.get
    headline = frozenset(t for t in analysis.title_terms if _is_word(t))
    for term in analysis.title_terms:
        if term in headline:
            weights[term] = get(term, 0.0) + TITLE_WEIGHT
    body = 0
    for term, weight in zip(analysis.body_terms, _decay(len(analysis.body_terms))):
        if _is_word(term):
            weights[term] = get(term, 0.0) + weight
            body += 1
    for number in analysis.numbers:
        key = NUMBER_PREFIX + number
        weights[key] = get(key, 0.0) + 1.0
    thin = body < THIN_BODY_TERMS
    figures: dict[str, set[str]] = {}
    for _, number in _qualified(analysis.lead_numbers):
        figure = _figure(number)
        if figure is not None:
            figures.setdefault(figure[0], set()).add(figure[1])
    named, ahead = _named_days(analysis)
    if named and time is not None:  # days far from a known publication day are background
        published = _publication_day(time)
        named = frozenset(d for d in named if day_gap(frozenset({d}), published) <= ANCHOR_DAYS)
    return Signals(weights, named or _publication_day(time), time, headline, thin,
                   {unit: frozenset(values) for unit, values in figures.items()},
                   bool(named), ahead)


_DECAYS: list[float] = []


def _decay(length: int) -> list[float]:
    """Weights 1 / (1 + k / LEAD_DECAY) of body positions k < length (computed once)."""
    while len(_DECAYS) < length:
        _DECAYS.append(1.0 / (1.0 + len(_DECAYS) / LEAD_DECAY))
    return _DECAYS


@lru_cache(maxsize=200_000)
def _is_word(term: str) -> bool:
    # One-syllable nouns (서, 발, 틈) and bare numbers carry no event; counted numbers do.
    return len(term) > 1 and not term.replace(".", "").replace(",", "").isdigit()


@lru_cache(maxsize=100_000)
def _figure(number: str) -> tuple[str, str] | None:
    """(unit, value) of a counted number: 3.50% and 3.5% agree; 2023년 is a year, 3년 is not."""
    i = 0
    while i < len(number) and (number[i].isdigit() or number[i] in ".,"):
        i += 1
    unit = number[i:]
    if not unit or unit in TIME_UNITS:
        return None
    try:
        value = float(number[:i].replace(",", ""))
    except ValueError:
        return None
    if unit in ORDINAL_UNITS:
        unit = ORDINAL  # 7연속, 7차례, 7번째: which occurrence of a repeated happening
    if unit == "년" and 1900 <= value <= 2100:
        unit = "년도"  # a year (2023년), not a duration (3년 만에)
    return unit, f"{value:g}"


def figure_conflicts(a: dict[str, frozenset[str]], b: dict[str, frozenset[str]]) -> int:
    """Units both leads count in whose values never agree, less the units that agree."""
    balance = 0
    for unit in a.keys() & b.keys():
        balance += -1 if a[unit] & b[unit] else 1
    return max(0, balance)


def _qualified(lead_numbers: tuple[str, ...]) -> Iterator[tuple[str | None, str]]:
    """(time word or None, number) of the lead's numbers: the analysis puts a time word
    (지난, 오는, 내일) right before the date part it qualifies."""
    word = None
    for item in lead_numbers:
        if item in TIME_WORDS:
            word = item
            continue
        yield word, item
        word = None


def _named_days(analysis: Analysis) -> tuple[frozenset[int], frozenset[int]]:
    """(days the lead names, the ones among them it announces ahead): month * 100 + day when
    the month comes right before, else the day. Announced days stay among the days named (a
    preview of the 17th is from about then: it is still days away from a report of the 12th).

    Days named after 지난 (지난 7일) stay the article's own: a follow-up names the happening
    it follows ("지난 7일 열린 경기에서…"), and dropping them lost more than it gained."""
    days, ahead = set(), set()
    month = 0
    for word, number in _qualified(analysis.lead_numbers):
        value = number[:-1]
        if number.endswith("월") and value.isdigit() and 1 <= int(value) <= 12:
            month = int(value)
            continue
        if number.endswith("일") and value.isdigit() and 1 <= int(value) <= 31:
            day = month * 100 + int(value)
            days.add(day)
            if word in (NEXT, TOMORROW):
                ahead.add(day)
        month = 0
    return frozenset(days), frozenset(ahead)


class Dated(Protocol):
    """What has event days and announced days: ``Signals``, the clusterer's members."""

    days: frozenset[int]
    ahead: frozenset[int]


def announced(a: Dated, b: Dated) -> bool:
    """Whether either article announces ahead a day the other reports as its own (named and
    not announced, or its publication day): a preview and the happening it announces are two
    events. Both announcing the same day is no contradiction."""
    return _announces(a.ahead, b.days - b.ahead) or _announces(b.ahead, a.days - a.ahead)


def _announces(ahead: frozenset[int], days: frozenset[int]) -> bool:
    return bool(ahead) and bool(days) and any(
        _distance(x, y) == 0 for x in ahead for y in days)


def _publication_day(time: datetime | None) -> frozenset[int]:
    if time is None:
        return frozenset()
    local = local_time(time, _SEOUL) if time.tzinfo else time
    return frozenset({local.month * 100 + local.day}) if local else frozenset()


def day_gap(a: frozenset[int], b: frozenset[int]) -> int:
    """Smallest distance in days between the days named; 0 when either names none.

    Two dated days (month and day) are compared on the calendar, across the year's end;
    otherwise as days of the month (31 and 1 are a day apart)."""
    if not a or not b or not a.isdisjoint(b):
        return 0
    return min(_distance(x, y) for x in a for y in b)


def _distance(x: int, y: int) -> int:
    if x > 100 and y > 100:
        apart = abs(_MONTH_START[x // 100] + x % 100 - _MONTH_START[y // 100] - y % 100)
        return min(apart, 365 - apart)
    apart = abs(x % 100 - y % 100)
    return min(apart, 31 - apart)


_MONTH_START = (0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
