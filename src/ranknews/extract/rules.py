"""Per-outlet extraction rules: domain → CSS selectors, as miniflux's scraper rules.

A rule only helps: when its body selector matches nothing usable, extraction falls back to
the generic path, so a site redesign degrades to generic quality rather than to nothing.
The outlets' TOML (``sources/``) may carry a rule per outlet; ``DEFAULT_RULES`` covers
outlets whose markup defeats the generic scorer. Keep it short: every entry here is
outlet-specific knowledge that the generic extractor should rather learn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class ExtractionRule:
    """Selectors for one outlet: where the body is, and what to drop inside it."""

    body: str = ""
    remove: tuple[str, ...] = ()


# Deliberately empty of outlets the benchmark pages come from unless measured necessary.
DEFAULT_RULES: dict[str, ExtractionRule] = {}


def rule_for(url: str, rules: Mapping[str, ExtractionRule] | ExtractionRule | None
             ) -> ExtractionRule | None:
    """The rule for a page: the given rule, or the longest matching domain in a mapping."""
    if rules is None or isinstance(rules, ExtractionRule):
        return rules
    host = (urlsplit(url).hostname or "").lower()
    best: tuple[int, ExtractionRule] | None = None
    for domain, rule in rules.items():
        domain = domain.lower().lstrip(".")
        if host == domain or host.endswith("." + domain) or host == "www." + domain:
            if best is None or len(domain) > best[0]:
                best = (len(domain), rule)
    return best[1] if best else None
