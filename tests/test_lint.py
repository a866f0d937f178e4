"""The code passes the project's linter (rules in pyproject.toml's [tool.ruff])."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def ruff() -> str:
    here = Path(sys.executable).with_name("ruff")
    found = str(here) if here.exists() else shutil.which("ruff")
    assert found, "ruff is missing: it comes with the test extra (pip install -e '.[test]')"
    return found


def test_ruff_finds_nothing():
    result = subprocess.run([ruff(), "check", "src", "benchmarks", "tests", "scripts"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
