"""Sections: every article gets one of eight, as Korean portals file news.

Fallback order (the first that answers wins):
1. the section the outlet gave it (feed category or page), through ``OUTLET_SECTIONS``:
   outlets name their sections many ways (증권, 부동산, 기업 are all 경제; econo, society
   and enter are MBC's URL words);
2. a section word in the article's URL path (``/politics/``, ``/society/``, ``/enter/``);
3. the classifier shipped with the package (``section_model.json.gz``), over the headline and
   the body's lead, when it is confident enough; else no section (better none than a wrong
   one).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

SECTIONS: tuple[str, ...] = (
    "정치", "경제", "사회", "생활/문화", "세계", "IT/과학", "스포츠", "연예")
MODEL_PATH = Path(__file__).with_name("section_model.json.gz")

# Normalised outlet section names (lower case, no spaces or punctuation) → section.
OUTLET_SECTIONS: dict[str, str] = {
    **dict.fromkeys(["정치", "politics", "politic", "국회", "정당", "청와대", "대통령실", "외교",
                     "국방", "북한", "통일", "행정"], "정치"),
    **dict.fromkeys(["경제", "economy", "econo", "business", "finance", "기업", "산업", "증권",
                     "주식", "부동산", "금융", "재테크", "stock", "realestate", "market",
                     "markets", "money", "자동차", "유통", "산업경제", "경제일반", "마켓"], "경제"),
    **dict.fromkeys(["사회", "society", "national", "전국", "지역", "사건사고", "사건", "교육",
                     "노동", "환경", "법원", "검찰", "법조", "의료", "society_general",
                     "local"], "사회"),
    **dict.fromkeys(["생활문화", "문화", "생활", "culture", "life", "lifestyle", "건강",
                     "health", "여행", "travel", "책", "book", "종교", "음식", "패션",
                     "문화생활", "공연", "전시", "날씨", "weather"], "생활/문화"),
    **dict.fromkeys(["세계", "국제", "world", "international", "global", "글로벌",
                     "국제일반", "미국", "중국", "일본"], "세계"),
    **dict.fromkeys(["it", "it과학", "과학", "it/과학", "tech", "technology", "science",
                     "digital", "게임", "모바일", "인터넷", "통신", "it·과학", "테크",
                     "바이오", "과학기술"], "IT/과학"),
    **dict.fromkeys(["스포츠", "sports", "sport", "야구", "축구", "농구", "배구", "골프",
                     "baseball", "soccer", "football", "golf"], "스포츠"),
    **dict.fromkeys(["연예", "entertainment", "enter", "entertain", "연예가", "방송", "영화",
                     "음악", "가요", "드라마", "star", "celebrity", "kpop", "문화연예"], "연예"),
}
# Words looked for inside longer names ("iMBC 연예", "생활·문화"), in this order.
_SECTION_WORDS = ("연예", "스포츠", "정치", "국제", "세계", "과학", "it", "경제", "증권",
                  "부동산", "사회", "문화", "생활")
_NORMALISE = re.compile(r"[\s\-_·ㆍ/.,&]+")


def normalise_name(name: str) -> str:
    return _NORMALISE.sub("", (name or "").strip().lower())


def section_from_name(name: str | None) -> str | None:
    """The section for an outlet's own section name, or None when it means nothing to us."""
    key = normalise_name(name or "")
    if not key:
        return None
    if key in OUTLET_SECTIONS:
        return OUTLET_SECTIONS[key]
    for word in _SECTION_WORDS:
        if word in key:
            return OUTLET_SECTIONS.get(word)
    return None


def section_from_url(url: str) -> str | None:
    """A section word as a path segment of the article's URL (/news/2023/econo/article/…)."""
    try:
        segments = urlsplit(url or "").path.lower().split("/")
    except ValueError:
        return None
    for segment in segments:
        if segment in OUTLET_SECTIONS and not segment.isdigit() and segment.isascii():
            return OUTLET_SECTIONS[segment]
    return None


# --- the classifier ---------------------------------------------------------------------------

_BRACKETED = re.compile(r"\[[^\[\]]{0,20}\]")
# quotes, ellipses, dots and brackets split words: ‘민희진’… and 민희진 give the same n-grams
_NOT_WORD = re.compile(r"\W+")
LEAD_CHARS = 300  # of the body (summary or first paragraph) read with the headline


def features(title: str, lead: str = "") -> list[str]:
    """Character 2- and 3-grams of each word of the headline and of the lead's first
    ``LEAD_CHARS`` characters, with word edges marked. Words are split at punctuation too
    (quotes and ellipses cling to Korean headline words).

    The same function makes the features at training time (benchmarks/train_sections.py) and
    at run time, so the shipped weights always meet the features they were trained on.
    """
    text = _BRACKETED.sub(" ", title or "") + " " + (lead or "")[:LEAD_CHARS]
    out: list[str] = []
    for word in _NOT_WORD.sub(" ", text).strip().lower().split(" "):
        if not word:
            continue
        padded = f" {word} "
        for n in (2, 3):
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


@dataclass(frozen=True)
class SectionGuess:
    section: str
    confidence: float


class SectionClassifier:
    """A linear model over headline and lead n-grams (multinomial logistic regression), as
    plain data."""

    def __init__(self, classes: list[str], intercept: list[float],
                 weights: dict[str, list[float]], threshold: float = 0.6,
                 model_id: int = 0) -> None:
        self.classes = classes
        self.intercept = intercept
        self.weights = weights
        self.threshold = threshold
        # which trained model this is (from its file's bytes; 0 when built in memory): the
        # rank stage files stored posts again when the shipped model changes
        self.model_id = model_id

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "SectionClassifier":
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw))
        return cls(data["classes"], data["intercept"], data["weights"],
                   data.get("threshold", 0.6), model_id_of(raw))

    def probabilities(self, title: str, lead: str = "") -> dict[str, float]:
        scores = list(self.intercept)
        for feat in features(title, lead):
            row = self.weights.get(feat)
            if row:
                for i, w in enumerate(row):
                    scores[i] += w
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps)}

    def guess(self, title: str, lead: str = "") -> SectionGuess:
        probs = self.probabilities(title, lead)
        section = max(probs, key=probs.get)
        return SectionGuess(section, probs[section])

    def classify(self, title: str, lead: str = "") -> str | None:
        """The section when the model is confident enough, else None."""
        guess = self.guess(title, lead)
        return guess.section if guess.confidence >= self.threshold else None


def model_id_of(raw: bytes) -> int:
    """28 bits of a model file's SHA-256 (fits the database's integer state column)."""
    return int(hashlib.sha256(raw).hexdigest()[:7], 16)


@lru_cache(maxsize=1)
def shipped_model_id() -> int:
    """The shipped model's id without parsing its weights (1 ms, against 0.25 s to load)."""
    return model_id_of(MODEL_PATH.read_bytes())


@lru_cache(maxsize=1)
def shipped_classifier() -> SectionClassifier:
    return SectionClassifier.load()


def assign_section(title: str, url: str = "", outlet_section: str | None = None,
                   classifier: SectionClassifier | None = None,
                   lead: str = "") -> tuple[str | None, str]:
    """(section, how): how is "outlet", "url", "model" or "none" (shown to operators).
    ``lead``: the body's summary or first paragraph, read by the model with the headline."""
    if section := section_from_name(outlet_section):
        return section, "outlet"
    if section := section_from_url(url):
        return section, "url"
    model = classifier if classifier is not None else shipped_classifier()
    if section := model.classify(title, lead):
        return section, "model"
    return None, "none"
