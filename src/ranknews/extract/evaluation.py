"""How extraction quality is measured, shared by the benchmark and the regression gate.

``token_f1``: F1 over whitespace tokens. Both texts are split with ``str.split()`` (no other
normalisation); the overlap is the multiset intersection of the two token bags (a token
counts min(times expected, times predicted)); precision = overlap / predicted tokens,
recall = overlap / expected tokens, F1 = 2PR / (P + R). Two empty texts score 1.

``bigram_f1``: the same F1 over character bigrams of the texts with all whitespace removed.
It does not depend on how a truth file joins paragraphs (a newline, a space, or nothing, as
some scrapers glue "…있습니다.현지 …"), nor on how either side spaces words.

``leave_one_outlet_out``: each outlet's score when none of its pages informed a threshold or
a rule. For outlet k: the parameters (``params.GRID``) are the grid point with the best mean
bigram F1 over the pages of the *other* outlets (the default on ties); the rules that fired
only on outlet k's pages (traced by ``rulebook``) are switched off; then outlet k's pages
are extracted with that choice and scored. With ``strict``, format readers (Arc XP, JSON-LD,
Next.js, RSC, Nuxt) are treated as rules too, and the project's own fixture pages do not
count as evidence for a rule.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ranknews.errors import NoArticleFound
from ranknews.extract.params import DEFAULT_PARAMS, ExtractParams, grid
from ranknews.extract.rulebook import tracing
from ranknews.models import Article


def token_f1(expected: str, predicted: str) -> float:
    """Token-multiset F1 of a predicted body against the expected one."""
    return _f1(Counter(expected.split()), Counter(predicted.split()))


def char_bigrams(text: str) -> Counter[str]:
    compact = "".join(text.split())
    return Counter(compact[i:i + 2] for i in range(len(compact) - 1))


def bigram_f1(expected: str, predicted: str) -> float:
    """Character-bigram F1 with whitespace removed (see the module doc)."""
    return _f1(char_bigrams(expected), char_bigrams(predicted))


def _f1(want: Counter, got: Counter) -> float:
    if not want and not got:
        return 1.0
    overlap = sum((want & got).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def scored_text(article: Article) -> str:
    """The text scored against a page's expected body: subtitles, then paragraphs."""
    return "\n".join([*article.subtitles, *article.paragraphs])


@dataclass
class EvalPage:
    group: str  # the outlet (domain); "own" for the project's own fixture pages
    url: str
    html: str
    expected: str


@dataclass
class Run:
    text: str
    fired: set[str] = field(default_factory=set)
    trace: dict = field(default_factory=dict)


Extract = Callable[..., Article]


def run_page(page: EvalPage, params: ExtractParams = DEFAULT_PARAMS,
             extract: Extract | None = None) -> Run:
    """The page extracted with ``params``: scored text, rules fired, body choice."""
    if extract is None:
        from ranknews.extract.article import extract_article as extract
    trace: dict = {}
    with tracing() as fired:
        try:
            article = extract(page.html, page.url, params=params, trace=trace)
            text = scored_text(article)
        except NoArticleFound:
            text = ""
    return Run(text, set(fired), trace)


FORMAT_RULES = ("format:",)


@dataclass
class LooResult:
    outlets: dict[str, dict[str, float]]  # outlet → {"bigram": …, "token": …}
    pages: dict[str, float]  # url → bigram F1 (held-out)
    chosen: dict[str, ExtractParams]
    disabled: dict[str, list[str]]

    @property
    def mean_bigram(self) -> float:
        return statistics.mean(self.pages.values())


def leave_one_outlet_out(pages: Sequence[EvalPage], own: Sequence[EvalPage] = (), *,
                         strict: bool = False, points: list[ExtractParams] | None = None
                         ) -> LooResult:
    """Every outlet of ``pages`` scored as if unseen (see the module doc)."""
    points = points or grid()
    default_runs = {p.url: run_page(p) for p in [*pages, *own]}
    evidence: dict[str, set[str]] = defaultdict(set)  # rule → groups it fired on
    for page in [*pages, *([] if strict else own)]:
        for rule in default_runs[page.url].fired:
            evidence[rule].add(page.group)
    scores: dict[int, dict[str, float]] = {}
    for index, point in enumerate(points):
        scores[index] = {p.url: bigram_f1(p.expected, run_page(p, point).text
                                          if index else default_runs[p.url].text)
                         for p in pages}
    result = LooResult({}, {}, {}, {})
    for outlet in sorted({p.group for p in pages}):
        train = [p.url for p in pages if p.group != outlet]
        best = max(range(len(points)),
                   key=lambda i: (round(statistics.mean(scores[i][u] for u in train), 6), -i))
        off = sorted(rule for rule, groups in evidence.items() if groups == {outlet}
                     and (strict or not rule.startswith(FORMAT_RULES)))
        params = points[best].without(set(off))
        held = [p for p in pages if p.group == outlet]
        texts = {p.url: run_page(p, params).text for p in held}
        bigram = [bigram_f1(p.expected, texts[p.url]) for p in held]
        token = [token_f1(p.expected, texts[p.url]) for p in held]
        result.pages.update({p.url: b for p, b in zip(held, bigram)})
        result.outlets[outlet] = {"bigram": statistics.mean(bigram),
                                  "token": statistics.mean(token)}
        result.chosen[outlet] = points[best]
        result.disabled[outlet] = off
    return result
