"""Named rules: the extractor's phrase and class-name lists, each entry switchable and traced.

Every list the extractor matches text or class names against (furniture class words,
copyright and prompt phrases, UI labels…) is a ``RuleList`` of named entries. That gives
two things the benchmark needs to measure honestly:

- ``ExtractParams.disabled_rules`` turns entries off (``"<list>:<entry>"`` names);
- ``tracing()`` records which entries fired while extracting a page, so the benchmark knows
  which outlets' pages each rule ever acted on, and can leave out, when it measures an
  outlet, the rules that only that outlet triggered (see benchmarks/extraction.py).

Format readers (JSON-LD ``articleBody``, Arc XP, Next.js, RSC, Nuxt) are traced under
``format:<name>`` the same way: they support published formats, not one outlet's markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_TRACE: ContextVar[set[str] | None] = ContextVar("ranknews_extract_trace", default=None)


@contextmanager
def tracing() -> Iterator[set[str]]:
    """Collect the names of the rules that fire inside the ``with`` block."""
    fired: set[str] = set()
    token = _TRACE.set(fired)
    try:
        yield fired
    finally:
        _TRACE.reset(token)


def fired(name: str) -> None:
    """Record that rule ``name`` acted (only while tracing)."""
    trace = _TRACE.get()
    if trace is not None:
        trace.add(name)


class RuleList:
    """Alternatives of one regex, each a named rule; ``{}`` in ``template`` takes them."""

    def __init__(self, name: str, patterns: tuple[str, ...], template: str = "{}",
                 flags: int = 0) -> None:
        self.name = name
        self.patterns = patterns
        self.names = tuple(f"{name}:{p}" for p in patterns)
        self._template = template
        self._flags = flags
        self._compiled: dict[frozenset[str], re.Pattern[str] | None] = {}
        self._fast: dict[frozenset[str], re.Pattern[str] | None] = {}

    def regex(self, disabled: frozenset[str] = frozenset()) -> re.Pattern[str] | None:
        """The alternatives as one regex, each in a named group (to tell which matched)."""
        try:
            return self._compiled[disabled]
        except KeyError:
            pass
        parts = [f"(?P<r{i}>{p})" for i, p in enumerate(self.patterns)
                 if self.names[i] not in disabled]
        compiled = (re.compile(self._template.format("|".join(parts)), self._flags)
                    if parts else None)
        self._compiled[disabled] = compiled
        return compiled

    def _fast_regex(self, disabled: frozenset[str]) -> re.Pattern[str] | None:
        """The same without capturing groups: several times faster when nothing matches."""
        try:
            return self._fast[disabled]
        except KeyError:
            pass
        parts = [p for i, p in enumerate(self.patterns) if self.names[i] not in disabled]
        compiled = (re.compile(self._template.format("|".join(parts)), self._flags)
                    if parts else None)
        self._fast[disabled] = compiled
        return compiled

    def search(self, text: str, disabled: frozenset[str] = frozenset()) -> bool:
        return self.find(text, disabled) is not None

    def find(self, text: str, disabled: frozenset[str] = frozenset()) -> str | None:
        """The entry (pattern) that matched first, or None."""
        fast = self._fast.get(disabled) or self._fast_regex(disabled)
        if fast is None or fast.search(text) is None:
            return None
        regex = self._compiled.get(disabled) or self.regex(disabled)
        match = regex.search(text) if regex is not None else None
        if match is None:
            return None
        index = int(match.lastgroup[1:]) if match.lastgroup else 0
        if _TRACE.get() is not None:
            fired(self.names[index])
        return self.patterns[index]


class RuleSet:
    """Whole-line labels compared after removing spaces, each a named rule."""

    def __init__(self, name: str, entries: set[str]) -> None:
        self.name = name
        self.entries = frozenset(entries)

    def contains(self, compact: str, disabled: frozenset[str] = frozenset()) -> bool:
        if compact not in self.entries:
            return False
        rule = f"{self.name}:{compact}"
        if disabled and rule in disabled:
            return False
        fired(rule)
        return True

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f"{self.name}:{e}" for e in sorted(self.entries))
