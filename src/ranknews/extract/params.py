"""Every tunable number of the extractor, in one place, passed in explicitly.

``extract_article(..., params=ExtractParams(...))`` runs the extractor with other values;
``DEFAULT_PARAMS`` is what production uses. ``benchmarks/extraction.py`` refits the fields
named in ``GRID`` per fold, leaving one outlet out, so that the figure it reports for an
outlet was measured with thresholds chosen without any of that outlet's pages.

``disabled_rules`` switches off named rules of the extractor's phrase and class-name lists
(see ``extract/rulebook.py``); the benchmark uses it to measure an outlet without the rules
that only that outlet's pages ever triggered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import product


@dataclass(frozen=True, slots=True)
class ExtractParams:
    # A body source with fewer characters of prose than this is "nothing usable".
    min_body: int = 120
    # Chunk weights of the body scorer (content.py): a chunk shorter than ``short_chunk``
    # characters is a label or a button; one with a sentence ending counts
    # ``sentence_weight`` per character, other text ``plain_weight``; a chunk whose link
    # text exceeds ``link_ratio`` of it is navigation.
    short_chunk: int = 12
    sentence_weight: float = 1.5
    plain_weight: float = 0.6
    link_ratio: float = 0.5
    # The headline or the "입력 2024…" line is the header only while shorter than this.
    header_max: int = 200
    # A paragraph whose link characters reach this share of it is a link line (builder).
    link_line_ratio: float = 0.8
    # When the markup and a second opinion (JSON-LD articleBody, a framework payload) agree,
    # the second opinion replaces the markup only when this many times longer.
    longer_factor: float = 2.0
    # Below this share of shared character bigrams, two body candidates disagree and the
    # choice goes by evidence (choose.py).
    agree: float = 0.6
    # Paragraphs of at least this many characters (without spaces) that repeat earlier text
    # are a second copy of the body and are dropped.
    duplicate_min: int = 16
    # A body container whose direct items are mostly headline links, at least this many,
    # is a list of articles, not an article.
    list_items: int = 5
    disabled_rules: frozenset[str] = field(default_factory=frozenset)

    def without(self, rules: frozenset[str] | set[str]) -> ExtractParams:
        return replace(self, disabled_rules=frozenset(self.disabled_rules | set(rules)))


DEFAULT_PARAMS = ExtractParams()

# The values the leave-one-outlet-out benchmark chooses among, per field (the default first).
GRID: dict[str, tuple] = {
    "min_body": (120, 60, 240),
    "sentence_weight": (1.5, 1.0, 2.5),
    "longer_factor": (2.0, 1.3),
}


def grid(fields: dict[str, tuple] | None = None) -> list[ExtractParams]:
    """Every combination of ``fields`` (default ``GRID``) as parameter sets, default first."""
    fields = GRID if fields is None else fields
    names = list(fields)
    return [replace(DEFAULT_PARAMS, **dict(zip(names, values)))
            for values in product(*(fields[n] for n in names))]
