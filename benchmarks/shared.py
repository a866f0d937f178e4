"""Where the real data is, for every benchmark: ``$RANKNEWS_SHARED_DATA``, else the nearest
``shared/data`` folder above this checkout (``../shared/data``, as tests/conftest.py finds it)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_data() -> Path:
    if os.environ.get("RANKNEWS_SHARED_DATA"):
        return Path(os.environ["RANKNEWS_SHARED_DATA"])
    for parent in ROOT.parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return ROOT.parent / "shared" / "data"
