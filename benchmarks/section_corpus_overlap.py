"""Copy check of the section corpus against the labelled stories (evaluation only).

    .venv/bin/python benchmarks/section_corpus_overlap.py [--from-line 301]

Prints each corpus line (from ``--from-line`` of each file on) that shares a run of 10
characters, spaces removed, with a headline or text of ``stories/dev.jsonl``, with the shared
runs only (never the story), and the number of such lines. Stock phrases and titles
(``기준금리를 0.25%포인트``, ``김정은 국무위원장이``) are expected; a longer shared run is a
line to rewrite.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import shared_data  # noqa: E402  (benchmarks/shared.py)

CORPUS = Path(__file__).resolve().parent / "section_corpus"
RUN = 10
_SPACE = re.compile(r"\s+")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from-line", type=int, default=1)
    args = parser.parse_args()
    runs = set()
    for line in (shared_data() / "stories" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = _SPACE.sub("", row["title"] + (row.get("text") or ""))
        runs.update(text[i:i + RUN] for i in range(len(text) - RUN + 1))
    hits = 0
    for path in sorted(CORPUS.glob("*.tsv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines[args.from_line - 1:], args.from_line):
            text = _SPACE.sub("", line)
            shared = sorted({text[i:i + RUN] for i in range(len(text) - RUN + 1)} & runs)
            if shared:
                hits += 1
                print(f"{path.name}:{n} {shared[:4]}")
    print(f"{hits} lines share a run of {RUN} characters with stories/dev.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
