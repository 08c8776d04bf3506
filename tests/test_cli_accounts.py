"""flask create-org / create-admin / upgrade-db: invitations, passwords, regions, .eml fallback."""

import email
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support import PASSWORD, age_tokens, free_port, get_account, html_part, link_in, login, text_part

from app import migrate
from app.db import session
from app.models import Account, CodeOption, Organisation, Region

CHOSEN = "zelf gekozen wachtwoord"


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def set_password_through(app, link: str, password: str = CHOSEN):
    c = app.test_client()
    page = c.get(link)
    assert page.status_code == 200
    assert "Wachtwoord instellen" in page.get_data(as_text=True)
    r = c.post(link, data={"password": password, "password_confirm": password})
    assert r.status_code == 302 and r.location.split("?")[0].endswith("/login")
    return c


def count(app, model) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(model))


def test_create_org_sends_an_invitation_that_sets_the_password(mail_app):
    result = invoke(mail_app, "create-org", "De Werkplaats vzw", "--email", "Info@Werkplaats.be",
                    "--region", "limburg")
    assert result.exit_code == 0, result.output
    assert "invitation sent" in result.output

    msg = mail_app.smtp.wait_for(1)[0]
    assert msg["To"] == "info@werkplaats.be"
    assert "Uitnodiging" in msg["Subject"]
    for part in (text_part(msg), html_part(msg)):
        assert "Er werd een login aangemaakt voor De Werkplaats vzw" in part
        assert "7 dagen geldig en werkt één keer" in part
    link = link_in(msg)

    account = get_account(mail_app, "info@werkplaats.be")
    assert account.kind == "org" and account.password_hash is None
    # no password yet: nobody can log in
    r = login(mail_app.test_client(), "info@werkplaats.be", "een willekeurige gok")
    assert r.status_code == 200 and "Aanmelden mislukt" in r.get_data(as_text=True)

    set_password_through(mail_app, link)
    c = mail_app.test_client()
    r = login(c, "info@werkplaats.be", CHOSEN)
    assert r.status_code == 302 and r.location.endswith("/dashboard")
    assert "De Werkplaats vzw" in c.get("/dashboard").get_data(as_text=True)
    with mail_app.app_context():
        org = session.get(Organisation, account.organisation_id)
        assert org.region.code == "limburg" and org.active


def test_invitation_link_is_single_use(mail_app):
    invoke(mail_app, "create-org", "Eenmalig vzw", "--email", "eenmalig@example.be",
           "--region", "antwerpen")
    link = link_in(mail_app.smtp.wait_for(1)[0])
    set_password_through(mail_app, link)
    c = mail_app.test_client()
    r = c.get(link)
    assert r.status_code == 410 and "niet meer geldig" in r.get_data(as_text=True)
    r = c.post(link, data={"password": "wachtwoord van iemand anders",
                           "password_confirm": "wachtwoord van iemand anders"})
    assert r.status_code == 410
    assert login(mail_app.test_client(), "eenmalig@example.be", CHOSEN).status_code == 302


def test_invitation_link_is_valid_for_seven_days(mail_app):
    invoke(mail_app, "create-org", "Zeven dagen vzw", "--email", "zeven@example.be",
           "--region", "brussel")
    link = link_in(mail_app.smtp.wait_for(1)[0])
    age_tokens(mail_app, "zeven@example.be", timedelta(days=6, hours=23, minutes=58))
    assert mail_app.test_client().get(link).status_code == 200
    age_tokens(mail_app, "zeven@example.be", timedelta(minutes=3))
    r = mail_app.test_client().get(link)
    assert r.status_code == 410 and "niet meer geldig" in r.get_data(as_text=True)


