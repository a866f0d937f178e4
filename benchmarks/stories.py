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
from ranknews.stories.jsonl import (
    analyse_inputs,
    cluster_analysed,
    cluster_inputs,
    read_cluster_input,
)
from ranknews.stories.scoring import (
    bcubed,
    bcubed_of,
    half_of,
    hard_negative_merges,
    pairwise_f1,
)
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
    analyzer = Analyzer()
    analyses = analyse_inputs(inputs, analyzer)
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
    groups_file = path.parent / "hardneg_groups.json"
    groups = json.loads(groups_file.read_text("utf-8")) if groups_file.exists() else {}
    per_kind(rows, systems["ranknews (ours)"], groups)
    if "--errors" in sys.argv:
        list_errors(rows, ours)
    half_split(rows, inputs, analyses, groups)
    shuffled_splits(rows, inputs, analyses)
    evaluation_only(eval_files(path), analyzer)


def eval_files(dev: Path) -> list[Path]:
    named = [Path(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--eval=")]
    found = sorted(p for p in dev.parent.glob("*.jsonl") if p.name != dev.name)
    return named + [p for p in found if p not in named]


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


GRID = {"threshold": (0.14, 0.16, 0.18, 0.2, 0.22, 0.25, 0.28, 0.32),
        "ordinal_penalty": (1.0, 0.5, 0.3)}


def grid() -> list[dict[str, float]]:
    """Every combination of the tunable settings (``StoryClusterer`` keyword arguments)."""
    combos: list[dict[str, float]] = [{}]
    for name, values in GRID.items():
        combos = [{**c, name: v} for c in combos for v in values]
    return combos


def defaults() -> dict[str, float]:
    clusterer = settings_clusterer(Settings())
    return {name: getattr(clusterer, name) for name in GRID}


def cluster_subset(rows: list[dict], inputs: list, analyses: list, keep,  # noqa: ANN001
                   **settings: float) -> tuple[list[str], list[str]]:
    """(predicted, gold) for the rows ``keep`` selects, clustered on their own."""
    picked = [k for k, r in enumerate(rows) if keep(r)]
    got = dict(cluster_analysed([inputs[k] for k in picked], [analyses[k] for k in picked],
                                StoryClusterer(**settings)))
    return [got[rows[k]["id"]] for k in picked], [rows[k]["event"] for k in picked]


def half_split(rows: list[dict], inputs: list, analyses: list,
               groups: dict[str, dict]) -> None:
    """Events in two halves by a hash of their id (``half_of``): the settings are tuned on
    one half (best B-cubed F1 over ``GRID``) and measured on the other, both ways. Half B is
    the one never tuned on: the evidence itself was chosen on half A."""
    base = defaults()
    scores: dict[tuple[str, str], tuple[float, float, float]] = {}
    clusterings: dict[tuple[str, str], list[str]] = {}

    def score(half: str, settings: dict[str, float]) -> tuple[float, float, float]:
        key = (half, repr(sorted(settings.items())))
        if key not in scores:
            predicted, gold = cluster_subset(rows, inputs, analyses,
                                             lambda r: half_of(r["event"]) == half, **settings)
            scores[key], clusterings[key] = bcubed(predicted, gold), predicted
        return scores[key]

    sizes = {h: sum(half_of(r["event"]) == h for r in rows) for h in "AB"}
    events = {h: len({r["event"] for r in rows if half_of(r["event"]) == h}) for h in "AB"}
    print(f"half split by event id hash (A: {events['A']} events, {sizes['A']} articles; "
          f"B: {events['B']} events, {sizes['B']} articles); tuned over {GRID}")
    print(f"{'measured on':12} {'tuned on':>8} {'tuned':>36} {'B3 P':>6} {'B3 R':>6} "
          f"{'B3 F1':>6} {'F1 default':>10}")
    for held, tuned_on in (("B", "A"), ("A", "B")):
        best = max(grid(), key=lambda s: (score(tuned_on, s)[2], s == base))
        p, r, f = score(held, best)
        label = ", ".join(f"{k}={v:g}" for k, v in best.items())
        print(f"{held:12} {tuned_on:>8} {label:>36} {p:6.3f} {r:6.3f} {f:6.3f} "
              f"{score(held, base)[2]:10.3f}")
        picked = [r for r in rows if half_of(r["event"]) == held]
        predicted = clusterings[(held, repr(sorted(best.items())))]
        for name, subset in kinds(picked, groups).items():
            kp, kr, n = bcubed_of(predicted, [r["event"] for r in picked], subset)
            if n and not name.startswith(" "):
                print(f"{'':12} {name:>37} {kp:6.3f} {kr:6.3f} "
                      f"{2 * kp * kr / (kp + kr):6.3f}   {n} articles")


def kinds(rows: list[dict], groups: dict[str, dict]) -> dict[str, list[bool]]:
    """Event kinds: whether the event has lookalikes (a hard-negative group: follow-ups,
    a second occurrence, the same people on another day) and whether several outlets
    reported it; then each hard-negative group on its own."""
    family = {e: name for name, g in groups.items() for e in g["events"]}
    out: dict[str, list[bool]] = {}
    for look in (True, False):
        for several in (True, False):
            name = (f"{'lookalikes' if look else 'no lookalikes'}, "
                    f"{'several reports' if several else 'one report'}")
            out[name] = [(r["event"] in family) == look and r["event"].startswith("e-") == several
                         for r in rows]
    for name in groups:
        out[f"  group {name}"] = [family.get(r["event"]) == name for r in rows]
    return out


def per_kind(rows: list[dict], predicted: list[str], groups: dict[str, dict]) -> None:
    gold = [r["event"] for r in rows]
    print(f"per event kind (whole file, default settings; each article judged against the "
          f"whole clustering):\n{'kind':44} {'items':>5} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6}")
    for name, subset in kinds(rows, groups).items():
        p, r, n = bcubed_of(predicted, gold, subset)
        if n:
            print(f"{name:44} {n:5d} {p:6.3f} {r:6.3f} {2 * p * r / (p + r):6.3f}")


def shuffled_splits(rows: list[dict], inputs: list, analyses: list, seeds: int = 5) -> None:
    """The earlier check, kept for comparison: events shuffled (5 seeds) into halves, the
    threshold tuned on one and measured on the other."""
    base = defaults()
    events = sorted({r["event"] for r in rows})
    held, at_default = [], []
    for seed in range(seeds):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        halves = ({*shuffled[::2]}, {*shuffled[1::2]})
        for half, other in (halves, halves[::-1]):
            def f1(chosen: set[str], settings: dict[str, float]) -> float:
                return bcubed(*cluster_subset(rows, inputs, analyses,
                                              lambda r: r["event"] in chosen, **settings))[2]
            best = max(grid(), key=lambda s: f1(other, s))
            held.append(f1(half, best))
            at_default.append(f1(half, base))
    print(f"shuffled halves ({seeds} seeds, both ways): held-out B3 F1 mean "
          f"{statistics.mean(held):.3f}, min {min(held):.3f}; default settings: mean "
          f"{statistics.mean(at_default):.3f}, min {min(at_default):.3f}")


def evaluation_only(paths: list[Path], analyzer: Analyzer) -> None:
    """Files nobody tunes on: scored once, at the default settings, nothing chosen on them."""
    if not paths:
        print("evaluation-only files: none found (looked for stories/*.jsonl besides "
              "dev.jsonl, and --eval FILE)")
        return
    for path in paths:
        rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        with path.open(encoding="utf-8") as handle:
            inputs = list(read_cluster_input(handle, str(path)))
        ours = dict(cluster_inputs(inputs, settings_clusterer(Settings()), analyzer))
        predicted, gold = [ours[r["id"]] for r in rows], [r["event"] for r in rows]
        p, r, f = bcubed(predicted, gold)
        print(f"evaluation only, {path.name} ({len(rows)} articles, {len(set(gold))} events; "
              f"default settings): B3 P {p:.3f} R {r:.3f} F1 {f:.3f}, pair F1 "
              f"{pairwise_f1(predicted, gold):.3f}")


if __name__ == "__main__":
    main()
