"""`rotate-keys` while the app runs: no process ever wraps a data key under a discarded master
key, and none answers with a 500. Real servers (`flask --app wsgi serve`) and the real command."""

import threading
import uuid

from helpers import client_form
from live import AppProcess, Session, app_env, flask_command
from sqlalchemy import func, select
from support import PASSWORD, TEST_MASTER_KEY

from app import audit, codelists, crypto, keys
from app.auth import passwords
from app.db import session
from app.models import Account, Organisation


def _key_file(instance, key: str = TEST_MASTER_KEY) -> None:
    """The database of the test was written under TEST_MASTER_KEY: put that key in the file."""
    instance.mkdir(parents=True, exist_ok=True)
    crypto.write_key_file(crypto.master_key_path(str(instance)), crypto.decode_key(key))


def _rotate(instance, db_url, master_key=None) -> str:
    result = flask_command(app_env(instance, db_url, master_key), "rotate-keys")
    assert result.returncode == 0, result.stderr
    return result.stdout


def _org_with_named_client(server, email: str, name: str) -> Session:
    s = Session(server)
    assert s.login(email, PASSWORD)[0] == 302
    status, headers, _ = s.post("/clienten/nieuw", client_form(naam=name, dubbel_bevestigd="y"))
    assert status == 302 and headers["Location"].startswith("/clienten/1/")
    return s


def _beheerder_creates_org(server, admin_email: str, name: str):
    s = Session(server)
    assert s.login(admin_email, PASSWORD)[0] == 302
    return s.post("/beheer/organisaties/nieuw",
                  {"name": name, "region": "limburg", "email": f"{uuid.uuid4().hex[:8]}@example.be"})


def _give_password(app, org_name: str) -> str:
    """The invited login of an organisation gets a password (instead of following the mail)."""
    with app.app_context():
        account = session.scalar(select(Account).join(Organisation)
                                 .where(Organisation.name == org_name))
        account.password_hash = passwords.hash_password(PASSWORD)
        session.commit()
        return account.email


def _name_shown(server, email: str, name: str) -> bool:
    s = Session(server)
    assert s.login(email, PASSWORD)[0] == 302
    status, _, page = s.get("/clienten/1")
    assert status == 200, page
    return name in page


def test_key_file_rotated_while_serving_loses_no_name(app, db_url, tmp_path, make_org, make_admin):
    instance = tmp_path / "server"
    _key_file(instance)
    _, old_email = make_org(name="Van voordien")
    admin = make_admin("limburg")
    server = AppProcess(instance, db_url, threads=4, master_key=None)
    try:
        existing = _org_with_named_client(server, old_email, "Anna Voordien")
        _rotate(instance, db_url)
        # the running process creates an organisation's data key after the rotation
        status, _, page = _beheerder_creates_org(server, admin, "Na de rotatie")
        assert status == 302, page
        new_email = _give_password(app, "Na de rotatie")
        _org_with_named_client(server, new_email, "Bert Nadien")
        # existing names stay readable in the same process: it loaded the new key by itself
        status, _, page = existing.get("/clienten/1")
        assert status == 200 and "Anna Voordien" in page
        assert "master key was rotated" in server.log_text()
    finally:
        server.stop()
    assert crypto.decode_key((instance / "master.key").read_text()) != crypto.decode_key(
        TEST_MASTER_KEY)
    restarted = AppProcess(instance, db_url, threads=4, master_key=None)
    try:
        assert _name_shown(restarted, new_email, "Bert Nadien")
        assert _name_shown(restarted, old_email, "Anna Voordien")
    finally:
        restarted.stop()


