"""Korean news boilerplate that survives inside the body container, removed line by line.

What outlets put in or right after the article text: copyright lines ("무단전재 및 재배포
금지", "ⓒ 매일경제", "Copyright"), reporter e-mail addresses, video-player notices ("브라우저가
video 태그를 지원하지 않습니다"), share and zoom buttons ("공유하기", "이미지 확대하기"),
tip-line and subscription prompts ("기사문의 및 제보", "구독하기"), hashtag lines and "(끝)".

Datelines ("(서울=연합뉴스) 홍길동 기자 = …", "[OSEN=박준형 기자] …") and sign-offs
("[신윤재 기자]") are part of the outlet's text and stay; their names feed the byline.
"""

from __future__ import annotations

import re

from ranknews.extract.rulebook import RuleList, RuleSet
from ranknews.models import Block, Figure, Paragraph

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]|<\s*>|（\s*）")
COPYRIGHT = RuleList("copyright", (
    r"무단\s*전재", r"재배포\s*금지", r"전재\s*및\s*재배포", r"AI\s*학습\s*(?:및\s*)?활용\s*금지",
    r"저작권자\s*[ⓒ©(:]", r"^\s*[ⓒ©]", r"Copyrights?\b", r"All\s+rights\s+reserved",
    r"\(c\)\s*\w"), "{}", re.IGNORECASE)
VIDEO = RuleList("video", (
    r"video\s*태그를\s*지원하지", r"브라우저를\s*사용하여\s*주십시오", r"브라우저에서는\s*재생",
    r"동영상\s*재생", r"재생\s*버튼", r"영상을\s*재생", "플레이어", "your browser does not support",
    "자동재생", r"재생이\s*되지\s*않"), "{}", re.IGNORECASE)
PROMPTS = RuleList("prompt", (
    r"기사\s*문의\s*및\s*제보", r"제보\s*(?:하기|는|방법)",
    r"^\s*▷\s*(?:전화|이메일|카카오톡|홈페이지)",
    r"구독\s*(?:하기|하세요|해\s*주세요|버튼)", r"채널\s*추가", r"앱\s*(?:설치|다운로드)",
    r"좋아요\s*(?:와|&)\s*구독", r"네이버\s*(?:메인|뉴스스탠드)에서", "뉴스스탠드",
    r"당신의\s*제보가\s*뉴스가", r"^\s*※\s*.*(?:제보|구독)", r"모바일\s*앱", r"카카오톡\s*@",
    # disclaimers of machine-written digests and read-aloud players
    r"AI(?:가|로)?\s*(?:요약|작성|생성)한", r"요약\s*(?:은|는)?\s*AI", r"기사\s*듣기"))
# Whole lines that are UI labels, compared after removing spaces.
UI_LINES = RuleSet("ui-line", {
    "공유하기", "공유", "이미지확대하기", "이미지확대", "사진확대", "확대", "닫기", "기사스크랩",
    "스크랩", "인쇄", "인쇄하기", "글자크기", "글씨크기", "본문글자크기", "url복사", "링크복사",
    "주소복사", "페이스북", "트위터", "카카오톡", "카카오스토리", "네이버블로그", "밴드",
    "좋아요", "추천", "댓글", "댓글쓰기", "기사듣기", "음성듣기", "번역", "가", "가가",
    "(끝)", "<끝>", "끝", "광고", "advertisement", "ad", "sns공유", "top", "맨위로",
    "이전기사", "다음기사", "목록", "기사원문", "원문보기", "더보기", "많이본뉴스",
    "관련기사", "관련뉴스", "함께보면좋은기사", "추천기사", "오늘의핫뉴스",
})
# Template placeholders a CMS left in the body: "$$ARTICLEAD$$", "{{AD}}", "[[광고]]", "%%AD%%".
_PLACEHOLDER = re.compile(r"\$\$[\w.-]{1,40}\$\$|\{\{\s*[\w.-]{1,40}\s*\}\}|\[\[[\w.-]{1,40}\]\]|"
                          r"%%[\w.-]{1,40}%%")
_HASHTAGS = re.compile(r"^(?:#\S+\s*){1,}$")
_END_MARKERS = re.compile(r"^\s*(?:\(끝\)|<끝>|\[끝\])\s*$")


def strip_emails(text: str) -> str:
    """The text without e-mail addresses and the brackets they leave empty."""
    if "@" not in text:
        return text
    text = EMAIL.sub("", text)
    return " ".join(_EMPTY_BRACKETS.sub("", text).split())


def is_boilerplate(line: str, disabled: frozenset[str] = frozenset()) -> bool:
    """True for a line that is page furniture, not article text."""
    compact = "".join(line.split()).lower()
    if not compact or UI_LINES.contains(compact, disabled):
        return True
    if _HASHTAGS.match(line.strip()):
        return True
    if len(line) <= 150 and (COPYRIGHT.search(line, disabled) or VIDEO.search(line, disabled)
                             or PROMPTS.search(line, disabled)):
        return True
    return not any(ch.isalnum() for ch in line)


_DATE_LINE = re.compile(r"^\W*(?:기사\s*)?(?:입력|등록|수정|송고|승인|업데이트|발행)"
                        r"\s*(?:일시|시간)?\s*[:：]?\s*(?:19|20)\d\d")


def clean_blocks(blocks: list[Block], headlines: frozenset[str] = frozenset(),
                 disabled: frozenset[str] = frozenset()) -> list[Block]:
    """Remove boilerplate paragraphs and e-mail addresses; cut at the end-of-article marker.

    ``headlines`` (compacted, see ``content.compact``) are dropped where the body repeats
    the headline, as are "입력 2024.06.16 09:00" lines.
    """
    cleaned: list[Block] = []
    for block in blocks:
        if isinstance(block, Figure):
            cleaned.append(block)
            continue
        if _END_MARKERS.match(block.text) and _prose_length(cleaned) > 200:
            break
        text = strip_emails(block.text)
        if "$$" in text or "{{" in text or "[[" in text or "%%" in text:
            text = " ".join(_PLACEHOLDER.sub(" ", text).split())
        if is_boilerplate(text, disabled) or "".join(text.split()) in headlines:
            continue
        if len(text) <= 80 and _DATE_LINE.match(text):
            continue
        cleaned.append(Paragraph(text) if text != block.text else block)
    while (cleaned and isinstance(cleaned[-1], Paragraph)
           and is_boilerplate(cleaned[-1].text, disabled)):
        cleaned.pop()
    return cleaned


def _prose_length(blocks: list[Block]) -> int:
    return sum(len(b.text) for b in blocks if isinstance(b, Paragraph))
