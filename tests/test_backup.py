"""flask backup PATH makes a consistent copy that restores into a fresh instance with every name."""

import shutil
import subprocess
import uuid

import pytest
from helpers import add_client
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from support import CsrfClient, login

from app import create_app
from app.db import get_engine, session
from app.models import Client


def test_backup_restores_into_a_fresh_instance(app, org_client, tmp_path, db_url):
    for i in range(5):
        add_client(org_client, naam=f"Persoon {i}")
    target = tmp_path / "backups" / "az.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.exists() and "master key" in result.output
    assert target.stat().st_mode & 0o777 == 0o600
    if db_url.startswith("sqlite"):
        restored_url = f"sqlite:///{tmp_path}/restored.sqlite"
        shutil.copy(target, tmp_path / "restored.sqlite")
    else:
        if not shutil.which("pg_restore"):
            pytest.skip("pg_restore is not installed")
        u = make_url(db_url)
        name = f"az_restore_{uuid.uuid4().hex[:8]}"
        import psycopg
        with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        subprocess.run(["pg_restore", "--no-owner", "-h", u.host, "-p", str(u.port or 5432), "-U",
                        u.username, "-d", name, str(target)], check=True, capture_output=True)
        restored_url = str(u.set(database=name).render_as_string(hide_password=False))
    fresh = create_app({"DATABASE_URL": restored_url, "MASTER_KEY": app.config["MASTER_KEY"],
                        "SECRET_KEY": "s", "INSTANCE_PATH": str(tmp_path / "fresh-instance")})
    fresh.test_client_class = CsrfClient
    try:
        with fresh.app_context():
            assert session.scalar(select(func.count()).select_from(Client)) == 5
        c = fresh.test_client()
        login(c, org_client.email)
        page = c.get("/dashboard").get_data(as_text=True)
        assert all(f"Persoon {i}" in page for i in range(5))
    finally:
        with fresh.app_context():
            get_engine().dispose()
        if not db_url.startswith("sqlite"):
            with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname="postgres",
                                 autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
