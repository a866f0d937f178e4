"""The bundled demo sample: real articles, small, with their sources in SOURCES.md."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ranknews.config import Settings
from ranknews.pipeline import CollectReport, ImportReport, crawl, import_jsonl
from ranknews.pipeline.saving import save_articles
from ranknews.store import Database

if TYPE_CHECKING:
    from ranknews.sample.server import SampleServer

SAMPLE = Path(__file__).with_name("articles.jsonl")
# The day of the seed board (shared/data/seed/ranknews-page.txt): the demo ranks as of then.
SAMPLE_AS_OF = datetime(2024, 6, 16, 23, 59, tzinfo=ZoneInfo("Asia/Seoul"))


def load_sample(db: Database) -> ImportReport:
    """Import the bundled sample; running it twice changes nothing."""
    return import_jsonl(db, [SAMPLE])


def sample_server() -> "SampleServer":
    """The local site publishing the sample's articles (use it as a context manager)."""
    from ranknews.sample.server import SampleServer, SampleSite, sample_articles, split_sample

    return SampleServer(SampleSite(split_sample(sample_articles(SAMPLE))[1]))


async def collect_sample(db: Database, settings: Settings, work_dir: Path,
                         server: "SampleServer") -> CollectReport:
    """The demo's pipeline run: the seed board's numbered headlines are imported as they are;
    every article with a body is published by ``server`` (sample/server.py, running) as RSS
    feeds and pages, and collected from there by the real crawler."""
    from ranknews.fetch.client import build_client
    from ranknews.sample.server import sample_articles, split_sample

    save_articles(db, split_sample(sample_articles(SAMPLE))[0])
    sources = work_dir / "demo-sources.toml"
    sources.write_text(server.sources_toml(), encoding="utf-8")
    # the sample site listens on 127.0.0.1, which the crawler reaches only when allowed
    allowed = ",".join(filter(None, (settings.fetch_allowed_hosts, urlsplit(server.base).hostname)))
    local = replace(settings, sources_file=str(sources), fetch_host_delay=0.0,
                    fetch_allowed_hosts=allowed)
    async with build_client(local) as client:
        return await crawl(db, client, local, everything=True)
