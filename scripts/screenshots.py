"""Screenshots for the README: the board and the seed article at a phone and a desktop width.

    .venv/bin/python scripts/screenshots.py        # writes docs/screenshots/*.png

Loads the bundled demo sample into a temporary SQLite database, serves it with uvicorn on a
free port and photographs it in headless Chromium (/usr/bin/chromium, via Playwright).
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from ranknews.config import Settings  # noqa: E402
from ranknews.sample import load_sample  # noqa: E402
from ranknews.store import open_database  # noqa: E402
from ranknews.web.app import create_app  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def start_server(tmp: str) -> tuple[uvicorn.Server, str]:
    url = f"sqlite:///{tmp}/demo.sqlite3"
    settings = Settings.build(database_url=url, board_name="랭크뉴스")
    db = open_database(url, create=True)
    load_sample(db)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, db), host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server, base = start_server(tmp)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for name, viewport in SIZES.items():
                page = browser.new_page(viewport=viewport, device_scale_factor=1)
                page.goto(base + "/")
                page.screenshot(path=OUT / f"board-{name}.png")
                page.locator("td.title a", has_text="MTIA").first.click()  # the seed article
                page.wait_for_load_state()
                page.screenshot(path=OUT / f"article-{name}.png")
                print(f"{name}: {page.url}")
                page.close()
        finally:
            browser.close()
            server.should_exit = True
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
