"""Hostile articles imported through the real JSON Lines import never reach a reader:
no script, event handler, iframe, SVG or javascript:/data: URL in the board, the article page,
the RSS feed or the JSON twins."""

from __future__ import annotations

import dataclasses
import json
import re

import httpx
from board_data import write_jsonl
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from ranknews.pipeline import import_jsonl
from ranknews.web.app import create_app

SCRIPT = "<script>alert('x')</script>"
HOSTILE = [
    {  # markup in every text field
        "url": "https://evil.example/a/1",
        "outlet": f"악성언론{SCRIPT}",
        "title": f"[단독] 제목{SCRIPT}<img src=x onerror=alert(1)>",
        "subtitles": ["<svg onload=alert(2)>부제</svg>", f"부제 둘{SCRIPT}"],
        "authors": [f"기자{SCRIPT}"],
        "section": "<b onmouseover=alert(3)>경제</b>",
        "summary": "<iframe src='javascript:alert(4)'></iframe>요약",
        "published": "2024-06-16T10:00:00+09:00",
        "text": "<a href=\"javascript:alert(5)\">눌러</a> 본문\n<svg><script>alert(6)</script></svg>둘째",
    },
    {  # hostile body HTML
        "url": "https://evil.example/a/2",
        "outlet": "악성언론",
        "title": "HTML 본문",
        "published": "2024-06-16T10:01:00+09:00",
        "text": "",
        "html": ("<p onclick=alert(7)>첫 문단</p><script>alert(8)</script>"
                 "<img src=\"javascript:alert(9)\"><img src=\"data:image/svg+xml,<svg onload=alert(10)>\">"
                 "<svg><image href=\"x\" onerror=\"alert(11)\"/></svg><iframe src=\"https://evil\"></iframe>"
                 "<figure><img src=\"https://img.example/ok.jpg\" onerror=\"alert(12)\">"
                 "<figcaption>캡션<script>alert(13)</script> 사진=연합뉴스</figcaption></figure>"
                 "<p><a href=\"javascript:alert(14)\">링크</a> 끝</p>"
                 "<object data=\"x.swf\"></object><math><mi xlink:href=\"javascript:alert(15)\">m</mi></math>"),
    },
    {  # hostile figure blocks (the URL itself is fine, its caption and credit are not)
        "url": "https://evil.example/a/3",
        "outlet": "악성언론",
        "title": "그림 블록",
        "published": "2024-06-16T10:02:00+09:00",
        "text": "",
        "blocks": [
            {"kind": "figure", "image_url": "https://img.example/b.jpg",
             "caption": "<svg/onload=alert(16)>캡션\" onerror=\"alert(17)", "credit": SCRIPT},
            {"text": "<img src=x onerror=alert(18)>문단"},
        ],
    },
    # lines that must be refused outright: unsafe URLs
    {"url": "javascript:alert(19)", "outlet": "x", "title": "t", "published": "2024-06-16",
     "text": "t"},
    {"url": "https://evil.example/a/4", "outlet": "x", "title": "t", "published": "2024-06-16",
     "text": "", "blocks": [{"kind": "figure", "image_url": "javascript:alert(20)"}]},
    {"url": "https://evil.example/a/5", "outlet": "x", "title": "t", "published": "2024-06-16",
     "text": "", "blocks": [{"kind": "figure", "image_url": "data:image/svg+xml;base64,PHN2Zz4="}]},
    {"url": "https://evil.example/a/6", "outlet": "x", "title": "t", "published": "2024-06-16",
     "text": "", "blocks": [{"kind": "figure",
                             "image_url": "https://img.example/c.jpg\" onerror=\"alert(21)"}]},
]

RAW_MARKERS = ("<script", "onerror", "onload", "onclick", "onmouseover", "javascript:",
               "<svg", "<iframe", "<object", "data:image", "alert(")


def assert_clean_html(html: str) -> None:
    lowered = html.lower()
    for marker in RAW_MARKERS:
        assert marker not in lowered, marker
    tree = LexborHTMLParser(html)
    for tag in ("script", "svg", "iframe", "object", "embed", "math"):
        assert not tree.css(tag), tag
    for node in tree.css("*"):
        for name, value in node.attributes.items():
            assert not name.lower().startswith("on"), (node.tag, name)
            if name in ("href", "src"):
                assert value.startswith(("/", "https://", "http://", "#")), value


async def test_hostile_import_never_reaches_a_reader(db, settings, tmp_path):
    report = import_jsonl(db, [write_jsonl(tmp_path / "hostile.jsonl", HOSTILE)])
    assert report.inserted == 3 and len(report.errors) == 4
    app = create_app(dataclasses.replace(settings, page_cache_check_seconds=0.0), db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        board = (await client.get("/")).text
        assert len(LexborHTMLParser(board).css("table.board tbody tr")) == 3
        assert_clean_html(board)
        pages = [(await client.get(f"/articles/{n}")).text for n in (1, 2, 3)]
        for html in pages:
            assert_clean_html(html)
        # what was text stays readable text
        assert "제목" in pages[0] and "첫 문단" in pages[1] and "캡션" in pages[1]
        assert "사진=연합뉴스" in pages[1] and "문단" in pages[2]
        figure = LexborHTMLParser(pages[2]).css_first("figure img")
        assert figure.attributes["src"] == "https://img.example/b.jpg"
        rss = (await client.get("/rss.xml")).content
        etree.fromstring(rss)  # well-formed XML despite the payloads
        lowered = rss.decode().lower()
        for marker in RAW_MARKERS:
            assert marker not in lowered, marker
        for path in ("/index.json", "/articles/1.json", "/articles/2.json", "/articles/3.json"):
            text = json.dumps((await client.get(path)).json(), ensure_ascii=False).lower()
            for marker in RAW_MARKERS:
                assert marker not in text, (path, marker)


async def test_text_that_looks_like_markup_is_escaped_not_executed(db, settings, tmp_path):
    # blocks text without tags passes import untouched: the template must escape it
    record = {"url": "https://x.example/1", "outlet": "언론", "title": "부등호 a < b & c > d",
              "published": "2024-06-16T10:00:00+09:00", "text": "",
              "blocks": [{"text": "수식 1 < 2 && \"따옴표\" 'ok'"}]}
    import_jsonl(db, [write_jsonl(tmp_path / "lt.jsonl", [record])])
    app = create_app(settings, db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        html = (await client.get("/articles/1")).text
        rss = (await client.get("/rss.xml")).text
    assert "a &lt; b &amp; c &gt; d" in html
    assert re.search(r"수식 1 &lt; 2 &amp;&amp; (&#34;|&quot;)따옴표", html)
    assert "a &lt; b &amp; c &gt; d" in rss
