"""The bundled demo sample: the seed board and a few real articles (``articles.jsonl``, their
sources in SOURCES.md) and a week of fictional news written for ranknews (``corpus/``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ranknews.config import Settings
from ranknews.models import Article
from ranknews.pipeline import CollectReport, ImportReport, crawl, import_jsonl
from ranknews.pipeline.saving import save_articles
from ranknews.sample.bundle import SAMPLE, sample_articles, sample_outlets, with_local_photos
from ranknews.sample.clock import to_present
from ranknews.sources import is_sample_outlet
from ranknews.store import Database

if TYPE_CHECKING:
    from ranknews.sample.server import SampleServer

__all__ = ["SAMPLE", "collect_sample", "load_sample", "prepared_sample", "sample_server"]


def load_sample(db: Database) -> ImportReport:
    """Import ``articles.jsonl`` as it is (its own dates); running it twice changes nothing."""
    return import_jsonl(db, [SAMPLE])


def prepared_sample(now: datetime, base_url: str) -> list[Article]:
    """The whole sample as the demo shows it: dates moved to the present (sample/clock.py),
    photos served by the board at ``base_url``."""
    return with_local_photos(to_present(sample_articles(), now), base_url)


def sample_server(articles: list[Article] | None = None, *, host: str = "127.0.0.1",
                  port: int = 0) -> "SampleServer":
    """The local site publishing the sample's articles (use it as a context manager)."""
    from ranknews.sample.server import SampleServer, SampleSite

    articles = sample_articles() if articles is None else articles
    return SampleServer(SampleSite(articles, sample_outlets()), port, host)


async def collect_sample(db: Database, settings: Settings, work_dir: Path,
                         server: "SampleServer",
                         articles: list[Article] | None = None) -> CollectReport:
    """The demo's pipeline run: the posts with a board number or no body (the seed board's
    headlines, headline-only posts) are imported as they are; every article with a body is
    published by ``server`` (sample/server.py, running) as RSS feeds and pages, and
    collected from there by the real crawler.

    It goes day by day, as a board that ran all week would have: each pass sees the feeds as
    they stood at the end of a day, so board numbers follow the days."""
    from ranknews.fetch.client import build_client
    from ranknews.sample.server import split_sample

    articles = sample_articles() if articles is None else articles
    kept = [_on_site(a, server) for a in split_sample(articles)[0]]
    sources = work_dir / "demo-sources.toml"
    sources.write_text(server.sources_toml(), encoding="utf-8")
    # the sample site listens on 127.0.0.1, which the crawler reaches only when allowed
    allowed = ",".join(filter(None, (settings.fetch_allowed_hosts, urlsplit(server.base).hostname)))
    local = replace(settings, sources_file=str(sources), fetch_host_delay=0.0,
                    fetch_allowed_hosts=allowed)
    report, since = CollectReport(), None
    async with build_client(local) as client:
        for until in _day_ends(articles, ZoneInfo(settings.timezone)):
            save_articles(db, [a for a in kept if _within(a, since, until)])
            server.site.until = until
            report.sources += (await crawl(db, client, local, everything=True)).sources
            since = until
    return report


def _on_site(article: Article, server: "SampleServer") -> Article:
    """A fictional outlet's post, whose own address leads nowhere, at its page on the site."""
    path = server.site.path_of_url.get(article.url)
    if not is_sample_outlet(urlsplit(article.url).hostname) or path is None:
        return article
    return replace(article, url=server.base + path, canonical_url=article.url)


def _day_ends(articles: list[Article], zone: ZoneInfo) -> list[datetime | None]:
    """The end of every local day with an article, then None (no limit) for the rest."""
    days = sorted({a.published_at.astimezone(zone).date() for a in articles if a.published_at})
    return [datetime.combine(day, time.max, zone) for day in days] + [None]


def _within(article: Article, since: datetime | None, until: datetime | None) -> bool:
    moment = article.published_at
    if moment is None:
        return until is None
    return (since is None or moment > since) and (until is None or moment <= until)
