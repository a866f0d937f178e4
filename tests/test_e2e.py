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
        pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM} (Debian package chromium; scripts/setup installs it, see README)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("end-to-end tests need the playwright Python package (pip install playwright)")
    return sync_playwright


@pytest.fixture
def live_server(db, settings, tmp_path):
    """The board served by uvicorn in a thread on an ephemeral port."""
    load(db, tmp_path, [record(i) for i in range(30)] + [SEED_ARTICLE])
    yield from _serve(db, settings)


@pytest.fixture
def ranked_server(db, settings):
    """A board with a full home page: ten top stories and trending keywords above it."""
    from datetime import datetime, timedelta, timezone

    from test_rank import NOW, burst_today, post, steady_history

    from ranknews.pipeline import drain
    from ranknews.pipeline.saving import save_articles

    now = datetime.now(timezone.utc)
    save_articles(db, [dataclasses.replace(p, published_at=p.published_at + (now - NOW),
                                           collected_at=p.collected_at + (now - NOW))
                       for p in steady_history() + burst_today() + [
                           post(topic, NOW - timedelta(minutes=5 + i), i)
                           for i, topic in enumerate(TOPICS)]])
    drain(db, settings)  # stories, then the ranking over them
    yield from _serve(db, settings)


TOPICS = ("의대 정원 2천명 증원 확정, 전공의 복귀는 여전히 불투명",
          "한전 전기요금 kWh당 5원 인상, 가구당 월 1천원 부담 늘어",
          "반도체 특별법 국회 상임위 통과, 보조금 직접 지급 근거 마련",
          "합계출산율 0.68명 역대 최저, 저출생 대응 부처 신설 논의",
          "종합부동산세 기본공제 상향안 발표, 다주택자 중과 완화",
          "청년 고용률 석 달째 하락, 쉬었음 인구 40만 명 넘어",
          "기후 공시 의무화 2026년 이후로 연기, 산업계 환영",
          "교권 보호 4법 시행 한 달, 교사 민원 신고 절반으로 줄어",
          "인구 감소 지역 89곳 지정, 지방 소멸 대응 기금 배분",
          "국민연금 보험료율 13%로 인상 합의, 소득대체율은 이견",
          "소비자물가 2.4% 상승, 사과값 1년 새 80% 올라",
          "태양광 발전 비중 10% 돌파, 출력 제한 갈등 커져")


def _serve(db, settings):
    import uvicorn

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


def test_on_a_phone_the_board_begins_on_the_first_screen(ranked_server):
    sync_playwright = _playwright()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(ranked_server + "/")
            stories = page.locator(".home-stories .rank-list > li")
            assert stories.count() >= 6  # the page has more than the phone shows
            assert page.locator(".keyword-list li").count() > 0
            first_row = page.locator("table.board tbody tr").first.bounding_box()
            assert first_row is not None and first_row["y"] + first_row["height"] <= 844, first_row
            shown = [stories.nth(i).is_visible() for i in range(stories.count())]
            assert shown[:5] == [True] * 5 and not any(shown[5:])
            more = page.get_by_role("link", name="주요 뉴스 더 보기")
            assert more.is_visible() and more.get_attribute("href") == "/rank"
            rss = page.locator(".site-footer a.rss")
            assert rss.is_visible() and rss.locator("img[src='/static/rss.svg']").count() == 1
            assert page.locator(".site-nav a[href='/rss.xml']").count() == 0
            # "관련 기사 N건" looks like a link: the link colour, underlined
            related = page.locator("table.board a.story-size").first
            assert related.inner_text().startswith("관련 기사")
            look = related.evaluate("a => [getComputedStyle(a).color, "
                                    "getComputedStyle(a).textDecorationLine]")
            assert look == ["rgb(26, 86, 184)", "underline"], look
            # on a desktop the whole ranking shows, with its reasons
            page.set_viewport_size({"width": 1280, "height": 900})
            assert all(stories.nth(i).is_visible() for i in range(stories.count()))
        finally:
            browser.close()
