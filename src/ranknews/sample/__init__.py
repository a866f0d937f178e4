"""The bundled demo sample: real articles, small, with their sources in SOURCES.md."""

from __future__ import annotations

from pathlib import Path

from ranknews.pipeline import ImportReport, import_jsonl
from ranknews.store import Database

SAMPLE = Path(__file__).with_name("articles.jsonl")


def load_sample(db: Database) -> ImportReport:
    """Import the bundled sample; running it twice changes nothing."""
    return import_jsonl(db, [SAMPLE])
