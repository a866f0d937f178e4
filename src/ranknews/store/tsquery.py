"""PostgreSQL's tsquery syntax as ``search.query.to_tsquery`` writes it, read back so that a
query can be (1) loosened into a position-free, weight-free query that a small GIN index
answers without rechecking rows, and (2) checked exactly on a candidate's token columns.

Why: a tsvector with positions is ~10 times the size of the same lexemes without them, and
the phrase operators (``<->``) over syllable bigrams need those positions, so every row
the GIN index names had to be read back in full (see docs/architecture/search.md). Here the
index holds lexemes only; the phrase and the column (weight) are checked in Python on the
few candidates whose token columns are read anyway for ranking.

The exact check follows tsvector semantics for the documents ``store.search`` builds:
title is weight A, lead B, grams D, each column its own run of positions (a phrase never
spans two), the grams' word-start marker ``|`` takes no position. Supported: quoted
lexemes with ``:*`` (prefix) and weights, ``&``, ``|``, ``!``, ``<->`` and ``<N>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Union

from ranknews.store.search_rows import WORD_START, lexeme_literal

_TOKEN = re.compile(r"\s*(?:'((?:[^'\\]|''|\\.)*)'(?::([*A-Da-d]+))?|(<(?:-|\d+)>)|([&|!()]))")


@dataclass(frozen=True, slots=True)
class Lexeme:
    text: str
    prefix: bool = False
    weights: frozenset[str] = frozenset()  # empty: any column


@dataclass(frozen=True, slots=True)
class Phrase:
    parts: tuple[Node, ...]
    distances: tuple[int, ...]  # between parts[i] and parts[i + 1]


@dataclass(frozen=True, slots=True)
class Op:
    kind: str  # "&", "|", "!"
    parts: tuple[Node, ...]


Node = Union[Lexeme, Phrase, Op]


class UnsupportedQuery(ValueError):
    """A tsquery this module does not check exactly (a phrase over non-lexemes)."""


def parse(text: str) -> Node:
    tokens = _tokenize(text)
    node, pos = _or(tokens, 0)
    if pos != len(tokens):
        raise UnsupportedQuery(f"unexpected {tokens[pos]!r} in tsquery")
    return node


def _tokenize(text: str) -> list[object]:
    out: list[object] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise UnsupportedQuery(f"cannot read tsquery at {text[pos:pos + 20]!r}")
        pos = m.end()
        if m.group(1) is not None:
            raw = m.group(1).replace("''", "'")
            raw = re.sub(r"\\(.)", r"\1", raw)
            flags = (m.group(2) or "").upper()
            out.append(Lexeme(raw, "*" in flags, frozenset(flags.replace("*", ""))))
        else:
            out.append(m.group(3) or m.group(4))
    return out


def _or(tokens: list[object], pos: int) -> tuple[Node, int]:
    return _joined(tokens, pos, "|", _and)


def _and(tokens: list[object], pos: int) -> tuple[Node, int]:
    return _joined(tokens, pos, "&", _phrase)


def _joined(tokens: list[object], pos: int, op: str,
            operand: Callable[[list[object], int], tuple[Node, int]]) -> tuple[Node, int]:
    """``operand (op operand)*``: one node, or an ``Op`` over all of them."""
    node, pos = operand(tokens, pos)
    parts = [node]
    while pos < len(tokens) and tokens[pos] == op:
        node, pos = operand(tokens, pos + 1)
        parts.append(node)
    return (parts[0] if len(parts) == 1 else Op(op, tuple(parts))), pos


def _phrase(tokens: list[object], pos: int) -> tuple[Node, int]:
    parts = []
    distances = []
    node, pos = _unary(tokens, pos)
    parts.append(node)
    while pos < len(tokens) and isinstance(tokens[pos], str) and tokens[pos].startswith("<"):
        op = tokens[pos]
        distances.append(1 if op == "<->" else int(op[1:-1]))  # type: ignore[index]
        node, pos = _unary(tokens, pos + 1)
        parts.append(node)
    if len(parts) == 1:
        return parts[0], pos
    return Phrase(tuple(parts), tuple(distances)), pos


def _unary(tokens: list[object], pos: int) -> tuple[Node, int]:
    if pos >= len(tokens):
        raise UnsupportedQuery("tsquery ends early")
    token = tokens[pos]
    if isinstance(token, Lexeme):
        return token, pos + 1
    if token == "!":
        node, pos = _unary(tokens, pos + 1)
        return Op("!", (node,)), pos
    if token == "(":
        node, pos = _or(tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos] != ")":
            raise UnsupportedQuery("unbalanced parentheses in tsquery")
        return node, pos + 1
    raise UnsupportedQuery(f"unexpected {token!r} in tsquery")


# ---- the loosened query, for the position-free index ----------------------------------------

def _quote(lexeme: Lexeme) -> str:
    return lexeme_literal(lexeme.text) + (":*" if lexeme.prefix else "")


def loosen(node: Node) -> str:
    """A tsquery that every document matching ``node`` matches, over lexemes only (no
    positions, no weights): a phrase becomes the AND of its parts. GIN answers it exactly,
    so PostgreSQL reads no row to recheck it."""
    if isinstance(node, Lexeme):
        return _quote(node)
    if isinstance(node, Phrase):
        return "(" + " & ".join(loosen(p) for p in node.parts) + ")"
    if node.kind == "!":
        inner = node.parts[0]
        if isinstance(inner, Lexeme) and not inner.weights:
            return "!" + _quote(inner)
        raise UnsupportedQuery("NOT over a phrase or a weighted lexeme cannot be loosened")
    return "(" + f" {node.kind} ".join(loosen(p) for p in node.parts) + ")"


# ---- the exact check on a candidate ---------------------------------------------------------

_WEIGHTS = ("A", "B", "D")  # title, lead, grams (store.search.tsvector_literal)


class Document:
    """A candidate's three token columns, as the stored tsvector would see them."""

    __slots__ = ("_columns", "_padded", "_tokens")

    def __init__(self, title: str, lead: str, grams: str) -> None:
        # the word-start marker takes no position
        grams = (" " + grams + " ").replace(f" {WORD_START} ", " ").strip()
        self._columns = (title, lead, grams)
        self._padded: dict[int, str] = {}
        self._tokens: dict[int, list[str]] = {}

    def padded(self, i: int) -> str:
        if i not in self._padded:
            self._padded[i] = " " + self._columns[i] + " "
        return self._padded[i]

    def tokens(self, i: int) -> list[str]:
        if i not in self._tokens:
            self._tokens[i] = self._columns[i].split()
        return self._tokens[i]


