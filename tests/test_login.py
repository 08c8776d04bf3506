"""Logging in and out, lockout, throttling, sessions."""

import time

from conftest import PASSWORD, login


def test_organisation_lands_on_dashboard_titled_with_its_name(app, make_org):
    _, email = make_org(name="De Werkplaats vzw")
    c = app.test_client()
    r = login(c, email)
    assert r.status_code == 302 and r.location.endswith("/dashboard")
    page = c.get("/dashboard").get_data(as_text=True)
    assert "<h1>De Werkplaats vzw</h1>" in page


def test_beheerder_lands_on_beheer(app, make_admin):
    email = make_admin("antwerpen")
    c = app.test_client()
    r = login(c, email)
    assert r.location.endswith("/beheer")
    assert "Beheer" in c.get("/beheer").get_data(as_text=True)


def test_wrong_password_and_unknown_address_get_the_same_answer(app, make_org):
    _, email = make_org()
    c = app.test_client()
    wrong = login(c, email, "verkeerd-wachtwoord-123")
    unknown = login(c, "niemand@example.be", "verkeerd-wachtwoord-123")
    assert wrong.status_code == unknown.status_code == 200
    strip = lambda r: r.get_data(as_text=True).replace(email, "").replace("niemand@example.be", "")  # noqa: E731
    import re
    token = re.compile(r'value="[^"]{40,}"|"X-CSRFToken": "[^"]+"')
    assert token.sub("", strip(wrong)) == token.sub("", strip(unknown))
    assert "Aanmelden mislukt" in wrong.get_data(as_text=True)
    assert c.get("/dashboard").status_code == 302


def test_logout_ends_the_session(org_client):
    assert org_client.get("/dashboard").status_code == 200
    r = org_client.post("/logout")
    assert r.status_code == 302
    assert org_client.get("/dashboard").status_code == 302


def test_lockout_after_five_failures_even_with_right_password(app, make_org):
    _, email = make_org()
    c = app.test_client()
    for _ in range(5):
        login(c, email, "verkeerd-wachtwoord-123")
    r = login(c, email, PASSWORD)
    assert r.status_code == 200 and "Aanmelden mislukt" in r.get_data(as_text=True)
    from app.db import session
    from app.models import Account, AuditEvent
    from sqlalchemy import select
    with app.app_context():
        account = session.scalar(select(Account).where(Account.email == email))
        assert account.locked_until is not None
        kinds = list(session.scalars(select(AuditEvent.kind).where(AuditEvent.account_id == account.id)))
        assert "lockout" in kinds and kinds.count("login_failed") == 6


def test_idle_session_expires(app, make_org):
    _, email = make_org()
    c = app.test_client()
    login(c, email)
    with c.session_transaction() as s:
        s["seen"] = time.time() - 31 * 60
    r = c.get("/dashboard")
    assert r.status_code == 302 and "/login" in r.location
