"""Incremental clustering of articles into stories, within a time window.

Each arriving article is compared only with the stories still open in the window, found
through an inverted index of their salient terms; it joins the best one when the evidence is
strong enough, else it founds a new story. Nothing is recomputed globally per article.

The evidence between an article and one story member (``pair_score``):
1. time: both times known and further apart than ``max_gap`` → not the same event;
2. words: cosine of TF-IDF vectors (headline, lead-weighted body, counted numbers), with
   document frequencies counted over the articles in the window;
3. at least ``MIN_SHARED`` terms in common; when either is thin (a headline-only item, a
   [포토] caption), at least ``MIN_SHARED`` of its headline words among the other's terms
   (headline or lead: a full report may state the event in other words than its headline),
   so that tiny texts never join on one generic caption word (서울, 시민, 사진);
4. event days more than a day apart → the score is multiplied by ``DAY_PENALTY``; days named
   in both leads one apart (a press conference and the rebuttal the next day) → ``NEXT_DAY``;
   one announcing a day (오는 16일, 내일(16일)) that the other reports as its own → again
   ``DAY_PENALTY``: a preview and the happening are two events;
5. lead figures: each unit both leads count in (명, %, 년도) whose values never agree, beyond
   those that agree, multiplies the score by ``FIGURE_PENALTY`` (at most twice);
6. occurrences: both leads count which occurrence of a repeated happening this is (2차,
   7연속, 13차례, 3번째: one unit) and never agree → ``ORDINAL_PENALTY`` as well (the 7th and
   the 13th rate hold, the second and the third launch share every name and word).
The article's score for a story is the average over the story's founder and most recent
members (average link: one member that strays off-topic cannot drag unrelated articles in),
and nothing when any of them scores below ``MIN_LINK`` (a clear contradiction with one member
— another day, other figures — vetoes the join); it joins when the best story scores at least
``threshold``. Members published more than ``max_gap`` away are left out of the average (a
story running for days keeps taking reports), and members that left the window are no longer
compared (as after a restart, which restores the window only).

Operator decisions are constraints that every run honours: ``together`` pairs join directly,
``apart`` pairs never share a story. A story's id is the key (board number) of the article
that founded it, so re-clustering the same articles gives the same ids.
"""

from __future__ import annotations

import heapq
import math
import pickle
import zlib
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import fsum
from operator import mul
from typing import Hashable, Iterable, Iterator

from ranknews.stories.signals import ORDINAL, Signals, announced, day_gap, figure_conflicts

Key = Hashable

THRESHOLD = 0.2  # average-link score needed to join (measured: benchmarks/stories.py)
DAY_PENALTY = 0.3  # event days more than one day apart: a different happening
NEXT_DAY = 0.65  # the leads name days one apart: often the next step (a rebuttal, a reply)
FIGURE_PENALTY = 0.7  # per unit (max 2) in which the leads' counted numbers never agree
ORDINAL_PENALTY = 0.3  # the leads count different occurrences: 7연속 vs 13차례, 2차 vs 3차
MIN_LINK = 0.1  # a story is joined only if no compared member scores below this
MIN_SHARED = 2  # salient terms two articles must share before their cosine counts
INDEX_TERMS = 20  # salient terms per article used to find candidate stories
MAX_CANDIDATES = 8  # stories scored per article: those sharing the most salient terms
COMPARE_MEMBERS = 6  # a story is compared through its first and most recent members
VECTOR_TERMS = 60  # an article's vector keeps its heaviest terms; the tail is clutter


@dataclass(slots=True)
class _Member:
    key: Key
    vector: dict[str, float]  # unit TF-IDF vector, weighed when the article arrived
    days: frozenset[int]
    time: datetime | None
    headline: frozenset[str] = frozenset()
    thin: bool = False
    figures: dict[str, frozenset[str]] = field(default_factory=dict)
    named_days: bool = False
    ahead: frozenset[int] = frozenset()
    stamp: float | None = None  # time as a POSIX timestamp: cheaper to compare per pair


@dataclass(slots=True)
class _Story:
    id: Key
    members: list[_Member] = field(default_factory=list)
    size: int = 0
    last_time: datetime | None = None
    terms: set[str] = field(default_factory=set)
    order: tuple = ()  # its founder's ``ClusterItem.order``: breaks ties between stories


