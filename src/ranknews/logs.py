"""Structured logs: one line per event, key=value (default) or JSON, naming URL and reason.

    log_event(logger, "fetch_failed", url=..., kind="timeout", reason="시간 초과")
    → 2024-06-16T01:00:00Z WARNING ranknews.collect fetch_failed url=... kind=timeout
      reason="시간 초과"
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any, TextIO


def log_event(logger: logging.Logger, event: str, *, level: int = logging.INFO,
              **fields: Any) -> None:
    logger.log(level, event, extra={"fields": fields})


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        parts = [_time(record), record.levelname, record.name, record.getMessage()]
        for key, value in getattr(record, "fields", {}).items():
            parts.append(f"{key}={_kv(value)}")
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": _time(record), "level": record.levelname, "logger": record.name,
                "event": record.getMessage(), **getattr(record, "fields", {})}
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(fmt: str = "kv", *, level: int = logging.INFO,
                      stream: TextIO | None = None) -> None:
    """Send ranknews's logs to ``stream`` (stderr) in the chosen format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    root = logging.getLogger("ranknews")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kv(value: Any) -> str:
    text = str(value)
    if not text or any(c in text for c in ' "=\n\t'):
        return json.dumps(text, ensure_ascii=False)
    return text
