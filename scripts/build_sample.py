#!/usr/bin/env python3
"""Rebuild the demo sample shipped in src/ranknews/sample/ from ../shared/data.

- The seed page (shared/data/seed/ranknews-page.txt): its article (경향신문, 2024.06.13) with
  subtitles, photo caption and credit, and the 20 posts of its board list as headline-only
  items with their numbers and dates.
- The MIT-licensed 매일경제 pages (flairNLP/fundus test data) as full articles.

Run: python scripts/build_sample.py   (writes src/ranknews/sample/articles.jsonl)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "ranknews" / "sample" / "articles.jsonl"
ROW = re.compile(r"^(\d+) (.+) (\S+) (\d{4})\.(\d{2})\.(\d{2})$")
SEARCH = "https://search.naver.com/search.naver?where=news&query="


def seed_records(text: str) -> list[dict]:
    lines = [line.rstrip() for line in text.splitlines()]
    body_start = 2 if lines[0] == "메뉴 건너뛰기" else 0
    header = next(i for i, line in enumerate(lines) if line.startswith("번호 제목 글쓴이 날짜"))
    article_lines = [line for line in lines[body_start:header] if line.strip()]
    outlet = article_lines[-1]
    headline, subtitle, caption_line, *paragraphs = article_lines[:-1]
    caption, credit = caption_line.rsplit(". ", 1)
    board = []
    for line in lines[header + 1:]:
        match = ROW.match(line)
        if match:
            no, title, writer, y, m, d = match.groups()
            board.append({
                "board_no": int(no), "url": SEARCH + quote(title), "outlet": writer,
                "outlet_domain": "ranknews.board", "title": title,
                "published": f"{y}-{m}-{d}", "text": "",
                "source": "seed board list (shared/data/seed/ranknews-page.txt), headline only",
            })
    article = {
        "url": SEARCH + quote(headline + " 경향신문"),
        "outlet": outlet, "outlet_domain": "www.khan.co.kr",
        "title": headline, "subtitles": [subtitle],
        "published": "2024-06-13", "section": "경제",
        "blocks": [{"kind": "figure", "image_url": "/static/sample/seed-photo.svg",
                    "caption": caption + ".", "credit": credit}]
        + [{"kind": "paragraph", "text": p} for p in paragraphs],
        "text": "\n".join(paragraphs),
        "source": "seed page article (shared/data/seed/ranknews-page.txt); the photo itself "
                  "is not in the seed, a placeholder stands in for it",
    }
    return sorted(board, key=lambda r: r["board_no"]) + [article]


def mk_records() -> list[dict]:
    records = []
    for path in sorted((DATA / "pages" / "www.mk.co.kr").glob("*.json")):
        page = json.loads(path.read_text(encoding="utf-8"))
        section = path.stem.split("-")[1]
        records.append({
            "url": page["url"], "outlet": "매일경제", "outlet_domain": "www.mk.co.kr",
            "title": page["title"], "subtitles": page.get("subtitles") or [],
            "authors": page.get("authors") or [], "published": page["published"],
            "section": {"politics": "정치", "realestate": "경제", "society": "사회",
                        "sports": "스포츠", "stock": "경제", "world": "세계",
                        "economy": "경제", "business": "경제"}.get(section),
            "text": page["text"],
            "source": f"{page.get('source', 'flairNLP/fundus test data')} (MIT)",
        })
    return sorted(records, key=lambda r: r["published"])


def main() -> int:
    seed = DATA / "seed" / "ranknews-page.txt"
    if not seed.exists():
        print(f"shared data not found at {DATA}", file=sys.stderr)
        return 1
    records = mk_records() + seed_records(seed.read_text(encoding="utf-8"))
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                   encoding="utf-8")
    print(f"wrote {len(records)} articles to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