def _columns_for(lexemes: list[Lexeme]) -> list[int]:
    return [i for i, w in enumerate(_WEIGHTS) if all(not x.weights or w in x.weights
                                                     for x in lexemes)]


def _token_matches(token: str, lexeme: Lexeme) -> bool:
    return token.startswith(lexeme.text) if lexeme.prefix else token == lexeme.text


def _lexeme_in(doc: Document, lexeme: Lexeme) -> bool:
    for i in _columns_for([lexeme]):
        needle = " " + lexeme.text + ("" if lexeme.prefix else " ")
        if needle in doc.padded(i):
            return True
    return False


def _phrase_in(doc: Document, phrase: Phrase) -> bool:
    if not all(isinstance(p, Lexeme) for p in phrase.parts):
        raise UnsupportedQuery("a phrase over operators is not checked here")
    parts: list[Lexeme] = list(phrase.parts)  # type: ignore[arg-type]
    simple = all(d == 1 for d in phrase.distances) and not any(p.prefix for p in parts[:-1])
    for i in _columns_for(parts):
        if simple:
            needle = " " + " ".join(p.text for p in parts) + ("" if parts[-1].prefix else " ")
            if needle in doc.padded(i):
                return True
            continue
        tokens = doc.tokens(i)
        offsets = [0]
        for d in phrase.distances:
            offsets.append(offsets[-1] + d)
        for start in range(len(tokens) - offsets[-1]):
            if all(_token_matches(tokens[start + o], p) for o, p in zip(offsets, parts)):
                return True
    return False


def matches(node: Node, doc: Document) -> bool:
    """Whether the document matches the query as PostgreSQL's ``tsv @@ query`` would."""
    if isinstance(node, Lexeme):
        return _lexeme_in(doc, node)
    if isinstance(node, Phrase):
        return _phrase_in(doc, node)
    if node.kind == "&":
        return all(matches(p, doc) for p in node.parts)
    if node.kind == "|":
        return any(matches(p, doc) for p in node.parts)
    return not matches(node.parts[0], doc)
