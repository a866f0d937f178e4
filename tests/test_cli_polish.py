"""The CLI as a new operator meets it: --version, click's own errors in Korean, crawl's exit
code when every feed failed, search --json with no hit, outlet-mode by name, story show,
hiding twice, and summaries that are not wrapped when piped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from newssite import sources_toml
from sqlalchemy import select
from typer.testing import CliRunner

from ranknews import __version__
from ranknews.cli import app
from ranknews.models import Article, Paragraph
from ranknews.pipeline.saving import save_articles
from ranknews.pipeline.work import drain
from ranknews.store.stories import story_members

runner = CliRunner()
NOW = datetime.now(timezone.utc)


def _posts(db, settings) -> None:
    text = "정부가 오늘 전국 모든 초등학교에 늘봄학교를 확대 시행한다고 발표했다. " * 3
    save_articles(db, [
        Article(url=f"https://{domain}/a/{n}", outlet=outlet, outlet_domain=domain,
                title="정부, 늘봄학교 전국 확대 시행 발표", published_at=NOW - timedelta(hours=n),
                section="사회", blocks=(Paragraph(text),))
        for n, (outlet, domain) in enumerate([("한빛일보", "www.hanbit.kr"),
                                              ("가람신문", "www.garam.kr")], start=1)])
    drain(db, settings)


def test_version():
    result = subprocess.run([sys.executable, "-m", "ranknews", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == f"ranknews {__version__}"


def test_clicks_own_errors_are_korean(tmp_path):
    cases = {
        ("hide",): "필수 인자 board_no",
        ("hide", "3"): "필수 옵션 --reason",
        ("import", str(tmp_path / "없음.jsonl")): "파일이 없습니다",
        ("cluster", str(tmp_path)): "디렉터리",
        ("없는명령",): "없는 명령입니다",
        ("search", "x", "--limt", "3"): "없는 옵션입니다: --limt (혹시 --limit?)",
        ("search", "x", "--limit", "abc"): "정수를 적어야 합니다",
        ("search", "x", "--limit", "0"): "1 이상이어야 합니다",
        ("hide", "1", "--reason"): "값을 적어야 합니다",
        ("hide", "1", "2", "--reason", "x"): "필요 없는 인자가 있습니다: 2",
    }
    for args, expected in cases.items():
        # a real process: what an operator's terminal shows
        result = subprocess.run([sys.executable, "-m", "ranknews", *args], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2, (args, result.stderr)
        assert expected in result.stderr, (args, result.stderr)
        assert result.stderr.startswith("오류: "), result.stderr
        for english in ("Error", "Usage", "Missing", "Invalid", "Try "):
            assert english not in result.stderr, (args, result.stderr)


def test_a_path_the_system_refuses_is_one_korean_line(tmp_path):
    blocker = tmp_path / "파일"
    blocker.write_text("", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "ranknews", "init", "--data-dir",
                             str(blocker / "data")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"오류: 디렉터리가 아닙니다: {blocker / 'data'}", result.stderr


def test_crawl_exits_3_when_every_feed_failed(database_url, tmp_path, httpserver):
    toml = tmp_path / "s.toml"
    toml.write_text(sources_toml([("없는일보", "127.0.0.1", httpserver.url("/none.xml"))]),
                    encoding="utf-8")
    env = {"RANKNEWS_FETCH_HOST_DELAY": "0", "RANKNEWS_FETCH_ALLOWED_HOSTS": "127.0.0.1",
           "RANKNEWS_FETCH_RETRIES": "0"}
    result = runner.invoke(app, ["crawl", "--db", database_url, "--sources-file", str(toml)],
                           env=env)
    assert result.exit_code == 3, result.output
    assert "실패한 피드 1개" in result.stdout and "모두 실패했습니다" in result.stderr


def test_search_json_is_valid_json_without_hits(db, settings, database_url):
    _posts(db, settings)
    empty = runner.invoke(app, ["search", "존재하지않는낱말", "--json", "--db", database_url])
    assert empty.exit_code == 0 and json.loads(empty.stdout) == []
    found = runner.invoke(app, ["search", "늘봄학교", "--json", "--db", database_url])
    assert {h["outlet"] for h in json.loads(found.stdout)} == {"한빛일보", "가람신문"}


def test_outlet_mode_takes_a_name_or_a_domain(db, settings, database_url):
    _posts(db, settings)
    by_name = runner.invoke(app, ["outlet-mode", "한빛일보", "excerpt", "--db", database_url])
    assert by_name.exit_code == 0 and "www.hanbit.kr: excerpt" in by_name.stdout
    by_domain = runner.invoke(app, ["outlet-mode", "www.garam.kr", "full", "--db", database_url])
    assert by_domain.exit_code == 0 and "www.garam.kr: full" in by_domain.stdout
    missing = runner.invoke(app, ["outlet-mode", "없는신문", "full", "--db", database_url])
    assert missing.exit_code == 1 and "언론사를 찾을 수 없습니다: 없는신문" in missing.stderr


def test_story_show_prints_titles_outlets_and_times(db, settings, database_url):
    _posts(db, settings)
    with db.read() as conn:
        story_id = conn.execute(select(story_members.c.story_id)).scalars().first()
    result = runner.invoke(app, ["story", "show", str(story_id), "--db", database_url])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "늘봄학교" in lines[0] and "언론사 2곳" in lines[0]
    rows = [line.split("\t") for line in lines[1:] if line.strip()]
    assert {r[2] for r in rows} == {"한빛일보", "가람신문"}
    assert all(r[1][:2] == "20" and ":" in r[1] for r in rows)  # 2026.12.06 14:05
    assert all("늘봄학교" in r[3] for r in rows)


def test_hiding_twice_says_already_hidden(db, settings, database_url):
    _posts(db, settings)
    args = ["hide", "1", "--reason", "오보", "--db", database_url]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code != 0 and "이미 게시 중단 상태입니다" in again.stderr


def test_summaries_are_not_wrapped_when_piped(tmp_path, database_url):
    lines = tmp_path / "a.jsonl"
    lines.write_text("".join(json.dumps({
        "url": f"https://www.hanbit.kr/news/{n}", "outlet": "한빛일보",
        "title": f"아주 긴 제목의 기사 {n}번 " * 3, "text": "본문 " * 40,
        "published": NOW.isoformat()}, ensure_ascii=False) + "\n" for n in range(3)),
        encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "ranknews", "import", str(lines), "--db",
                             database_url, "--no-process"], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "COLUMNS": "40"})
    assert result.returncode == 0, result.stderr
    summary = [line for line in result.stdout.splitlines() if line.startswith("읽은 기사")]
    # one line however narrow the terminal it is not
    assert len(summary) == 1 and summary[0].endswith("오류 0줄"), result.stdout
