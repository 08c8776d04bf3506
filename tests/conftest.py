"""Fixtures: a migrated database per test (SQLite file or PostgreSQL), app, client, SMTP server."""

import email
import os
import re
import shutil
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from email.message import Message

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from app import codelists, create_app, dataversion, keys, migrate
from app.db import get_engine, session
from app.demo import DEMO_PASSWORD

TEST_MASTER_KEY = "dGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmctISE="  # 32 bytes, tests only
PASSWORD = DEMO_PASSWORD
PG_URL = os.environ.get("TEST_DATABASE_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _base_config(instance: str, url: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": instance,
        "DATABASE_URL": url,
        "MASTER_KEY": TEST_MASTER_KEY,
        "SECRET_KEY": "test-secret-key",
        "BASE_URL": "http://arbeidszorg.test",
        "MAIL_SERVER": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        # beheerders log in with the password only, except in the 2FA tests (tests/test_2fa.py)
        "REQUIRE_2FA_BEHEER": False,
    }


def _prepare(url: str, instance: str) -> None:
    """Migrate and seed a database at url."""
    app = create_app(_base_config(instance, url))
    with app.app_context():
        migrate.upgrade()
        codelists.seed()
        keys.ensure_check_value()
        dataversion.ensure()
        session.commit()
        get_engine().dispose()


class Database:
    """Hands out a clean, migrated, seeded database URL per test."""

    def __init__(self, tmp_root):
        self.tmp_root = tmp_root
        self.kind = "postgresql" if PG_URL else "sqlite"
        if PG_URL:
            import psycopg
            base = make_url(PG_URL)
            try:
                self.admin = psycopg.connect(
                    host=base.host, port=base.port or 5432, user=base.username,
                    dbname=base.database, autocommit=True, connect_timeout=5)
            except psycopg.OperationalError as exc:
                pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}".splitlines()[0])
            self.dbname = f"az_test_{uuid.uuid4().hex[:10]}"
            self.admin.execute(f'CREATE DATABASE "{self.dbname}"')
            self.url = str(base.set(drivername="postgresql+psycopg", database=self.dbname)
                           .render_as_string(hide_password=False))
            _prepare(self.url, str(tmp_root / "template-instance"))
            self.conn = psycopg.connect(
                host=base.host, port=base.port or 5432, user=base.username, password=base.password,
                dbname=self.dbname, autocommit=True, connect_timeout=5)
            self.snapshot = self._take_snapshot()
        else:
            self.template = tmp_root / "template.sqlite"
            _prepare(f"sqlite:///{self.template}", str(tmp_root / "template-instance"))

    _SNAPSHOT = "az_seed_snapshot"

    def _tables(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' "
            "AND tablename <> 'alembic_version' ORDER BY tablename")]

    def _take_snapshot(self) -> bool:
        """Copy the migrated, seeded tables into a side schema, so that each test can get that
        state back by copying rows (much faster than truncating and seeding again). Needs the
        right to skip foreign-key triggers (a superuser); without it fresh() seeds anew."""
        import psycopg
        self.tables = self._tables()
        self.sequences = self.conn.execute(
            "SELECT s.relname, t.relname, a.attname FROM pg_class s "
            "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
            "JOIN pg_class t ON d.refobjid = t.oid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
            "JOIN pg_namespace n ON n.oid = s.relnamespace "
            "WHERE s.relkind = 'S' AND n.nspname = 'public'").fetchall()
        try:
            with self.conn.transaction():
                self.conn.execute("SET LOCAL session_replication_role = replica")
                self.conn.execute(f'CREATE SCHEMA "{self._SNAPSHOT}"')
                for table in self.tables:
                    self.conn.execute(
                        f'CREATE TABLE "{self._SNAPSHOT}"."{table}" AS TABLE public."{table}"')
        except psycopg.errors.InsufficientPrivilege:
            return False
        return True

    def _restore_snapshot(self) -> None:
        with self.conn.transaction():
            self.conn.execute("SET LOCAL session_replication_role = replica")
            for table in self.tables:
                self.conn.execute(f'DELETE FROM public."{table}"')
            for table in self.tables:
                self.conn.execute(
                    f'INSERT INTO public."{table}" SELECT * FROM "{self._SNAPSHOT}"."{table}"')
            for seq, table, column in self.sequences:
                self.conn.execute(
                    f"SELECT setval('public.\"{seq}\"', "
                    f'COALESCE((SELECT max("{column}") FROM public."{table}"), 0) + 1, false)')

    def fresh(self, tmp_path) -> str:
        if self.kind == "sqlite":
            target = tmp_path / "db.sqlite"
            shutil.copy(self.template, target)
            return f"sqlite:///{target}"
        if self.snapshot and self._tables() == self.tables:
            self._restore_snapshot()
            return self.url
        from sqlalchemy import create_engine
        engine = create_engine(self.url)
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                "AND tablename <> 'alembic_version'"))]
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                              + " RESTART IDENTITY CASCADE"))
        engine.dispose()
        _prepare(self.url, str(tmp_path / "seed-instance"))
        return self.url

    def close(self):
        if self.kind == "postgresql":
            self.conn.close()
            self.admin.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            self.admin.close()


_FAST_HASHER = None


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, monkeypatch):
    """Argon2id with the production parameters costs about 0.2 s a hash on a small machine.
    Tests that are not about hashing get cheap argon2id parameters; a test that requests the
    `real_password_hashing` fixture keeps the production hasher."""
    if "real_password_hashing" in request.fixturenames:
        return
    global _FAST_HASHER
    from argon2 import PasswordHasher

    from app.auth import passwords
    if _FAST_HASHER is None:
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        _FAST_HASHER = (hasher, hasher.hash("not-a-real-password-used-for-timing"))
    monkeypatch.setattr(passwords, "_hasher", _FAST_HASHER[0])
    monkeypatch.setattr(passwords, "_DUMMY", _FAST_HASHER[1])


