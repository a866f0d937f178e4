"""Reading the daily headline digests (``headlines/daily/YYYY/YYYY-MM-DD.md``).

Each file lists ``- [언론사] 제목 ([link](URL))`` lines under ``## 섹션`` headings, one heading
per outlet feed. The same URL can appear under several headings; it is one article, with the
first heading as its section. Used by the trends benchmark and to train the section classifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

_LINE = re.compile(r"^- \[([^\]]+)\] (.+?) \(\[link\]\((\S+)\)\)\s*$")


@dataclass(frozen=True, slots=True)
class Headline:
    day: date
    outlet: str
    title: str
    url: str
    section: str  # the feed heading: IT, 경제, 기업, 부동산, 정치, 증권


def read_day(path: Path) -> list[Headline]:
    """The distinct articles of one digest file, in file order."""
    day = date.fromisoformat(path.stem)
    section = ""
    seen: set[str] = set()
    out: list[Headline] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        match = _LINE.match(line)
        if match and match.group(3) not in seen:
            seen.add(match.group(3))
            out.append(Headline(day, match.group(1), match.group(2).strip(), match.group(3),
                                section))
    return out


def digest_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.md"), key=lambda p: p.stem)


def read_days(folder: Path) -> Iterator[list[Headline]]:
    for path in digest_files(folder):
        yield read_day(path)
