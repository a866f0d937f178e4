"""The demo's own little news site: the bundled sample served as real RSS feeds and article
pages, so ``ranknews demo`` collects it through the real crawler (robots.txt, feed parsing,
extraction, store) with no network, and the board's "원문" links lead to its pages.

One server holds every outlet, each under its domain as the first path segment:
``/<domain>/rss/<section>.xml`` (the feeds of ``corpus/outlets.toml``; ``/<domain>/rss/all.xml``
for the rest) and ``/<domain>/news/<id>`` (the path of the article's own address). Every article
with a body is listed in the feeds and crawled. Posts that carry a board number or no body
(the seed board's headline list, headline-only posts) are imported as they are, keeping their
numbers; a fictional outlet's headline-only post still gets its page here, for its "원문"
link. Each page names the article's own address as its canonical URL.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterable
from urllib.parse import unquote, urlsplit

from ranknews.models import Article, Figure
from ranknews.sample.bundle import SampleOutlet, sample_articles
from ranknews.sources import is_sample_outlet

__all__ = ["SampleServer", "SampleSite", "article_html", "sample_articles", "split_sample"]
SAMPLE_NOTE = "예시: ranknews 데모를 위해 지어낸 가상의 언론사와 기사입니다."
ALL = "/rss/all.xml"  # an outlet's feed for what its section feeds do not carry


@dataclass(frozen=True)
class Feed:
    outlet: SampleOutlet
    path: str  # on the site, with the domain in front
    items: tuple[int, ...]


def split_sample(articles: Iterable[Article]) -> tuple[list[Article], list[Article]]:
    """(posts imported as they are, articles published on the local site to be crawled)."""
    kept, crawled = [], []
    for article in articles:
        (crawled if _crawled(article) else kept).append(article)
    return kept, crawled


def _crawled(article: Article) -> bool:
    return article.board_no is None and bool(article.blocks)


class SampleSite:
    """The pages and feeds of the local site, built once from the articles."""

    def __init__(self, articles: list[Article],
                 outlets: dict[str, SampleOutlet] | None = None) -> None:
        self.articles = articles
        self.until: datetime | None = None  # feeds list what was published until then
        self.paths: dict[str, int] = {}
        for n, article in enumerate(articles):
            self.paths.setdefault(self._path_for(n, article), n)
        self.path_of = {n: path for path, n in self.paths.items()}
        self.path_of_url = {articles[n].url: path for n, path in self.path_of.items()}
        self.feeds = self._feeds(outlets or {})
        self.feed_paths = {feed.path: feed for feed in self.feeds}

    def _path_for(self, n: int, article: Article) -> str:
        parts = urlsplit(article.url)
        domain = article.outlet_domain or parts.hostname or "site"
        own = f"/{domain}{parts.path}"
        if is_sample_outlet(parts.hostname or "") and not parts.query and own not in self.paths:
            return own
        return f"/{domain}/articles/{n}.html"

    def _feeds(self, outlets: dict[str, SampleOutlet]) -> list[Feed]:
        by_domain: dict[str, list[int]] = defaultdict(list)
        for n, article in enumerate(self.articles):
            if not _crawled(article):
                continue
            by_domain[article.outlet_domain or urlsplit(article.url).hostname or "site"].append(n)
        feeds = []
        for domain, numbers in sorted(by_domain.items()):
            outlet = outlets.get(domain) or SampleOutlet(self.articles[numbers[0]].outlet, domain)
            by_path: dict[str, list[int]] = defaultdict(list)
            for n in numbers:
                by_path[outlet.feeds.get(self.articles[n].section or "", ALL)].append(n)
            feeds += [Feed(outlet, f"/{domain}{path}", tuple(ns))
                      for path, ns in sorted(by_path.items())]
        return feeds

    def page(self, path: str, base: str) -> tuple[int, str, bytes]:
        path = unquote(path)
        if path == "/":
            return 200, "text/html; charset=utf-8", self._index()
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n"
        if path in self.feed_paths:
            return 200, "application/rss+xml; charset=utf-8", self._rss(self.feed_paths[path], base)
        if path in self.paths:
            return 200, "text/html; charset=utf-8", article_html(self.articles[self.paths[path]])
        return 404, "text/plain; charset=utf-8", "없는 페이지입니다".encode()

    def _index(self) -> bytes:
        """The site's front page: its outlets and their feeds."""
        items = "".join(
            f'<li>{escape(f.outlet.name)}{" (예시)" if is_sample_outlet(f.outlet.domain) else ""}'
            f' <a href="{escape(f.path)}">{escape(f.path)}</a></li>' for f in self.feeds)
        return (f'<!doctype html><html lang="ko"><head><meta charset="utf-8">'
                f"<title>ranknews 데모 예시 사이트</title></head><body>"
                f"<h1>ranknews 데모 예시 사이트</h1><p>{SAMPLE_NOTE} 실제 언론사의 기사는 "
                f"출처를 밝혀 함께 싣습니다.</p><ul>{items}</ul></body></html>").encode("utf-8")

    def _rss(self, feed: Feed, base: str) -> bytes:
        items = []
        published = [n for n in feed.items if self.until is None
                     or (self.articles[n].published_at or self.until) <= self.until]
        for n in sorted(published, key=lambda n: self.articles[n].published_at or 0,
                        reverse=True):
            article = self.articles[n]
            date = (f"<pubDate>{format_datetime(article.published_at)}</pubDate>"
                    if article.published_at else "")
            section = f"<category>{escape(article.section)}</category>" if article.section else ""
            items.append(f"<item><title>{escape(article.display_title)}</title>"
                         f"<link>{base}{self.path_of[n]}</link>{date}{section}</item>")
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>{escape(feed.outlet.name)}</title><link>{base}/{feed.outlet.domain}/</link>"
                f"{''.join(items)}</channel></rss>").encode("utf-8")


