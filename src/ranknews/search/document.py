"""What the search index stores for one article: analysed terms beside the original text.

Three token columns, each a space-joined string of tokens that need no further tokenizing
(SQLite's unicode61 and PostgreSQL's tsvector take them as they are):

- ``title``: the headline's terms from Kiwi (nouns as Kiwi splits them, Latin/number runs
  joined and lower-cased: hbm3e, 5g) plus the compound phrases written in it (집단휴진);
- ``lead``: the same for the first ``analysis_chars`` of the body (the lead), where Kiwi's
  cost (~14 µs per character) buys precise terms for ranking;
- ``grams``: the cheap path for recall over the whole capped text (title and body up to
  ``body_chars``): each Hangul word as overlapping syllable bigrams (삼성전자의 → 삼성 성전 전자
  자의), each Latin/number run as one token. A query term then matches inside any word
  (휴진 in 집단휴진은, 의협 in 의협이) by a phrase of its bigrams, with no analysis of the
  body at all.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from ranknews.store.search_rows import WORD_START, SearchDocument  # the row it makes
from ranknews.text.analysis import Analysis

# A "word" for the cheap path: a run of Hangul syllables, or of Latin letters and digits.
# Anything else (spaces, punctuation, jamo, emoji) separates words.
_WORD = re.compile(r"[가-힣]+|[A-Za-z0-9]+")
_PIECE = re.compile(r"[가-힣]+|[^\W_가-힣]+")  # Kiwi's LG전자 → lg, 전자; 3.25 → 3, 25


def word_grams(word: str) -> list[str]:
    """The tokens of one word on the cheap path: Hangul bigrams, or the lower-cased run."""
    if not word:
        return []
    if not ("가" <= word[0] <= "힣"):
        return [word.lower()]
    if len(word) == 1:
        return [word]
    return [word[i:i + 2] for i in range(len(word) - 1)]


def text_grams(text: str) -> list[str]:
    """Tokens of the cheap path; each Hangul word starts with ``WORD_START``.

    Both tokenizers drop "|" (unicode61 sees punctuation; tsvector_literal skips it), so it
    changes no match, but ranking can tell 한은 at the start of a word (한은은) from one
    inside another word (북한은).
    """
    out: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group()
        if "가" <= word[0] <= "힣":
            out.append(WORD_START)
        out.extend(word_grams(word))
    return out


def clean_tokens(tokens: Iterable[str]) -> list[str]:
    """Tokens as both index tokenizers see them: Kiwi's 3.25 becomes 3, 25 (a phrase)."""
    return [piece for t in tokens for piece in _PIECE.findall(t.lower())]


def build_document(board_no: int, content_hash: str, title: str, body: str,
                   analysis: Analysis, *, body_chars: int) -> SearchDocument:
    """The index entry of one article from its text and its (title + lead) analysis."""
    squashed_title = title.replace(" ", "")
    title_phrases = [p for p in analysis.phrases if p in squashed_title]
    lead_phrases = [p for p in analysis.phrases if p not in squashed_title]
    grams = text_grams(title) + text_grams(body[:body_chars])
    return SearchDocument(
        board_no=board_no,
        content_hash=content_hash,
        title=" ".join(clean_tokens([*analysis.title_terms, *title_phrases])),
        lead=" ".join(clean_tokens([*analysis.body_terms, *lead_phrases])),
        grams=" ".join(grams),
    )


def columns(doc: SearchDocument) -> Sequence[str]:
    return (doc.title, doc.lead, doc.grams)
