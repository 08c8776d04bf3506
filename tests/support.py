"""Test support: the database per test, the SMTP sink, the CSRF-aware client and the helpers
that tests share (conftest.py holds the fixtures only)."""

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

from app import create_app, migrate
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
        migrate.prepare()
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


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def logged_in_client(app, email, password=PASSWORD):
    """A new test client, logged in (fails the test when the login does not succeed)."""
    c = app.test_client()
    assert login(c, email, password).status_code == 302
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

