"""Subtitles once on every path (import, crawl, extract), and pages without an article
becoming errors on every path (extract, crawl), with real servers and databases."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from conftest import FIXTURES
from newssite import rss, sources_toml
from sqlalchemy import select

from ranknews.config import Settings
from ranknews.errors import NoArticleFound
from ranknews.extract import extract_article
from ranknews.extract.subtitles import drop_subtitle_echo
from ranknews.fetch.client import build_client
from ranknews.fetch.feeds import FeedItem
from ranknews.models import Article, Figure, Paragraph
from ranknews.pipeline.collect import crawl, merge_feed_item
from ranknews.sample.server import sample_articles
from ranknews.sources.jsonl import article_from_record
from ranknews.sources.source import Source
from ranknews.store.collect import list_sources, recent_log
from ranknews.store.schema import articles

OWN = FIXTURES / "pages" / "own"
SUBS = ("닛케이 인터뷰서 협력 강조", "美 LNG ‘공동 대응’ 제안도")
LEAD = "최태원 SK그룹 회장이 미국산 액화천연가스 수입과 관련해 공동 구매를 제안했다."


# --- the rule ---------------------------------------------------------------------------

def test_leading_paragraphs_that_repeat_the_subtitles_are_dropped():
    blocks = (Paragraph(SUBS[0]), Paragraph("美 LNG '공동 대응' 제안도"), Paragraph(LEAD))
    assert drop_subtitle_echo(blocks, SUBS) == (Paragraph(LEAD),)  # quotes folded


def test_glued_subtitles_figures_and_later_quotes():
    glued = Paragraph("닛케이 인터뷰서 협력 강조美 LNG ‘공동 대응’ 제안도")
    photo = Figure("https://img.example.kr/1.jpg", "사진", "")
    assert drop_subtitle_echo((photo, glued, Paragraph(LEAD)), SUBS) == (photo, Paragraph(LEAD))
    # a subtitle quoted after the body has begun stays: it is the outlet's text
    later = (Paragraph(LEAD), Paragraph(SUBS[0]))
    assert drop_subtitle_echo(later, SUBS) == later
    # no subtitles, or a body that does not begin with them: nothing changes
    assert drop_subtitle_echo((Paragraph(LEAD),), ()) == (Paragraph(LEAD),)
    assert drop_subtitle_echo((Paragraph("다른 첫 문단입니다."), Paragraph(SUBS[0])), SUBS)[1] \
        == Paragraph(SUBS[0])


# --- import ------------------------------------------------------------------------------

def _record(**extra) -> dict:
    return {"url": "https://www.mk.co.kr/news/world/1", "outlet": "매일경제", "title": "제목",
            "published": "2025-05-30 19:56", "subtitles": list(SUBS),
            "text": "\n".join([*SUBS, LEAD]), **extra}


def test_import_drops_the_subtitles_from_text_blocks_and_html():
    assert article_from_record(_record()).paragraphs == [LEAD]
    blocks = [{"kind": "paragraph", "text": s} for s in (*SUBS, LEAD)]
    assert article_from_record(_record(blocks=blocks)).paragraphs == [LEAD]
    html = "".join(f"<p>{s}</p>" for s in (*SUBS, LEAD))
    assert article_from_record(_record(html=html)).paragraphs == [LEAD]
    assert article_from_record(_record()).subtitles == SUBS  # the subtitles themselves stay


def test_sample_mk_articles_show_each_subtitle_once():
    with_subtitles = [a for a in sample_articles() if a.subtitles and "mk.co.kr" in a.url]
    assert len(with_subtitles) == 5
    for article in with_subtitles:
        first = article.paragraphs[0]
        assert first not in article.subtitles, (article.url, first)


# --- crawl -------------------------------------------------------------------------------

def test_merge_feed_item_applies_the_rule_to_any_extractor_output():
    extracted = Article(url="https://x.example.kr/1", outlet="", title="제목", subtitles=SUBS,
                        blocks=(Paragraph(SUBS[0]), Paragraph(SUBS[1]), Paragraph(LEAD)))
    source = Source(id=1, outlet="테스트일보", domain="x.example.kr",
                    feed_url="https://x.example.kr/rss")
    item = FeedItem(url="https://x.example.kr/1", title="제목")
    merged = merge_feed_item(extracted, item, source, final_url=item.url,
                             now=datetime.now(timezone.utc))
    assert merged.paragraphs == [LEAD] and merged.subtitles == SUBS


def _page(title: str, body: str, *, subtitles: tuple[str, ...] = ()) -> str:
    subs = "".join(f'<h2 class="subtitle">{s}</h2>' for s in subtitles)
    return (f'<html><head><meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="2024-06-16T10:00:00+09:00">'
            f"</head><body><article><h1>{title}</h1>{subs}{body}</article></body></html>")


@pytest.fixture
def crawl_settings(settings: Settings, tmp_path) -> Settings:
    return replace(settings, fetch_host_delay=0.0, fetch_retries=0, fetch_backoff=0.01,
                   fetch_read_timeout=2.0, fetch_total_timeout=3.0,
                   sources_file=str(tmp_path / "sources.toml"))


async def test_crawl_stores_subtitles_once_and_list_pages_as_errors(db, crawl_settings,
                                                                    httpserver):
    body = "".join(f"<p>{s}</p>" for s in (*SUBS, LEAD, "둘째 문단도 사실을 전하며 이렇게 끝난다."))
    good = httpserver.add("/n/1", _page("최태원 회장 인터뷰", body, subtitles=SUBS))
    listing = httpserver.add("/n/list", (OWN / "list-page.html").read_text(encoding="utf-8"))
    missing = httpserver.add("/n/404", (OWN / "error-page.html").read_text(encoding="utf-8"))
    feed = httpserver.add("/n/feed.xml", rss([(good, "최태원 회장 인터뷰"), (listing, "목록"),
                                              (missing, "없는 기사")]),
                          content_type="application/rss+xml")
    with open(crawl_settings.sources_file, "w", encoding="utf-8") as handle:
        handle.write(sources_toml([("테스트일보", "127.0.0.1", feed)]))
    async with build_client(crawl_settings) as client:
        report = await crawl(db, client, crawl_settings)
    assert report.inserted == 1
    with db.read() as conn:
        rows = list(conn.execute(select(articles)).mappings())
        source = next(s for s in list_sources(conn) if s.feed_url == feed)
        log = recent_log(conn, source.id)
    assert [r["url"] for r in rows] == [good]
    assert tuple(rows[0]["subtitles"]) == SUBS
    assert [b["text"] for b in rows[0]["blocks"]][0] == LEAD
    errors = {e["url"]: e for e in log if e["kind"] == "extract"}
    assert set(errors) == {listing, missing}
    assert "목록 페이지" in errors[listing]["reason"]
    assert "기사를 찾지 못했습니다" in errors[missing]["reason"]


# --- extract -----------------------------------------------------------------------------

def test_extract_drops_body_paragraphs_that_repeat_the_subtitles():
    body = "".join(f"<p>{s}</p>" for s in (*SUBS, LEAD, "둘째 문단도 사실을 전하며 이렇게 끝난다."))
    article = extract_article(_page("최태원 회장 인터뷰", body, subtitles=SUBS),
                              "https://x.example.kr/1")
    assert article.subtitles == SUBS
    assert article.paragraphs[0] == LEAD


@pytest.mark.parametrize("name, reason", [("list-page.html", "목록 페이지"),
                                          ("error-page.html", "오류 안내 페이지")])
def test_pages_without_an_article_raise_with_a_korean_reason(name, reason):
    with pytest.raises(NoArticleFound, match=reason):
        extract_article((OWN / name).read_text(encoding="utf-8"), "https://x.example.kr/")


def test_short_articles_with_article_metadata_are_still_articles():
    body = "<p>정부는 16일 반도체 특별법의 세부 내용을 확정했다고 밝혔다.</p>"
    article = extract_article(_page("반도체 특별법 확정", body), "https://x.example.kr/2")
    assert article.paragraphs == ["정부는 16일 반도체 특별법의 세부 내용을 확정했다고 밝혔다."]
    # the same few words with nothing saying it is an article: not an article
    bare = "<html><body><div><p>정부는 16일 반도체 특별법의 세부 내용을 확정했다고 밝혔다.</p></div></body></html>"
    with pytest.raises(NoArticleFound, match="본문이"):
        extract_article(bare, "https://x.example.kr/3")


def test_fixture_truth_files_are_valid():
    for path in OWN.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert {"url", "title", "text"} <= data.keys(), path
        assert path.with_suffix(".html").exists()
