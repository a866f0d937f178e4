"""The package's layers: the store only reads and writes rows, so it imports no stage."""

from __future__ import annotations

import ast
from pathlib import Path

import ranknews

PACKAGE = Path(ranknews.__file__).parent
# what the store may import from the package: itself and the leaf modules beside it
LEAVES = {"store", "models", "dates", "errors", "limits", "config", "logs"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):  # function-level imports count too
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def stages_imported_by(folder: Path) -> dict[str, set[str]]:
    """The stage modules each file under ``folder`` imports, by its path in ``folder``."""
    bad: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "ranknews" and len(parts) > 1 and parts[1] not in LEAVES:
                bad.setdefault(str(path.relative_to(folder)), set()).add(module)
    return bad


def test_the_store_imports_no_stage():
    assert stages_imported_by(PACKAGE / "store") == {}


def test_the_check_sees_a_planted_stage_import(tmp_path):
    (tmp_path / "planted.py").write_text("def f():\n    from ranknews.search.query import x\n",
                                         encoding="utf-8")
    assert stages_imported_by(tmp_path) == {"planted.py": {"ranknews.search.query"}}
