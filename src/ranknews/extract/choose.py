"""Choosing the body when there is a second opinion: the markup's body against the page's
structured data (JSON-LD ``articleBody``) or a framework payload (payload.py, embedded.py).

Candidates with less prose than ``ExtractParams.min_body`` are not usable. When the markup
gave nothing usable, the second opinion with the most evidence (then the most prose) that is
longer than the markup's is taken. Otherwise each second opinion
is compared with the markup by shared character bigrams (whitespace removed): the share of
the shorter text's bigrams found in the longer one.

- They agree (share ≥ ``ExtractParams.agree``): the markup is kept (it has the figures in
  place and the paragraph breaks), unless the second opinion is ``longer_factor`` times
  longer (the markup found only part of the body: a teaser, the first page).
- They disagree: one of them is not the article (a related-articles list, a comment
  thread, another article's data, a summary). The evidence is what the page says about
  its article elsewhere: how much of the headline and of the description (usually the
  lead) each candidate contains. The candidate with more evidence wins; on a tie (within
  0.05) the second opinion wins only when ``longer_factor`` times longer, else the markup
  stays. Every such choice is reported in the trace, so the benchmark can show how often it
  happens and which way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ranknews.extract.params import ExtractParams
from ranknews.extract.rulebook import fired
from ranknews.models import Block, Paragraph


@dataclass
class Candidate:
    name: str  # markup, json-ld, next-data, rsc, nuxt, state-json, arc, rule, description
    blocks: list[Block]
    subtitles: list[str] = field(default_factory=list)
    container: object = None  # the markup's body element, for the list-page check

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks if isinstance(b, Paragraph))

    @property
    def prose(self) -> int:
        return sum(len(b.text) for b in self.blocks if isinstance(b, Paragraph))


def bigrams(text: str) -> Counter[str]:
    compact = "".join(text.split())
    return Counter(compact[i:i + 2] for i in range(len(compact) - 1))


def containment(part: str, whole: str) -> float:
    """The share of ``part``'s character bigrams that ``whole`` also has (multiset)."""
    want = bigrams(part)
    total = sum(want.values())
    if not total:
        return 0.0
    return sum((want & bigrams(whole)).values()) / total


def evidence(candidate: Candidate, headline: str, description: str) -> float:
    """How much of the page's headline and description the candidate contains (0–1)."""
    text = candidate.text
    lead = text[:2000]
    scores = [containment(headline, text)] if headline else []
    if description:
        scores.append(containment(description, lead))
    return sum(scores) / len(scores) if scores else 0.0


def choose(markup: Candidate, others: list[Candidate], *, headline: str, description: str,
           params: ExtractParams) -> tuple[Candidate, dict]:
    """The body to use and a record of the decision (see the module doc)."""
    usable = [c for c in others if c.prose >= params.min_body]
    record: dict = {"picked": markup.name, "disagreed": [], "reason": "markup"}
    if markup.prose < params.min_body:
        longer = [c for c in others if c.prose > max(markup.prose, 40)]
        if longer:
            best = max(longer, key=lambda c: (evidence(c, headline, description), c.prose))
            record.update(picked=best.name, reason="markup-short")
            return best, record
        return markup, record
    picked = markup
    for other in usable:
        shorter, longer = sorted((picked.text, other.text), key=len)
        share = containment(shorter, longer)
        if share >= params.agree:
            if other.prose >= params.longer_factor * picked.prose:
                picked = other
                record.update(picked=other.name, reason="agree-longer")
            continue
        ours = evidence(picked, headline, description)
        theirs = evidence(other, headline, description)
        winner = other if (theirs > ours + 0.05 or (
            theirs >= ours - 0.05 and other.prose >= params.longer_factor * picked.prose)
        ) else picked
        record["disagreed"].append({"against": other.name, "share": round(share, 3),
                                    "evidence": {picked.name: round(ours, 3),
                                                 other.name: round(theirs, 3)},
                                    "picked": winner.name})
        fired(f"choose:{'second-opinion' if winner is other else 'markup'}")
        if winner is other:
            picked = other
            record.update(picked=other.name, reason="disagree-evidence")
    return picked, record