def test_create_org_with_password_logs_in_directly(app):
    result = invoke(app, "create-org", "Direct vzw", "--email", "direct@example.be",
                    "--region", "west-vlaanderen", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    r = login(app.test_client(), "direct@example.be")
    assert r.status_code == 302 and r.location.endswith("/dashboard")
    assert not (Path(app.instance_path) / "mail").exists()  # no invitation written


def test_create_org_refuses_a_short_password_and_a_taken_address(app):
    result = invoke(app, "create-org", "Kort vzw", "--email", "kort@example.be",
                    "--region", "limburg", "--password", "kort")
    assert result.exit_code != 0 and "12 tekens" in result.output
    assert get_account(app, "kort@example.be") is None
    invoke(app, "create-org", "Eerste vzw", "--email", "dubbel@example.be", "--region", "limburg",
           "--password", PASSWORD)
    orgs = count(app, Organisation)
    result = invoke(app, "create-org", "Tweede vzw", "--email", "DUBBEL@example.be",
                    "--region", "limburg", "--password", PASSWORD)
    assert result.exit_code != 0 and "heeft al een login" in result.output
    assert count(app, Organisation) == orgs


@pytest.mark.parametrize("args, super_, region", [
    (["--all"], True, None),
    (["--region", "antwerpen"], False, "antwerpen"),
])
def test_create_admin_with_password(app, args, super_, region):
    result = invoke(app, "create-admin", "beheer@example.be", *args, "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    account = get_account(app, "beheer@example.be")
    assert account.kind == "admin" and account.is_super is super_
    assert (account.region.code if account.region else None) == region
    c = app.test_client()
    r = login(c, "beheer@example.be")
    assert r.status_code == 302 and r.location.endswith("/beheer")
    page = c.get("/beheer").get_data(as_text=True)
    assert ("superbeheerder" if super_ else "provinciebeheerder Antwerpen") in page


def test_create_admin_without_password_sends_an_invitation(mail_app):
    result = invoke(mail_app, "create-admin", "nieuwe.beheerder@example.be", "--region", "limburg")
    assert result.exit_code == 0, result.output
    msg = mail_app.smtp.wait_for(1)[0]
    assert msg["To"] == "nieuwe.beheerder@example.be"
    assert "Je werd toegevoegd als beheerder" in text_part(msg)
    set_password_through(mail_app, link_in(msg))
    r = login(mail_app.test_client(), "nieuwe.beheerder@example.be", CHOSEN)
    assert r.status_code == 302 and r.location.endswith("/beheer")


@pytest.mark.parametrize("args, message", [
    (["--region", "atlantis"], "unknown region"),
    (["--region", "limburg", "--all"], "exactly one of --region"),
    ([], "exactly one of --region"),
])
def test_create_admin_refuses_bad_region_options(app, args, message):
    result = invoke(app, "create-admin", "fout@example.be", *args, "--password", PASSWORD)
    assert result.exit_code != 0
    assert message in result.output
    assert get_account(app, "fout@example.be") is None


def test_create_org_refuses_an_unknown_region(app):
    result = invoke(app, "create-org", "Nergens vzw", "--email", "nergens@example.be",
                    "--region", "nederland", "--password", PASSWORD)
    assert result.exit_code != 0 and "unknown region" in result.output
    assert "limburg" in result.output  # lists the valid codes
    assert get_account(app, "nergens@example.be") is None


def test_without_mail_server_the_invitation_is_written_as_eml(app):
    result = invoke(app, "create-org", "Offline vzw", "--email", "offline@example.be",
                    "--region", "oost-vlaanderen")
    assert result.exit_code == 0, result.output
    assert "instance/mail/" in result.output
    files = list((Path(app.instance_path) / "mail").glob("*.eml"))
    assert len(files) == 1
    msg = email.message_from_bytes(files[0].read_bytes())
    assert msg["To"] == "offline@example.be"
    assert "Offline vzw" in text_part(msg)
    set_password_through(app, link_in(msg))
    assert login(app.test_client(), "offline@example.be", CHOSEN).status_code == 302


def test_create_org_reports_an_unreachable_mail_server(make_app):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    result = invoke(app, "create-org", "Stil vzw", "--email", "stil@example.be", "--region", "limburg")
    assert result.exit_code != 0
    assert "could not be sent" in result.output
    assert get_account(app, "stil@example.be") is not None  # created; resend from /beheer


def test_upgrade_db_is_idempotent(app):
    regions, options = count(app, Region), count(app, CodeOption)
    assert regions == 6 and options > 0
    for _ in range(2):
        result = invoke(app, "upgrade-db")
        assert result.exit_code == 0, result.output
        assert "Database is up to date" in result.output
    assert (count(app, Region), count(app, CodeOption)) == (regions, options)
    with app.app_context():
        assert migrate.differences() == []


def test_upgrade_db_keeps_existing_accounts(app, make_org):
    _, email_ = make_org()
    assert invoke(app, "upgrade-db").exit_code == 0
    assert count(app, Account) == 1
    assert login(app.test_client(), email_).status_code == 302
