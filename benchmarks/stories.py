"""Story clustering quality on ../shared/data/stories/dev.jsonl, beside two baselines.

    PYTHONPATH=src .venv/bin/python benchmarks/stories.py [FILE.jsonl] [--errors]

ours: ``ranknews cluster``'s own function (``stories.jsonl.cluster_inputs``) with default
settings. Baselines, run on the same file in the same run:
- exact normalized headline: same headline after removing labels, spaces and punctuation;
- MinHash LSH (datasketch, 128 permutations, Jaccard threshold 0.5) on character 3-gram
  shingles of the body; connected components of LSH matches.

Then two checks against overfitting to this one file:
- split evaluation: the events are shuffled (fixed seeds) into halves A and B; the join
  threshold is tuned on one half (best B-cubed F1 over a grid) and measured on the other, both
  ways, beside the default threshold on that half;
- hard negatives (hardneg_groups.json): the share of pairs of different events that share
  names and were put in one story.

``--errors`` also lists our stories that mix events and the events we split, with headlines:
what to look at before changing the evidence.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from ranknews.config import Settings
from ranknews.pipeline import settings_clusterer
from ranknews.stories.cluster import StoryClusterer
from ranknews.stories.jsonl import analyse_inputs, cluster_analysed, read_cluster_input
from ranknews.stories.scoring import bcubed, hard_negative_merges, pairwise_f1
from ranknews.text.analysis import Analyzer
from ranknews.text.headline import split_tags

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import shared_data  # noqa: E402  (benchmarks/shared.py)

SHARED = shared_data()
DEFAULT = SHARED / "stories" / "dev.jsonl"


def headline_baseline(rows: list[dict]) -> list[str]:
    return [re.sub(r"[\W_]+", "", split_tags(r["title"])[1]).lower() or r["id"] for r in rows]


def minhash_baseline(rows: list[dict], threshold: float = 0.5) -> list[str]:
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    parent = {r["id"]: r["id"] for r in rows}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rows:
        flat = re.sub(r"\s+", "", r["text"])
        m = MinHash(num_perm=128)
        for i in range(max(1, len(flat) - 2)):
            m.update(flat[i:i + 3].encode("utf-8"))
        for other in lsh.query(m):
            parent[find(other)] = find(r["id"])
        lsh.insert(r["id"], m)
    return [find(r["id"]) for r in rows]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT
    if not path.exists():
        sys.exit(f"labelled data not found: {path}")
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    with path.open(encoding="utf-8") as handle:
        inputs = list(read_cluster_input(handle, str(path)))
    gold = [r["event"] for r in rows]
    started = time.perf_counter()
    analyses = analyse_inputs(inputs, Analyzer())
    ours = dict(cluster_analysed(inputs, analyses, settings_clusterer(Settings())))
    took = time.perf_counter() - started
    systems = {
        "ranknews (ours)": [ours[r["id"]] for r in rows],
        "exact normalized headline": headline_baseline(rows),
        "MinHash LSH body 3-grams": minhash_baseline(rows),
        "all singletons": [r["id"] for r in rows],
    }
    print(f"{path.name}: {len(rows)} articles, {len(set(gold))} events "
          f"(ours incl. Kiwi analysis: {took:.1f} s)")
    print(f"{'system':28} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'pair F1':>8} {'stories':>8}")
    base = None
    for name, predicted in systems.items():
        p, r, f = bcubed(predicted, gold)
        base = base or f
        print(f"{name:28} {p:6.3f} {r:6.3f} {f:6.3f} {pairwise_f1(predicted, gold):8.3f} "
              f"{len(set(predicted)):8d}")
    print("ratio ours/baseline B3 F1: " + ", ".join(
        f"{n}: {base / bcubed(s, gold)[2]:.2f}" for n, s in list(systems.items())[1:3]))
    hard_negatives(path, rows, ours)
    if "--errors" in sys.argv:
        list_errors(rows, ours)
    split_evaluation(rows, inputs, analyses)


def list_errors(rows: list[dict], ours: dict[str, str]) -> None:
    """Our stories holding several events, and events spread over several of our stories."""
    def grouped(key) -> dict[str, list[dict]]:  # noqa: ANN001
        groups: dict[str, list[dict]] = {}
        for r in rows:
            groups.setdefault(key(r), []).append(r)
        return groups

    def show(title: str, groups: dict[str, list[dict]], other) -> None:  # noqa: ANN001
        bad = {k: v for k, v in groups.items() if len({other(r) for r in v}) > 1}
        print(f"{title}: {len(bad)}")
        for key, members in bad.items():
            print(f"  {key}")
            for r in members:
                print(f"    {r['id']} {other(r):36.36} {r['published'] or '-':10} "
                      f"{r['title'][:60]}")

    show("stories mixing events (merged wrongly)", grouped(lambda r: ours[r["id"]]),
         lambda r: r["event"])
    show("events split over stories", grouped(lambda r: r["event"]), lambda r: ours[r["id"]])


def hard_negatives(path: Path, rows: list[dict], ours: dict[str, str]) -> None:
    groups_file = path.parent / "hardneg_groups.json"
    if not groups_file.exists():
        return
    merged, total = hard_negative_merges(rows, ours, json.loads(groups_file.read_text("utf-8")))
    print(f"hard negatives merged: {merged} of {total} pairs ({merged / max(total, 1):.1%})")


GRID = (0.14, 0.16, 0.18, 0.2, 0.22, 0.25, 0.28, 0.32)


def split_evaluation(rows: list[dict], inputs: list, analyses: list, seeds: int = 5) -> None:
    """Tune the threshold on half the events, measure on the other half (and back)."""
    default = Settings().story_threshold

    def f1(half: set[str], threshold: float) -> float:
        picked = [k for k, r in enumerate(rows) if r["event"] in half]
        got = dict(cluster_analysed([inputs[k] for k in picked], [analyses[k] for k in picked],
                                    StoryClusterer(threshold=threshold)))
        return bcubed([got[rows[k]["id"]] for k in picked], [rows[k]["event"] for k in picked])[2]

    events = sorted({r["event"] for r in rows})
    print(f"split evaluation (events in halves, {seeds} seeds; threshold tuned on the other "
          f"half from {GRID}):")
    print(f"{'split':8} {'tuned on':>9} {'threshold':>9} {'F1 held-out':>11} "
          f"{'F1 default':>10}")
    held, at_default = [], []
    for seed in range(seeds):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        halves = {"A": set(shuffled[::2]), "B": set(shuffled[1::2])}
        for name, other in (("A", "B"), ("B", "A")):
            tuned = max(GRID, key=lambda t: f1(halves[other], t))
            score, base = f1(halves[name], tuned), f1(halves[name], default)
            held.append(score)
            at_default.append(base)
            print(f"{seed}{name:7} {other:>9} {tuned:9.2f} {score:11.3f} {base:10.3f}")
    print(f"held-out B3 F1: mean {statistics.mean(held):.3f}, min {min(held):.3f}; "
          f"default threshold {default}: mean {statistics.mean(at_default):.3f}, "
          f"min {min(at_default):.3f}")


if __name__ == "__main__":
    main()
