"""extract_article on pages written for these tests (tests/fixtures/pages/own, see SOURCE.md)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from conftest import FIXTURES

from ranknews.cli.extract import article_json
from ranknews.errors import NoArticleFound
from ranknews.extract import decode_html, extract_article
from ranknews.models import Figure

OWN = FIXTURES / "pages" / "own"
KST = timezone(timedelta(hours=9))


def _page(name: str, url: str = "https://www.example.kr/news/1"):
    return extract_article(decode_html((OWN / name).read_bytes()), url)


def test_generic_layout_without_a_rule_keeps_only_the_article():
    article = _page("local-news.html", "https://www.hanbit.example.kr/news/articleView.html?idxno=12345")
    assert article.title == "한강 다리 야간 조명 10년 만에 바꾼다"
    assert article.tags == ("단독",)
    assert article.outlet == "한빛일보"
    assert article.subtitles == ("서울시, 27개 다리에 LED 교체 추진", "전기료 연 4억원 절감 기대")
    assert article.authors == ("홍길동",)
    assert article.published_at == datetime(2024, 6, 16, 9, 5, tzinfo=KST)
    assert article.section == "사회"
    assert article.paragraphs[0].startswith("(서울=한빛일보) 홍길동 기자 = 서울시가")
    assert article.paragraphs[-2].startswith("사업은 교통량이 많은")
    text = article.text
    for junk in ("관련기사", "한강 공원 편의시설", "많이 본 뉴스", "무단전재", "Copyright", "공유",
                 "@", "페이스북", "정치", "대표전화", "스크립트"):
        assert junk not in text, junk
    figure = article.figures[0]
    assert figure.image_url == "https://www.hanbit.example.kr/news/photo/202406/12345_1.jpg"
    assert (figure.caption, figure.credit) == ("서울 반포대교의 야간 조명.", "서울시 제공")
    assert isinstance(article.blocks[0], Figure)  # reading order: photo, then paragraphs


def test_euc_kr_page_is_decoded_and_extracted():
    raw = (OWN / "euckr.html").read_bytes()
    assert "똠".encode("cp949") in raw  # a CP949-only syllable: plain EUC-KR cannot decode it
    article = _page("euckr.html")
    assert article.title == "똠방각하 재개봉, 관객 몰려"
    assert article.paragraphs[0].startswith("1980년대 인기 드라마를 영화로 옮긴 '똠방각하'")
    assert article.published_at == datetime(2009, 3, 2, 15, 20, tzinfo=KST)
    assert article.authors == ("김옛날",)
    assert "처음" not in article.text and "무단전재" not in article.text


def test_json_ld_only_page_uses_article_body_and_kst_default():
    article = _page("jsonld-only.html")
    assert article.display_title == "[속보] 기준금리 연 3.5%로 동결"
    assert article.paragraphs == [
        "한국은행 금융통화위원회가 16일 기준금리를 연 3.5%로 동결했다.",
        "물가 상승세가 둔화하고 있지만 가계부채 증가를 고려한 결정으로 풀이된다.",
        "한은은 다음 회의에서 인하 여부를 다시 논의할 예정이다.",
    ]
    assert article.published_at == datetime(2024, 6, 16, 9, 0, tzinfo=KST)
    assert article.published_at.utcoffset() == timedelta(hours=9)
    assert article.updated_at == datetime(2024, 6, 16, 1, 30, tzinfo=timezone.utc)
    assert article.authors == ("박금리",)  # the e-mail "author" is not a name
    assert article.section == "경제" and article.outlet == "앱뉴스"


def test_arc_embedded_json_article():
    article = _page("arc-embedded.html", "https://www.arc.example.kr/national/2024/03/05/ABC/")
    assert article.title == "“봄꽃 개화 일주일 빨라져”…기상청 전망"
    assert article.paragraphs == [
        "올해 봄꽃 개화 시기가 평년보다 일주일가량 빨라질 것이라는 전망이 나왔다.",
        "기상청은 5일 3월 기온이 평년보다 높을 것으로 보여 개나리와 진달래가 3월 중순부터 필 것이라고 밝혔다.",
        "벚꽃은 서울 기준 3월 말께 필 것으로 예상된다.",
    ]
    assert article.figures == [Figure("https://images.arc.example.kr/flower.jpg",
                                      "서울 여의도 윤중로의 벚꽃.", "아크일보 DB")]
    assert article.authors == ("김봄날",)  # Arc's "given family" order turned around
    assert article.canonical_url == "https://www.arc.example.kr/national/2024/03/05/ABC/"
    assert article.section == "전국"


def test_hostile_markup_leaves_no_markup_or_script_in_the_output():
    article = _page("hostile.html")
    dumped = json.dumps(article_json(article), ensure_ascii=False)
    assert "나오면 안 됩니다" not in dumped
    for needle in ("<", ">", "alert", "javascript:", "onerror", "onload", "data:image", "steal"):
        assert needle not in dumped, needle
    assert article.paragraphs[0] == "시청 앞 광장에 높이 10m짜리 분수대가 새로 설치돼 시민들의 눈길을 끌고 있다."
    assert len(article.paragraphs) == 3
    assert all(re.match(r"https?://", f.image_url) for f in article.figures)
    assert Figure("https://img.example.kr/fountain.jpg", "새 분수대의 모습.", "시청 제공") in article.figures


def test_empty_and_broken_pages_say_no_article_and_do_not_crash():
    for html in ("", "<html", "\x00\x01garbage", "<div>" * 5000 + "글" + "</div>" * 10):
        with pytest.raises(NoArticleFound, match="기사를 찾지 못했습니다"):
            extract_article(html, "https://www.example.kr/1")


def test_portal_style_body_summary_captions_and_promo_links():
    """A <br>-separated body with an inline summary, an inline caption and promo links."""
    body = ("<div id='articleBodyContents'><strong class='media_end_summary'>-첫째 요약 줄입니다"
            "<br/>-둘째 요약 줄입니다</strong><span class='end_photo_org'><img src='https://i.example.kr/1.jpg'>"
            "<em class='img_desc'>거리 풍경 [로이터]</em></span><br/><br/>"
            "(서울=연합뉴스) 임화섭 김지헌 기자 = 첫 문단은 여기에서 시작해 충분히 길게 이어집니다.<br/><br/>"
            "둘째 문단도 사실을 전하며 문장을 마칩니다.<br/><br/>"
            "<a href='https://x.example.kr/sub'>▶코로나19 속보는 네이버에서 [구독 클릭]</a><br/>"
            "<a href='https://x.example.kr/fact'>▶[팩트체크] 사실은 이렇습니다</a></div>")
    html = (f"<html><head><title>제목입니다</title></head><body><ul class='gnb'><li><a href='/'>홈</a></li>"
            f"<li><a href='/a'>정치</a></li><li><a href='/b'>경제</a></li></ul>{body}</body></html>")
    article = extract_article(html, "https://news.example.kr/1")
    assert article.subtitles == ("-첫째 요약 줄입니다", "-둘째 요약 줄입니다")
    assert article.figures == [Figure("https://i.example.kr/1.jpg", "거리 풍경", "로이터")]
    assert article.paragraphs == [
        "(서울=연합뉴스) 임화섭 김지헌 기자 = 첫 문단은 여기에서 시작해 충분히 길게 이어집니다.",
        "둘째 문단도 사실을 전하며 문장을 마칩니다.",
    ]
    assert article.authors == ("임화섭", "김지헌")


# --- structures absent from the shared data (own fixtures, see SOURCE.md) ----------------

BODY_START = "서울시가 내년부터 시내버스 전 노선에 저상버스를 도입하기로 했다."
BODY_END = "오세진 시 교통정책과장은 “버스가 모든 시민의 발이 되도록 정류장과 차량을 함께 바꾸겠다”고 말했다."


def _once_in_order(article) -> None:
    """The four body paragraphs of the bus story, each exactly once, in reading order."""
    paragraphs = article.paragraphs
    assert paragraphs[0].startswith(BODY_START), paragraphs
    assert BODY_END in paragraphs, paragraphs
    assert len(paragraphs) == len(set(paragraphs))
    assert sum(p.count("고상버스를 차량 교체 주기") for p in paragraphs) == 1
    assert paragraphs.index(BODY_END) > paragraphs.index(
        next(p for p in paragraphs if p.startswith("시는 20일")))
    for summary in ("AI 요약", "저상버스를 늘린다", "정류장도 정비한다", "요약입니다", "관련 기사",
                    "본문이 아니다", "불러오는 중", "로딩 중", "Copyright"):
        assert summary not in article.text, summary


@pytest.mark.parametrize("name", ["nextjs-pages.html", "rsc-flight.html", "nuxt3.html",
                                  "nuxt2.html", "rsc-object-root.html"])
def test_article_only_in_a_framework_payload_is_found(name):
    article = _page(name)
    assert article.title == "서울 시내버스, 내년부터 전 노선 저상버스로"
    _once_in_order(article)


def test_rsc_object_root_payload_fields_title_suffix_and_placeholders():
    article = _page("rsc-object-root.html")
    assert article.subtitles == ("교통약자 이동편의 증진 계획", "정류장 1천 곳 정비")
    assert article.authors == ("윤객체",)
    assert article.published_at == datetime(2024, 6, 20, 10, 0, tzinfo=KST)
    assert "$$" not in article.text and "사회ㅣ" not in article.extra["headline"]
    assert article.figures[0].image_url == "https://img.obj.example.kr/bus.jpg"


def test_payload_gives_subtitles_byline_figure_and_skips_related_articles():
    article = _page("nextjs-pages.html")
    assert article.subtitles == ("교통약자 이동편의 증진 계획 발표",)
    assert article.authors == ("김넥스트",)
    assert article.figures[0].image_url == "https://img.nextdaily.example.kr/2024/06/bus.jpg"
    assert "엘리베이터" not in article.text  # the related article's data is not the body
    nuxt = _page("nuxt3.html")
    assert nuxt.authors == ("최뷰",)
    assert nuxt.published_at == datetime(2024, 6, 20, 10, 0, tzinfo=KST)
    rsc = _page("rsc-flight.html")
    assert rsc.figures[0].caption.startswith("서울 시내의 저상버스")


@pytest.mark.parametrize("name", ["hidden-copy.html", "app-copy.html", "streamed-hidden.html",
                                  "digest-box.html"])
def test_a_body_carried_twice_comes_out_once(name):
    _once_in_order(_page(name))


def test_hidden_print_copy_before_the_body_keeps_the_photo_in_place():
    article = _page("hidden-copy.html")
    assert isinstance(article.blocks[0], Figure)
    assert article.paragraphs[-1] == "한복사 기자"


def test_title_as_shown_with_label_and_normalised_quotes_and_spaces():
    article = _page("digest-box.html")
    assert article.extra["headline"] == "[단독] “버스가 시민의 발”…서울시, 전 노선 저상버스"
    assert article.tags == ("단독",)
    assert article.title == "“버스가 시민의 발”…서울시, 전 노선 저상버스"
    html = ("<html><head><meta property='og:title' content='&amp;quot;반도체&amp;quot;&nbsp;"
            "특별법\u200b 통과'><meta property='article:published_time' "
            "content='2024-06-16T10:00:00+09:00'></head><body><article>"
            "<p>국회는 16일 본회의를 열어 반도체 특별법을 통과시켰다.</p></article></body></html>")
    assert extract_article(html, "https://x.example.kr/1").title == '"반도체" 특별법 통과'
