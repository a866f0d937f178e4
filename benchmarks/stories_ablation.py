"""Experiment (not kept): new evidence for follow-up events, on the two halves of dev.jsonl.

    PYTHONPATH=src python benchmarks/stories_ablation.py

Each rule was designed and its constant chosen on half A (``scoring.half_of``), then
measured once on half B. Toggles are module constants of this experiment commit only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ranknews.stories import cluster as cl
from ranknews.stories import signals as sg
from ranknews.stories.cluster import StoryClusterer
from ranknews.stories.jsonl import analyse_inputs, cluster_analysed, read_cluster_input
from ranknews.stories.scoring import bcubed, half_of
from ranknews.text.analysis import Analyzer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import shared_data  # noqa: E402

PATH = shared_data() / "stories" / "dev.jsonl"
CONFIGS = {
    "baseline": {},
    "past days background when an own day is named": {"past": True},
    "measured figures (규모 3.2)": {"measure": True},
    "actions: either foreign, x0.65, all pairs": {"mode": "either", "pen": 0.65},
    "actions: either foreign, x0.3, not both dated": {"mode": "either", "pen": 0.3,
                                                       "undated": True},
    "actions: both foreign, x0.3": {"mode": "both", "pen": 0.3},
}


def main() -> None:
    rows = [json.loads(line) for line in PATH.open(encoding="utf-8")]
    with PATH.open(encoding="utf-8") as handle:
        inputs = list(read_cluster_input(handle))
    analyses = analyse_inputs(inputs, Analyzer())

    def run(half: str | None, threshold: float, pen: float) -> tuple[float, float, float]:
        ks = [k for k, r in enumerate(rows) if half is None or half_of(r["event"]) == half]
        got = dict(cluster_analysed([inputs[k] for k in ks], [analyses[k] for k in ks],
                                    StoryClusterer(threshold=threshold, action_penalty=pen)))
        return bcubed([got[rows[k]["id"]] for k in ks], [rows[k]["event"] for k in ks])

    for name, c in CONFIGS.items():
        sg.PAST_RULE, sg.MEASURE_RULE = c.get("past", False), c.get("measure", False)
        cl.MODE, cl.UNDATED = c.get("mode", "both"), c.get("undated", False)
        for threshold in (0.18, 0.2):
            out = [run(h, threshold, c.get("pen", 1.0)) for h in ("A", "B", None)]
            print(f"{name:48} t={threshold} " + "  ".join(
                f"{n} {p:.3f}/{r:.3f}/{f:.3f}" for n, (p, r, f) in zip(("A", "B", "all"), out)))


if __name__ == "__main__":
    main()
