"""JSON Lines import: the documented format, bad lines reported by number, nothing half-stored."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ranknews.errors import DatabaseError
from ranknews.pipeline import import_jsonl
from ranknews.sample import load_sample
from ranknews.sources.jsonl import article_from_record
from ranknews.store import open_database
from ranknews.store.articles import get_article

GOOD = {"url": "https://www.yna.co.kr/view/AKR1", "outlet": "연합뉴스",
        "title": "[속보] 의협 \"18일 집단 휴진\"(종합)", "published": "2024-06-16T10:05:00+09:00",
        "text": "첫 문단입니다.\n\n둘째 문단입니다."}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_minimum_record_is_enough_and_tags_are_parsed():
    article = article_from_record(GOOD)
    assert article.title == '의협 "18일 집단 휴진"'
    assert article.tags == ("속보", "종합")
    assert article.paragraphs == ["첫 문단입니다.", "둘째 문단입니다."]
    assert article.outlet_domain == "www.yna.co.kr"
    assert article.published_at.isoformat() == "2024-06-16T01:05:00+00:00"


def test_naive_and_dotted_dates_are_korean_time():
    article = article_from_record({**GOOD, "published": "2024.06.16 10:05"})
    assert article.published_at.isoformat() == "2024-06-16T01:05:00+00:00"


def test_invalid_lines_are_reported_by_number_and_skipped(db, tmp_path):
    path = write_lines(tmp_path / "in.jsonl", [
        json.dumps(GOOD, ensure_ascii=False),
        "{not json",
        json.dumps({**GOOD, "url": "javascript:alert(1)"}),
        json.dumps({k: v for k, v in GOOD.items() if k != "published"}),
        json.dumps({**GOOD, "url": "https://www.yna.co.kr/view/AKR2", "published": "어제"}),
        json.dumps({**GOOD, "url": "https://www.yna.co.kr/view/AKR3"}),
    ])
    report = import_jsonl(db, [path])
    assert [e.line_no for e in report.errors] == [2, 3, 4, 5]
    assert "published" in report.errors[2].message
    assert report.inserted == 2


def test_a_line_with_a_bad_figure_is_not_half_imported(db, tmp_path):
    bad = {**GOOD, "blocks": [{"kind": "paragraph", "text": "본문"},
                              {"kind": "figure", "image_url": "javascript:alert(1)"}]}
    report = import_jsonl(db, [write_lines(tmp_path / "in.jsonl", [json.dumps(bad)])])
    assert report.inserted == 0 and len(report.errors) == 1
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM articles").scalar() == 0


def test_reimport_of_a_changed_line_is_a_revision(db, tmp_path):
    import_jsonl(db, [write_lines(tmp_path / "a.jsonl", [json.dumps(GOOD)])])
    changed = {**GOOD, "text": "고친 문단입니다."}
    report = import_jsonl(db, [write_lines(tmp_path / "b.jsonl", [json.dumps(changed)])])
    assert report.saved.revised == [1]


def test_sample_has_the_seed_article_word_for_word(db):
    seed_text = (Path(__file__).resolve().parents[2] / "shared" / "data" / "seed"
                 / "ranknews-page.txt")
    report = load_sample(db)
    assert not report.errors
    with db.read() as conn:
        article = get_article(conn, max(report.saved.inserted))
        seed_rows = [get_article(conn, n) for n in range(35159, 35179)]
    assert article.title == "메타 AI 칩 ‘MTIA’ 수주 가능성"
    assert article.subtitles == ("아마존·퀄컴 등 수장 잇따라 만나",)
    assert article.figures[0].credit == "삼성전자 제공"
    assert article.outlet == "경향신문"
    assert "이재용 회장은 지난 11일(현지시간)" in article.text
    assert seed_rows[-1].tags == ("단독",)
    assert all(r.published_at.astimezone().year == 2024 for r in seed_rows)
    if seed_text.exists():  # word for word against the seed page itself
        seed = seed_text.read_text(encoding="utf-8")
        for paragraph in article.paragraphs:
            assert paragraph in seed
        assert f"{article.figures[0].caption} {article.figures[0].credit}" in seed


def test_sample_loads_twice_without_new_posts(db):
    load_sample(db)
    again = load_sample(db)
    assert again.inserted == 0 and not again.errors


def test_cli_import_reports_line_numbers(tmp_path):
    path = write_lines(tmp_path / "in.jsonl", [json.dumps(GOOD), "oops"])
    db_url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    run = subprocess.run([sys.executable, "-m", "ranknews", "import", str(path), "--db", db_url],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "새 글 1건" in run.stdout
    assert ":2:" in run.stderr and "JSON" in run.stderr
    assert "오류 1줄" in run.stdout  # the bad line is counted in the summary too


def test_cli_gives_a_clean_message_for_a_corrupt_database(tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"\x00garbage" * 500)
    run = subprocess.run([sys.executable, "-m", "ranknews", "hide", "1", "--reason", "x",
                          "--db", f"sqlite:///{bad}"], capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "데이터베이스" in run.stderr


def test_demo_command_builds_a_fresh_board(tmp_path):
    run = subprocess.run([sys.executable, "-m", "ranknews", "demo", "--no-serve",
                          "--data-dir", str(tmp_path)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    loaded = re.search(r"예시 기사 (\d+)건", run.stdout)
    assert loaded and int(loaded.group(1)) > 0
    assert (tmp_path / "ranknews.sqlite3").exists()


def _lines(count: int) -> list[str]:
    lines = []
    for n in range(count):
        record = {**GOOD, "url": f"https://www.yna.co.kr/view/AKR{n}",
                  "title": f"기사 {n}번 제목", "text": f"{n}번 기사의 본문입니다.\n둘째 문단 {n}."}
        lines.append(json.dumps(record, ensure_ascii=False))
    lines[3] = "{broken"
    lines[11] = lines[10]  # the same post again, unchanged
    lines[25] = json.dumps({**json.loads(lines[10]), "text": "고친 본문"}, ensure_ascii=False)
    return lines


def test_worker_processes_give_what_one_process_gives(db, tmp_path, monkeypatch):
    """Large files are prepared by forked workers in chunks; the result (numbers in file
    order, line numbers of errors, accounting) is what preparing in-process gives."""
    import ranknews.pipeline.importing as importing

    monkeypatch.setattr(importing, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(importing, "CHUNK_LINES", 7)
    lines = _lines(40)
    parallel = import_jsonl(db, [write_lines(tmp_path / "a.jsonl", lines)], workers=2)
    assert parallel.workers == 2
    assert [e.line_no for e in parallel.errors] == [4]
    assert parallel.inserted == 37 and parallel.articles == 39 and parallel.repeated == 2
    assert parallel.saved.unchanged == [10] and parallel.saved.revised == [10]
    with db.read() as conn:
        assert [get_article(conn, n).url for n in (1, 3, 4)] == [
            "https://www.yna.co.kr/view/AKR0", "https://www.yna.co.kr/view/AKR2",
            "https://www.yna.co.kr/view/AKR4"]
        assert get_article(conn, 10).paragraphs == ["고친 본문"]
    inline = import_jsonl(db, [write_lines(tmp_path / "b.jsonl", lines)], workers=1)
    assert inline.workers == 0 and [e.line_no for e in inline.errors] == [4]
    assert inline.articles == 39 and not inline.inserted  # all stored already


def test_database_opened_once_the_workers_are_preparing(tmp_path, monkeypatch):
    """The CLI hands import_jsonl a function that opens the database: the workers are forked
    and busy with the first chunks before it runs (loading SQLAlchemy and checking the
    schema then overlap their work), and what is stored is the same."""
    import multiprocessing

    import ranknews.pipeline.importing as importing

    monkeypatch.setattr(importing, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(importing, "CHUNK_LINES", 5)
    url = f"sqlite:///{tmp_path / 'opened.sqlite3'}"
    workers_at_open: list[int] = []

    def opener():
        workers_at_open.append(len(multiprocessing.active_children()))
        return open_database(url, create=True)

    report = import_jsonl(opener, [write_lines(tmp_path / "a.jsonl", _lines(40))],
                          dialect="sqlite", workers=2)
    assert workers_at_open == [2]
    assert report.inserted == 37 and [e.line_no for e in report.errors] == [4]
    db = open_database(url)
    with db.read() as conn:
        assert get_article(conn, 37).url == "https://www.yna.co.kr/view/AKR39"
    db.dispose()
    with pytest.raises(ValueError, match="dialect"):
        import_jsonl(opener, [tmp_path / "a.jsonl"])


def test_a_database_that_fails_to_open_stops_the_workers(tmp_path, monkeypatch):
    """A corrupt database found after the workers started: a clean Korean error, no
    traceback, and the command ends instead of waiting for lines nobody will save."""
    import ranknews.pipeline.importing as importing

    monkeypatch.setattr(importing, "PARALLEL_MIN_BYTES", 0)
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"\x00garbage" * 500)
    body = "본문 문장입니다. " * 200  # 4 MB in all: the CLI prepares it in worker processes
    path = write_lines(tmp_path / "in.jsonl", [
        json.dumps({**GOOD, "url": f"https://www.yna.co.kr/view/AKR{n}", "text": body},
                   ensure_ascii=False) for n in range(1500)])
    assert path.stat().st_size >= 4_000_000
    with pytest.raises(DatabaseError):
        import_jsonl(lambda: open_database(f"sqlite:///{bad}", create=True), [path],
                     dialect="sqlite", workers=2)
    run = subprocess.run([sys.executable, "-m", "ranknews", "import", str(path), "--db",
                          f"sqlite:///{bad}"], capture_output=True, text=True, check=False,
                         timeout=60)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "데이터베이스" in run.stderr


def test_cli_summary_accounts_for_every_line(tmp_path):
    path = write_lines(tmp_path / "in.jsonl", _lines(30))
    run = subprocess.run([sys.executable, "-m", "ranknews", "import", str(path), "--db",
                          f"sqlite:///{tmp_path / 'cli.sqlite3'}"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    summary = " ".join(run.stdout.split())
    assert "읽은 기사 30줄: 새 글 27건, 수정 1건, 변경 없음 1건 (그중 같은 글의 중복 2건), " \
           "오류 1줄" in summary
    assert "중복" in run.stderr


def test_bulk_import_leaves_sqlite_settings_as_they_were(db, tmp_path):
    if db.dialect != "sqlite":
        pytest.skip("SQLite only")
    import_jsonl(db, [write_lines(tmp_path / "a.jsonl", _lines(30))])
    with db.write() as conn:
        driver = conn.connection.driver_connection
        assert driver.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
        assert driver.execute("PRAGMA cache_size").fetchone()[0] == -2000
        assert driver.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert driver.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_an_import_into_postgresql_copies_new_posts_rows_and_compresses_with_lz4(db, tmp_path):
    # the server's share of an import (docs/postgresql.md, "Import"): new posts' rows, their
    # dedup keys and tasks go in by COPY, not one upsert per row; large columns use lz4
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    from ranknews.store import driver

    seen: list[str] = []
    driver.observers.append(lambda sql, params: seen.append(sql.split("(")[0].strip()))
    try:
        report = import_jsonl(db, [write_lines(tmp_path / "a.jsonl", _lines(30))], workers=1)
    finally:
        driver.observers.pop()
    assert report.inserted == 27
    assert {"COPY articles", "COPY article_keys", "COPY tasks"} <= set(seen)
    assert not any(s.startswith(("INSERT INTO tasks", "INSERT INTO article_keys")) for s in seen)
    with db.read() as conn:
        server = conn.exec_driver_sql("SHOW server_version_num").scalar()
        methods = dict(conn.exec_driver_sql(
            "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'articles'::regclass"
            " AND attname IN ('blocks', 'summary', 'title')").all())
    if int(server) >= 140000:
        assert methods == {"blocks": "l", "summary": "l", "title": ""}


def test_paragraph_whitespace_is_collapsed_whatever_the_space_character():
    """The fast paths of paragraph tidying give what splitting into words gives, for every
    character Python counts as whitespace (tabs, NBSP, ideographic space, U+2028…)."""
    import random

    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    rng = random.Random(7)
    alphabet = [*"가나 a.", *spaces]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        article = article_from_record({**GOOD, "text": text})
        expected = [p for p in (" ".join(line.split()) for line in text.splitlines()) if p]
        assert article.paragraphs == expected, repr(text)
