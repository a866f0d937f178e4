"""Where the real data is, for every benchmark: ``$RANKNEWS_SHARED_DATA``, else the nearest
``shared/data`` folder above this checkout (``../shared/data``, as tests/conftest.py finds it)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parent.parent


def shared_data() -> Path:
    if os.environ.get("RANKNEWS_SHARED_DATA"):
        return Path(os.environ["RANKNEWS_SHARED_DATA"])
    for parent in ROOT.parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return ROOT.parent / "shared" / "data"


# One line of the daily headline digests: "- [언론사] 제목 ([link](URL))".
DIGEST_LINE = re.compile(
    r"^- \[(?P<outlet>[^\]]+)\] (?P<title>.+) \(\[link\]\((?P<url>[^)]+)\)\)\s*$")
# The digests' three outlets and their sites (the headlines name the outlet, not its domain).
DOMAINS = {"한국경제": "www.hankyung.com", "매일경제": "www.mk.co.kr",
           "서울경제": "www.sedaily.com"}


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    """Write records as JSON Lines (the import format) and return the path."""
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
