"""Articles for the web tests, imported through the real JSON Lines import."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ranknews.pipeline import import_jsonl
from ranknews.store import Database

T0 = datetime(2024, 6, 16, 5, 0, tzinfo=timezone.utc)  # 14:00 in Seoul
OUTLETS = [("경향신문", "www.khan.co.kr"), ("매일경제", "www.mk.co.kr"), ("SBS", "news.sbs.co.kr")]
SECTIONS = ["경제", "정치", "사회"]

SEED_ARTICLE = {
    "url": "https://www.khan.co.kr/economy/article/202406131618001",
    "outlet": "경향신문",
    "outlet_domain": "www.khan.co.kr",
    "title": "이재용, 메타·아마존·퀄컴 수장 잇따라 만나",
    "subtitles": ["메타 AI 칩 ‘MTIA’ 수주 가능성", "아마존·퀄컴 등 수장 잇따라 만나"],
    "authors": ["김경학 기자"],
    "published": "2024-06-13T16:18:00+09:00",
    "updated": "2024-06-13T17:05:00+09:00",
    "section": "경제",
    "text": "",
    "blocks": [
        {"kind": "figure", "image_url": "https://img.khan.co.kr/news/2024/06/13/samsung.jpg",
         "caption": "지난 11일(현지시간) 이재용 삼성전자 회장(왼쪽)이 미국 캘리포니아주 팔로알토에 "
                    "위치한 마크 저커버그 메타 최고경영자(CEO)의 자택에서 기념사진을 촬영하고 있다.",
         "credit": "삼성전자 제공"},
        {"text": "미국을 방문한 이재용 삼성전자 회장이 메타·아마존·퀄컴 등 글로벌 빅테크 수장들을 "
                 "잇달아 만나 인공지능(AI)과 반도체·스마트폰·통신·증강현실 등 광범위한 사업 협력을 논의했다."},
        {"text": "13일 삼성전자에 따르면 이재용 회장은 지난 11일(현지시간) 미국 캘리포니아주 "
                 "팔로알토에 위치한 마크 저커버그 메타 최고경영자(CEO)의 자택에서 단독 미팅을 가졌다."},
        {"text": "메타는 삼성전자 파운드리(반도체 위탁생산) 부문의 잠재 고객사다."},
        {"kind": "figure", "image_url": "https://img.khan.co.kr/news/2024/06/13/second.jpg",
         "caption": "두 번째 사진", "credit": "사진=연합뉴스"},
    ],
}


def record(i: int, **changes: Any) -> dict[str, Any]:
    """The i-th generated post: outlets and sections rotate, one minute apart."""
    outlet, domain = OUTLETS[i % len(OUTLETS)]
    base = {
        "url": f"https://{domain}/article/{i}",
        "outlet": outlet,
        "outlet_domain": domain,
        "title": f"{'[단독] ' if i % 5 == 0 else ''}기사 제목 {i}",
        "published": (T0 + timedelta(minutes=i)).isoformat(),
        "text": f"{i}번 기사 첫 문단.\n{i}번 기사 둘째 문단.\n{i}번 기사 셋째 문단.",
        "section": SECTIONS[(i // 3) % len(SECTIONS)],
    }
    base.update(changes)
    return base


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                    encoding="utf-8")
    return path


def load(db: Database, tmp_path: Path, records: list[dict[str, Any]], name: str = "a") -> None:
    report = import_jsonl(db, [write_jsonl(tmp_path / f"{name}.jsonl", records)])
    assert not report.errors, report.errors
