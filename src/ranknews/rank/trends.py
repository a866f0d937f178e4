"""Trending keywords (실시간 이슈 키워드): keywords that burst against their own past.

How a keyword is counted in a window (``count_window``):
    weight = number of distinct (story, outlet) pairs among the window's articles that carry
    it. A story is the stories stage's id when there is one, else a near-duplicate signature
    (the article's keyword set). So a flood of near-identical articles from one outlet counts
    once, while the same event told by three outlets and followed up twice counts up to nine.

How a keyword is scored against its own baseline (``score_window``): a burst is a count
well above what the keyword usually gets, measured as the Poisson log-likelihood ratio of the
count against its usual level (Dunning's G², one-sided):
    W, D  = the keyword's weight, and the days' docs (their (story, outlet) pairs), summed
            over the previous ``baseline_days`` days that had articles (days with none are
            skipped, not zeros), leaving out the days on which the keyword itself burst
    e     = W / D * docs_now                 what the keyword usually gets in a window this size
    h     = (W + prior) / D * docs_now       the same with a pseudo-count: a word never seen in
                                             the whole history counts as seen ``prior`` times
    burst = x * ln(x / h) - (x - h)          when x > h, else no trend
    score = burst * sqrt(outlets_now / outlets_in_window) * coherence
Unlike a z-score this grows with the size of the burst (27 headlines on one name beat 4 on a
new word) while a keyword's usual level is divided out: 정부 or 대통령 carry a high e every
day, so they only trend on a day far above their habit.

The usual level is pooled over a long history (eight weeks): a few hundred headlines a day
are too few to tell a generic noun seen now and then (분야, 가구: a handful of times a fortnight)
from a name never seen before, while eight weeks are. The pseudo-count is spread over the
whole history, so a new name scores far above a common word that happens to reach the same
count today, the main source of generic nouns in a top 10 before.

Past bursts of the keyword itself are not its usual level (the base state of Kleinberg's burst
model): a history day on which the keyword burst against its level on the other days
(log-likelihood ratio above ``burst_day``, G² > 10.83, p < 0.001) is left out of W and D. So a
story that runs for several days, or comes back (a second 매도 사이드카 within weeks), is
compared with the keyword's ordinary days, not with its own earlier burst; a generic word's
ordinary ups and downs are far from that threshold and stay in.

The outlet factor prefers what several outlets report over one outlet's own campaign.
``coherence`` is the share of the keyword's articles carrying its most common companion word:
an event's articles repeat each other's words (윤리심판원 with 김병기), while a generic noun
that bursts by chance (운영, 분야) sits in articles about unrelated things.

What may head an entry (issue 16: about a third of the top 10 named no story on days nobody
tuned on): a keyword must be carried by several articles that share more than that word
(``supported``: some second keyword in 3+ of its articles from 2+ outlets, and in a third of
them or 5), so a generic noun (확보, 기간), a bare year or a word of one quote that bursts by
chance does not; it must not be mostly written inside a longer keyword (``mostly_a_piece``: 민족
of 배달의민족, 닉스 of 하이닉스); and it must not be an everyday word of the news, one seen on
three history days in four or more (``everyday_word``, document frequency over days: 한국,
투자, 성장), which may be shown beside an entry but never heads one.

Keywords that mostly share their articles with a higher one (전재수, 해수부, 사의 for one
resignation) are folded into it as ``related``, so ten keywords name ten different things.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Hashable, Iterable, Sequence


@dataclass(frozen=True, slots=True)
class KeywordDoc:
    """One article as trends see it (its keywords come from ``keywords.article_keywords``)."""

    key: Hashable  # board_no
    outlet: str
    keywords: tuple[str, ...]
    story: Hashable | None = None
    at: datetime | None = None


@dataclass
class WindowCounts:
    """Counts of one window of articles (a day, or the last 24 hours)."""

    docs: int = 0  # distinct (story, outlet) pairs
    outlets_total: int = 0
    weights: dict[str, int] = field(default_factory=dict)
    outlets: dict[str, set[str]] = field(default_factory=dict)
    articles: dict[str, list[Hashable]] = field(default_factory=dict)  # newest first
    stories: dict[str, set[Hashable]] = field(default_factory=dict)
    doc_keywords: dict[Hashable, tuple[str, ...]] = field(default_factory=dict)
    doc_outlets: dict[Hashable, str] = field(default_factory=dict)

    def day_counts(self) -> "DayCounts":
        return DayCounts(docs=self.docs, weights=dict(self.weights))


@dataclass(frozen=True)
class DayCounts:
    """What history keeps of a past day: the baseline of every keyword."""

    docs: int
    weights: dict[str, int]


@dataclass(frozen=True)
class Trend:
    keyword: str
    score: float
    count: int  # weight now
    expected: float  # what the baseline predicted for a window this size
    outlets: tuple[str, ...]
    articles: tuple[Hashable, ...]  # newest first: the articles that drive it
    stories: tuple[Hashable, ...]
    related: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"keyword": self.keyword, "score": round(self.score, 2), "count": self.count,
                "expected": round(self.expected, 2), "outlets": list(self.outlets),
                "articles": list(self.articles), "stories": list(self.stories),
                "related": list(self.related)}


@dataclass(frozen=True)
class TrendParams:
    baseline_days: int = 56  # the history the usual level is pooled over (see above)
    min_count: int = 3
    prior: float = 0.5  # pseudo-count: how often a never-seen keyword counts as seen
    burst_day: float = 5.41  # a history day where the keyword burst this much is left out
    overlap: float = 0.5  # share of articles above which a keyword folds into a higher one
    candidates: int = 60
    focus: float = 1.0  # exponent of the coherence factor (see ``coherence``)
    support_share: float = 1 / 3  # share of its articles that must share a second keyword
    support_enough: int = 5  # ... unless that many do (a large story tells several turns)
    everyday: float = 0.75  # seen on this share of the history days: a word, not a story
    everyday_days: int = 28  # ... judged only with this many history days


def story_key(doc: KeywordDoc) -> Hashable:
    return doc.story if doc.story is not None else frozenset(doc.keywords)


def count_window(docs: Iterable[KeywordDoc]) -> WindowCounts:
    """Count each keyword's distinct (story, outlet) pairs, outlets and articles."""
    ordered = sorted(docs, key=lambda d: (d.at is not None, d.at), reverse=True)
    counts = WindowCounts()
    seen_pairs: set[tuple[Hashable, str]] = set()
    pairs_by_kw: dict[str, set[tuple[Hashable, str]]] = defaultdict(set)
    outlets_all: set[str] = set()
    for doc in ordered:
        pair = (story_key(doc), doc.outlet)
        seen_pairs.add(pair)
        outlets_all.add(doc.outlet)
        counts.doc_keywords[doc.key] = doc.keywords
        counts.doc_outlets[doc.key] = doc.outlet
        for kw in doc.keywords:
            pairs_by_kw[kw].add(pair)
            counts.outlets.setdefault(kw, set()).add(doc.outlet)
            counts.articles.setdefault(kw, []).append(doc.key)
            counts.stories.setdefault(kw, set()).add(pair[0])
    counts.docs = len(seen_pairs)
    counts.outlets_total = len(outlets_all)
    counts.weights = {kw: len(pairs) for kw, pairs in pairs_by_kw.items()}
    return counts


