"""Photo credits in Korean captions: "삼성전자 제공", "사진=연합뉴스", "/연합뉴스", "[로이터]".

A credit sits at the end of a caption (sometimes at its start, "[사진=뉴스1] …") in one of a
few forms: ``사진=X`` / ``사진 제공=X`` / ``사진 출처 = X``, ``X 제공``, a trailing ``/X``, a
bracketed agency ``[AP]``, or ``ⓒ X``. Brackets around a credit are dropped; the words are
kept as the outlet wrote them ("사진=연합뉴스", "삼성전자 제공"). Parentheses that are not a
credit ("김철수(왼쪽) 대표") stay in the caption.
"""

from __future__ import annotations

import re

_AGENCIES = (r"연합뉴스|뉴스1|뉴시스|로이터|AP|AFP|EPA|UPI|신화|교도|게티이미지(?:뱅크)?|"
             r"Getty\s*Images|123RF|셔터스톡|Shutterstock|픽사베이|언스플래시|연합뉴스TV|AP연합뉴스|AFP연합뉴스|"
             r"EPA연합뉴스|로이터연합뉴스|SNS|인스타그램|유튜브")
_OPEN, _CLOSE = r"[\(\[【<]", r"[\)\]】>]"
_KEYED = (r"(?:사진|그래픽|자료|영상|이미지|출처|사진\s*제공|사진\s*출처|자료\s*제공|촬영)"
          r"\s*[=:：]\s*[^()\[\]【】<>=]{1,40}?")
# "삼성전자 제공", "CJ ENM 제공": at most two words, so a sentence is never taken as a credit.
_GIVEN = r"(?:[^\s()\[\]【】<>=/.。]+(?<![다요])\s+)?[^\s()\[\]【】<>=/.。]+\s*제공"
_CREDIT = rf"(?:{_KEYED}|{_GIVEN}|[ⓒ©]\s*[^()\[\]]{{1,30}}?|(?:{_AGENCIES})(?:\s*=\s*연합뉴스)?)"

_TRAILING = (
    re.compile(rf"\s*{_OPEN}\s*({_CREDIT})\s*{_CLOSE}\s*$"),
    re.compile(r"\s*(?<![\w/])/\s*([^/]{1,30}?)\s*$"),
    re.compile(rf"(?:^|\s+|(?<=[.。]))({_KEYED}|{_GIVEN}|[ⓒ©]\s*[^()\[\]]{{1,30}}?)\s*$"),
)
_LEADING = re.compile(rf"^\s*{_OPEN}\s*({_CREDIT})\s*{_CLOSE}\s*")
_SPACED_EQUALS = re.compile(r"\s*([=:：])\s*")


def _tidy(credit: str) -> str:
    credit = " ".join(credit.split())
    return _SPACED_EQUALS.sub(lambda m: "=" if m.group(1) != ":" else ": ", credit, count=1)


def split_credit(caption: str) -> tuple[str, str]:
    """Return (caption without credit, credit); credit is '' when none is found.

    >>> split_credit("갤럭시 S24 울트라. 삼성전자 제공")
    ('갤럭시 S24 울트라.', '삼성전자 제공')
    >>> split_credit("서울 여의도 국회의사당. (사진=연합뉴스)")
    ('서울 여의도 국회의사당.', '사진=연합뉴스')
    """
    caption = " ".join((caption or "").split())
    if not caption:
        return "", ""
    for pattern in _TRAILING:
        match = pattern.search(caption)
        if match:
            rest = caption[: match.start()].rstrip(" ,·-")
            if pattern is _TRAILING[1] and not _looks_like_slash_credit(match.group(1), rest):
                continue
            return rest, _tidy(match.group(1))
    match = _LEADING.match(caption)
    if match:
        return caption[match.end():].strip(), _tidy(match.group(1))
    return caption, ""


def _looks_like_slash_credit(credit: str, rest: str) -> bool:
    """"…모습 /연합뉴스" is a credit; "1/2" or "A/B 테스트" is not."""
    if not rest or any(ch.isdigit() for ch in credit[:1]):
        return False
    return len(credit.split()) <= 4 and not credit.endswith((".", "다"))
