"""A reader's query, analysed like the articles, turned into an FTS5 or tsquery expression.

The query goes through the same ``Analyzer`` as the articles' titles and leads, so particles
and endings fall away (삼성전자가 → 삼성전자) and Latin/number runs join (HBM3E → hbm3e).
Each term then matches in one of two ways:

- exactly, as an analysed term of the title or lead (precise; ranked higher);
- inside any word of the capped text, as the phrase of its syllable bigrams (휴진 inside
  집단휴진은). Latin/number runs match as whole tokens; one-syllable terms only exactly.

Each written word is one unit. A compound word matches as ``(part1 AND part2 ...) OR whole``
(Kiwi's parts, or the whole word inside any word), so that a reader's spacing does not
decide what is found: 국민의힘대표 finds 국민의힘 대표, and 반도체 특별법 finds 반도체특별법
through the bigrams of each word. Adjacent one-term words form ``pairs`` for ranking only
(search/ranking.py puts posts with them written next to each other first). The store asks
for every unit first and adds posts with some of them when those are few (store/search.py).

Every token is quoted and tokens hold only word characters, so no user input is ever read
as FTS5 or tsquery syntax (" * : ^ NEAR AND OR are just text, or dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ranknews.search.document import word_grams
from ranknews.store.search_rows import lexeme_literal
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
# A long word that Kiwi keeps whole as one noun is split by its next-best reading when that
# reading is nearly as likely (log-probability within this margin): compounds of names Kiwi
# does not know (배현진피습 −1.6, 궁평지하차도 −4.1) split, known words (삼성전자 −6.5,
# 국민의힘 −11.5 for 국민/의/힘) stay whole.
SPLIT_MARGIN = 5.0

Mode = Literal["and", "or"]


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # as it will be highlighted: 삼성전자, hbm3e, 3.25
    name: bool = False  # Kiwi read it as a proper noun (a person, a place, an organisation)

    @property
    def hangul(self) -> bool:
        return bool(_HANGUL.match(self.text))

    @property
    def tokens(self) -> list[str]:
        """What the index tokenizers see: 3.25 is the phrase "3 25"."""
        return _PIECE.findall(self.text.lower())


@dataclass(frozen=True, slots=True)
class Unit:
    """One written word of the query: a term, or a compound's parts and the whole word.

    A compound word matches as the whole word (inside any word of the text) or as all of
    its parts, wherever they stand: 국민의힘대표 finds 국민의힘 대표 and 국민의힘대표.
    """

    terms: tuple[Term, ...]
    joined: Term | None = None

    @property
    def name(self) -> bool:
        return any(t.name for t in self.terms)


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str
    units: tuple[Unit, ...] = field(default_factory=tuple)
    # adjacent written words, each a single Hangul term, with their joined form: ranking
    # puts posts that write them next to each other (삼성 전자, 삼성전자) first
    pairs: tuple[Unit, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.units

    @property
    def needles(self) -> list[str]:
        """Strings to highlight in results, longest first."""
        found = {t.text for u in self.units for t in u.terms}
        found |= {u.joined.text for u in (*self.units, *self.pairs) if u.joined}
        return sorted(found, key=lambda s: (-len(s), s))

    def part(self, units: tuple[Unit, ...]) -> "ParsedQuery":
        """The same query restricted to some of its units (one word of a partial match)."""
        return ParsedQuery(text=self.text, units=units)

    def loose(self) -> "ParsedQuery":
        """The query for partial matches: a compound word's parts count one by one
        (배현진피습 → 배현진, 피습), so a post with some of them is found too."""
        units: list[Unit] = []
        for unit in self.units:
            for part in ([Unit((t,)) for t in unit.terms] if unit.joined else [unit]):
                if part not in units:
                    units.append(part)
        return ParsedQuery(text=self.text, units=tuple(units), pairs=self.pairs)


def parse_query(text: str, analyzer: Analyzer, *, max_chars: int = 200) -> ParsedQuery:
    """Analyse ``text`` (cut to ``max_chars``) into units; an empty query has no units."""
    text = (text or "").strip()[:max_chars]
    if not text:
        return ParsedQuery(text="")
    tokens = analyzer.tokens(text)
    units: list[Unit] = []
    pairs: list[Unit] = []
    previous: Unit | None = None
    for match in re.finditer(r"\S+", text):
        inside = [t for t in tokens if match.start() <= t.start < match.end()]
        found = [u for u in word_units(match.group(), _shift(inside, match.start()), analyzer)
                 if u not in units]
        if (previous is not None and len(found) == 1 and _single_hangul(previous)
                and _single_hangul(found[0])):
            a, b = previous.terms[0], found[0].terms[0]
            pairs.append(Unit((a, b), joined=Term(a.text + b.text)))
        previous = found[-1] if found else None
        units += found
    return ParsedQuery(text=text, units=tuple(units[:MAX_UNITS]), pairs=tuple(pairs))


def _single_hangul(unit: Unit) -> bool:
    return unit.joined is None and len(unit.terms) == 1 and unit.terms[0].hangul


def _shift(tokens: list[Token], offset: int) -> list[Token]:
    return [Token(t.form, t.tag, t.start - offset, t.end - offset) for t in tokens]


def word_units(word: str, tokens: list[Token], analyzer: Analyzer | None = None) -> list[Unit]:
    """The units of one written word of a query, from Kiwi's morphemes (offsets in ``word``).

    Particles and endings fall away (삼성전자가 → 삼성전자); Latin and number runs join
    (HBM3E, 3.25) and a number keeps its unit or counter (170억, 36사단, 2000명). A predicate
    (휴진했다) gives its nouns. A noun word gives one unit: the word, and when Kiwi reads it as
    a compound, its parts (국민의힘대표 → 국민의힘 + 대표), so that a reader's spacing does not
    decide what is found. Kiwi's pieces are glued back into parts by their tags (see
    ``_parts``): a name Kiwi does not know, broken into syllables (민희진 → 민/희/진), stays one
    part. When Kiwi's best reading keeps a long word whole as one unknown noun (a compound of
    names it does not know), its next-best readings are asked for a split.
    """
    runs = _latin_runs(word, tokens)
    core = _without_particles([t for t in tokens if t.tag not in _LATIN_TAGS
                               and _HANGUL_ANY.search(t.form)])
    latin = [Unit((Term(r[2].lower()),)) for r in runs]
    if not core:
        return latin
    if runs and runs[-1][1] == core[0].start and _NUMBER.fullmatch(runs[-1][2]):
        return latin[:-1] + [Unit((Term(word[runs[-1][0]:core[-1].end]),))]
    if core[-1].tag.startswith(_PREDICATE_TAGS) or any(not _HANGUL.match(t.form)
                                                       for t in core if t.tag in _NOUN_TAGS):
        # a predicate's nouns; or a noun Kiwi wrote with Latin letters in it (LG전자)
        nouns = [t for t in core if t.tag in _NOUN_TAGS]
        return latin + [Unit((Term(t.form.lower(), t.tag == "NNP"),)) for t in nouns]
    hangul = [m for m in _HANGUL_RUN.finditer(word)
              if m.start() < core[-1].end and m.end() > core[0].start]
    units = []
    for run in hangul:
        inside = [t for t in core if run.start() <= t.start < run.end()]
        if not inside:
            continue
        start, end = max(run.start(), inside[0].start), min(run.end(), inside[-1].end)
        units.append(_compound(word[start:end], _shift(inside, start), analyzer))
    return latin + units


def _compound(whole: str, tokens: list[Token], analyzer: Analyzer | None) -> Unit:
    parts = _parts(whole, tokens)
    if (len(parts) == 1 and analyzer is not None and len(whole) >= 4
            and len(tokens) == 1 and tokens[0].tag in _NOUN_TAGS):
        readings = analyzer.readings(whole, 4)
        for reading, score in readings[1:]:
            split = _parts(whole, reading)
            if (readings[0][1] - score < SPLIT_MARGIN and len(split) > 1
                    and all(len(p.text) >= 2 for p in split)):
                parts = split
                break
    if len(parts) == 1:
        return Unit((Term(whole, parts[0].name),))
    return Unit(tuple(parts), joined=Term(whole, any(p.name for p in parts)))


def _parts(word: str, tokens: list[Token]) -> list[Term]:
    """Kiwi's pieces of a noun word glued into the parts a reader might space apart.

    A run of one-syllable pieces is one part (민/희/진 → 민희진: a name Kiwi does not know);
    a suffix (XSN: 노동+계) joins the part before it, a prefix or determiner (XPN, MM:
    신+공항) the part after it, and any other lone syllable its neighbour (아시안+컵), except
    a one-syllable name (윤 대통령).
    """
    runs: list[list[Token]] = []
    for tok in tokens:  # pass 1: runs of one-syllable pieces
        if runs and len(tok.form) == 1 and all(len(t.form) == 1 for t in runs[-1]):
            runs[-1].append(tok)
        else:
            runs.append([tok])
    # two syllables of which one is an affix are a lone syllable and an affix (컵 + 준결승)
    runs = [r2 for r in runs for r2 in (
        [[t] for t in r] if len(r) == 2 and not all(_syllable(t) for t in r) else [r])]
    groups: list[list[Token]] = []
    pending: list[Token] = []  # a prefix or lone syllable waiting for the next part
    for run in runs:  # pass 2: lone syllables and affixes join a neighbour
        lone = len(run) == 1 and len(run[0].form) == 1
        tag = run[0].tag
        if lone and tag in ("XPN", "MM"):
            pending += run
        elif lone and groups and not pending and (tag == "XSN" or tag != "NNP"):
            groups[-1] += run
        elif lone and not groups and tag != "NNP":
            pending += run
        else:
            groups.append(pending + run)
            pending = []
    if pending:
        if groups:
            groups[-1] += pending
        else:
            groups.append(pending)
    return [Term(word[g[0].start:g[-1].end], any(t.tag == "NNP" for t in g)) for g in groups]


def _syllable(tok: Token) -> bool:
    return len(tok.form) == 1 and tok.tag not in ("XPN", "XSN", "MM")


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
    """Without trailing particles, symbols and the plural suffix (전공의들 → 전공의)."""
    end = len(tokens)
    while end and (tokens[end - 1].tag.startswith(("J", "S"))
                   or (tokens[end - 1].tag == "XSN" and tokens[end - 1].form == "들")):
        end -= 1
    return tokens[:end]


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
    quoted = lexeme_literal(token)
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
    """Two adjacent words of the query (a pair of ``ParsedQuery.pairs``) written next to each
    other, with or without a space."""
    if unit.joined is None:
        return []
    a, b = (t.text for t in unit.terms)
    spaced = " ".join(word_grams(a) + word_grams(b))
    return [("title", f"{a} {b}", False), ("lead", f"{a} {b}", False),
            ("grams", spaced, False), *term_patterns(unit.joined)]
