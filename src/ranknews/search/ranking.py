"""Ranking the matches of a query: BM25F-like text relevance blended with recency.

The database finds the newest ``candidate_limit`` posts that match (FTS5 MATCH or tsquery
@@, ordered by number, which stops early), and returns their stored token columns. They
are ranked here, in the same Python on SQLite and PostgreSQL, so both backends order
results identically. (FTS5's bm25() would scan every post containing each query phrase to
compute its IDF, which at a million posts costs more than the whole search budget.)

Text relevance, per query unit u (a term, or a pair of adjacent terms):

    tf_u  = Σ_columns w_c × count_c(u) / (1 − b + b × len_c / avglen_c)    (BM25F)
    rel   = Σ_u idf_u × tf_u / (k1 + tf_u)

with column weights w = title 4, lead 2, grams 1 (an analysed headline term counts most, a
bigram match inside a word least; one at the start of a word counts twice, so 한은은 beats
북한은 for 한은), k1 = 1.2, b = 0.75, and avglen over the candidates. A compound word of
the query (국민의힘대표) counts its k parts at 1/k weight each plus the whole word.
idf_u comes from the caller: 1 for every unit when only posts with every unit are ranked;
for a partial match, the rarer a word, the more it counts (store/search.py estimates
idf_u = ln(1 + (L + 0.5) / (df_u + 0.5)) from the matches df_u of the word alone in a
window of L).

Order: posts that contain every unit first, then those that contain most of them (more
units first; among as many, those with more of the query's names, as Kiwi tags them (NNP):
a person's name plus a word the articles paraphrase still finds that person), each tier
by score. Within a tier,
posts where two adjacent words of the query are written next to each other (삼성전자,
삼성 전자) come first (a phrase boost).

Recency:

    score = rel × (1 + recency_weight × 2^(−age_hours / half_life_hours))

A post published now gets up to ``1 + recency_weight`` times its text score; the bonus
halves every ``half_life_hours``. Multiplying keeps the blend independent of the scale of
the text score. Age is taken from ``published_at``, else from when the post was collected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Collection, Sequence

from ranknews.search.query import ParsedQuery, Pattern, adjacent_patterns, term_patterns
from ranknews.store.search_rows import WORD_START, Candidate

WEIGHTS = {"title": 4.0, "lead": 2.0, "grams": 1.0}
K1 = 1.2
B = 0.75


@dataclass(frozen=True, slots=True)
class Ranked:
    board_no: int
    score: float
    relevance: float
    adjacent: bool
    matched: int = 0  # units of the query this post contains
    complete: bool = True  # it contains every unit
    names: int = 0  # name (NNP) units of the query it contains


def recency_factor(when: datetime | None, now: datetime, *, weight: float,
                   half_life_hours: float) -> float:
    if when is None or weight <= 0 or half_life_hours <= 0:
        return 1.0
    age_hours = max(0.0, (now - when).total_seconds() / 3600)
    return 1.0 + weight * 2.0 ** (-age_hours / half_life_hours)


def rank(query: ParsedQuery, candidates: Sequence[Candidate], now: datetime, *,
         recency_weight: float, half_life_hours: float, idfs: Sequence[float] | None = None,
         complete: Collection[int] | None = None) -> list[Ranked]:
    """Candidates best first. ``complete``: the numbers of the posts that matched every unit
    (None: all of them); ``idfs``: one weight per unit (None: 1 each)."""
    docs = [_Columns(c) for c in candidates]
    avg = {c: (sum(d.lengths[c] for d in docs) / len(docs) if docs else 1.0) or 1.0
           for c in WEIGHTS}
    unit_patterns = [[_needles(term_patterns(t)) for t in u.terms] for u in query.units]
    joined = [_needles(term_patterns(u.joined)) if u.joined else [] for u in query.units]
    adjacency = _needles([p for u in query.pairs for p in adjacent_patterns(u)])
    weights = list(idfs) if idfs is not None else [1.0] * len(query.units)
    names = [i for i, u in enumerate(query.units) if u.name]
    out = []
    for cand, doc in zip(candidates, docs):
        tfs = [_unit_tf(doc, terms, pair, avg) for terms, pair in zip(unit_patterns, joined)]
        rel = sum(idf * tf / (K1 + tf) for idf, tf in zip(weights, tfs))
        factor = recency_factor(cand.when, now, weight=recency_weight,
                                half_life_hours=half_life_hours)
        full = complete is None or cand.board_no in complete
        out.append(Ranked(cand.board_no, rel * factor, rel,
                          any(doc.text[c].count(n) for c, n, _ in adjacency),
                          matched=len(tfs) if full else sum(1 for tf in tfs if tf > 0),
                          complete=full,
                          names=len(names) if full else sum(1 for i in names if tfs[i] > 0)))
    out.sort(key=lambda r: (not r.complete, -r.matched, -r.names, not r.adjacent,
                            -r.score, -r.board_no))
    return out


class _Columns:
    """A candidate's token columns, padded so that a pattern matches whole tokens only."""

    __slots__ = ("text", "lengths")

    def __init__(self, cand: Candidate) -> None:
        self.text = {"title": f" {cand.title} ", "lead": f" {cand.lead} ",
                     "grams": f" {cand.grams} "}
        self.lengths = {c: t.count(" ") - 1 for c, t in self.text.items()}


Needle = tuple[str, str, str]  # column, " tokens " as found in the padded column, at word start


def _needles(patterns: list[Pattern]) -> list[Needle]:
    out = []
    for column, tokens, prefix in patterns:
        end = "" if prefix else " "
        out.append((column, f" {tokens}{end}", f" {WORD_START} {tokens}{end}"))
    return out


def _term_tf(doc: _Columns, needles: list[Needle], avg: dict[str, float]) -> float:
    tf = 0.0
    for column, needle, at_start in needles:
        text = doc.text[column]
        n = text.count(needle)
        if n and column == "grams":  # a match at the start of a word counts twice
            n += text.count(at_start)
        if n:
            tf += WEIGHTS[column] * n / (1 - B + B * doc.lengths[column] / avg[column])
    return tf


def _unit_tf(doc: _Columns, terms: list[list[Needle]], joined: list[Needle],
             avg: dict[str, float]) -> float:
    if not joined:
        return _term_tf(doc, terms[0], avg)
    return sum(_term_tf(doc, t, avg) for t in terms) / len(terms) + _term_tf(doc, joined, avg)


def rarity(df: int, window: int) -> float:
    """A unit's weight in a partial match from its matches ``df`` in a window of ``window``
    newest posts (a word found ``window`` times or more is as common as it gets here)."""
    return math.log(1 + (window + 0.5) / (df + 0.5))