@pytest.fixture
def real_password_hashing():
    """Request this fixture to hash passwords with the production argon2id parameters."""
    from app.auth import passwords
    return passwords._hasher


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    db = Database(tmp_path_factory.mktemp("db"))
    yield db
    db.close()


@pytest.fixture
def db_url(database, tmp_path):
    return database.fresh(tmp_path)


@pytest.fixture
def make_app(db_url, tmp_path):
    """Build an app on this test's database; extra settings override the test defaults."""
    apps = []

    def _make(**overrides):
        config = _base_config(str(tmp_path / "instance"), db_url)
        config.update(overrides)
        application = create_app(config)
        application.test_client_class = CsrfClient
        apps.append(application)
        return application

    yield _make
    for application in apps:
        from app import mailer
        with application.app_context():
            mailer.wait_for_background()
            get_engine().dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@contextmanager
def recorded_statements(app):
    """Collect the SQL statements the app's engine runs inside the with-block."""
    with app.app_context():
        engine = get_engine()
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


class CsrfClient(FlaskClient):
    """A test client that fills in the CSRF token for form posts, like a browser would."""

    def csrf_token(self) -> str:
        page = super().open("/__csrf_probe__", method="GET").get_data(as_text=True)
        match = re.search(r'"X-CSRFToken": "([^"]+)"', page)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def open(self, *args, **kwargs):
        method = kwargs.get("method", "GET")
        data = kwargs.get("data")
        if method == "POST" and kwargs.pop("csrf", True):
            if data is None:
                data = kwargs["data"] = {}
            if isinstance(data, dict) and "csrf_token" not in data:
                data["csrf_token"] = self.csrf_token()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_org(app):
    """Create an organisation with a working login; returns (org_id, email)."""
    from app.accounts import create_organisation

    def _make(name="Testorganisatie", email=None, region="limburg", password=PASSWORD):
        email = email or f"org-{uuid.uuid4().hex[:8]}@example.be"
        with app.app_context():
            org, _ = create_organisation(name, email, codelists.region_by_code(region), password)
            return org.id, email
    return _make


@pytest.fixture
def make_admin(app):
    """Create a beheerder (region code, or None for a superbeheerder); returns its e-mail."""
    from app.accounts import create_admin

    def _make(region="limburg", email=None, password=PASSWORD):
        email = email or f"admin-{uuid.uuid4().hex[:8]}@example.be"
        with app.app_context():
            create_admin(email, codelists.region_by_code(region) if region else None, password)
        return email
    return _make


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def logged_in_client(app, email, password=PASSWORD):
    """A new test client, logged in (fails the test when the login does not succeed)."""
    c = app.test_client()
    assert login(c, email, password).status_code == 302
    return c


@pytest.fixture
def org_client(app, make_org):
    """A client logged in as a fresh organisation; .org_id and .email are attached."""
    org_id, email = make_org()
    c = app.test_client()
    assert login(c, email).status_code == 302
    c.org_id, c.email = org_id, email
    return c


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session_, envelope):
                with sink._lock:
                    sink.messages.append(email.message_from_bytes(envelope.content))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def wait_for(self, count: int = 1, timeout: float = 10) -> list[Message]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} mail(s), got {len(self.messages)}")

    def stop(self):
        self.controller.stop()


@pytest.fixture
def smtp():
    sink = SmtpSink()
    yield sink
    sink.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    """An app that sends its mail to the loopback SMTP server."""
    application = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    application.smtp = smtp
    return application


def text_part(msg: Message) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode("utf-8")
    raise AssertionError("no text part")


def html_part(msg: Message) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode("utf-8")
    raise AssertionError("no html part")


def link_in(msg: Message) -> str:
    match = re.search(r"http://arbeidszorg\.test(/password/edit/[A-Za-z0-9_\-]+)", text_part(msg))
    assert match, "no link in the mail"
    return match.group(1)


# --- helpers shared by the foundation tests -------------------------------------------------

SESSION_COOKIE = "arbeidszorg_session"
_TOKENS = re.compile(r'value="[^"]{40,}"|"X-CSRFToken": "[^"]+"')


def without_tokens(html: str) -> str:
    """A page with its CSRF tokens removed, to compare two answers."""
    return _TOKENS.sub("", html)


def get_account(app, email: str):
    """The Account row of an address (detached, attributes loaded)."""
    from sqlalchemy import select

    from app.models import Account
    with app.app_context():
        return session.scalar(select(Account).where(Account.email == email.strip().lower()))


def audit_rows(app) -> list:
    """All audit events, oldest first."""
    from sqlalchemy import select

    from app.models import AuditEvent
    with app.app_context():
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def age_tokens(app, email: str, delta) -> None:
    """Travel `delta` (a timedelta) into the future for one account: its link tokens, its
    creation and its last password change all move that much into the past."""
    from sqlalchemy import select

    from app.models import Account, AccountToken
    with app.app_context():
        account = session.scalar(select(Account).where(Account.email == email.strip().lower()))
        rows = session.scalars(select(AccountToken).where(AccountToken.account_id == account.id)).all()
        assert rows, f"no link tokens for {email}"
        for row in rows:
            row.created_at -= delta
            row.expires_at -= delta
        account.created_at -= delta
        if account.password_changed_at is not None:
            account.password_changed_at -= delta
        session.commit()


def wait_for_mail_threads(app) -> None:
    """Let the background mail threads of an app finish."""
    from app import mailer
    with app.app_context():
        mailer.wait_for_background()
