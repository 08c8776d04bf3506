"""Logging out, replaying an old session cookie, idle and absolute session timeouts, htmx."""

import time
from datetime import timedelta

from sqlalchemy import select
from support import PASSWORD, SESSION_COOKIE, get_account, link_in, login

from app.db import session
from app.models import LoginSession


def _replay(app, cookie_value: str):
    """A brand-new browser that only has the copied session cookie."""
    c = app.test_client()
    c.set_cookie(SESSION_COOKIE, cookie_value)
    return c


def _refused(response) -> bool:
    return response.status_code == 302 and urlpath(response.location) == "/login"


def urlpath(location: str) -> str:
    return location.split("?", 1)[0].replace("http://localhost", "")


def test_logout_is_a_post_and_ends_the_session(org_client):
    assert org_client.get("/dashboard").status_code == 200
    r = org_client.post("/logout")
    assert r.status_code == 302 and urlpath(r.location) == "/login"
    page = org_client.get("/login").get_data(as_text=True)
    assert "Je bent afgemeld." in page
    assert _refused(org_client.get("/dashboard"))


def test_logout_by_get_is_not_allowed_and_keeps_the_session(org_client):
    r = org_client.get("/logout")
    assert r.status_code == 405
    assert "Niet toegestaan" in r.get_data(as_text=True)
    assert org_client.get("/dashboard").status_code == 200


def test_copied_cookie_no_longer_works_after_logout(app, org_client):
    copied = org_client.get_cookie(SESSION_COOKIE).value
    # the copy works while the session lives (so the check below can fail)
    assert _replay(app, copied).get("/dashboard").status_code == 200
    org_client.post("/logout")
    assert _refused(_replay(app, copied).get("/dashboard"))


def test_copied_cookie_no_longer_works_after_a_password_reset(mail_app, make_org):
    smtp = mail_app.smtp
    _, email = make_org()
    browser = mail_app.test_client()
    assert login(browser, email).status_code == 302
    copied = browser.get_cookie(SESSION_COOKIE).value
    assert _replay(mail_app, copied).get("/dashboard").status_code == 200

    other = mail_app.test_client()
    other.post("/password/new", data={"email": email})
    link = link_in(smtp.wait_for(1)[0])
    new = "een heel nieuw wachtwoord"
    r = other.post(link, data={"password": new, "password_confirm": new})
    assert r.status_code == 302

    assert _refused(_replay(mail_app, copied).get("/dashboard"))
    assert _refused(browser.get("/dashboard"))  # the browser that was logged in is out too
    assert login(mail_app.test_client(), email, new).status_code == 302


def test_session_that_reached_twelve_hours_is_refused(app, make_org):
    _, email = make_org()
    c = app.test_client()
    login(c, email)
    with c.session_transaction() as s:
        s["started"] = time.time() - 11 * 3600 - 50 * 60
    assert c.get("/dashboard").status_code == 200
    with c.session_transaction() as s:
        s["started"] = time.time() - 12 * 3600 - 60
    assert _refused(c.get("/dashboard"))


def test_server_side_session_record_older_than_twelve_hours_is_refused(app, make_org):
    """Even a cookie that claims to be young cannot outlive the server's 12-hour limit."""
    _, email = make_org()
    c = app.test_client()
    login(c, email)
    account = get_account(app, email)
    with app.app_context():
        rows = session.scalars(select(LoginSession).where(LoginSession.account_id == account.id)).all()
        assert rows
        for row in rows:
            row.created_at -= timedelta(hours=12, minutes=1)
        session.commit()
    assert _refused(c.get("/dashboard"))


def test_idle_session_expires_after_thirty_minutes_with_a_dutch_message(app, make_org):
    _, email = make_org()
    c = app.test_client()
    login(c, email)
    with c.session_transaction() as s:
        s["seen"] = time.time() - 29 * 60
    assert c.get("/dashboard").status_code == 200  # activity refreshes the idle timer
    with c.session_transaction() as s:
        assert time.time() - s["seen"] < 60
        s["seen"] = time.time() - 31 * 60
    r = c.get("/dashboard")
    assert _refused(r)
    assert "next=/dashboard" in r.location
    page = c.get(r.location).get_data(as_text=True)
    assert "Je sessie is verlopen. Meld je opnieuw aan." in page
    # and it stays expired
    assert _refused(c.get("/dashboard"))


def test_htmx_request_with_an_expired_session_gets_hx_redirect(app, make_org):
    _, email = make_org()
    c = app.test_client()
    login(c, email)
    with c.session_transaction() as s:
        s["seen"] = time.time() - 31 * 60
    r = c.get("/dashboard?q=1", headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert r.headers["HX-Redirect"].startswith("/login")
    assert "Aanmelden" not in r.get_data(as_text=True)  # no login form swapped into the page


def test_htmx_request_without_a_session_gets_hx_redirect(client):
    r = client.get("/dashboard", headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.headers["HX-Redirect"].startswith("/login")
    plain = client.get("/dashboard")
    assert _refused(plain) and "HX-Redirect" not in plain.headers


def test_login_starts_a_fresh_cookie_session(app, make_org):
    """Whatever was in the cookie before logging in (session fixation) is dropped."""
    _, email = make_org()
    c = app.test_client()
    with c.session_transaction() as s:
        s["planted"] = "by an attacker"
    login(c, email, PASSWORD)
    with c.session_transaction() as s:
        assert "planted" not in s


def test_idle_minutes_come_from_the_environment(make_app, make_org, monkeypatch):
    """SESSION_IDLE_MINUTES is a setting of the contract (SPEC §14): 5 minutes idle ends a session."""
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "5")
    app = make_app()
    assert app.config["SESSION_IDLE_MINUTES"] == 5
    _, email = make_org()
    c = app.test_client()
    login(c, email)
    with c.session_transaction() as s:
        s["seen"] = time.time() - 4 * 60
    assert c.get("/dashboard").status_code == 200
    with c.session_transaction() as s:
        s["seen"] = time.time() - 6 * 60
    assert _refused(c.get("/dashboard"))


def test_a_session_setting_that_is_not_a_positive_number_stops_the_start(make_app, monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "0")
    try:
        make_app()
    except ValueError as exc:
        assert "SESSION_IDLE_MINUTES" in str(exc)
    else:
        raise AssertionError("SESSION_IDLE_MINUTES=0 was accepted")