def usual_share(history: Sequence[DayCounts], keyword: str,
                params: TrendParams) -> tuple[float, float] | None:
    """The keyword's usual share of a window's (story, outlet) pairs: (plain, with the prior's
    pseudo-count), pooled over ``history`` with the keyword's own burst days left out. None
    when the history is empty."""
    days = [(day.weights.get(keyword, 0), day.docs) for day in history if day.docs > 0]
    total_w = sum(w for w, _ in days)
    total_d = sum(d for _, d in days)
    base_w, base_d = total_w, total_d
    for w, d in days:
        if w and total_d > d:
            elsewhere = (total_w - w + params.prior) / (total_d - d)
            if poisson_burst(w, elsewhere * d) > params.burst_day:
                base_w, base_d = base_w - w, base_d - d
    if base_d <= 0:
        return None
    return base_w / base_d, (base_w + params.prior) / base_d


def coherence(now: WindowCounts, keyword: str) -> float:
    """Share of the keyword's articles that carry its most common companion word.

    An event's articles repeat each other's words (윤리심판원 with 김병기, 제명); a generic
    noun that bursts by chance (운영, 분야) appears in articles about unrelated things."""
    articles = now.articles[keyword]
    together = Counter(w for key in set(articles) for w in set(now.doc_keywords.get(key, ()))
                       if w != keyword)
    if not together:
        return 0.0
    return together.most_common(1)[0][1] / len(set(articles))


def everyday_word(history: Sequence[DayCounts], keyword: str, params: TrendParams) -> bool:
    """Whether the keyword is part of the everyday vocabulary of the news (document frequency
    over days): seen on at least ``everyday`` of the history days (한국, 투자, 성장, 확보 on three
    days in four or more). Such a word says what a story is about, beside its name, but it
    names no story itself; a name, even a long-running one (이혜훈, 통일교), is not seen that
    often over eight weeks."""
    if len(history) < params.everyday_days:
        return False
    seen = sum(1 for day in history if day.weights.get(keyword))
    return seen >= params.everyday * len(history)


def supported(now: WindowCounts, keyword: str, params: TrendParams) -> bool:
    """Whether the keyword is carried by several articles that share more than that word: some
    other keyword (not a piece of it, nor a longer word containing it) sits in at least
    ``min_count`` of its articles from two or more outlets (when the window has several), and
    in a third of them or ``support_enough``. A generic word (확보, 기간), a bare year or a word
    of one quote sits in articles about unrelated things, or in too few."""
    articles = set(now.articles[keyword])
    need = max(params.min_count, min(params.support_enough,
                                     params.support_share * len(articles)))
    min_outlets = min(2, now.outlets_total)
    together: dict[str, set[Hashable]] = defaultdict(set)
    for key in articles:
        for w in now.doc_keywords.get(key, ()):
            if w not in keyword and keyword not in w:
                together[w].add(key)
    return any(len(keys) >= need
               and len({now.doc_outlets.get(k) for k in keys}) >= min_outlets
               for keys in together.values())


