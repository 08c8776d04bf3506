"""A beheerder's change of a login address (SPEC §11), piece by piece: accounts without a password,
a newer request, the organisation's dashboard, the beheer pages, the setting, invitations."""

import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from support import audit_rows, get_account, link_in, logged_in_client, login, text_part

from app.db import session
from app.models import Account, LoginChange

CHANGE_LINK = re.compile(r"http://arbeidszorg\.test(/login-wijziging/(?:bevestigen|annuleren)/[A-Za-z0-9_\-]+)")


def text(r) -> str:
    return r.get_data(as_text=True)


def travel(app, account_email: str, hours: float) -> None:
    """Move the account's login changes `hours` into the past."""
    with app.app_context():
        account_id = session.scalar(select(Account.id).where(Account.email == account_email))
        for change in session.scalars(select(LoginChange).where(LoginChange.account_id == account_id)):
            change.requested_at -= timedelta(hours=hours)
            if change.applied_at is not None:
                change.applied_at -= timedelta(hours=hours)
        session.commit()


def request_change(beheer, org_id: int, email: str, name: str = "Testorganisatie"):
    return beheer.post(f"/beheer/organisaties/{org_id}/bewerken",
                       data={"name": name, "region": "limburg", "email": email})


def mails_to(smtp, address):
    return [m for m in list(smtp.messages) if m["To"] == address]


def mail_to(smtp, address: str, count: int = 1):
    """The newest of the first `count` mails to an address, waiting for them to arrive."""
    deadline = time.time() + 10
    while len(mails_to(smtp, address)) < count:
        assert time.time() < deadline, f"no mail {count} to {address}"
        time.sleep(0.05)
    return mails_to(smtp, address)[count - 1]


def link(msg) -> str:
    return CHANGE_LINK.search(text_part(msg)).group(1)


@pytest.fixture
def beheer(mail_app, make_admin):
    return logged_in_client(mail_app, make_admin("limburg"))


def test_an_account_without_password_is_readdressed_at_once_and_old_invitations_die(
        mail_app, beheer, smtp):
    r = beheer.post("/beheer/organisaties/nieuw", data={
        "name": "Nog Niet Actief", "region": "limburg", "email": "eerste@example.be"})
    org_id = int(r.location.rsplit("/", 1)[1])
    first_invite = link_in(smtp.wait_for(1)[0])

    r = request_change(beheer, org_id, "tweede@example.be", name="Nog Niet Actief")
    assert r.status_code == 302
    assert "Het login-e-mailadres is nu tweede@example.be" in text(beheer.get(r.location))
    assert mail_app.test_client().get(first_invite).status_code == 410
    assert get_account(mail_app, "tweede@example.be") is not None

    beheer.post(f"/beheer/organisaties/{org_id}/uitnodiging")
    invite = link_in(mail_to(smtp, "tweede@example.be"))
    c = mail_app.test_client()
    new_password = "Een-Heel-Ander-Wachtwoord-42"
    r = c.post(invite, data={"password": new_password, "password_confirm": new_password})
    assert r.status_code == 302
    assert login(mail_app.test_client(), "tweede@example.be", new_password).status_code == 302
    applied = [r for r in audit_rows(mail_app) if r.kind == "login_change_applied"]
    assert len(applied) == 1 and json.loads(applied[0].details)["meteen"] == "nog geen wachtwoord"


def test_no_invitation_for_an_account_with_a_password(mail_app, make_org, make_admin, smtp):
    org_id, email = make_org()
    beheer = logged_in_client(mail_app, make_admin("limburg"))
    page = text(beheer.get(f"/beheer/organisaties/{org_id}"))
    assert "Uitnodiging opnieuw versturen" not in page
    r = beheer.post(f"/beheer/organisaties/{org_id}/uitnodiging")
    assert "al een wachtwoord ingesteld" in text(beheer.get(r.location))
    # a beheerder with a password neither
    super_client = logged_in_client(mail_app, make_admin(None))
    admin_id = get_account(mail_app, make_admin("antwerpen")).id
    r = super_client.post(f"/beheer/beheerders/{admin_id}/uitnodiging")
    assert "al een wachtwoord ingesteld" in text(super_client.get(r.location))
    with mail_app.app_context():
        from app.auth.services import send_invitation
        account = session.scalar(select(Account).where(Account.email == email))
        assert send_invitation(account) is False
    assert smtp.messages == []
    assert not [r for r in audit_rows(mail_app) if r.kind == "invitation"]


def test_a_newer_request_replaces_the_pending_one(mail_app, make_org, beheer, smtp):
    org_id, email = make_org()
    request_change(beheer, org_id, "eerste.poging@example.be")
    first_confirm = link(mail_to(smtp, "eerste.poging@example.be"))
    request_change(beheer, org_id, "tweede.poging@example.be")
    smtp.wait_for(4)
    assert len(mails_to(smtp, email)) == 2
    travel(mail_app, email, 73)
    assert mail_app.test_client().post(first_confirm).status_code == 410
    second_confirm = link(mails_to(smtp, "tweede.poging@example.be")[0])
    assert mail_app.test_client().post(second_confirm).status_code == 302
    assert get_account(mail_app, "tweede.poging@example.be").organisation_id == org_id
    assert get_account(mail_app, "eerste.poging@example.be") is None


