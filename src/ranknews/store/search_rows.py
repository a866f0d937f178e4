"""The rows of the search index as the search stage and the store exchange them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# In the token columns, the marker written before the tokens of each new word (ranking tells a
# match at the start of a word from one inside it); not a token of its own.
WORD_START = "|"


def lexeme_literal(token: str) -> str:
    """``token`` quoted as a lexeme of PostgreSQL's tsvector and tsquery syntax."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One post's row in the index: the search stage's analysed token columns, each a
    space-joined string of tokens (search/document.py makes them)."""

    board_no: int
    content_hash: str
    title: str
    lead: str
    grams: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A matching post as the index gives it to the ranker."""

    board_no: int
    when: datetime | None  # published_at, else collected_at
    title: str  # the stored token columns
    lead: str
    grams: str
