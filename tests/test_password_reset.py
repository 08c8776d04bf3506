"""Forgotten password, end to end through a real SMTP server on loopback."""

import logging
import re
import socket
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from support import (
    PASSWORD,
    age_tokens,
    audit_rows,
    free_port,
    get_account,
    html_part,
    link_in,
    login,
    text_part,
    wait_for_mail_threads,
    without_tokens,
)

from app.auth import services
from app.db import session
from app.models import Account, Organisation

NEW = "mijn nieuwe wachtwoordzin"


@pytest.fixture
def org(make_org):
    return make_org(name="De Werkplaats vzw")[1]


def request_link(app, email: str, count: int = 1) -> str:
    """Ask for a reset link for email and return the path of the link in the `count`-th mail."""
    r = app.test_client().post("/password/new", data={"email": email})
    assert r.status_code == 200 and "Controleer je mailbox" in r.get_data(as_text=True)
    return link_in(app.smtp.wait_for(count)[count - 1])


def choose(client, link: str, password: str = NEW, confirm: str | None = None):
    return client.post(link, data={"password": password,
                                   "password_confirm": password if confirm is None else confirm})


def test_forgotten_password_end_to_end(mail_app, org):
    c = mail_app.test_client()
    form = c.get("/password/new")
    assert form.status_code == 200 and "Wachtwoord vergeten" in form.get_data(as_text=True)

    r = c.post("/password/new", data={"email": org})
    assert r.status_code == 200
    assert "Controleer je mailbox" in r.get_data(as_text=True)

    msg = mail_app.smtp.wait_for(1)[0]
    assert msg["To"] == org
    assert "Nieuw wachtwoord" in msg["Subject"]
    text, html = text_part(msg), html_part(msg)
    for part in (text, html):
        assert "Kies een nieuw wachtwoord" in part
        assert "2 uur geldig en werkt één keer" in part
    link = link_in(msg)
    assert f"http://arbeidszorg.test{link}" in text
    assert f'href="http://arbeidszorg.test{link}"' in html

    page = c.get(link)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Nieuw wachtwoord kiezen" in body and 'name="password_confirm"' in body

    r = choose(c, link)
    assert r.status_code == 302 and r.location.split("?")[0].endswith("/login")
    assert "Je wachtwoord is ingesteld" in c.get("/login").get_data(as_text=True)

    assert login(mail_app.test_client(), org, PASSWORD).status_code == 200  # old one fails
    r = login(mail_app.test_client(), org, NEW)
    assert r.status_code == 302 and r.location.endswith("/dashboard")

    again = c.get(link)
    assert again.status_code == 410
    assert "niet meer geldig" in again.get_data(as_text=True)
    # posting through the used link changes nothing either
    assert choose(c, link, "nog een ander wachtwoord").status_code == 410
    assert login(mail_app.test_client(), org, NEW).status_code == 302


def test_link_uses_base_url_not_the_host_header(make_app, smtp, make_org):
    """Foreign Host headers are refused (test_trusted_hosts.py); even where every host is let
    in (TRUSTED_HOSTS=*), the mailed link is built from BASE_URL."""
    mail_app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, TRUSTED_HOSTS="*")
    mail_app.smtp = smtp
    org = make_org(name="De Werkplaats vzw")[1]
    c = mail_app.test_client()
    evil = "http://evil.example"
    page = c.get("/password/new", base_url=evil).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = c.post("/password/new", data={"email": org, "csrf_token": token}, base_url=evil)
    assert r.status_code == 200 and "Controleer je mailbox" in r.get_data(as_text=True)
    msg = mail_app.smtp.wait_for(1)[0]
    assert "evil.example" not in text_part(msg) and "evil.example" not in html_part(msg)
    assert link_in(msg).startswith("/password/edit/")


def test_link_works_for_two_hours_and_no_longer(mail_app, org):
    link = request_link(mail_app, org)
    age_tokens(mail_app, org, timedelta(hours=1, minutes=58))
    assert mail_app.test_client().get(link).status_code == 200
    age_tokens(mail_app, org, timedelta(minutes=3))  # now 2 h 1 min old
    c = mail_app.test_client()
    r = c.get(link)
    assert r.status_code == 410 and "niet meer geldig" in r.get_data(as_text=True)
    assert choose(c, link).status_code == 410
    assert login(mail_app.test_client(), org, NEW).status_code == 200
    assert login(mail_app.test_client(), org, PASSWORD).status_code == 302


def test_older_link_is_refused_after_the_password_changed(mail_app, org):
    first = request_link(mail_app, org, 1)
    second = request_link(mail_app, org, 2)
    assert first != second
    c = mail_app.test_client()
    assert choose(c, second).status_code == 302
    r = c.get(first)
    assert r.status_code == 410 and "niet meer geldig" in r.get_data(as_text=True)
    assert choose(c, first, "wachtwoord van de aanvaller").status_code == 410
    assert login(mail_app.test_client(), org, NEW).status_code == 302


