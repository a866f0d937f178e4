"""End to end in headless Chromium: `ranknews demo` as a new user starts it (a real process:
the sample collected through the crawler, the board and the sample site served), every link
of its main pages followed, one clock on every page."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from test_e2e import CHROMIUM, CHROMIUM_ARGS, _playwright

pytestmark = pytest.mark.e2e

SEOUL = ZoneInfo("Asia/Seoul")
AGE = re.compile(r"첫 보도 (\d+)(분|시간|일) 전")
UNIT = {"분": timedelta(minutes=1), "시간": timedelta(hours=1), "일": timedelta(days=1)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`ranknews demo` as a real process (board and sample site), stopped by its pid."""
    data = tmp_path_factory.mktemp("demo")
    port, sample_port = _free_port(), _free_port()
    log = open(data / "demo.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "ranknews", "demo", "--port", str(port), "--sample-port",
         str(sample_port), "--data-dir", str(data)], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the demo did not start: "
                            + (data / "demo.log").read_text(encoding="utf-8")[-2000:])
            try:
                if httpx.get(base + "/", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        yield base, f"http://127.0.0.1:{sample_port}"
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


def _links(page) -> set[str]:
    """Every address the page links to or loads: links, images, styles, scripts, icons."""
    return set(page.evaluate("""() => [
        ...[...document.querySelectorAll('a[href]')].map(a => a.href),
        ...[...document.querySelectorAll('img[src]')].map(i => i.currentSrc || i.src),
        ...[...document.querySelectorAll('link[href]')].map(l => l.href),
        ...[...document.querySelectorAll('script[src]')].map(s => s.src),
    ]"""))


def _times(page) -> list[tuple[str, str]]:
    return page.evaluate("""() => [...document.querySelectorAll('time[datetime]')]
        .map(t => [t.getAttribute('datetime'), t.textContent.trim()])""")


def _check_times(url: str, times: list[tuple[str, str]], now: datetime) -> None:
    """A shown date or time is its datetime's, in Seoul, and never in the future."""
    for stamp, shown in times:
        if not stamp:
            continue
        local = datetime.fromisoformat(stamp).astimezone(SEOUL)
        assert local <= now + timedelta(minutes=1), (url, stamp)
        accepted = {f"{local:%Y.%m.%d %H:%M}", f"{local:%Y.%m.%d}"}
        if local.date() == now.date():
            accepted.add(f"{local:%H:%M}")
        assert shown in accepted, (url, stamp, shown)


@pytest.mark.nodb
def test_the_demo_shows_every_page_with_working_links_and_one_clock(demo):
    base, sample_site = demo
    sync_playwright = _playwright()
    checked: dict[str, int] = {}
    with sync_playwright() as p, httpx.Client(timeout=20) as client:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            now = datetime.now(SEOUL)
            visited = _visit_pages(page, base)
            for url, (links, times, text) in visited.items():
                assert "2024." not in text and "2025." not in text, url  # the sample's own clock
                _check_times(url, times, now)
                for link in links:
                    if urlsplit(link).hostname != "127.0.0.1" or link in checked:
                        continue  # outside addresses (the seed board's search links) need a network
                    checked[link] = client.get(link.split("#")[0]).status_code
            broken = {link: status for link, status in checked.items() if status != 200}
            assert not broken, broken
            assert any(link.startswith(sample_site) for link in checked)  # 원문 pages
            assert any("/static/sample/photos/" in link for link in checked)  # photos
            _check_ages(page, base)
        finally:
            browser.close()


def _visit_pages(page, base: str) -> dict[str, tuple[set[str], list, str]]:
    """Home, /rank (as it opens), /trends, /sources, a sample article with a photo and its
    story."""
    seen = {}

    def visit(url: str) -> None:
        page.goto(url)
        seen[url] = (_links(page), _times(page), page.inner_text("body"))

    visit(base + "/")
    assert page.locator(".badge-sample").count() > 0  # fictional outlets are marked
    assert page.locator(".sample-note").count() == 1
    visit(base + "/rank")
    ranked = page.locator("ol.rank-full > li")
    assert ranked.count() > 0, "the ranking opens on an empty view"
    visit(base + "/trends")
    assert page.locator("ol.trend-list > li").count() >= 3, "no trending keywords"
    visit(base + "/sources")
    photo = _article_with_photo(page, base)
    visit(photo)
    assert page.locator(".sample-note").count() == 1
    assert page.locator("figure img").first.evaluate("i => i.naturalWidth") > 0
    story = page.locator(".story-link a").first.get_attribute("href")
    visit(base + story)
    assert page.locator(".story-coverage tbody tr").count() > 1
    return seen


def _article_with_photo(page, base: str) -> str:
    for number in range(1, 400):
        response = httpx.get(f"{base}/articles/{number}.json", timeout=20)
        if response.status_code != 200:
            continue
        article = response.json().get("article", {})
        blocks = article.get("blocks", [])
        if any(b.get("kind") == "figure" for b in blocks) and article.get("story"):
            return f"{base}/articles/{number}"
    pytest.fail("no article with a photo in a story")


def _check_ages(page, base: str) -> None:
    """"첫 보도 N시간 전" on the home page and the rankings agrees with the story's first
    report."""
    for url in ("/", "/rank", "/rank?period=today", "/rank?period=week"):
        page.goto(base + url)
        entries = page.locator("ol.rank-list > li").all()[:5]
        assert entries, url
        _check_entries(entries, base)


def _check_entries(entries: list, base: str) -> None:
    computed = datetime.now(SEOUL)
    for entry in entries:
        found = AGE.search(entry.inner_text())
        assert found, entry.inner_text()
        age = int(found.group(1)) * UNIT[found.group(2)]
        story = base + entry.locator("a").first.get_attribute("href")
        first = httpx.get(story + ".json", timeout=20).json()["story"]["first"]["time"]
        actual = computed - datetime.fromisoformat(first)
        assert age - UNIT[found.group(2)] <= actual <= age + 2 * UNIT[found.group(2)], (
            story, found.group(0), first)
