"""Logging in and out, lockout, throttling, sessions."""

import time

from support import PASSWORD, login


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
    r = login(c, email, PASSWORD)  # this browser never logged in: an untrusted client
    assert r.status_code == 429 and "Te veel mislukte pogingen" in r.get_data(as_text=True)
    assert c.get("/dashboard").status_code == 302
    from sqlalchemy import select

    from app.db import session
    from app.models import Account, AuditEvent
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


def test_lockout_lasts_fifteen_minutes(app, make_org):
    from datetime import timedelta

    from sqlalchemy import select

    from app.db import session
    from app.models import Account, utcnow
    _, email = make_org()
    for _ in range(5):
        login(app.test_client(), email, "verkeerd-wachtwoord-123")
    with app.app_context():
        account = session.scalar(select(Account).where(Account.email == email))
        left = account.locked_until - utcnow()
        assert timedelta(minutes=14) < left <= timedelta(minutes=15)
        account.locked_until = utcnow() + timedelta(seconds=30)  # almost over
        session.commit()
    assert login(app.test_client(), email).status_code == 429
    with app.app_context():
        account = session.scalar(select(Account).where(Account.email == email))
        account.locked_until = utcnow() - timedelta(seconds=1)  # over
        session.commit()
    r = login(app.test_client(), email)
    assert r.status_code == 302 and r.location.endswith("/dashboard")


def test_successful_login_resets_the_failure_count(app, make_org):
    _, email = make_org()
    for _ in range(4):
        login(app.test_client(), email, "verkeerd-wachtwoord-123")
    assert login(app.test_client(), email).status_code == 302
    for _ in range(4):
        login(app.test_client(), email, "verkeerd-wachtwoord-123")
    assert login(app.test_client(), email).status_code == 302


def test_login_address_is_not_case_sensitive(app, make_org):
    _, email = make_org()
    r = login(app.test_client(), f"  {email.upper()} ")
    assert r.status_code == 302 and r.location.endswith("/dashboard")


def test_deactivated_organisation_cannot_log_in_and_is_told_so(app, make_org):
    from app.db import session
    from app.models import Organisation
    org_id, email = make_org()
    c = app.test_client()
    assert login(c, email).status_code == 302
    with app.app_context():
        session.get(Organisation, org_id).active = False
        session.commit()
    # the running session ends too
    r = c.get("/dashboard")
    assert r.status_code == 302 and "/login" in r.location
    r = login(app.test_client(), email)
    assert r.status_code == 200
    assert "Deze login is gedeactiveerd" in r.get_data(as_text=True)


def test_empty_login_form_gives_dutch_field_errors(client):
    r = client.post("/login", data={"email": "", "password": ""})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    # under each field, and repeated in the error summary's links to the fields (GOV.UK)
    assert 'id="email-error">Dit veld is verplicht.' in page
    assert 'id="password-error">Dit veld is verplicht.' in page
    assert '<a href="#email">E-mailadres: Dit veld is verplicht.</a>' in page
    assert '<a href="#password">Wachtwoord: Dit veld is verplicht.</a>' in page