def mostly_a_piece(now: WindowCounts, keyword: str, words: "_Words") -> bool:
    """Whether the keyword is written as part of a longer keyword (민족 of 배달의민족, 닉스 of
    하이닉스, 과세 of 비과세) in more of the window's articles than on its own: then the whole
    word, not the piece, is what can name a story."""
    longer = words.containing(keyword)
    if not longer:
        return False
    inside = {key for w in longer for key in now.articles[w]}
    alone = set(now.articles[keyword]) - inside
    return len(inside) > len(alone)


class _Words:
    """The window's keywords, to find the longer ones that contain a keyword in one scan."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = list(words)
        self.blob = "\n".join(self.words)
        self.starts = list(itertools.accumulate((len(w) + 1 for w in self.words), initial=0))

    def containing(self, keyword: str) -> set[str]:
        found: set[str] = set()
        at = self.blob.find(keyword)
        while at >= 0:
            word = self.words[bisect.bisect_right(self.starts, at) - 1]
            if word != keyword:
                found.add(word)
            at = self.blob.find(keyword, at + 1)
        return found


def poisson_burst(count: float, usual: float) -> float:
    """One-sided Poisson log-likelihood ratio of ``count`` against the rate ``usual``."""
    if count <= usual:
        return 0.0
    return count * math.log(count / usual) - (count - usual)


def score_window(now: WindowCounts, history: Sequence[DayCounts],
                 params: TrendParams | None = None, limit: int = 10) -> list[Trend]:
    """The top keywords of ``now`` against ``history`` (the days before it, oldest first)."""
    params = params or TrendParams()
    if now.docs == 0:
        return []
    history = [day for day in history[-params.baseline_days:] if day.docs > 0]
    min_outlets = min(2, now.outlets_total)
    scored: list[tuple[float, str, float]] = []
    for kw, count in now.weights.items():
        if count < params.min_count or len(now.outlets[kw]) < min_outlets:
            continue
        share = usual_share(history, kw, params)
        # no history yet (a new board): every keyword counts as seen ``prior`` times a window
        expected, usual = (share[0] * now.docs, share[1] * now.docs) if share else (
            0.0, params.prior)
        burst = poisson_burst(count, usual)
        if burst > 0:
            breadth = math.sqrt(len(now.outlets[kw]) / now.outlets_total)
            focus = coherence(now, kw) ** params.focus if params.focus else 1.0
            scored.append((burst * breadth * focus, kw, expected))
    # ties: the more specific (longer) keyword first
    scored.sort(key=lambda item: (-round(item[0], 9), -len(item[1]), item[1]))
    kept = []
    words = _Words(now.weights)
    heads = 0
    for item in scored:  # best first, so only the few that can be shown are checked
        if heads >= params.candidates:
            break
        # a keyword that may not head an entry can still be shown beside one (related)
        may_head = supported(now, item[1], params) \
            and not mostly_a_piece(now, item[1], words) \
            and not everyday_word(history, item[1], params)
        heads += may_head
        kept.append((*item, may_head))
    return _fold(now, kept, params, limit)


def _fold(now: WindowCounts, scored: list[tuple[float, str, float, bool]], params: TrendParams,
          limit: int) -> list[Trend]:
    """Keep the best keyword of each group that shares its articles; the rest are related.
    A keyword that may not head an entry (a piece of a longer word, an everyday word, one
    without support) is only ever shown beside one."""
    kept: list[tuple[float, str, float, set[Hashable]]] = []
    related: dict[str, list[str]] = defaultdict(list)
    for score, kw, expected, may_head in scored:
        mine = set(now.articles[kw])
        owner = next((k for _, k, _, arts in kept
                      if len(mine & arts) >= params.overlap * min(len(mine), len(arts))), None)
        if owner is not None:
            related[owner].append(kw)
            continue
        if len(kept) < limit and may_head:
            kept.append((score, kw, expected, mine))
    shown = {kw for _, kw, _, _ in kept}
    return [Trend(keyword=kw, score=score, count=now.weights[kw], expected=expected,
                  outlets=tuple(sorted(now.outlets[kw])), articles=tuple(now.articles[kw]),
                  stories=tuple(s for s in now.stories[kw] if not isinstance(s, frozenset)),
                  related=tuple(_related(now, kw, related[kw], shown)))
            for score, kw, expected, _ in kept]


def _related(now: WindowCounts, keyword: str, folded: list[str], shown: set[str],
             most: int = 4) -> list[str]:
    """Folded keywords, then the words most of the keyword's articles share (김병기 beside
    윤리심판원), so a reader sees what the keyword is about."""
    articles = now.articles[keyword]
    together = Counter(w for key in articles for w in now.doc_keywords.get(key, ())
                       if w != keyword and w not in shown)
    context = [w for w, n in together.most_common(most)
               if n >= max(2, len(articles) / 2) and w not in folded]
    return (folded + context)[:most]
