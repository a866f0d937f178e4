"""A small Korean news site for crawler tests, served by the fixture HTTP server: RSS feeds
and article pages written here (no outlet's content), in UTF-8 or CP949."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape

from httpserver import FixtureServer

T0 = datetime(2024, 6, 16, 1, 0, tzinfo=timezone.utc)


def page_html(n: int, *, title: str | None = None, charset: str = "utf-8") -> str:
    title = title or f"반도체 지원법 {n}차 협상 타결"
    published = (T0 + timedelta(minutes=n)).isoformat()
    return f"""<!doctype html><html lang="ko"><head>
<meta charset="{charset}"><title>{escape(title)} | 테스트일보</title>
<meta property="og:title" content="{escape(title)}">
<meta property="article:published_time" content="{published}">
</head><body><nav>홈 정치 경제 공유하기</nav>
<article><h1>{escape(title)}</h1>
<p>정부와 여당은 {n}일 반도체 특별법의 세부 내용을 확정했다고 밝혔다.</p>
<p>업계는 이번 합의로 투자 계획이 앞당겨질 것으로 기대한다고 말했다.</p>
</article><footer>무단전재 및 재배포 금지</footer></body></html>"""


def rss(items: list[tuple[str, str]], *, title: str = "테스트일보 전체기사") -> str:
    """RSS 2.0 with (url, title) items, newest first."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(u)}</link>"
        f"<pubDate>{format_datetime(T0 + timedelta(minutes=len(items) - i))}</pubDate>"
        f"<category>정치</category></item>"
        for i, (u, t) in enumerate(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>http://example.invalid/</link>"
            f"{entries}</channel></rss>")


def add_site(server: FixtureServer, prefix: str, count: int, *,
             page_delay: float = 0.0) -> str:
    """Serve ``count`` articles under /<prefix>/ and their feed; returns the feed URL."""
    items = []
    for n in range(1, count + 1):
        url = server.add(f"/{prefix}/article/{n}", page_html(n, title=f"{prefix} 기사 {n}"),
                         delay=page_delay)
        items.append((url, f"[단독] {prefix} 기사 {n}"))
    return server.add(f"/{prefix}/feed.xml", rss(items), etag=f'"{prefix}-{count}"',
                      content_type="application/rss+xml; charset=utf-8")


def sources_toml(feeds: list[tuple[str, str, str]], *, interval: int = 600) -> str:
    """A sources file for (outlet name, domain, feed url) entries."""
    blocks = [f"interval = {interval}"]
    for name, domain, url in feeds:
        blocks.append(f'[[outlet]]\nname = "{name}"\ndomain = "{domain}"\n'
                      f'feeds = [{{ url = "{url}", section = "정치" }}]')
    return "\n\n".join(blocks) + "\n"
