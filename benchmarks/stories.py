"""Story clustering quality on ../shared/data/stories/dev.jsonl, beside two baselines.

    PYTHONPATH=src /work/venv/bin/python benchmarks/stories.py [FILE.jsonl]

ours: ``ranknews cluster``'s own function (``stories.jsonl.cluster_inputs``) with default
settings. Baselines, run on the same file in the same run:
- exact normalized headline: same headline after removing labels, spaces and punctuation;
- MinHash LSH (datasketch, 128 permutations, Jaccard threshold 0.5) on character 3-gram
  shingles of the body; connected components of LSH matches.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from ranknews.config import Settings
from ranknews.pipeline import settings_clusterer
from ranknews.stories.jsonl import cluster_inputs, read_cluster_input
from ranknews.stories.scoring import bcubed, pairwise_f1
from ranknews.text.analysis import Analyzer
from ranknews.text.headline import split_tags

# ../shared/data beside the checkout (RANKNEWS_SHARED_DATA overrides it, as in the tests)
SHARED = Path(os.environ.get("RANKNEWS_SHARED_DATA", "")) if os.environ.get(
    "RANKNEWS_SHARED_DATA") else Path("/work/shared/data")
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
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.exists():
        sys.exit(f"labelled data not found: {path}")
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    with path.open(encoding="utf-8") as handle:
        inputs = list(read_cluster_input(handle, str(path)))
    gold = [r["event"] for r in rows]
    started = time.perf_counter()
    ours = dict(cluster_inputs(inputs, settings_clusterer(Settings()), Analyzer()))
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


if __name__ == "__main__":
    main()