def test_environment_key_rotated_while_serving_refuses_until_restart(app, db_url, tmp_path,
                                                                     make_org, make_admin):
    instance = tmp_path / "server"
    _, email = make_org(name="Van voordien")
    admin = make_admin("limburg")
    server = AppProcess(instance, db_url, threads=4)  # MASTER_KEY from the environment
    try:
        existing = _org_with_named_client(server, email, "Anna Voordien")
        new_key = _rotate(tmp_path / "operator", db_url, TEST_MASTER_KEY).strip().splitlines()[-1]
        # reading a name: a Dutch 503, no name, no 500
        for path in ("/clienten/1", "/dashboard"):
            status, _, page = existing.get(path)
            assert status == 503, path
            assert "De sleutel werd vernieuwd; de toepassing moet herstart worden" in page
            assert "Anna Voordien" not in page and "Traceback" not in page
        # creating an organisation: refused, nothing saved (no data key under the old key)
        status, _, page = _beheerder_creates_org(server, admin, "Tijdens de rotatie")
        assert status == 503 and "de toepassing moet herstart worden" in page
        with app.app_context():
            assert session.scalar(select(func.count()).select_from(Organisation)
                                  .where(Organisation.name == "Tijdens de rotatie")) == 0
        assert "refused: the master key was rotated" in server.log_text()
    finally:
        server.stop()
    restarted = AppProcess(instance, db_url, threads=4, master_key=new_key)
    try:
        assert _name_shown(restarted, email, "Anna Voordien")
        status, _, page = _beheerder_creates_org(restarted, admin, "Na de herstart")
        assert status == 302, page
        _org_with_named_client(restarted, _give_password(app, "Na de herstart"), "Bert Nadien")
    finally:
        restarted.stop()
    with app.app_context():
        org = session.scalar(select(Organisation).where(Organisation.name == "Na de herstart"))
        crypto.unwrap_data_key(crypto.decode_key(new_key), org.data_key, org.id)  # opens


def test_organisation_created_during_the_rotation_transaction_gets_the_new_key(
        make_app, tmp_path, monkeypatch):
    """The rotation is held open between re-wrapping and its commit while another process
    creates an organisation: that one must end up under the new key (waiting for the rotation
    and seeing it, or committing first and being re-wrapped)."""
    instance = tmp_path / "instance"
    _key_file(instance)
    rotating = make_app(MASTER_KEY=None)
    serving = make_app(MASTER_KEY=None)
    holding, go = threading.Event(), threading.Event()
    record = audit.record

    def paused_record(kind, **details):
        if kind == "key_rotation":  # after the re-wrap, before the commit
            holding.set()
            go.wait(30)
        return record(kind, **details)

    monkeypatch.setattr(audit, "record", paused_record)
    results = {}

    def rotate():
        results["rotate"] = rotating.test_cli_runner().invoke(args=["rotate-keys"])

    def create():
        with serving.app_context():
            try:
                from app.accounts import create_organisation
                create_organisation("Tijdens de rotatie", f"{uuid.uuid4().hex[:8]}@example.be",
                                    codelists.region_by_code("limburg"), PASSWORD)
                results["create"] = "ok"
            except Exception as exc:  # noqa: BLE001 - reported in the assertion below
                results["create"] = repr(exc)

    rotation = threading.Thread(target=rotate)
    rotation.start()
    assert holding.wait(30)
    creation = threading.Thread(target=create)
    creation.start()
    creation.join(1.5)  # it waits for the rotation (or, unguarded, it would be done by now)
    go.set()
    rotation.join(60)
    creation.join(60)
    assert results["rotate"].exit_code == 0, results["rotate"].output
    assert results["create"] == "ok"
    new = crypto.decode_key((instance / "master.key").read_text())
    with serving.app_context():
        org = session.scalar(select(Organisation).where(Organisation.name == "Tijdens de rotatie"))
        crypto.unwrap_data_key(new, org.data_key, org.id)  # raises when wrapped under the old key
        assert keys.master_key() == new


def test_a_second_rotation_with_a_stale_key_changes_nothing(make_app, make_org, tmp_path):
    """Two operators: the one whose process started before the other's rotation is refused."""
    instance = tmp_path / "instance"
    _key_file(instance)
    make_org()
    first, second = make_app(MASTER_KEY=None), make_app(MASTER_KEY=None)
    assert first.test_cli_runner().invoke(args=["rotate-keys"]).exit_code == 0
    key_after_first = (instance / "master.key").read_text()
    result = second.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 1 and "rotated meanwhile" in result.output
    assert (instance / "master.key").read_text() == key_after_first
    assert not keys.pending_key_path(instance / "master.key").exists()
    make_app(MASTER_KEY=None)  # starts: the key file opens the database
