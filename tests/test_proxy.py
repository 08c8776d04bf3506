"""Behind a reverse proxy: X-Forwarded-* is trusted only when TRUSTED_PROXIES says so."""

import pytest
from live import AppProcess, Session
from sqlalchemy import select
from support import PASSWORD, audit_rows

from app.db import session
from app.models import AuditEvent


def _last_ip(app):
    with app.app_context():
        return session.scalar(select(AuditEvent.ip).order_by(AuditEvent.id.desc()).limit(1))


def test_forwarded_for_is_ignored_without_trusted_proxy(app, make_org):
    _, email = make_org()
    c = app.test_client()
    c.post("/login", data={"email": email, "password": "x" * 12},
           headers={"X-Forwarded-For": "203.0.113.9"})
    assert _last_ip(app) == "127.0.0.1"


def test_forwarded_for_and_proto_are_used_behind_one_proxy(make_app, make_org):
    app = make_app(TRUSTED_PROXIES=1, BASE_URL="https://registratie.example.be")
    _, email = make_org()
    c = app.test_client()
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    # over https Flask-WTF also checks that the Referer is this site, as browsers send it
    r = c.post("/login", data={"email": email, "password": "x" * 12}, headers=headers)
    assert r.status_code == 400
    headers["Referer"] = "https://localhost/login"
    r = c.post("/login", data={"email": email, "password": "x" * 12}, headers=headers)
    assert r.status_code == 200
    assert _last_ip(app) == "203.0.113.9"
    r = c.post("/login", data={"email": email, "password": PASSWORD}, headers=headers)
    assert r.status_code == 302 and "Secure" in r.headers["Set-Cookie"]


# --- over real HTTP through waitress (`flask --app wsgi serve`, as make run starts it) ----------

def _failed_logins_from(server, addresses: list[str]) -> list[int]:
    """One failed login per address (each for another unknown account, so only the per-address
    limit can refuse it), sent by 'the proxy' with that address in X-Forwarded-For."""
    statuses = []
    for i, address in enumerate(addresses):
        s = Session(server)
        s.cookie = None
        statuses.append(s.post("/login", {"email": f"onbekend{i}@example.be",
                                          "password": "verkeerd-wachtwoord-1"},
                               headers={"X-Forwarded-For": address})[0])
    return statuses


def _failed_login_ips(app) -> list[str]:
    return [row.ip for row in audit_rows(app) if row.kind == "login_failed"]


@pytest.fixture
def serve(db_url, tmp_path):
    servers = []

    def _start(**settings):
        server = AppProcess(tmp_path / f"instance-{len(servers)}", db_url, threads=4, **settings)
        servers.append(server)
        return server
    yield _start
    for server in servers:
        server.stop()


def test_behind_one_proxy_each_forwarded_address_is_its_own_user(app, serve):
    # the default limit is 20 login attempts a minute per address: 25 users behind the proxy,
    # one attempt each, are 25 addresses, not 25 attempts from the proxy's 127.0.0.1
    server = serve(TRUSTED_PROXIES=1)
    addresses = [f"203.0.113.{i}" for i in range(1, 26)]
    assert _failed_logins_from(server, addresses) == [200] * 25
    assert _failed_login_ips(app) == addresses


def test_behind_one_proxy_only_the_address_the_proxy_saw_counts(app, serve):
    # the client sends its own X-Forwarded-For; nginx appends the address it saw
    server = serve(TRUSTED_PROXIES=1)
    _failed_logins_from(server, ["198.51.100.66, 203.0.113.7"])
    assert _failed_login_ips(app) == ["203.0.113.7"]


def test_without_trusted_proxy_a_forwarded_address_is_ignored(app, serve):
    # exposed directly: an attacker cannot escape the per-address limit by inventing addresses
    server = serve(TRUSTED_PROXIES=0)
    statuses = _failed_logins_from(server, [f"203.0.113.{i}" for i in range(1, 22)])
    assert statuses == [200] * 20 + [429]
    assert set(_failed_login_ips(app)) == {"127.0.0.1"}
