"""Where the real data is, for every benchmark: ``$RANKNEWS_SHARED_DATA``, else the nearest
``shared/data`` folder above this checkout (``../shared/data``, as tests/conftest.py finds it)."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

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


SENTENCE_END = re.compile(r"(?<=다\.)\s+|(?<=[.?!])\s+(?=[가-힣\"'“‘(\[])")


# --- synthetic articles from real text (import_speed.py, tests/test_scale_out.py) ----

def headline_lines(distinct: bool = True) -> list[dict[str, str]]:
    """One dict per digest line (per distinct URL when ``distinct``): outlet, title, url, day,
    section. The digests list some articles under several sections."""
    folder = shared_data() / "headlines" / "daily"
    if not folder.exists():
        raise FileNotFoundError(f"real headlines not found at {folder}")
    seen: set[str] = set()
    found: list[dict[str, str]] = []
    for path in sorted(folder.glob("*/*.md")):
        section = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                section = line[3:].strip()[:60]
            elif (m := DIGEST_LINE.match(line)) and not (distinct and m["url"] in seen):
                seen.add(m["url"])
                found.append({"outlet": m["outlet"], "title": m["title"], "url": m["url"],
                              "day": path.stem, "section": section})
    return found


def sentences() -> list[str]:
    """Real sentences of Korean news bodies (stories/dev.jsonl), 20 to 200 characters."""
    path = shared_data() / "stories" / "dev.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"real article texts not found at {path}")
    found: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        flat = (" ".join(s.split()) for s in SENTENCE_END.split(text))
        found += [s for s in flat if 20 <= len(s) <= 200]  # drop clutter runs (related lists)
    return list(dict.fromkeys(found))


def records(count: int, *, figures: bool, seed: int = 7,
            distinct: bool = True) -> Iterator[dict[str, Any]]:
    """``count`` import records (text-only, or with subtitles and two figures)."""
    heads = headline_lines(distinct)
    if count > len(heads):
        raise ValueError(f"only {len(heads):,} distinct headlines; use --count ≤ {len(heads):,}")
    pool = sentences()
    for head in heads[:count]:
        rng = random.Random(f"{seed}:{head['url']}")  # a listed-again URL has the same body
        picked = rng.sample(pool, 12)
        paragraphs = [head["title"] + "."] + [" ".join(picked[i:i + 3]) for i in range(0, 12, 3)]
        minute = rng.randrange(24 * 60)
        record: dict[str, Any] = {
            "url": head["url"], "outlet": head["outlet"],
            "outlet_domain": DOMAINS.get(head["outlet"], ""),
            "title": head["title"], "section": head["section"] or None,
            "published": f"{head['day']}T{minute // 60:02d}:{minute % 60:02d}:00+09:00",
            "authors": [f"{rng.choice('김이박최정강조윤장임')}{rng.choice('민서지현우수')}"
                        f"{rng.choice('준호영연희아')} 기자"],
            "text": "\n".join(paragraphs),
        }
        if figures:
            stem = head["url"].rstrip("/").rsplit("/", 1)[-1]
            host = DOMAINS.get(head["outlet"], "img.example.com")
            record["subtitles"] = rng.sample(pool, 2)
            record["text"] = ""
            record["blocks"] = [
                {"kind": "figure", "image_url": f"https://img.{host}/photo/{stem}.jpg",
                 "caption": rng.choice(pool), "credit": f"{head['outlet']} 제공"},
                *({"kind": "paragraph", "text": p} for p in paragraphs[:3]),
                {"kind": "figure", "image_url": f"https://img.{host}/photo/{stem}-2.jpg",
                 "caption": rng.choice(pool), "credit": "사진=연합뉴스"},
                *({"kind": "paragraph", "text": p} for p in paragraphs[3:]),
            ]
        yield record


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL (``postgresql+psycopg://``) as psycopg connects to it."""
    return url.replace("postgresql+psycopg", "postgresql")


def fresh_postgres(url: str) -> str:
    """Empty a benchmark's PostgreSQL database: its public schema is dropped and made again.
    Only for the databases the benchmarks are given (never a real board's)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url
