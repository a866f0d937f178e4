"""Units of the extractor: decoding, credits, bylines and e-mails, boilerplate lines, dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ranknews.extract.byline import names_in_text, person_names
from ranknews.extract.cleanup import clean_blocks, is_boilerplate, strip_emails
from ranknews.extract.credit import split_credit
from ranknews.extract.dates import parse_datetime
from ranknews.extract.encoding import decode_html
from ranknews.models import Figure, Paragraph

KST = timezone(timedelta(hours=9))
KOREAN = "<html><head>{meta}</head><body><p>삼성전자가 똠방각하 신제품을 공개했다. 햏</p></body></html>"


# --- decoding ---------------------------------------------------------------------------

def test_header_charset_wins():
    data = KOREAN.format(meta="").encode("cp949")
    assert "똠방각하" in decode_html(data, "text/html; charset=EUC-KR")


def test_meta_charset_when_header_has_none():
    data = KOREAN.format(meta='<meta charset="euc-kr">').encode("cp949")
    assert "삼성전자가 똠방각하" in decode_html(data, "text/html")


def test_header_that_lies_falls_back_to_meta():
    data = KOREAN.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=ks_c_5601-1987">').encode("cp949")
    assert "햏" in decode_html(data, "text/html; charset=utf-8")


def test_detection_without_any_declaration():
    body = "대한민국 국회는 오늘 본회의를 열어 법안 스무 건을 처리했다. " * 20
    data = f"<html><body><p>{body}</p></body></html>".encode("cp949")
    assert "본회의를 열어" in decode_html(data)


def test_utf8_bom_and_invalid_bytes_never_raise():
    assert decode_html("\ufeff<p>한글</p>".encode("utf-8")) == "<p>한글</p>"
    text = decode_html(b"<p>\xff\xfe\xfa broken \x80</p>", "text/html; charset=utf-8")
    assert "broken" in text


# --- credits ----------------------------------------------------------------------------

@pytest.mark.parametrize("caption, expected", [
    ("갤럭시 S24 울트라. 삼성전자 제공", ("갤럭시 S24 울트라.", "삼성전자 제공")),
    ("삼성전자 제공", ("", "삼성전자 제공")),
    ("서울 여의도 국회의사당. (사진=연합뉴스)", ("서울 여의도 국회의사당.", "사진=연합뉴스")),
    ("[사진=뉴스1] 국회 본회의장", ("국회 본회의장", "사진=뉴스1")),
    ("대통령이 연설하고 있다. /연합뉴스", ("대통령이 연설하고 있다.", "연합뉴스")),
    ("스페인 마드리드 거리 [로이터]", ("스페인 마드리드 거리", "로이터")),
    ("공연 모습. 사진 제공 = CJ ENM", ("공연 모습.", "사진 제공=CJ ENM")),
    ("소년공 시절 모습. [사진 출처 = 선거 캠프]", ("소년공 시절 모습.", "사진 출처=선거 캠프")),
    ("김철수(왼쪽) 대표가 말하고 있다", ("김철수(왼쪽) 대표가 말하고 있다", "")),
    ("비율은 1/2", ("비율은 1/2", "")),
    ("시민들이 걷고 있다 서울시 제공", ("시민들이 걷고 있다", "서울시 제공")),
])
def test_split_credit(caption, expected):
    assert split_credit(caption) == expected


# --- bylines and e-mail -----------------------------------------------------------------

def test_person_names_drop_roles_emails_and_organisations():
    assert person_names("홍길동 기자 hong@example.kr") == ["홍길동"]
    assert person_names("김철수·이영희 기자") == ["김철수", "이영희"]
    assert person_names("박선민 특파원, John Smith") == ["박선민", "John Smith"]
    assert person_names("SBS NEWS") == []
    assert person_names("디지털뉴스부") == []
    assert person_names("연합뉴스TV", exclude=["연합뉴스TV"]) == []
    assert person_names("rate@app.example.kr") == []


def test_names_in_datelines_and_sign_offs():
    lines = ["(서울=연합뉴스) 홍길동 기자 = 정부가 발표했다.", "[OSEN=대전, 지형준 기자] 경기 모습.",
             "사진=백승철 기자", "[신윤재 기자]"]
    assert names_in_text(lines) == ["홍길동", "지형준", "신윤재"]


def test_strip_emails_keeps_the_rest_of_the_line():
    assert strip_emails("이재동 기자 (trigger@yna.co.kr)") == "이재동 기자"
    assert strip_emails("안소윤 기자 antahn22@sportschosun.com") == "안소윤 기자"
    assert strip_emails("이메일 없는 문장입니다.") == "이메일 없는 문장입니다."


# --- boilerplate lines ------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "저작권자 © 한빛일보 무단전재 및 재배포 금지",
    "<저작권자(c) 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>",
    "ⓒ 매일경제 & mk.co.kr, 무단 전재, 재배포 및 AI학습 이용 금지",
    "Copyright ⓒ SBS. All rights reserved.",
    "브라우저가 video 태그를 지원하지 않습니다.",
    "공유하기", "이미지 확대하기", "(끝)",
    "연합뉴스TV 기사문의 및 제보 : 카톡/라인 jebo23",
    "#살인불곰 #사살 #포획",
    "▷ 카카오톡 @mbc제보",
])
def test_boilerplate_lines(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "저작권자들은 이번 판결에 반발하며 항소하겠다고 밝혔다. 업계는 파장이 클 것으로 본다.",
    "시 관계자는 \"도심 속 쉼터가 되길 바란다\"고 말했다.",
    "[신윤재 기자]",
])
def test_article_lines_are_not_boilerplate(line):
    assert not is_boilerplate(line)


def test_clean_blocks_removes_copyright_emails_headline_and_date_lines():
    blocks = [Paragraph("정부가 새 대책을 발표했다"), Paragraph("입력 2024.06.16 09:00"),
              Figure("https://img.example.kr/1.jpg", "사진", ""),
              Paragraph("본문 첫 문단입니다. 내용이 이어집니다."),
              Paragraph("홍길동 기자 hong@example.kr"),
              Paragraph("ⓒ 한빛일보 무단전재 및 재배포 금지")]
    cleaned = clean_blocks(blocks, frozenset({"정부가새대책을발표했다"}))
    assert cleaned == [Figure("https://img.example.kr/1.jpg", "사진", ""),
                       Paragraph("본문 첫 문단입니다. 내용이 이어집니다."), Paragraph("홍길동 기자")]


# --- dates ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2023-04-04T16:31:53+09:00", datetime(2023, 4, 4, 16, 31, 53, tzinfo=KST)),
    ("2023-04-11T02:40:17.100Z", datetime(2023, 4, 11, 2, 40, 17, 100000, tzinfo=timezone.utc)),
    ("2023.04.21 16:25", datetime(2023, 4, 21, 16, 25, tzinfo=KST)),
    ("2025-06-04 02:37:08+09:00", datetime(2025, 6, 4, 2, 37, 8, tzinfo=KST)),
    ("2023년 4월 5일 오후 3:20", datetime(2023, 4, 5, 15, 20, tzinfo=KST)),
    ("입력 2023.04.05. 오전 12:07", datetime(2023, 4, 5, 0, 7, tzinfo=KST)),
    (1712000000000, datetime.fromtimestamp(1712000000, timezone.utc)),
])
def test_parse_datetime_is_aware_and_kst_by_default(value, expected):
    parsed = parse_datetime(value)
    assert parsed == expected and parsed.tzinfo is not None


def test_parse_datetime_rejects_nonsense():
    assert parse_datetime("날짜 없음") is None
    assert parse_datetime("2023-13-45 99:99") is None
    assert parse_datetime(None) is None
