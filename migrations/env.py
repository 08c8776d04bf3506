"""Alembic environment: runs against the app's engine (or a connection handed in by upgrade-db)."""

from alembic import context

from app.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from app import create_app
    from app.db import get_engine

    with create_app().app_context():
        with get_engine().connect() as conn:
            _run(conn)
