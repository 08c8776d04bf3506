"""Client names: encrypted at rest, bound to their row, only on the organisation's own pages."""

import logging
import shutil
import subprocess

import pytest
from conftest import PG_URL, login
from helpers import add_client, add_period
from sqlalchemy import select

from app import create_app, crypto
from app.db import get_engine, session
from app.models import Client

CANARY = "ZZCANARY"


def _all_urls(app):
    return [r.rule for r in app.url_map.iter_rules()
            if "GET" in r.methods and not r.arguments and r.endpoint != "static"]


def test_canary_name_is_nowhere_but_its_own_pages(app, make_org, make_admin, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    a, b, admin = app.test_client(), app.test_client(), app.test_client()
    login(a, make_org(name="A")[1])
    login(b, make_org(name="B")[1])
    login(admin, make_admin(None))
    nr = add_client(a, naam=f"{CANARY} Jansens")
    add_period(a, nr, startdatum="2024-01-01")
    add_client(b)
    assert CANARY in a.get(f"/clienten/{nr}").get_data(as_text=True)
    assert CANARY in a.get("/dashboard").get_data(as_text=True)
    for c in (b, admin):
        for url in _all_urls(app) + ["/clienten/1", "/clienten/1/bewerken", "/dashboard?tab=inactief"]:
            assert CANARY.encode() not in c.get(url).get_data(), url
    assert CANARY not in caplog.text
    with app.app_context():
        get_engine().dispose()  # checkpoint-free: read the main file and the WAL as they are
        url = app.config["SQLALCHEMY_URL"]
        if url.startswith("sqlite"):
            path = url.split("sqlite:///")[1]
            blob = b"".join(open(p, "rb").read() for p in (path, path + "-wal")
                            if __import__("os").path.exists(p))
        else:
            if not shutil.which("pg_dump"):
                pytest.skip("pg_dump is not installed")
            from sqlalchemy.engine import make_url
            u = make_url(url)
            blob = subprocess.run(["pg_dump", "-h", u.host, "-p", str(u.port or 5432), "-U",
                                   u.username, u.database], capture_output=True, check=True).stdout
    assert len(blob) > 10_000
    assert CANARY.encode() not in blob and CANARY.encode("utf-16-le") not in blob


def test_ciphertext_moved_to_another_row_does_not_decrypt(app, org_client):
    add_client(org_client, naam="Eerste")
    add_client(org_client, naam="Tweede")
    with app.app_context():
        c1, c2 = session.scalars(select(Client).order_by(Client.nr)).all()
        c2.name_enc = c1.name_enc
        session.commit()
    page = org_client.get("/clienten/2").get_data(as_text=True)
    assert "Eerste" not in page and "(naam onleesbaar)" in page


def test_wrong_master_key_refuses_to_start(app, db_url, tmp_path):
    other = crypto.encode_key(bytes(32))
    with pytest.raises(crypto.MasterKeyError):
        create_app({"DATABASE_URL": db_url, "MASTER_KEY": other, "INSTANCE_PATH": str(tmp_path / "x"),
                    "SECRET_KEY": "x"})


def test_master_key_file_is_created_private(db_url, tmp_path):
    if not db_url.startswith("sqlite"):
        pytest.skip("the key-file check needs no database; done once on SQLite")
    inst = tmp_path / "fresh"
    from app import keys  # noqa: F401
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite", "INSTANCE_PATH": str(inst),
                      "MASTER_KEY": None})
    key_file = inst / "master.key"
    assert key_file.exists() and (key_file.stat().st_mode & 0o777) == 0o600
    with app.app_context():
        get_engine().dispose()


def test_rotate_keys_keeps_every_name(app, org_client, db_url, tmp_path):
    for i in range(3):
        add_client(org_client, naam=f"Naam {i}")
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    new_key = result.output.strip().splitlines()[-1]
    with pytest.raises(crypto.MasterKeyError):  # the old key no longer opens the database
        create_app({"DATABASE_URL": db_url, "MASTER_KEY": app.config["MASTER_KEY"],
                    "INSTANCE_PATH": str(tmp_path / "old"), "SECRET_KEY": "x"})
    rotated = create_app({"DATABASE_URL": db_url, "MASTER_KEY": new_key, "SECRET_KEY": "test-secret-key",
                          "INSTANCE_PATH": str(tmp_path / "new"), "BASE_URL": "http://arbeidszorg.test"})
    from conftest import CsrfClient
    rotated.test_client_class = CsrfClient
    c = rotated.test_client()
    login(c, org_client.email)
    page = c.get("/dashboard").get_data(as_text=True)
    assert all(f"Naam {i}" in page for i in range(3))
    with rotated.app_context():
        get_engine().dispose()


def test_rotate_keys_with_key_file_replaces_the_file(db_url, tmp_path):
    if PG_URL:
        pytest.skip("file-based rotation is database-independent; run on SQLite")
    from conftest import _prepare
    url = f"sqlite:///{tmp_path}/k.sqlite"
    inst = tmp_path / "inst"
    cfg = {"DATABASE_URL": url, "INSTANCE_PATH": str(inst), "MASTER_KEY": None, "SECRET_KEY": "x"}
    app = create_app(cfg)
    with app.app_context():
        from app import codelists, keys, migrate
        migrate.upgrade()
        codelists.seed()
        keys.ensure_check_value()
        session.commit()
    before = (inst / "master.key").read_text()
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    after = (inst / "master.key").read_text()
    assert before != after and (inst / "master.key").stat().st_mode & 0o777 == 0o600
    create_app(cfg)  # starts with the new key from the file
    assert _prepare  # imported helper exists