def test_beheer_pages_show_the_pending_change(mail_app, make_org, beheer, smtp):
    org_id, email = make_org()
    form = text(beheer.get(f"/beheer/organisaties/{org_id}/bewerken"))
    assert "pas na 72 uur wordt ze actief" in form
    r = request_change(beheer, org_id, "nieuw.adres@example.be")
    page = text(beheer.get(r.location))
    pending = re.search(r'<dd id="pending-login-change">(.*?)</dd>', page, re.S).group(1)
    assert "nieuw.adres@example.be" in pending
    assert re.search(r"ten vroegste actief op \d\d/\d\d/\d{4}", pending)
    assert f"Tot dan blijft {email} de login" in pending
    form = text(beheer.get(f"/beheer/organisaties/{org_id}/bewerken"))
    assert "Aangevraagd: nieuw.adres@example.be" in form
    # the audit log says it in Dutch
    audit = text(beheer.get("/beheer/audit"))
    assert "Wijziging login-e-mailadres aangevraagd" in audit


def test_the_organisation_cancels_on_its_dashboard_and_another_cannot(mail_app, make_org, beheer, smtp):
    org_id, email = make_org()
    other_id, other_email = make_org(name="Andere")
    request_change(beheer, org_id, "overname@example.be")
    org = logged_in_client(mail_app, email)
    dashboard = text(org.get("/dashboard"))
    assert "Een beheerder heeft" in dashboard and "overname@example.be" in dashboard
    change_id = int(re.search(r"/login-wijziging/(\d+)/annuleren", dashboard).group(1))

    other = logged_in_client(mail_app, other_email)
    assert "Een beheerder heeft" not in text(other.get("/dashboard"))
    r = other.post(f"/login-wijziging/{change_id}/annuleren")
    assert "kan niet meer geannuleerd worden" in text(other.get(r.location))
    assert "overname@example.be" in text(org.get("/dashboard"))  # still pending

    r = org.post(f"/login-wijziging/{change_id}/annuleren")
    assert "werd geannuleerd" in text(org.get(r.location))
    assert "Een beheerder heeft" not in text(org.get("/dashboard"))
    cancelled = [r for r in audit_rows(mail_app) if r.kind == "login_change_cancelled"]
    assert len(cancelled) == 1 and cancelled[0].actor == email
    assert json.loads(cancelled[0].details)["via"] == "dashboard"
    travel(mail_app, email, 73)
    confirm = link(mail_to(smtp, "overname@example.be"))
    assert mail_app.test_client().post(confirm).status_code == 410


def test_the_recent_change_notice_lasts_30_days(mail_app, make_org, beheer, smtp):
    org_id, email = make_org()
    request_change(beheer, org_id, "opvolger@example.be")
    confirm = link(mail_to(smtp, "opvolger@example.be"))
    travel(mail_app, email, 72)
    assert mail_app.test_client().post(confirm).status_code == 302
    org = logged_in_client(mail_app, "opvolger@example.be")
    assert "op vraag van een beheerder gewijzigd" in text(org.get("/dashboard"))
    travel(mail_app, "opvolger@example.be", 29 * 24)
    assert "op vraag van een beheerder gewijzigd" in text(org.get("/dashboard"))
    travel(mail_app, "opvolger@example.be", 2 * 24)
    assert "op vraag van een beheerder gewijzigd" not in text(org.get("/dashboard"))


def test_confirming_an_address_that_got_taken_changes_nothing(mail_app, make_org, beheer, smtp):
    org_id, email = make_org()
    request_change(beheer, org_id, "gedeeld@example.be")
    confirm = link(mail_to(smtp, "gedeeld@example.be"))
    make_org(name="Sneller", email="gedeeld@example.be")
    travel(mail_app, email, 72)
    r = mail_app.test_client().post(confirm)
    assert r.status_code == 409 and "intussen in gebruik" in text(r)
    assert login(mail_app.test_client(), email).status_code == 302


def test_login_change_delay_hours_comes_from_the_environment(make_app, make_org, make_admin,
                                                             monkeypatch):
    monkeypatch.setenv("LOGIN_CHANGE_DELAY_HOURS", "5")
    app = make_app()
    assert app.config["LOGIN_CHANGE_DELAY_HOURS"] == 5
    org_id, email = make_org()
    beheer = logged_in_client(app, make_admin("limburg"))
    request_change(beheer, org_id, "snel@example.be")
    with app.app_context():
        from app.auth import login_change
        account = session.scalar(select(Account).where(Account.email == email))
        change = login_change.pending_for(account)
        assert login_change.effective_from(change) - change.requested_at == timedelta(hours=5)
        assert login_change.too_early(change)
    travel(app, email, 5)
    with app.app_context():
        from app.auth import login_change
        account = session.scalar(select(Account).where(Account.email == email))
        assert login_change.too_early(login_change.pending_for(account)) is None
