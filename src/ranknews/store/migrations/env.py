"""Alembic environment: ranknews always passes its own connection (see store/db.py)."""

from alembic import context
from sqlalchemy import create_engine

from ranknews.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:  # noqa: ANN001
    context.configure(connection=conn, target_metadata=metadata,
                      render_as_batch=conn.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # the alembic command line, pointed at a URL
    with create_engine(config.get_main_option("sqlalchemy.url")).begin() as conn:
        _run(conn)
