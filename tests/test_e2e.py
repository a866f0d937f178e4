"""End to end in headless Chromium: the real server (uvicorn on a free port) over a database
with articles; open the board, click into an article, check what a reader relies on."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from pathlib import Path

import pytest
from board_data import SEED_ARTICLE, load, record

from ranknews.web.app import create_app

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _playwright():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM} (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("end-to-end tests need the playwright Python package (pip install playwright)")
    return sync_playwright


@pytest.fixture
def live_server(db, settings, tmp_path):
    """The board served by uvicorn in a thread on an ephemeral port."""
    import uvicorn

    load(db, tmp_path, [record(i) for i in range(30)] + [SEED_ARTICLE])
    app = create_app(dataclasses.replace(settings, page_cache_check_seconds=0.0), db)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_reader_opens_the_board_and_reads_an_article(live_server):
    sync_playwright = _playwright()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(live_server + "/")
            assert page.locator("table.board tbody tr").count() == 20
            page.get_by_role("link", name=SEED_ARTICLE["title"]).click()
            page.wait_for_url("**/articles/31")

            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.textContent")
            assert focused == "메뉴 건너뛰기"
            assert page.locator(".skip-link").is_visible()  # visible once focused
            page.keyboard.press("Enter")
            assert page.url.endswith("#main")

            assert page.locator("h1").inner_text() == SEED_ARTICLE["title"]
            caption = page.locator("figure figcaption").first.inner_text()
            assert caption.startswith("지난 11일(현지시간) 이재용 삼성전자 회장(왼쪽)이")
            assert caption.endswith("기념사진을 촬영하고 있다. 삼성전자 제공")
            alt = page.locator("figure img").first.get_attribute("alt")
            assert alt and alt.startswith("지난 11일")

            beneath = page.locator("section.board-beneath table.board tbody tr")
            assert beneath.count() == 20
            marked = page.locator('section.board-beneath tr[aria-current="page"]')
            assert marked.count() == 1 and "31" in marked.locator("td.no").inner_text()

            page.locator(".prev-next .older a").click()
            page.wait_for_url("**/articles/30")
            assert page.locator("h1").inner_text() == "기사 제목 29"
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
