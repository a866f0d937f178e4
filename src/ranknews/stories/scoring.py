"""Clustering scores over labelled events: B-cubed precision/recall/F1 and pairwise F1."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Hashable, Sequence


def bcubed(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed (precision, recall, F1) of a clustering against gold labels, item by item."""
    pairs = Counter(zip(predicted, gold))
    in_pred, in_gold = Counter(predicted), Counter(gold)
    n = len(gold)
    precision = sum(pairs[(p, g)] / in_pred[p] for p, g in zip(predicted, gold)) / n
    recall = sum(pairs[(p, g)] / in_gold[g] for p, g in zip(predicted, gold)) / n
    return precision, recall, _f1(precision, recall)


def pairwise_f1(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> float:
    """F1 over pairs of items put together (predicted) vs reporting one event (gold)."""
    def together(counts: Counter) -> int:
        return sum(c * (c - 1) // 2 for c in counts.values())
    both = together(Counter(zip(predicted, gold)))
    pred, gold_pairs = together(Counter(predicted)), together(Counter(gold))
    precision = both / pred if pred else 0.0
    recall = both / gold_pairs if gold_pairs else 0.0
    return _f1(precision, recall)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def hard_negative_merges(rows: list[dict], predicted: dict[str, str],
                         groups: dict[str, dict]) -> tuple[int, int]:
    """(merged, total): pairs of articles of *different* events within a hard-negative group
    (``hardneg_groups.json``) that the clustering put in one story."""
    merged = total = 0
    for group in groups.values():
        members = [r for r in rows if r["event"] in group["events"]]
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if a["event"] != b["event"]:
                    total += 1
                    merged += predicted[a["id"]] == predicted[b["id"]]
    return merged, total


def half_of(event: str) -> str:
    """The half ("A" or "B") an event falls in, by a hash of its id: the same split in every
    run and on every machine, whatever order the file is in. Evidence and constants are
    tuned on half A only; half B is the part never tuned on (the suite's floors)."""
    return "AB"[hashlib.sha1(event.encode("utf-8")).digest()[0] & 1]


def bcubed_of(predicted: Sequence[Hashable], gold: Sequence[Hashable],
              subset: Sequence[bool]) -> tuple[float, float, int]:
    """B-cubed (precision, recall, items) averaged over the items in ``subset`` only, each
    item judged against the whole clustering (an event kind's share of the errors)."""
    pairs = Counter(zip(predicted, gold))
    in_pred, in_gold = Counter(predicted), Counter(gold)
    picked = [(p, g) for p, g, keep in zip(predicted, gold, subset) if keep]
    if not picked:
        return 0.0, 0.0, 0
    precision = sum(pairs[(p, g)] / in_pred[p] for p, g in picked) / len(picked)
    recall = sum(pairs[(p, g)] / in_gold[g] for p, g in picked) / len(picked)
    return precision, recall, len(picked)