@dataclass(frozen=True, slots=True)
class ClusterItem:
    key: Key
    signals: Signals
    # where the article stands in the canonical order (time, URL): what decides ties, so
    # that the same articles give the same stories whatever keys (board numbers) they have
    order: tuple = ()


_STATE = ("_df", "_seen", "_observed", "_stories", "_story_of", "_index", "_latest")


class StoryClusterer:
    """State for the time window only: open stories, their index and document frequencies."""

    def __init__(self, *, window: timedelta = timedelta(days=3),
                 max_gap: timedelta = timedelta(days=2), threshold: float = THRESHOLD,
                 max_articles: int = 200_000,
                 ordinal_penalty: float = ORDINAL_PENALTY) -> None:
        self.window = window
        self.max_gap = max_gap
        self._gap = max_gap.total_seconds()
        self.threshold = threshold
        self.max_articles = max_articles
        self.ordinal_penalty = ordinal_penalty
        self._df: dict[str, int] = {}
        self._seen: deque[tuple[Key, datetime | None, tuple[str, ...]]] = deque()
        self._observed: set[Key] = set()
        self._stories: dict[Key, _Story] = {}
        self._story_of: dict[Key, Key] = {}
        self._index: dict[str, set[Key]] = {}
        self._together: dict[Key, set[Key]] = {}
        self._apart: dict[Key, set[Key]] = {}
        self._latest: datetime | None = None

    # -- operator constraints -------------------------------------------------------------
    def link(self, a: Key, b: Key, kind: str) -> None:
        """Remember an operator decision: ``together`` or ``apart``."""
        links = self._together if kind == "together" else self._apart
        links.setdefault(a, set()).add(b)
        links.setdefault(b, set()).add(a)

    # -- state ----------------------------------------------------------------------------
    @property
    def open_stories(self) -> int:
        return len(self._stories)

    @property
    def window_articles(self) -> int:
        return len(self._seen)

    def story_of(self, key: Key) -> Key | None:
        return self._story_of.get(key)

    def observe(self, key: Key, signals: Signals) -> None:
        """Count the article's terms in the window's document frequencies (once per key)."""
        if key in self._observed:
            return
        self._observed.add(key)
        terms = tuple(signals.weights)
        for term in terms:
            self._df[term] = self._df.get(term, 0) + 1
        self._seen.append((key, signals.time, terms))
        if signals.time is not None and (self._latest is None or signals.time > self._latest):
            self._latest = signals.time
        self._evict()

    def restore(self, key: Key, story_id: Key, signals: Signals, order: tuple = ()) -> None:
        """Put back an article already assigned (a restart), without deciding again."""
        self.observe(key, signals)
        self._join(self._stories.get(story_id) or self._found(story_id, order),
                   self._member(key, signals))

    def assign(self, key: Key, signals: Signals, order: tuple = ()) -> tuple[Key, float]:
        """The story this article joins (or founds), and the score that decided it."""
        self.observe(key, signals)
        if key in self._story_of:
            return self._story_of[key], 1.0
        member = self._member(key, signals)
        story, score = self._forced(key) or self._best(member)
        if story is None:
            story, score = self._found(key, order), 0.0
        self._join(story, member)
        return story.id, score

    # -- snapshots: the state at a point of the canonical order, to go on from later ---------
    def snapshot(self) -> bytes:
        """The whole state but the operator's links (which are loaded fresh each time)."""
        state = {name: getattr(self, name) for name in _STATE}
        return zlib.compress(pickle.dumps(state, protocol=5), 1)

    def load_snapshot(self, data: bytes) -> None:
        """Go back to a ``snapshot`` (the settings and links stay this clusterer's own)."""
        for name, value in pickle.loads(zlib.decompress(data)).items():
            setattr(self, name, value)

    # -- deciding -------------------------------------------------------------------------
    def _forced(self, key: Key) -> tuple[_Story, float] | None:
        for partner in self._together.get(key, ()):
            story = self._stories.get(self._story_of.get(partner))
            if story is not None and not self._vetoed(key, story):
                return story, 1.0
        return None

    def _best(self, member: _Member) -> tuple[_Story | None, float]:
        best, best_score = None, self.threshold
        for story in self._candidates(member):
            if self._vetoed(member.key, story):
                continue
            score = self._story_score(member, story)
            if score >= best_score:
                best, best_score = story, score
        return best, best_score

    def _candidates(self, member: _Member) -> Iterator[_Story]:
        hits: dict[Key, int] = {}
        for term in _salient(member.vector):
            for story_id in self._index.get(term, ()):
                hits[story_id] = hits.get(story_id, 0) + 1
        stories = self._stories
        # most shared terms first, then the canonical order: never the order of a set
        ranked = heapq.nsmallest(MAX_CANDIDATES, hits,
                                 key=lambda s: (-hits[s], stories[s].order, str(s)))
        for story_id in ranked:
            yield stories[story_id]

    def _vetoed(self, key: Key, story: _Story) -> bool:
        apart = self._apart.get(key)
        return bool(apart) and any(self._story_of.get(k) == story.id for k in apart)

    def _story_score(self, member: _Member, story: _Story) -> float:
        total, compared = 0.0, 0
        for other in story.members:
            if (member.stamp is not None and other.stamp is not None
                    and abs(member.stamp - other.stamp) > self._gap):
                continue  # too far apart in time to tell either way: not a veto
            score = self.pair_score(member, other)
            if score < MIN_LINK:
                return 0.0  # vetoed: no need to score the other members
            total += score
            compared += 1
        return total / compared if compared else 0.0

    def pair_score(self, a: _Member, b: _Member) -> float:
        if a.stamp is not None and b.stamp is not None and abs(a.stamp - b.stamp) > self._gap:
            return 0.0
        va, vb = a.vector, b.vector
        shared = va.keys() & vb.keys()  # a C-level intersection: most pairs share few terms
        if len(shared) < MIN_SHARED:
            return 0.0
        # fsum: exactly rounded, so the order of the set (it differs between processes) does
        # not change the last bit of a score, and two processes decide every tie alike
        score = fsum(map(mul, map(va.__getitem__, shared), map(vb.__getitem__, shared)))
        if (a.thin or b.thin) and not _headline_found(a, b):
            return 0.0
        if score < MIN_LINK:
            return score  # the checks below only lower it: it vetoes as it is
        gap = day_gap(a.days, b.days) if a.days and b.days else 0
        if gap > 1:
            score *= DAY_PENALTY
        elif gap == 1 and a.named_days and b.named_days:  # not reports either side of midnight
            score *= NEXT_DAY
        if (a.ahead or b.ahead) and announced(a, b):  # a preview and what it announced
            score *= DAY_PENALTY
        if (ORDINAL in a.figures and ORDINAL in b.figures
                and a.figures[ORDINAL].isdisjoint(b.figures[ORDINAL])):
            score *= self.ordinal_penalty  # the 7th and the 13th of a repeated happening
        conflicts = figure_conflicts(a.figures, b.figures) if a.figures and b.figures else 0
        if conflicts:
            score *= FIGURE_PENALTY ** min(conflicts, 2)
        return score

    # -- bookkeeping ----------------------------------------------------------------------
    def _member(self, key: Key, signals: Signals) -> _Member:
        return _Member(key, self._vector(signals.weights), signals.days, signals.time,
                       signals.headline, signals.thin, signals.figures, signals.named_days,
                       signals.ahead,
                       signals.time.timestamp() if signals.time is not None else None)

    def _vector(self, weights: dict[str, float]) -> dict[str, float]:
        log_n, df, log = math.log(len(self._seen) + 1), self._df, math.log
        ranked = [(w * (log_n - log(df.get(t, 1))), t) for t, w in weights.items()]
        if len(ranked) > VECTOR_TERMS:
            ranked.sort(reverse=True)
            del ranked[VECTOR_TERMS:]
        vector = {t: w for w, t in ranked if w > 0}
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {t: w / norm for t, w in vector.items()}

    def _found(self, story_id: Key, order: tuple = ()) -> _Story:
        # A restored story may already bear this id (``restory`` carries in the stories open
        # at a period's start, and a post's time need not follow its board number): join it.
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(story_id, order=order)
        return story

    def _join(self, story: _Story, member: _Member) -> None:
        self._story_of[member.key] = story.id
        story.size += 1
        story.members.append(member)
        if len(story.members) > COMPARE_MEMBERS:
            del story.members[1]  # keep the founder and the most recent ones
        if member.time is not None and (story.last_time is None or member.time > story.last_time):
            story.last_time = member.time
        for term in _salient(member.vector):
            story.terms.add(term)
            self._index.setdefault(term, set()).add(story.id)

    def _evict(self) -> None:
        """Forget what left the window: by time, and by count for articles without one."""
        horizon = self._latest - self.window if self._latest is not None else None
        while self._seen:
            key, time, terms = self._seen[0]
            too_old = horizon is not None and time is not None and time < horizon
            if not too_old and len(self._seen) <= self.max_articles:
                break
            self._seen.popleft()
            self._forget(key, terms)

    def _forget(self, key: Key, terms: tuple[str, ...]) -> None:
        self._observed.discard(key)
        for term in terms:
            left = self._df[term] - 1
            if left:
                self._df[term] = left
            else:
                del self._df[term]
        story_id = self._story_of.pop(key, None)
        story = self._stories.get(story_id)
        if story is not None:
            story.size -= 1
            # compared members are window members only, as after a restart
            story.members = [m for m in story.members if m.key != key]
            if story.size <= 0 or not story.members:
                self._close(story)

    def _close(self, story: _Story) -> None:
        del self._stories[story.id]
        for term in story.terms:
            ids = self._index.get(term)
            if ids is not None:
                ids.discard(story.id)
                if not ids:
                    del self._index[term]


