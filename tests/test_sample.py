"""The demo sample's machinery: one clock, the local site's feeds and pages, photos the board
serves itself, fictional outlets marked."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from ranknews.models import Article, Figure, Paragraph
from ranknews.sample import prepared_sample, sample_server
from ranknews.sample.bundle import (
    CORPUS,
    PHOTOS,
    sample_articles,
    sample_outlets,
    with_local_photos,
)
from ranknews.sample.clock import LEAD, to_present
from ranknews.sample.server import SampleSite
from ranknews.sources import is_sample_outlet

NOW = datetime(2030, 3, 1, 12, 0, 30, tzinfo=timezone.utc)


def _article(n: int, at: datetime | None, domain: str = "hanbitilbo.example", **kw) -> Article:
    return Article(url=f"https://{domain}/news/{n}", outlet="한빛일보", outlet_domain=domain,
                   title=f"기사 {n}", published_at=at,
                   blocks=kw.pop("blocks", (Paragraph(f"본문 {n}"),)), **kw)


def test_each_run_of_dates_ends_just_before_now_keeping_distances():
    week = [datetime(2024, 6, 10, 9, tzinfo=timezone.utc) + timedelta(hours=7 * i)
            for i in range(20)]
    later = [datetime(2025, 5, 28, tzinfo=timezone.utc), datetime(2025, 6, 4, tzinfo=timezone.utc)]
    articles = [_article(i, at) for i, at in enumerate(week + later)] + [_article(99, None)]
    moved = to_present(articles, NOW)
    week_moved = [a.published_at for a in moved[:20]]
    later_moved = [a.published_at for a in moved[20:22]]
    for run in (week_moved, later_moved):
        assert NOW - LEAD - timedelta(minutes=1) < max(run) <= NOW - LEAD
    assert [b - a for a, b in zip(week_moved, week_moved[1:])] == \
        [b - a for a, b in zip(week, week[1:])]
    assert later_moved[1] - later_moved[0] == timedelta(days=7)
    assert moved[-1].published_at is None
    assert all(a.published_at.second == 0 for a in moved[:22])  # whole minutes moved


def test_the_site_serves_section_feeds_pages_and_the_day_so_far():
    start = datetime(2030, 3, 1, tzinfo=timezone.utc)
    articles = [_article(1, start, section="정치"), _article(2, start + timedelta(days=1),
                                                              section="정치"),
                _article(3, start, section="날씨"), _article(4, start, blocks=()),
                _article(5, start, domain="www.mk.co.kr")]
    outlets = {"hanbitilbo.example": sample_outlets_entry()}
    site = SampleSite(articles, outlets)
    paths = {feed.path: feed.items for feed in site.feeds}
    assert paths == {"/hanbitilbo.example/rss/politics.xml": (0, 1),
                     "/hanbitilbo.example/rss/all.xml": (2,),  # no feed for its section
                     "/www.mk.co.kr/rss/all.xml": (4,)}  # headline-only post 4: no feed
    assert site.path_of[0] == "/hanbitilbo.example/news/1"
    assert site.path_of[4] == "/www.mk.co.kr/articles/4.html"
    status, _, page = site.page("/hanbitilbo.example/news/4", "http://x")
    assert status == 200 and "예시" in page.decode()  # its 원문 page, marked
    site.until = start + timedelta(hours=1)
    _, _, feed = site.page("/hanbitilbo.example/rss/politics.xml", "http://x")
    assert b"/news/1<" in feed and b"/news/2<" not in feed
    assert site.page("/nowhere", "http://x")[0] == 404
    status, _, index = site.page("/", "http://x")
    assert status == 200 and b"/hanbitilbo.example/rss/politics.xml" in index


def sample_outlets_entry():
    from ranknews.sample.bundle import SampleOutlet

    return SampleOutlet("한빛일보", "hanbitilbo.example", feeds={"정치": "/rss/politics.xml"})


def test_photos_point_at_files_the_board_serves():
    drawn = sorted(PHOTOS.glob("*.jpg"))[0].stem
    figures = (Figure(f"https://hanbitilbo.example/photos/{drawn}.jpg", "사진"),
               Figure("https://hanbitilbo.example/photos/never-drawn.jpg", "사진"),
               Figure("/static/sample/seed-photo.svg", "사진"),
               Figure("https://img.example.org/a.jpg", "사진"))
    moved = with_local_photos([_article(1, NOW, blocks=figures)], "http://127.0.0.1:8000/")
    assert [f.image_url for f in moved[0].figures] == [
        f"http://127.0.0.1:8000/static/sample/photos/{drawn}.jpg",
        "http://127.0.0.1:8000/static/sample/photos/sample.jpg",
        "http://127.0.0.1:8000/static/sample/seed-photo.svg",
        "https://img.example.org/a.jpg"]


def test_every_photo_of_the_corpus_is_drawn_and_small():
    used = {Path(f.image_url).stem for a in sample_articles() for f in a.figures
            if "/photos/" in f.image_url}
    drawn = {p.stem for p in PHOTOS.glob("*.jpg")}
    assert used <= drawn, sorted(used - drawn)  # scripts/draw_sample_photos.py draws them
    assert sum(p.stat().st_size for p in PHOTOS.glob("*")) < 1_500_000


def test_fictional_outlets_are_the_example_domains():
    assert is_sample_outlet("hanbitilbo.example") and is_sample_outlet("A.EXAMPLE.")
    assert not is_sample_outlet("www.mk.co.kr") and not is_sample_outlet(None)
    assert not is_sample_outlet("example.com")
    for domain in sample_outlets():
        assert is_sample_outlet(domain)


@pytest.mark.skipif(not list(CORPUS.glob("*.jsonl")), reason="the sample corpus is not there")
def test_corpus_lines_are_articles_of_its_outlets():
    outlets = sample_outlets()
    for path in CORPUS.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert json.loads(line)["outlet_domain"] in outlets


async def test_the_running_site_publishes_the_prepared_sample():
    articles = prepared_sample(NOW, "http://127.0.0.1:1")
    with sample_server(articles) as server:
        async with httpx.AsyncClient() as client:
            assert server.site.feeds
            for feed in server.site.feeds[:3]:
                response = await client.get(server.base + feed.path)
                assert response.status_code == 200 and b"<item>" in response.content
    assert max(a.published_at for a in articles if a.published_at) <= NOW - LEAD


def test_demo_says_when_the_sample_port_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "ranknews", "demo", "--no-serve",
                              "--data-dir", str(tmp_path), "--sample-port", str(port)],
                             capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "--sample-port" in run.stdout + run.stderr and "Traceback" not in run.stderr
