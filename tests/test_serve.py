"""`ranknews serve` as an operator runs it: a real server process (granian, two workers that
build their app from the environment), and a clear message for a database it cannot use."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from board_data import load, record

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "ranknews", "serve", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


@pytest.mark.parametrize("server", ["granian", "uvicorn"])
def test_serve_with_two_workers(db, database_url, tmp_path, server):
    load(db, tmp_path, [record(i) for i in range(25)])
    port = _free_port()
    proc = _serve("--db", database_url, "--port", str(port), "--workers", "2",
                  "--server", server)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=5)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"server did not start: {proc.stderr.read() if proc.poll() else ''}")
                time.sleep(0.2)
        assert health.json()["posts"] == 25
        page = httpx.get(base + "/")
        assert page.status_code == 200 and "기사 제목 24" in page.text
        for _ in range(6):  # both workers answer from their caches with the same ETag
            again = httpx.get(base + "/", headers={"If-None-Match": page.headers["etag"]})
            assert again.status_code == 304
        assert httpx.get(base + "/?page=x").status_code == 400
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_serve_refuses_a_foreign_file_with_a_clear_message(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    proc = _serve("--db", f"sqlite:///{junk}", "--port", str(_free_port()))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "데이터베이스를 열 수 없습니다" in err and "Traceback" not in err
