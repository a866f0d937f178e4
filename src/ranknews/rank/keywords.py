"""Keyword candidates of one article: the noun phrases of its headline and lead.

What a trend counts is a *keyword*: a noun or a run of nouns written together (대한의사협회,
SK하이닉스, 집단휴진), as ``Analyzer.noun_phrases`` gives them. This module decides which of
those may become a trending keyword, and under which name:

- labels and series names in brackets ([속보], [단독], [뉴욕증시 브리핑]) are removed before
  analysis: they are the outlet's furniture, not news;
- outlet names and their short forms (한국경제, 한경) never trend: outlets name themselves;
- stop words (generic headline nouns such as 속보, 오늘, 내년, 최대) and one-syllable nouns go;
- hanja abbreviations used in headlines become the word they stand for (美 → 미국);
- variants learned from the text (의협 → 대한의사협회, see ``aliases``) become one keyword.

Frequent but steady words (정부, 대통령) are *not* stop words: the burst model in ``trends``
keeps them down by comparing each keyword with its own past.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

from ranknews.text.headline import split_tags

# Bracketed text anywhere in a headline: labels and series names, not the news itself.
_BRACKETS = re.compile(r"\[[^\[\]]{0,40}\]|【[^【】]{0,40}】|<[^<>]{0,20}>|〈[^〈〉]{0,20}〉")
_LEAD_CHARS = 300
# 한빛-나노 and 한빛나노 are one name: a hyphen between Hangul syllables is dropped.
_HANGUL_HYPHEN = re.compile(r"(?<=[가-힣])[-‐‑–](?=[가-힣])")
# Index levels are written 6000, 6000선, 6000피, 6000돌파: one keyword, the number.
_LEVEL = re.compile(r"^(\d{3,})(?:선|피|돌파|포인트|고지)$")
# A number with its unit is a keyword only as an amount (100달러, 1500원); with a counter or a
# date (6월, 10년, 2종, 3분기) it names nothing.
_AMOUNT = re.compile(r"^\d[\d,]{2,}(?:원|달러|엔|위안|유로|만원|억원|조원|억달러)$")
_NUMBER_LED = re.compile(r"^\d")

# Hanja single-character abbreviations of headlines, as the words they stand for. People's
# surnames (李, 尹) are left out on purpose: who they stand for changes with time.
HANJA = {
    "美": "미국", "中": "중국", "日": "일본", "韓": "한국", "北": "북한", "英": "영국",
    "獨": "독일", "佛": "프랑스", "露": "러시아", "印": "인도", "與": "여당", "野": "야당",
    "靑": "청와대", "檢": "검찰", "軍": "군", "警": "경찰", "文": "",
}

# Generic headline nouns that never name an event. Kept short on purpose (see above).
STOP_WORDS = frozenset("""
속보 단독 종합 포토 영상 사진 화보 인터뷰 칼럼 사설 기고 오피니언 기자 뉴스 브리핑 특징주 공시
오늘 내일 어제 올해 내년 작년 지난해 이번 이날 당일 최근 현재 향후 연내 연말 연초 하루
이번주 다음주 지난주 오전 오후 새벽 주말 상반기 하반기 분기 전년 전월 전날 다음달 이달 지난달
최대 최고 최저 최초 역대 사상 역사 첫날 이상 이하 미만 만원 억원 조원 달러 규모 수준 가운데
관련 이유 때문 가능성 전망 예상 우려 기대 계획 추진 발표 공개 확인 결정 개최 진행 시작 마련
대표 회장 사장 위원장 장관 의원 씨 등 것 수 중 전 후 곳 명 개 건 점 배 만 억 조 원 년 월 일
""".split())


def outlet_stop_words(outlet_names: Iterable[str]) -> frozenset[str]:
    """Outlet names and their usual short forms: 한국경제 → 한경, 매일경제 → 매경."""
    words: set[str] = set()
    for name in outlet_names:
        name = name.strip()
        if not name:
            continue
        words.add(name.lower() if name.isascii() else name)
        compact = name.replace(" ", "")
        if len(compact) == 4 and all("가" <= c <= "힣" for c in compact):
            words.add(compact[0] + compact[2])  # 한국경제 → 한경
    return frozenset(words)


def keyword_texts(title: str, lead: str = "") -> list[str]:
    """The texts whose noun phrases are keyword candidates: clean headline, then the lead."""
    _, clean = split_tags(title or "")
    texts = [_HANGUL_HYPHEN.sub("", _BRACKETS.sub(" ", clean)).strip()]
    if lead:
        texts.append(lead[:_LEAD_CHARS])
    return texts


def normalize_keywords(phrases: Iterable[str], *, aliases: Mapping[str, str] | None = None,
                       excluded: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Turn raw noun phrases into the distinct keywords an article counts for."""
    aliases = aliases or {}
    out: dict[str, None] = {}
    for phrase in phrases:
        word = HANJA.get(phrase, phrase)
        if level := _LEVEL.match(word):
            word = level.group(1)
        word = aliases.get(word, word)
        if _keep(word, excluded):
            out[word] = None
    return tuple(out)


def _keep(word: str, excluded: frozenset[str]) -> bool:
    if word in STOP_WORDS or word in excluded:
        return False
    if any(word.startswith(name) and len(name) >= 4 for name in excluded):
        return False  # an outlet's own series: 한국경제TV, 매일경제신문
    if _NUMBER_LED.match(word) and not word.isascii():
        return bool(_AMOUNT.match(word))
    if word.isascii():
        return len(word) >= 4 if word.isdigit() else len(word) >= 2
    return len(word) >= 2


def article_keywords(phrase_lists: Sequence[Sequence[str]], **options) -> tuple[str, ...]:  # noqa: ANN003
    """Keywords of one article from the noun phrases of each of its texts (headline, lead)."""
    return normalize_keywords((p for phrases in phrase_lists for p in phrases), **options)


def display_keyword(keyword: str) -> str:
    """How a keyword is shown: Latin acronyms in capitals (ces → CES, hbm4 → HBM4)."""
    if keyword.isascii() and keyword.isalnum() and len(keyword) <= 6:
        return keyword.upper()
    return keyword