def _headline_found(a: _Member, b: _Member) -> bool:
    """A thin article (headline-only, a caption) is judged by its headline: at least
    ``MIN_SHARED`` of its headline words must be among the other's terms (its headline or its
    lead, where a full report states the event in other words)."""
    return ((not a.thin or len(a.headline & b.vector.keys()) >= MIN_SHARED)
            and (not b.thin or len(b.headline & a.vector.keys()) >= MIN_SHARED))


def _salient(vector: dict[str, float]) -> list[str]:
    return heapq.nlargest(INDEX_TERMS, vector, key=vector.__getitem__)


def cluster_stream(clusterer: StoryClusterer, items: Iterable[ClusterItem], *,
                   chunk: int = 1000) -> Iterator[tuple[Key, Key, float]]:
    """Assign items in order, ``chunk`` at a time: (key, story id, score) for each.

    The one path every caller takes (live ingest, ``restory``, ``ranknews cluster``): a
    chunk's articles are first counted in the document frequencies, then assigned in order,
    so a word's weight does not depend on where in a chunk an article happens to stand.
    """
    batch: list[ClusterItem] = []
    for item in items:
        batch.append(item)
        if len(batch) >= chunk:
            yield from _assign_chunk(clusterer, batch)
            batch = []
    if batch:
        yield from _assign_chunk(clusterer, batch)


def _assign_chunk(clusterer: StoryClusterer,
                  batch: list[ClusterItem]) -> Iterator[tuple[Key, Key, float]]:
    for item in batch:
        clusterer.observe(item.key, item.signals)
    for item in batch:
        story_id, score = clusterer.assign(item.key, item.signals, item.order)
        yield item.key, story_id, score


def assign_bucket(clusterer: StoryClusterer,
                  batch: list[ClusterItem]) -> list[tuple[Key, Key, float]]:
    """Assign one time bucket's articles, given in the canonical order: all are counted in
    the document frequencies first, then assigned in order (as ``cluster_stream`` does a
    chunk). The live assigner goes bucket by bucket, so a bucket's outcome depends on the
    articles of that bucket and before it, not on when they arrived."""
    return list(_assign_chunk(clusterer, batch))


def restore_bucket(clusterer: StoryClusterer, batch: list[tuple[ClusterItem, Key]]) -> None:
    """Put back one bucket's articles with the stories they have, as ``assign_bucket`` would
    have left them (counted first, then joined in order)."""
    for item, _ in batch:
        clusterer.observe(item.key, item.signals)
    for item, story_id in batch:
        clusterer.restore(item.key, story_id, item.signals, item.order)
