"""The console in headless Chromium (Debian's, through Playwright), on a desktop and on a
390 px phone: log in, add a fixture feed (served by a real local HTTP server) after its
preview, hide a post, merge two stories, log out. No page may be wider than the screen, no
dialog may open (stored XSS) and the Content Security Policy must never complain.

Set RANKNEWS_SCREENSHOTS=<dir> to keep a screenshot of each step."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from admin_support import ADMIN, fast_hashing, make_console
from newssite import add_site
from test_e2e import CHROMIUM, CHROMIUM_ARGS, _playwright

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def served(db, settings, httpserver, monkeypatch):
    import uvicorn

    fast_hashing(monkeypatch)
    console = make_console(db, settings, titles={5: '<script>alert("x")</script> 속보 제목'})
    add_site(httpserver, "e2e", 3)
    home = httpserver.add("/e2e/", "<html><head><meta property='og:site_name' "
                          "content='이투이일보'><link rel='alternate' type='application/rss+xml' "
                          "href='/e2e/feed.xml'></head><body>첫 화면</body></html>")
    server = uvicorn.Server(uvicorn.Config(console.app, host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", home, console
    server.should_exit = True
    thread.join(10)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_operator_logs_in_adds_a_feed_hides_a_post_merges_stories_and_logs_out(
        served, viewport):
    base, home, console = served
    sync_playwright = _playwright()
    shots = os.environ.get("RANKNEWS_SCREENSHOTS")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORTS[viewport])
            problems: list[str] = []
            page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error"
                    and not m.text.startswith("Failed to load resource") else None)
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)

            def step(name: str) -> None:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= VIEWPORTS[viewport]["width"], f"{name}: {width}px wide"
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{shots}/admin-{name}-{viewport}.png", full_page=True)

            # log in (the dashboard asks for it first)
            page.goto(base + "/admin/takedowns")
            assert "/admin/login" in page.url
            step("login")
            page.get_by_label("아이디").fill(ADMIN[0])
            page.get_by_label("비밀번호").fill(ADMIN[1])
            page.get_by_role("button", name="로그인").click()
            page.wait_for_url("**/admin/takedowns")
            page.get_by_role("link", name="대시보드").click()
            assert page.locator("h1").inner_text() == "대시보드"
            step("dashboard")

            # add a fixture feed from its site address, after the preview
            page.get_by_role("link", name="소스", exact=True).click()
            page.get_by_role("link", name="소스 추가").click()
            page.get_by_label("사이트 또는 피드 주소").fill(home)
            page.get_by_role("button", name="미리 보기").click()
            preview = page.locator("article.latest")
            assert "e2e 기사 1" in preview.locator("h3").inner_text()
            assert "정부와 여당은 1일" in preview.inner_text()
            assert page.get_by_label("언론사 이름").input_value() == "이투이일보"
            assert "기사 수 3건" in " ".join(page.locator("dl.facts").inner_text().split())
            step("preview")
            page.get_by_role("button", name="소스 저장").click()
            page.wait_for_url("**/admin/sources")
            assert "소스를 추가했습니다: 이투이일보" in page.locator(".flash").inner_text()
            assert page.locator(".source", has_text="이투이일보").count() == 1
            step("sources")

            # hide a post with a reason
            page.get_by_role("link", name="게시 중단", exact=True).click()
            page.get_by_label("글 번호, 주소 또는 제목").fill("속보 제목")
            page.get_by_role("button", name="찾기").click()
            found = page.locator("#post-5")
            assert "<script>" in found.locator(".title").inner_text()  # shown as text
            found.get_by_label("게시 중단 사유 (필수)").fill("언론사 요청(저작권)")
            found.get_by_role("button", name="게시 중단").click()
            page.wait_for_url("**/admin/takedowns")
            assert "5번 글을 게시 중단했습니다." in page.locator(".flash").inner_text()
            hidden = page.locator("table.stack tbody tr").first
            assert "언론사 요청(저작권)" in hidden.inner_text()
            assert "user:boss" in hidden.inner_text()
            step("takedowns")
            assert page.request.get(base + "/articles/5").status == 404

            # merge two stories after the preview
            page.get_by_role("link", name="이야기", exact=True).click()
            page.get_by_label("남길 이야기 번호").fill("1")
            page.get_by_label("합칠 이야기 번호").fill("3")
            page.get_by_role("button", name="병합 미리 보기").click()
            assert "결과: 이야기 1번, 글 4건" in page.locator("#merge-title ~ h3").last.inner_text()
            step("merge")
            page.get_by_label("사유 (필수)").fill("같은 사건")
            page.get_by_role("button", name="병합", exact=True).click()
            assert "이야기 3번의 글 2건을 1번에 합쳤습니다." in page.locator(".flash").inner_text()

            # log out
            page.get_by_role("button", name="로그아웃").click()
            page.wait_for_url("**/admin/login?bye=1")
            assert "로그아웃했습니다." in page.locator(".flash").inner_text()
            page.goto(base + "/admin")
            assert "/admin/login" in page.url
            assert problems == []
        finally:
            browser.close()
    with console.db.read() as conn:
        from ranknews.store.audit import entries
        actions = [e.action for e in entries(conn) if e.actor == "user:boss"]
    assert sorted(actions) == ["post.hide", "source.add", "story.merge"]