def article_html(article: Article) -> bytes:
    """A plain news page for an article: meta tags, headline, subtitles, figures, paragraphs.
    A fictional outlet's page says so."""
    meta = [f'<meta property="og:title" content="{escape(article.display_title)}">',
            f'<link rel="canonical" href="{escape(article.url)}">']
    if article.published_at:
        meta.append(f'<meta property="article:published_time" '
                    f'content="{article.published_at.isoformat()}">')
    for author in article.authors:
        meta.append(f'<meta name="author" content="{escape(author)}">')
    body = [f"<h1>{escape(article.display_title)}</h1>",
            *(f'<h2 class="subtitle">{escape(s)}</h2>' for s in article.subtitles)]
    for block in article.blocks:
        if isinstance(block, Figure):
            credit = f" ({escape(block.credit)})" if block.credit else ""
            body.append(f'<figure><img src="{escape(block.image_url)}" alt="">'
                        f"<figcaption>{escape(block.caption)}{credit}</figcaption></figure>")
        else:
            body.append(f"<p>{escape(block.text)}</p>")
    note = (f'<aside role="note">{SAMPLE_NOTE}</aside>'
            if is_sample_outlet(article.outlet_domain) else "")
    return (f'<!doctype html><html lang="ko"><head><meta charset="utf-8">'
            f"<title>{escape(article.display_title)} - {escape(article.outlet)}</title>"
            f"{''.join(meta)}</head><body><header>{escape(article.outlet)}</header>{note}"
            f"<article>{''.join(body)}</article>"
            f"<footer>ⓒ {escape(article.outlet)}</footer></body></html>").encode("utf-8")


class SampleServer:
    """The sample site on ``host`` (an ephemeral port by default), in a daemon thread."""

    def __init__(self, site: SampleSite, port: int = 0, host: str = "127.0.0.1") -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802
                status, kind, body = site.page(self.path.split("?")[0], outer.base)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.site = site
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "SampleServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def sources_toml(self) -> str:
        """A sources file listing the local feeds under the outlets' names and domains."""
        feeds: dict[tuple[str, str], list[str]] = defaultdict(list)
        for feed in self.site.feeds:
            feeds[(feed.outlet.name, feed.outlet.domain)].append(self.base + feed.path)
        blocks = ["interval = 600"]
        for (name, domain), urls in feeds.items():
            listed = ", ".join(f'{{ url = "{url}" }}' for url in urls)
            blocks.append(f'[[outlet]]\nname = "{name}"\ndomain = "{domain}"\nfeeds = [{listed}]')
        return "\n\n".join(blocks) + "\n"
