"""A reader's query, analysed like the articles, turned into an FTS5 or tsquery expression.

The query goes through the same ``Analyzer`` as the articles' titles and leads, so particles
and endings fall away (삼성전자가 → 삼성전자) and Latin/number runs join (HBM3E → hbm3e).
Each term then matches in one of two ways:

- exactly, as an analysed term of the title or lead (precise; ranked higher);
- inside any word of the capped text, as the phrase of its syllable bigrams (휴진 inside
  집단휴진은). Latin/number runs match as whole tokens; one-syllable terms only exactly.

Adjacent Hangul terms pair up as ``(a AND b) OR ab`` so that a misspaced query (삼성 전자)
also finds articles that write the word together (삼성전자) as one analysed term. The
``phrase`` mode asks for the pair written next to each other, with or without a space
(삼성전자, 삼성 전자); store/search.py ranks those matches first, as a phrase boost.

Every token is quoted and tokens hold only word characters, so no user input is ever read
as FTS5 or tsquery syntax (" * : ^ NEAR AND OR are just text, or dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ranknews.search.document import word_grams
from ranknews.text.analysis import Analyzer

_WORD = re.compile(r"[가-힣]+|[A-Za-z0-9]+")
_HANGUL = re.compile(r"^[가-힣]+$")
MAX_UNITS = 8

Mode = Literal["phrase", "and", "or"]


@dataclass(frozen=True, slots=True)
class Term:
    text: str

    @property
    def hangul(self) -> bool:
        return bool(_HANGUL.match(self.text))


@dataclass(frozen=True, slots=True)
class Unit:
    """One required part of the query: a term, or two adjacent terms and their joined form."""

    terms: tuple[Term, ...]
    joined: Term | None = None


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str
    units: tuple[Unit, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.units

    @property
    def has_pairs(self) -> bool:
        return any(u.joined for u in self.units)

    @property
    def needles(self) -> list[str]:
        """Strings to highlight in results, longest first."""
        found = {t.text for u in self.units for t in u.terms}
        found |= {u.joined.text for u in self.units if u.joined}
        return sorted(found, key=lambda s: (-len(s), s))


def parse_query(text: str, analyzer: Analyzer, *, max_chars: int = 200) -> ParsedQuery:
    """Analyse ``text`` (cut to ``max_chars``) into units; an empty query has no units."""
    text = (text or "").strip()[:max_chars]
    if not text:
        return ParsedQuery(text="")
    words = [t for t in analyzer.terms(text) if re.fullmatch(r"\w+", t)]
    if not words:  # no nouns (a verb, jamo, emoji): fall back to the written words
        words = [w for w in _WORD.findall(text) if len(w) > 1 or not _HANGUL.match(w)]
    terms = [Term(w.lower()) for w in dict.fromkeys(words)]
    return ParsedQuery(text=text, units=tuple(_pair(terms))[:MAX_UNITS])


def _pair(terms: list[Term]) -> list[Unit]:
    units: list[Unit] = []
    i = 0
    while i < len(terms):
        a = terms[i]
        b = terms[i + 1] if i + 1 < len(terms) else None
        if b is not None and a.hangul and b.hangul:
            units.append(Unit((a, b), joined=Term(a.text + b.text)))
            i += 2
        else:
            units.append(Unit((a,)))
            i += 1
    return units


# ---- SQLite FTS5 -------------------------------------------------------------------------

def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fts_term(term: Term) -> str:
    if not term.hangul:
        return "{title lead grams} : " + _fts_quote(term.text)
    exact = "{title lead} : " + _fts_quote(term.text)
    if len(term.text) < 2:
        return exact
    phrase = " ".join(word_grams(term.text))
    return f"({exact} OR grams : {_fts_quote(phrase)})"


def _fts_adjacent(unit: Unit) -> str:
    a, b = (t.text for t in unit.terms)
    grams = " ".join(word_grams(a) + word_grams(b))
    return (f"({{title lead}} : {_fts_quote(a + ' ' + b)} OR grams : {_fts_quote(grams)}"
            f" OR {_fts_term(unit.joined)})")  # type: ignore[arg-type]


def _fts_unit(unit: Unit, mode: Mode) -> str:
    if unit.joined is None:
        return _fts_term(unit.terms[0])
    if mode == "phrase":
        return _fts_adjacent(unit)
    both = " AND ".join(_fts_term(t) for t in unit.terms)
    return f"(({both}) OR {_fts_term(unit.joined)})"


def to_fts5(query: ParsedQuery, mode: Mode = "and") -> str:
    op = " OR " if mode == "or" else " AND "
    return op.join(_fts_unit(u, mode) for u in query.units)


# ---- PostgreSQL tsquery ------------------------------------------------------------------
# Title terms carry weight A, lead terms B, grams D (see store/search.py).

def _ts_quote(token: str, weights: str = "") -> str:
    quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{weights}" if weights else quoted


def _ts_term(term: Term) -> str:
    if not term.hangul:
        return _ts_quote(term.text)
    exact = _ts_quote(term.text, "AB")
    if len(term.text) < 2:
        return exact
    phrase = " <-> ".join(_ts_quote(g, "D") for g in word_grams(term.text))
    return f"({exact} | ({phrase}))"


def _ts_adjacent(unit: Unit) -> str:
    a, b = (t.text for t in unit.terms)
    terms = f"{_ts_quote(a, 'AB')} <-> {_ts_quote(b, 'AB')}"
    grams = " <-> ".join(_ts_quote(g, "D") for g in word_grams(a) + word_grams(b))
    return f"(({terms}) | ({grams}) | {_ts_term(unit.joined)})"  # type: ignore[arg-type]


def _ts_unit(unit: Unit, mode: Mode) -> str:
    if unit.joined is None:
        return _ts_term(unit.terms[0])
    if mode == "phrase":
        return _ts_adjacent(unit)
    both = " & ".join(_ts_term(t) for t in unit.terms)
    return f"(({both}) | {_ts_term(unit.joined)})"


def to_tsquery(query: ParsedQuery, mode: Mode = "and") -> str:
    op = " | " if mode == "or" else " & "
    return op.join(f"({_ts_unit(u, mode)})" for u in query.units)
