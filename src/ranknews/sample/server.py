"""The demo's own little news site: the bundled sample served on 127.0.0.1 as real RSS feeds
(one per outlet) and article pages, so ``ranknews demo`` collects it through the real crawler
(robots.txt, conditional GET, feed parsing, extraction, store) with no network.

Posts of the sample that carry a board number and no body (the seed board's headline list)
are imported as they are, keeping their numbers; every article with a body is published on
the local site and crawled. Each page names the original article as its canonical URL.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, replace
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterable

from ranknews.models import Article, Figure
from ranknews.sources.jsonl import read_lines

SAMPLE = Path(__file__).with_name("articles.jsonl")


@dataclass(frozen=True)
class Outlet:
    name: str
    domain: str
    slug: str


def sample_articles(path: Path = SAMPLE) -> list[Article]:
    with open(path, encoding="utf-8") as handle:
        return [a for a in read_lines(handle, str(path)) if isinstance(a, Article)]


def split_sample(articles: Iterable[Article]) -> tuple[list[Article], list[Article]]:
    """(posts imported as they are, articles published on the local site to be crawled)."""
    kept, crawled = [], []
    for article in articles:
        (kept if article.board_no is not None or not article.blocks else crawled).append(article)
    return kept, crawled


class SampleSite:
    """Routes of the local site: /robots.txt, /feeds/<n>.xml, /articles/<n>.html."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles
        by_domain: dict[str, list[int]] = defaultdict(list)
        for n, article in enumerate(articles):
            by_domain[article.outlet_domain or article.outlet].append(n)
        self.outlets = {f"{i}": (Outlet(articles[ns[0]].outlet, domain, f"{i}"), ns)
                        for i, (domain, ns) in enumerate(sorted(by_domain.items()))}

    def page(self, path: str, base: str) -> tuple[int, str, bytes]:
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n"
        if path.startswith("/feeds/") and path.endswith(".xml"):
            entry = self.outlets.get(path[len("/feeds/"):-len(".xml")])
            if entry:
                return 200, "application/rss+xml; charset=utf-8", self._rss(entry, base)
        if path.startswith("/articles/") and path.endswith(".html"):
            number = path[len("/articles/"):-len(".html")]
            if number.isdigit() and int(number) < len(self.articles):
                return 200, "text/html; charset=utf-8", article_html(self.articles[int(number)])
        return 404, "text/plain; charset=utf-8", "없는 페이지입니다".encode()

    def feeds(self, base: str) -> list[tuple[Outlet, str]]:
        return [(outlet, f"{base}/feeds/{slug}.xml")
                for slug, (outlet, _) in self.outlets.items()]

    def _rss(self, entry: tuple[Outlet, list[int]], base: str) -> bytes:
        outlet, numbers = entry
        items = []
        for n in sorted(numbers, key=lambda n: self.articles[n].published_at or 0, reverse=True):
            article = self.articles[n]
            date = (f"<pubDate>{format_datetime(article.published_at)}</pubDate>"
                    if article.published_at else "")
            section = f"<category>{escape(article.section)}</category>" if article.section else ""
            items.append(f"<item><title>{escape(article.display_title)}</title>"
                         f"<link>{base}/articles/{n}.html</link>{date}{section}</item>")
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>{escape(outlet.name)}</title><link>{base}/</link>"
                f"{''.join(items)}</channel></rss>").encode("utf-8")


def article_html(article: Article) -> bytes:
    """A plain news page for an article: meta tags, headline, subtitles, figures, paragraphs."""
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
    return (f'<!doctype html><html lang="ko"><head><meta charset="utf-8">'
            f"<title>{escape(article.display_title)} - {escape(article.outlet)}</title>"
            f"{''.join(meta)}</head><body><header>{escape(article.outlet)}</header>"
            f"<article>{''.join(body)}</article>"
            f"<footer>ⓒ {escape(article.outlet)}</footer></body></html>").encode("utf-8")


class SampleServer:
    """The sample site on 127.0.0.1 (an ephemeral port by default), in a daemon thread."""

    def __init__(self, site: SampleSite, port: int = 0) -> None:
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
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "SampleServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def sources_toml(self) -> str:
        """A sources file listing the local feeds under the outlets' real names and domains."""
        blocks = ["interval = 600"]
        for outlet, url in self.site.feeds(self.base):
            blocks.append(f'[[outlet]]\nname = "{outlet.name}"\ndomain = "{outlet.domain}"\n'
                          f'feeds = [{{ url = "{url}" }}]')
        return "\n\n".join(blocks) + "\n"


def without_board_numbers(articles: list[Article]) -> list[Article]:
    return [replace(a, board_no=None) for a in articles]
