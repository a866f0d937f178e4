"""The bundled demo sample: the seed board and a few real articles (``articles.jsonl``, their
sources in SOURCES.md) and a week of fictional news written for ranknews (``corpus/``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ranknews.config import Settings
from ranknews.models import Article
from ranknews.pipeline import CollectReport, ImportReport, crawl, import_jsonl
from ranknews.pipeline.saving import save_articles
from ranknews.sample.bundle import SAMPLE, sample_articles, sample_outlets, with_local_photos
from ranknews.sample.clock import to_present
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
    from ranknews.sample.server import SampleServer, SampleSite, split_sample

    articles = sample_articles() if articles is None else articles
    return SampleServer(SampleSite(split_sample(articles)[1], sample_outlets()), port, host)


async def collect_sample(db: Database, settings: Settings, work_dir: Path,
                         server: "SampleServer",
                         articles: list[Article] | None = None) -> CollectReport:
    """The demo's pipeline run: the posts with a board number or no body (the seed board's
    headlines, headline-only posts) are imported as they are; every article with a body is
    published by ``server`` (sample/server.py, running) as RSS feeds and pages, and
    collected from there by the real crawler."""
    from ranknews.fetch.client import build_client
    from ranknews.sample.server import split_sample

    articles = sample_articles() if articles is None else articles
    save_articles(db, split_sample(articles)[0])
    sources = work_dir / "demo-sources.toml"
    sources.write_text(server.sources_toml(), encoding="utf-8")
    # the sample site listens on 127.0.0.1, which the crawler reaches only when allowed
    allowed = ",".join(filter(None, (settings.fetch_allowed_hosts, urlsplit(server.base).hostname)))
    local = replace(settings, sources_file=str(sources), fetch_host_delay=0.0,
                    fetch_allowed_hosts=allowed)
    async with build_client(local) as client:
        return await crawl(db, client, local, everything=True)
