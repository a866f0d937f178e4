"""Clustering scores over labelled events: B-cubed precision/recall/F1 and pairwise F1."""

from __future__ import annotations

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
