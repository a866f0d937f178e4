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
북한은 for 한은), k1 = 1.2, b = 0.75, and avglen over the candidates. A
pair counts its two terms at half weight each plus its joined form (삼성 전자 → 삼성전자).
Every candidate of an AND search contains every unit, so idf_u = 1; when no post had every
unit and the search fell back to OR, idf_u = ln(1 + (n − df_u + 0.5) / (df_u + 0.5)) over
the n candidates. Posts where a pair is written next to each other (삼성전자, 삼성 전자) rank
before those where the two terms only both occur (a phrase boost).

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
from typing import Sequence

from ranknews.search.document import WORD_START
from ranknews.search.query import ParsedQuery, Pattern, adjacent_patterns, term_patterns

WEIGHTS = {"title": 4.0, "lead": 2.0, "grams": 1.0}
K1 = 1.2
B = 0.75


@dataclass(frozen=True, slots=True)
class Candidate:
    board_no: int
    when: datetime | None  # published_at, else collected_at
    title: str  # the stored token columns
    lead: str
    grams: str


@dataclass(frozen=True, slots=True)
class Ranked:
    board_no: int
    score: float
    relevance: float
    adjacent: bool


def recency_factor(when: datetime | None, now: datetime, *, weight: float,
                   half_life_hours: float) -> float:
    if when is None or weight <= 0 or half_life_hours <= 0:
        return 1.0
    age_hours = max(0.0, (now - when).total_seconds() / 3600)
    return 1.0 + weight * 2.0 ** (-age_hours / half_life_hours)


def rank(query: ParsedQuery, candidates: Sequence[Candidate], now: datetime, *,
         recency_weight: float, half_life_hours: float, any_unit: bool = False) -> list[Ranked]:
    """Candidates best first."""
    docs = [_Columns(c) for c in candidates]
    avg = {c: (sum(d.lengths[c] for d in docs) / len(docs) if docs else 1.0) or 1.0
           for c in WEIGHTS}
    unit_patterns = [[_needles(term_patterns(t)) for t in u.terms] for u in query.units]
    joined = [_needles(term_patterns(u.joined)) if u.joined else [] for u in query.units]
    adjacency = _needles([p for u in query.units for p in adjacent_patterns(u)])
    tfs = [[_unit_tf(d, terms, pair, avg) for terms, pair in zip(unit_patterns, joined)]
           for d in docs]
    idfs = _idfs(tfs, len(docs)) if any_unit else [1.0] * len(query.units)
    out = []
    for cand, doc, unit_tfs in zip(candidates, docs, tfs):
        rel = sum(idf * tf / (K1 + tf) for idf, tf in zip(idfs, unit_tfs))
        factor = recency_factor(cand.when, now, weight=recency_weight,
                                half_life_hours=half_life_hours)
        out.append(Ranked(cand.board_no, rel * factor, rel,
                          any(doc.text[c].count(n) for c, n, _ in adjacency)))
    out.sort(key=lambda r: (not r.adjacent, -r.score, -r.board_no))
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
    return sum(_term_tf(doc, t, avg) for t in terms) / 2 + _term_tf(doc, joined, avg)


def _idfs(tfs: list[list[float]], n: int) -> list[float]:
    if not tfs:
        return []
    df = [sum(1 for row in tfs if row[u] > 0) for u in range(len(tfs[0]))]
    return [math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df]
