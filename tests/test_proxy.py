"""Behind a reverse proxy: X-Forwarded-* is trusted only when TRUSTED_PROXIES says so."""

from conftest import PASSWORD
from sqlalchemy import select

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