def test_link_issued_before_a_password_change_by_other_means_is_refused(mail_app, org):
    link = request_link(mail_app, org)
    with mail_app.app_context():
        account = session.get(Account, get_account(mail_app, org).id)
        account.password_changed_at = services.utcnow() + timedelta(seconds=1)
        session.commit()
    assert mail_app.test_client().get(link).status_code == 410


@pytest.mark.parametrize("password, confirm, message", [
    ("een goed wachtwoord", "een ander wachtwoord", "De twee wachtwoorden zijn niet gelijk."),
    ("te kort", "te kort", "Kies een wachtwoord van minstens 12 tekens."),
    ("", "", "Dit veld is verplicht."),
])
def test_bad_new_password_gives_a_dutch_field_error_and_changes_nothing(
        mail_app, org, password, confirm, message):
    link = request_link(mail_app, org)
    c = mail_app.test_client()
    r = choose(c, link, password, confirm)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert message in page
    assert "Er werd niets opgeslagen" in page
    assert 'aria-invalid="true"' in page
    # nothing changed: the old password works, the link still works
    assert login(mail_app.test_client(), org, PASSWORD).status_code == 302
    assert c.get(link).status_code == 200
    assert choose(c, link).status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(mail_app, org):
    c = mail_app.test_client()
    unknown = c.post("/password/new", data={"email": "niemand@example.be"})
    known = c.post("/password/new", data={"email": org})
    assert unknown.status_code == known.status_code == 200
    assert without_tokens(unknown.get_data(as_text=True)) == without_tokens(known.get_data(as_text=True))
    mail_app.smtp.wait_for(1)
    wait_for_mail_threads(mail_app)
    time.sleep(0.2)  # give a stray mail to the unknown address a moment to arrive
    assert [m["To"] for m in mail_app.smtp.messages] == [org]


def test_deactivated_account_gets_the_same_answer_and_no_mail(mail_app, make_org):
    org_id, email = make_org()
    with mail_app.app_context():
        session.get(Organisation, org_id).active = False
        session.commit()
    r = mail_app.test_client().post("/password/new", data={"email": email})
    assert r.status_code == 200 and "Controleer je mailbox" in r.get_data(as_text=True)
    wait_for_mail_threads(mail_app)
    time.sleep(0.2)
    assert mail_app.smtp.messages == []


def test_empty_address_gets_a_dutch_field_error(mail_app):
    r = mail_app.test_client().post("/password/new", data={"email": ""})
    assert r.status_code == 200 and "Dit veld is verplicht." in r.get_data(as_text=True)


def test_smtp_server_down_page_still_answers_and_log_has_no_token(
        make_app, make_org, caplog, monkeypatch):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    _, email = make_org()
    known_token = "Tk" + "x" * 41
    monkeypatch.setattr(services, "secrets", SimpleNamespace(token_urlsafe=lambda n=32: known_token))
    caplog.set_level(logging.INFO)
    r = app.test_client().post("/password/new", data={"email": email})
    assert r.status_code == 200 and "Controleer je mailbox" in r.get_data(as_text=True)
    wait_for_mail_threads(app)
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert any("could not be sent" in rec.getMessage() and email in rec.getMessage()
               for rec in errors), caplog.text
    assert known_token not in caplog.text
    assert "/password/edit/" not in caplog.text
    # the token really was the patched one, so the check above means something
    with app.app_context():
        assert services.valid_token(known_token) is not None


def test_hanging_smtp_server_does_not_slow_the_page_down(make_app, make_org):
    """The mail goes out in the background: a server that accepts but never answers does not
    hold up the answer (which would also tell a visitor that the address exists)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)  # connections complete in the backlog, but nobody ever says hello
    try:
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=listener.getsockname()[1], MAIL_TIMEOUT=30)
        _, email = make_org()
        c = app.test_client()
        token = c.csrf_token()
        started = time.monotonic()
        r = c.post("/password/new", data={"email": email, "csrf_token": token})
        elapsed = time.monotonic() - started
        assert r.status_code == 200 and "Controleer je mailbox" in r.get_data(as_text=True)
        assert elapsed < 10, f"the page waited {elapsed:.1f} s for the mail server"
    finally:
        listener.close()  # the waiting mail thread now fails at once
    wait_for_mail_threads(app)


def test_reset_request_done_after_the_answer_is_audited_with_the_requesters_address(mail_app, org):
    r = mail_app.test_client().post("/password/new", data={"email": org},
                                    environ_base={"REMOTE_ADDR": "10.7.7.7"})
    assert r.status_code == 200
    mail_app.smtp.wait_for(1)
    wait_for_mail_threads(mail_app)
    rows = [row for row in audit_rows(mail_app) if row.kind == "password_reset_requested"]
    assert [(row.actor, row.ip) for row in rows] == [(org, "10.7.7.7")]


def test_reset_request_for_an_unknown_address_is_audited_too(mail_app):
    r = mail_app.test_client().post("/password/new", data={"email": " Niemand@Example.be "})
    assert r.status_code == 200
    wait_for_mail_threads(mail_app)
    rows = [row for row in audit_rows(mail_app) if row.kind == "password_reset_requested"]
    assert [(row.actor, row.account_id) for row in rows] == [("niemand@example.be", None)]
    assert mail_app.smtp.messages == []
