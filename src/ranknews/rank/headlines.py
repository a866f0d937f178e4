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
    section: str  # the first feed heading it is under: IT, 경제, 기업, 부동산, 정치, 증권
    headings: tuple[str, ...] = ()  # every heading it is under


def read_day(path: Path) -> list[Headline]:
    """The distinct articles of one digest file, in file order."""
    day = date.fromisoformat(path.stem)
    section = ""
    order: dict[str, tuple[str, str]] = {}  # url → (outlet, title), first appearance
    headings: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if match := _LINE.match(line):
            outlet, title, url = match.groups()
            order.setdefault(url, (outlet, title.strip()))
            headings.setdefault(url, [])
            if section not in headings[url]:
                headings[url].append(section)
    return [Headline(day, outlet, title, url, headings[url][0], tuple(headings[url]))
            for url, (outlet, title) in order.items()]


def digest_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.md"), key=lambda p: p.stem)


def read_days(folder: Path) -> Iterator[list[Headline]]:
    for path in digest_files(folder):
        yield read_day(path)
