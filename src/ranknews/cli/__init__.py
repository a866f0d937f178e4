"""The command line: thin commands over the library. Errors become one Korean line, no traceback.

Each stage's commands live in their own module and register on ``app``.
"""

from __future__ import annotations

from ranknews.cli.common import app

# Command modules register themselves on import.
# One import a line (fewer merge conflicts between stages).
from ranknews.cli import board  # noqa: E402,F401
from ranknews.cli import demo  # noqa: E402,F401
from ranknews.cli import extract  # noqa: E402,F401
from ranknews.cli import web  # noqa: E402,F401
from ranknews.cli import collect  # noqa: E402,F401
from ranknews.cli import stories  # noqa: E402,F401
from ranknews.cli import rank  # noqa: E402,F401
from ranknews.cli import search  # noqa: E402,F401


def main() -> None:
    app()
