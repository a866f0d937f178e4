"""A reader's query, analysed like the articles, turned into an FTS5 or tsquery expression.

The query goes through the same ``Analyzer`` as the articles' titles and leads, so particles
and endings fall away (삼성전자가 → 삼성전자) and Latin/number runs join (HBM3E → hbm3e).
Each term then matches in one of two ways:

- exactly, as an analysed term of the title or lead (precise; ranked higher);
- inside any word of the capped text, as the phrase of its syllable bigrams (휴진 inside
  집단휴진은). Latin/number runs match as whole tokens; one-syllable terms only exactly.

Adjacent Hangul terms pair up as ``(a AND b) OR ab`` so that a misspaced query (삼성 전자)
also finds articles that write the word together (삼성전자) as one analysed term; ranking
(search/ranking.py) puts posts with the pair written next to each other first.

Every token is quoted and tokens hold only word characters, so no user input is ever read
as FTS5 or tsquery syntax (" * : ^ NEAR AND OR are just text, or dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ranknews.search.document import word_grams
from ranknews.text.analysis import Analyzer, Token

_HANGUL = re.compile(r"^[가-힣]+$")
_HANGUL_ANY = re.compile(r"[가-힣]")
_HANGUL_RUN = re.compile(r"[가-힣]+")
# What the index tokenizers see as one token: a Hangul run or a run of other letters/digits.
_PIECE = re.compile(r"[가-힣]+|[^\W_가-힣]+")
_NUMBER = re.compile(r"\d[\d.,]*")
_NOUN_TAGS = frozenset({"NNG", "NNP"})
_LATIN_TAGS = frozenset({"SL", "SN", "SH"})
# A word ending in a verb or adjective form is a predicate: its nouns are the terms.
_PREDICATE_TAGS = ("EF", "EC", "ETM", "EP", "VV", "VA", "XSV", "XSA")
MAX_UNITS = 8

Mode = Literal["and", "or"]


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # as it will be highlighted: 삼성전자, hbm3e, 3.25

    @property
    def hangul(self) -> bool:
        return bool(_HANGUL.match(self.text))

    @property
    def tokens(self) -> list[str]:
        """What the index tokenizers see: 3.25 is the phrase "3 25"."""
        return _PIECE.findall(self.text.lower())


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
    tokens = analyzer.tokens(text)
    words: list[str] = []
    for match in re.finditer(r"\S+", text):
        inside = [t for t in tokens if match.start() <= t.start < match.end()]
        words += word_terms(text, inside)
    terms = [Term(w) for w in dict.fromkeys(w.lower() for w in words) if _PIECE.search(w)]
    return ParsedQuery(text=text, units=tuple(_pair(terms))[:MAX_UNITS])


def word_terms(text: str, tokens: list[Token]) -> list[str]:
    """The search terms of one written word of a query, from Kiwi's morphemes.

    Normally Kiwi's nouns (삼성전자가 → 삼성전자; 집단휴진 → 집단, 휴진) and joined Latin and
    number runs (HBM3E, 3.25). Without the context of a sentence Kiwi sometimes breaks a
    name it does not know into syllables (민희진 → 민/희/진) or reads part of it as another
    word class (새올 → 새/MM 올); then the written word without its trailing particles is
    the term, matched inside words by its bigrams. A number written with its unit or
    counter (170억, 36사단, 2000명) stays one term.
    """
    runs = _latin_runs(text, tokens)
    core = _without_particles([t for t in tokens if t.tag not in _LATIN_TAGS
                               and _HANGUL_ANY.search(t.form)])
    if not core:
        return [r[2] for r in runs]
    if runs and runs[-1][1] == core[0].start and _NUMBER.fullmatch(runs[-1][2]):
        return [r[2] for r in runs[:-1]] + [text[runs[-1][0]:core[-1].end]]
    nouns = [t.form for t in core if t.tag in _NOUN_TAGS]
    fragmented = any(len(n) < 2 for n in nouns) or any(t.tag not in _NOUN_TAGS for t in core)
    if fragmented and not core[-1].tag.startswith(_PREDICATE_TAGS):
        return [r[2] for r in runs] + _HANGUL_RUN.findall(text[core[0].start:core[-1].end])
    return [r[2] for r in runs] + nouns


def _latin_runs(text: str, tokens: list[Token]) -> list[tuple[int, int, str]]:
    """Latin letters and digits written together (HBM + 3 + E), as (start, end, text)."""
    runs: list[tuple[int, int, str]] = []
    for tok in tokens:
        if tok.tag not in _LATIN_TAGS:
            continue
        if runs and runs[-1][1] == tok.start:
            start = runs[-1][0]
            runs[-1] = (start, tok.end, text[start:tok.end])
        else:
            runs.append((tok.start, tok.end, text[tok.start:tok.end]))
    return runs


def _without_particles(tokens: list[Token]) -> list[Token]:
    end = len(tokens)
    while end and tokens[end - 1].tag.startswith(("J", "S")):
        end -= 1
    return tokens[:end]


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


def _grams_phrase(term: Term) -> tuple[list[str], bool]:
    """The grams-column tokens of a mixed term (170억 → 170, 억*) and whether the last is a
    prefix (a one-syllable Hangul piece is the start of a bigram there)."""
    tokens: list[str] = []
    prefix = False
    for piece in term.tokens:
        prefix = bool(_HANGUL.match(piece)) and len(piece) == 1
        tokens += [piece] if prefix else word_grams(piece)
    return tokens, prefix


def _fts_term(term: Term) -> str:
    if not term.hangul:
        exact = "{title lead grams} : " + _fts_quote(" ".join(term.tokens))
        grams, prefix = _grams_phrase(term)
        if grams == term.tokens and not prefix:
            return exact
        return f"({exact} OR grams : {_fts_quote(' '.join(grams))}{' *' if prefix else ''})"
    exact = "{title lead} : " + _fts_quote(term.text)
    if len(term.text) < 2:
        return exact
    phrase = " ".join(word_grams(term.text))
    return f"({exact} OR grams : {_fts_quote(phrase)})"


def _fts_unit(unit: Unit) -> str:
    if unit.joined is None:
        return _fts_term(unit.terms[0])
    both = " AND ".join(_fts_term(t) for t in unit.terms)
    return f"(({both}) OR {_fts_term(unit.joined)})"


def to_fts5(query: ParsedQuery, mode: Mode = "and") -> str:
    op = " OR " if mode == "or" else " AND "
    return op.join(_fts_unit(u) for u in query.units)


# ---- PostgreSQL tsquery ------------------------------------------------------------------
# Title terms carry weight A, lead terms B, grams D (see store/search.py).

def _ts_quote(token: str, weights: str = "") -> str:
    quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{weights}" if weights else quoted


def _ts_term(term: Term) -> str:
    if not term.hangul:
        exact = "(" + " <-> ".join(_ts_quote(t) for t in term.tokens) + ")"
        grams, prefix = _grams_phrase(term)
        if grams == term.tokens and not prefix:
            return exact
        quoted = [_ts_quote(g, "D") for g in grams]
        if prefix:
            quoted[-1] = quoted[-1][:-2] + ":*D"
        return f"({exact} | ({' <-> '.join(quoted)}))"
    exact = _ts_quote(term.text, "AB")
    if len(term.text) < 2:
        return exact
    phrase = " <-> ".join(_ts_quote(g, "D") for g in word_grams(term.text))
    return f"({exact} | ({phrase}))"


def _ts_unit(unit: Unit) -> str:
    if unit.joined is None:
        return _ts_term(unit.terms[0])
    both = " & ".join(_ts_term(t) for t in unit.terms)
    return f"(({both}) | {_ts_term(unit.joined)})"


def to_tsquery(query: ParsedQuery, mode: Mode = "and") -> str:
    op = " | " if mode == "or" else " & "
    return op.join(f"({_ts_unit(u)})" for u in query.units)


# ---- the same matches, as patterns counted in the stored token columns (ranking) ----------

Pattern = tuple[str, str, bool]  # column, space-joined tokens, last token is a prefix


def term_patterns(term: Term) -> list[Pattern]:
    """Where and as what a term occurs in a document's token columns."""
    if term.hangul:
        out: list[Pattern] = [("title", term.text, False), ("lead", term.text, False)]
        if len(term.text) >= 2:
            out.append(("grams", " ".join(word_grams(term.text)), False))
        return out
    exact = " ".join(term.tokens)
    grams, prefix = _grams_phrase(term)
    return [("title", exact, False), ("lead", exact, False),
            ("grams", " ".join(grams), prefix)]


def adjacent_patterns(unit: Unit) -> list[Pattern]:
    """The pair of a unit written next to each other, with or without a space."""
    if unit.joined is None:
        return []
    a, b = (t.text for t in unit.terms)
    spaced = " ".join(word_grams(a) + word_grams(b))
    return [("title", f"{a} {b}", False), ("lead", f"{a} {b}", False),
            ("grams", spaced, False), *term_patterns(unit.joined)]
