"""Storage: SQLAlchemy Core schema, one module of queries per entity, Alembic migrations.

SQLite (default) and PostgreSQL run the same code and the same tests.
"""

from ranknews.store.db import Database, open_database

__all__ = ["Database", "open_database"]
