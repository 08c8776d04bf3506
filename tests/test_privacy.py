"""Client names: encrypted at rest, bound to their row, only on the organisation's own pages."""

import logging
import os
import shutil
import subprocess

import pytest
from helpers import add_client, add_period
from sqlalchemy import select
from support import PASSWORD, PG_URL, CsrfClient, login

from app import codelists, create_app, crypto, migrate
from app.accounts import create_organisation
from app.backup import backup
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
    from support import CsrfClient
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
    from support import _prepare
    url = f"sqlite:///{tmp_path}/k.sqlite"
    inst = tmp_path / "inst"
    cfg = {"DATABASE_URL": url, "INSTANCE_PATH": str(inst), "MASTER_KEY": None, "SECRET_KEY": "x"}
    app = create_app(cfg)
    with app.app_context():
        migrate.prepare()
    before = (inst / "master.key").read_text()
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    after = (inst / "master.key").read_text()
    assert before != after and (inst / "master.key").stat().st_mode & 0o777 == 0o600
    create_app(cfg)  # starts with the new key from the file
    assert _prepare  # imported helper exists


def test_instance_files_are_readable_by_the_app_user_only(tmp_path):
    """The default instance (SQLite database, key files, mails as .eml files): the folders are
    0700 and every file the app writes is 0600, whatever the umask, and a folder or database
    left by an older version with looser modes is tightened on the next start."""
    if PG_URL:
        pytest.skip("the instance files are database-independent; checked on SQLite")
    def mode(path):
        return oct(path.stat().st_mode & 0o777)

    inst = tmp_path / "instance"
    config = {"INSTANCE_PATH": str(inst), "DATABASE_URL": None, "MASTER_KEY": None,
              "SECRET_KEY": None, "MAIL_SERVER": None, "BASE_URL": "http://arbeidszorg.test",
              "RATELIMIT_STORAGE_URI": "memory://"}
    umask = os.umask(0o022)  # a usual umask: files 0644 and folders 0755 unless made private
    try:
        app = create_app(config)
        app.test_client_class = CsrfClient
        with app.app_context():
            migrate.prepare()
            region = codelists.region_by_code("limburg")
            _, sent = create_organisation("Uitgenodigd", "uitnodiging@example.be", region, None)
            assert sent  # the invitation mail, with its link, went to instance/mail/
            create_organisation("Schrijver", "schrijver@example.be", region, PASSWORD)
            session.commit()
        c = app.test_client()
        assert login(c, "schrijver@example.be").status_code == 302
        add_client(c, naam=f"{CANARY} Modus")  # a write: the database and its WAL
        with app.app_context():
            backup_file = backup(str(tmp_path / "backups" / "kopie.sqlite"))

        mails = sorted((inst / "mail").glob("*.eml"))
        assert mails and "uitnodiging@example.be" in mails[0].read_text()
        database = inst / "arbeidszorg.sqlite"
        wal = [p for p in (inst / "arbeidszorg.sqlite-wal", inst / "arbeidszorg.sqlite-shm")
               if p.exists()]
        assert wal, "the database runs in WAL mode: its -wal/-shm files are expected"
        folders = [inst, inst / "mail"]
        files = [*mails, database, *wal, inst / "master.key", inst / "secret.key", backup_file]
        assert {str(p.relative_to(tmp_path)): mode(p) for p in folders + files} == \
            {str(p.relative_to(tmp_path)): "0o700" if p in folders else "0o600"
             for p in folders + files}
        with app.app_context():
            get_engine().dispose()

        # an instance left by an older version (0755 folder, 0644 database): tightened at start
        os.chmod(inst, 0o755)
        os.chmod(database, 0o644)
        again = create_app(config)
        assert (mode(inst), mode(database)) == ("0o700", "0o600")
        with again.app_context():
            get_engine().dispose()
    finally:
        os.umask(umask)
