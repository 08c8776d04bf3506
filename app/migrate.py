"""Applying the Alembic migrations from inside the app, and checking them against the models."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from .db import get_engine
from .models import Base

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _config(connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade() -> None:
    """Bring the database to the newest migration (creating the SQLite file if needed)."""
    with get_engine().begin() as conn:
        command.upgrade(_config(conn), "head")


def prepare() -> bool:
    """What `upgrade-db` does, in one place (the command, the tests' databases and the screenshots
    call it): the newest migration, then the regions and code lists when missing, the master
    key's check value and the data-version tokens; commits. True when it seeded the lists."""
    from . import codelists, dataversion, keys
    from .db import session
    upgrade()
    seeded = codelists.seed()
    keys.ensure_check_value()
    dataversion.ensure()
    session.commit()
    return seeded


def differences() -> list:
    """What the migrated schema lacks compared with the models (empty when in sync)."""
    with get_engine().connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)
