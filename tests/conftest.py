"""Fixtures only: a migrated database per test (SQLite file or PostgreSQL), app, client, SMTP
server. Shared helpers and the machinery behind the fixtures live in tests/support.py."""

import uuid

import pytest
from support import (
    PASSWORD,
    CsrfClient,
    Database,
    SmtpSink,
    _base_config,
    login,
)

from app import codelists, create_app
from app.db import get_engine

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


@pytest.fixture
def org_client(app, make_org):
    """A client logged in as a fresh organisation; .org_id and .email are attached."""
    org_id, email = make_org()
    c = app.test_client()
    assert login(c, email).status_code == 302
    c.org_id, c.email = org_id, email
    return c


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

