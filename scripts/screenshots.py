"""Screenshots for the README, from the current pages of the demo: the board, an article, a
story, the ranking, the trends and a search, at a phone and a desktop width.

    .venv/bin/python scripts/screenshots.py        # writes docs/screenshots/<page>-<size>.png

Starts `ranknews demo` as a real process on free ports (the sample collected through the
crawler, its dates moved to the present), photographs the first screen of each page in
headless Chromium (/usr/bin/chromium, via Playwright), and stops the demo by its pid.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_demo(data: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "ranknews", "demo", "--port", str(port), "--sample-port",
         str(_free_port()), "--data-dir", data], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(base + "/", timeout=5).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(1)
    process.kill()
    raise SystemExit("the demo did not start")


def pages(base: str) -> dict[str, str]:
    """The pages to photograph: an article with a photo in a story of several outlets, its
    story, and a search for the first trending keyword."""
    article = story = None
    for number in range(1, 1000):
        response = httpx.get(f"{base}/articles/{number}.json", timeout=20)
        if response.status_code != 200:
            continue
        found = response.json()["article"]
        if (found.get("story") and found["story"]["size"] >= 4
                and any(b["kind"] == "figure" for b in found["blocks"])):
            article, story = f"/articles/{number}", found["story"]["url"]
            break
    keywords = httpx.get(base + "/trends.json", timeout=20).json()["trends"]["keywords"]
    query = keywords[0]["display"] if keywords else "반도체"
    return {"board": "/", "article": article or "/articles/1", "story": story or "/rank",
            "rank": "/rank", "trends": "/trends",
            "search": f"/search?{httpx.QueryParams({'q': query})}"}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        process, base = start_demo(data)
        try:
            shots = pages(base)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=CHROMIUM_ARGS)
                for size, viewport in SIZES.items():
                    page = browser.new_page(viewport=viewport, device_scale_factor=1)
                    for name, path in shots.items():
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        page.screenshot(path=OUT / f"{name}-{size}.png")
                        print(f"{name}-{size}: {path}")
                    page.close()
                browser.close()
        finally:
            process.terminate()
            process.wait(30)
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
