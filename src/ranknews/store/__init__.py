"""Storage: SQLAlchemy Core schema, one module of queries per entity, Alembic migrations.

SQLite (default) and PostgreSQL run the same code and the same tests.

``Database`` and ``open_database`` are loaded on first use, so that ``store.prepare`` (what
the importer's worker processes run) can be imported without SQLAlchemy and Alembic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ranknews.store.db import Database, open_database

__all__ = ["Database", "open_database"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ranknews.store import db
        return getattr(db, name)
    raise AttributeError(f"module 'ranknews.store' has no attribute {name!r}")
