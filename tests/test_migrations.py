"""upgrade-db on a brand-new database gives exactly the schema of the models."""

import uuid

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url
from support import PASSWORD, login

from app import migrate
from app.db import get_engine, session
from app.models import Base, CodeList, Region


def _upgrade_and_check(app):
    result = app.test_cli_runner().invoke(args=["upgrade-db"])
    assert result.exit_code == 0, result.output
    assert "seeded" in result.output
    with app.app_context():
        assert migrate.differences() == []
        tables = set(inspect(get_engine()).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert session.scalar(select(func.count()).select_from(Region)) == 6
        assert session.scalar(select(func.count()).select_from(CodeList)) > 0
    # a second run changes nothing and seeds nothing twice
    again = app.test_cli_runner().invoke(args=["upgrade-db"])
    assert again.exit_code == 0 and "seeded" not in again.output
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(Region)) == 6
    # and the new database is usable
    result = app.test_cli_runner().invoke(args=[
        "create-org", "Nieuw vzw", "--email", "nieuw@example.be", "--region", "limburg",
        "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "nieuw@example.be").status_code == 302


def test_upgrade_db_on_a_brand_new_sqlite_file(make_app, tmp_path):
    path = tmp_path / "gloednieuw.sqlite"
    assert not path.exists()
    app = make_app(DATABASE_URL=f"sqlite:///{path}")
    _upgrade_and_check(app)
    assert path.exists()


def test_upgrade_db_on_a_brand_new_postgresql_database(make_app, database):
    if database.kind != "postgresql":
        pytest.skip("set TEST_DATABASE_URL to run the migrations on PostgreSQL too")
    name = f"az_new_{uuid.uuid4().hex[:10]}"
    database.admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(database.url).set(database=name).render_as_string(hide_password=False)
        app = make_app(DATABASE_URL=url)
        _upgrade_and_check(app)
        with app.app_context():
            get_engine().dispose()
    finally:
        database.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_test_database_schema_matches_the_models(app, database):
    """The database every other test runs on (SQLite or PostgreSQL) is the migrated one."""
    with app.app_context():
        assert get_engine().dialect.name == ("postgresql" if database.kind == "postgresql" else "sqlite")
        assert migrate.differences() == []
