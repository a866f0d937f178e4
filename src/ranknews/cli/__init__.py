"""The command line: thin commands over the library. Errors become one Korean line, no traceback.

Each stage's commands live in their own module and register on ``app``.
"""

from __future__ import annotations

# Command modules register themselves on import.
# One import a line (fewer merge conflicts between stages).
from ranknews.cli import (
    board,  # noqa: E402,F401
    collect,  # noqa: E402,F401
    demo,  # noqa: E402,F401
    extract,  # noqa: E402,F401
    rank,  # noqa: E402,F401
    search,  # noqa: E402,F401
    stories,  # noqa: E402,F401
    users,  # noqa: E402,F401
    web,  # noqa: E402,F401
    work,  # noqa: E402,F401
)
from ranknews.cli.common import app


def main() -> None:
    app()
