"""``ranknews extract PAGE.html --url URL`` prints the article as JSON; Korean errors."""

from __future__ import annotations

import json

from conftest import FIXTURES
from typer.testing import CliRunner

from ranknews.cli import app

runner = CliRunner()
PAGE = FIXTURES / "pages" / "www.mk.co.kr" / "news-world-11331368.html"


def test_extract_prints_article_json():
    result = runner.invoke(app, ["extract", str(PAGE), "--url",
                                 "https://www.mk.co.kr/news/world/11331368"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["title"] == '최태원 SK회장 "韓·日 반도체 생태계 통합해야"'
    assert data["subtitles"] == ["닛케이 인터뷰서 협력 강조", "美 LNG '공동 대응' 제안도",
                                 '"함께 구매땐 협상력 강화"']
    assert data["authors"] == ["신윤재"]
    assert data["published"] == "2025-05-30T19:56:23+09:00"
    assert data["text"].split("\n")[0].startswith("최태원 SK그룹 회장이 미국산 액화천연가스")
    assert data["text"] == "\n".join(b["text"] for b in data["blocks"] if b["kind"] == "paragraph")
    assert any(b["kind"] == "figure" for b in data["blocks"])
    assert {"tags", "section", "blocks"} <= data.keys()


def test_extract_decodes_euc_kr_file():
    result = runner.invoke(app, ["extract", str(FIXTURES / "pages" / "own" / "euckr.html")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"] == "똠방각하 재개봉, 관객 몰려"


def test_unreadable_files_give_korean_errors(tmp_path):
    missing = runner.invoke(app, ["extract", str(tmp_path / "none.html")])
    assert missing.exit_code == 1 and "찾을 수 없습니다" in missing.output
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    assert "비어 있습니다" in runner.invoke(app, ["extract", str(empty)]).output
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = runner.invoke(app, ["extract", str(binary)])
    assert result.exit_code == 1 and "HTML 파일이 아닙니다" in result.output
    assert "Traceback" not in result.output


def test_page_without_an_article_exits_3_with_a_korean_reason_and_no_json():
    for name, reason in (("list-page.html", "목록 페이지"), ("error-page.html", "오류 안내")):
        result = runner.invoke(app, ["extract", str(FIXTURES / "pages" / "own" / name)])
        assert result.exit_code == 3, result.output
        assert "기사 없음" in result.stderr and reason in result.stderr
        assert result.stdout.strip() == ""
        assert "Traceback" not in result.output


def test_framework_payload_page_through_the_cli():
    result = runner.invoke(app, ["extract", str(FIXTURES / "pages" / "own" / "rsc-flight.html")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["text"].startswith("서울시가 내년부터 시내버스 전 노선에 저상버스를")
