"""Colleague logins (SPEC §11): /organisatie/logins lists, invites and removes an organisation's
logins; every login sees the same clients; beheerders see the number, never colleagues' addresses."""

import re
import uuid

import pytest
from helpers import add_client
from sqlalchemy import select
from support import PASSWORD, audit_rows, get_account, link_in, logged_in_client, login, text_part

from app.db import session
from app.models import Account, AuditEvent

NAME = "Mieke Vanhoof"


def text(r) -> str:
    return r.get_data(as_text=True)


def _address(prefix="collega") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.be"


def _row(page: str, email: str) -> str:
    """The row of the logins table that lists this address."""
    rows = [row for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
            if "<td" in row and email in row]
    assert len(rows) == 1, f"{email} is listed {len(rows)} times"
    return rows[0]


def _invite(c, email):
    r = c.post("/organisatie/logins", data={"email": email})
    assert r.status_code == 302, text(r)[:2000]
    return r


def _accept(app, msg, password=PASSWORD):
    """Follow the invitation link in a fresh browser and choose a password."""
    link = link_in(msg)
    anonymous = app.test_client()
    page = anonymous.get(link)
    assert page.status_code == 200 and "wachtwoord" in text(page).lower()
    r = anonymous.post(link, data={"password": password, "password_confirm": password})
    assert r.status_code == 302 and r.location.endswith("/login"), text(r)[:2000]


@pytest.fixture
def team(mail_app, make_org):
    """An organisation whose main login invited a colleague who accepted; both logged in."""
    org_id, main_email = make_org(name="Atelier De Brug")
    main = logged_in_client(mail_app, main_email)
    colleague_email = _address()
    _invite(main, colleague_email)
    _accept(mail_app, mail_app.smtp.wait_for(1)[0])
    colleague = logged_in_client(mail_app, colleague_email)
    return {"app": mail_app, "org_id": org_id, "main": main, "main_email": main_email,
            "colleague": colleague, "colleague_email": colleague_email,
            "colleague_id": get_account(mail_app, colleague_email).id}


def test_invite_accept_and_both_logins_see_the_same_names(mail_app, make_org):
    smtp = mail_app.smtp
    _, main_email = make_org(name="Atelier De Brug")
    main = logged_in_client(mail_app, main_email)
    add_client(main, naam=NAME)
    page = text(main.get("/organisatie/logins"))
    assert main_email in page and "hoofdlogin" in page
    assert "Tweestapsverificatie" in page  # the column the two-step verification will fill

    colleague_email = _address()
    r = _invite(main, colleague_email.upper())  # typed in capitals: stored lower-case
    assert colleague_email in text(main.get(r.location))  # the flash names the address
    msg = smtp.wait_for(1)[0]
    assert msg["To"] == colleague_email
    assert "Atelier De Brug" in text_part(msg) and "7 dagen" in text_part(msg)
    row = _row(text(main.get("/organisatie/logins")), colleague_email)
    assert "uitnodiging verstuurd" in row and "nog nooit" in row and "hoofdlogin" not in row

    _accept(mail_app, msg)
    colleague = logged_in_client(mail_app, colleague_email)
    assert NAME in text(colleague.get("/dashboard"))
    add_client(colleague, naam="Jef Colleman")
    assert "Jef Colleman" in text(main.get("/dashboard"))

    row = _row(text(main.get("/organisatie/logins")), colleague_email)
    assert "uitnodiging verstuurd" not in row
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", row)  # last login, dd/mm/jjjj UU:MM
    # the main login keeps working exactly as before
    assert login(mail_app.test_client(), main_email).status_code == 302


def test_the_audit_log_records_which_login_created_a_client(team):
    app = team["app"]
    main_id = get_account(app, team["main_email"]).id
    nr_main = add_client(team["main"], naam=NAME)
    nr_colleague = add_client(team["colleague"], naam="Jef Colleman")
    created = {(e.account_id, e.details) for e in audit_rows(app) if e.kind == "client_created"}
    assert (main_id, f'{{"volgnummer": {nr_main}}}') in created
    assert (team["colleague_id"], f'{{"volgnummer": {nr_colleague}}}') in created
    assert not any(NAME in (e.details or "") or "Colleman" in (e.details or "")
                   for e in audit_rows(app))


def test_removing_a_colleague_ends_its_open_session_at_once(team):
    app, main, colleague = team["app"], team["main"], team["colleague"]
    assert colleague.get("/dashboard").status_code == 200
    url = f"/organisatie/logins/{team['colleague_id']}/verwijderen"
    confirm = main.get(url)
    assert confirm.status_code == 200 and team["colleague_email"] in text(confirm)
    assert get_account(app, team["colleague_email"]) is not None  # the GET removed nothing
    r = main.post(url)
    assert r.status_code == 302
    assert "werd verwijderd" in text(main.get(r.location))

    r = colleague.get("/dashboard")
    assert r.status_code == 302 and "/login" in r.location
    assert login(app.test_client(), team["colleague_email"]).status_code == 200  # refused
    assert team["colleague_email"] not in text(main.get("/organisatie/logins"))
    assert main.get("/dashboard").status_code == 200
    removed = [e for e in audit_rows(app) if e.kind == "login_removed"]
    assert len(removed) == 1 and removed[0].account_id == get_account(app, team["main_email"]).id


def test_a_colleague_may_remove_its_own_login_and_is_logged_out(team):
    colleague = team["colleague"]
    r = colleague.post(f"/organisatie/logins/{team['colleague_id']}/verwijderen")
    assert r.status_code == 302 and r.location.endswith("/login")
    assert colleague.get("/dashboard").status_code == 302


def test_the_main_login_cannot_be_removed(team):
    app, colleague = team["app"], team["colleague"]
    main_id = get_account(app, team["main_email"]).id
    page = text(colleague.get("/organisatie/logins"))
    assert f"/organisatie/logins/{main_id}/verwijderen" not in page
    assert "kan niet verwijderd worden" in page
    r = colleague.post(f"/organisatie/logins/{main_id}/verwijderen")
    assert r.status_code == 409 and "hoofdlogin kan niet verwijderd worden" in text(r)
    assert team["main"].get("/dashboard").status_code == 200
    assert login(app.test_client(), team["main_email"]).status_code == 302


def test_an_organisation_with_only_its_main_login_cannot_remove_it(app, org_client):
    main_id = get_account(app, org_client.email).id
    r = org_client.post(f"/organisatie/logins/{main_id}/verwijderen")
    assert r.status_code == 409
    assert org_client.get("/dashboard").status_code == 200


def test_the_last_login_cannot_be_removed(app, make_org):
    """Even without a main login (not reachable through the pages) the last login stays."""
    from app.clients import logins
    from app.models import Organisation
    org_id, email = make_org()
    with app.app_context():
        account = session.scalar(select(Account).where(Account.email == email))
        account.is_main = False
        session.flush()
        with pytest.raises(logins.LoginError, match="laatste login"):
            logins.remove(session.get(Organisation, org_id), account)
        session.rollback()


def test_another_organisation_cannot_see_or_touch_these_logins(team, make_org):
    app = team["app"]
    _, other_email = make_org(name="Ander Initiatief")
    other = logged_in_client(app, other_email)
    page = text(other.get("/organisatie/logins"))
    assert team["colleague_email"] not in page and team["main_email"] not in page
    for account_id in (team["colleague_id"], get_account(app, team["main_email"]).id):
        base = f"/organisatie/logins/{account_id}"
        assert other.get(f"{base}/verwijderen").status_code == 404
        assert other.post(f"{base}/verwijderen").status_code == 404
        assert other.post(f"{base}/uitnodiging").status_code == 404
    assert team["colleague"].get("/dashboard").status_code == 200


def test_a_beheerder_gets_no_logins_page(app, make_admin):
    beheerder = logged_in_client(app, make_admin(None))
    assert beheerder.get("/organisatie/logins").status_code == 403
    assert beheerder.post("/organisatie/logins", data={"email": _address()}).status_code == 403


def test_a_removed_address_can_be_invited_again_and_starts_fresh(team, make_org):
    app, main = team["app"], team["main"]
    smtp = app.smtp
    assert len(smtp.wait_for(1)) == 1
    old_id = team["colleague_id"]
    assert main.post(f"/organisatie/logins/{old_id}/verwijderen").status_code == 302

    _invite(main, team["colleague_email"])
    msg = smtp.wait_for(2)[1]
    again = get_account(app, team["colleague_email"])
    assert again.id != old_id and again.password_hash is None and again.active
    assert login(app.test_client(), team["colleague_email"]).status_code == 200  # no password yet
    _accept(app, msg, password="Een heel ander wachtwoord 2026!")
    c = logged_in_client(app, team["colleague_email"], "Een heel ander wachtwoord 2026!")
    assert c.get("/dashboard").status_code == 200
    # the removed row stays for the audit trail, without address, password or way in
    with app.app_context():
        old = session.get(Account, old_id)
        assert old.removed_at is not None and not old.active and old.password_hash is None
        assert team["colleague_email"] not in old.email


def test_another_organisation_can_invite_a_removed_address(team, make_org):
    app = team["app"]
    assert team["main"].post(f"/organisatie/logins/{team['colleague_id']}/verwijderen").status_code == 302
    _, other_email = make_org(name="Nieuwe Werkgever")
    other = logged_in_client(app, other_email)
    _invite(other, team["colleague_email"])
    assert get_account(app, team["colleague_email"]).organisation_id != team["org_id"]


def test_invitation_errors_are_dutch_and_save_nothing(team, make_org):
    app, main = team["app"], team["main"]
    _, other_email = make_org(name="Ander Initiatief")
    with app.app_context():
        before = session.scalar(select(Account.id).order_by(Account.id.desc()))
    cases = {"": "Dit veld is verplicht.",
             "geen-adres": "Geef een geldig e-mailadres in.",
             team["colleague_email"]: "al een login van je organisatie",
             team["main_email"]: "al een login van je organisatie",
             other_email: "heeft al een login in het Registratiesysteem"}
    for typed, message in cases.items():
        r = main.post("/organisatie/logins", data={"email": typed})
        assert r.status_code == 200 and message in text(r), typed
        assert 'aria-invalid="true"' in text(r)
    with app.app_context():
        assert session.scalar(select(Account.id).order_by(Account.id.desc())) == before
    assert len(app.smtp.messages) == 1


def test_an_invitation_can_be_sent_again_until_a_password_is_chosen(mail_app, make_org):
    _, main_email = make_org()
    main = logged_in_client(mail_app, main_email)
    colleague_email = _address()
    _invite(main, colleague_email)
    account_id = get_account(mail_app, colleague_email).id
    assert main.post(f"/organisatie/logins/{account_id}/uitnodiging").status_code == 302
    first, second = mail_app.smtp.wait_for(2)
    assert second["To"] == colleague_email and link_in(first) != link_in(second)
    _accept(mail_app, second)
    r = main.post(f"/organisatie/logins/{account_id}/uitnodiging", follow_redirects=True)
    assert "heeft al een wachtwoord" in text(r)
    assert len(mail_app.smtp.messages) == 2


def test_invitations_are_limited_per_organisation(make_app, smtp, make_org):
    application = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, INVITE_LIMIT="2 per hour")
    _, email = make_org()
    main = logged_in_client(application, email)
    assert main.post("/organisatie/logins", data={"email": "fout"}).status_code == 200  # not counted
    _invite(main, _address())
    _invite(main, _address())
    r = main.post("/organisatie/logins", data={"email": _address()})
    assert r.status_code == 429 and "Te veel pogingen" in text(r)


def test_new_posts_need_a_csrf_token(team):
    app, main = team["app"], team["main"]
    base = f"/organisatie/logins/{team['colleague_id']}"
    for url, data in (("/organisatie/logins", {"email": _address()}),
                      (f"{base}/verwijderen", {}), (f"{base}/uitnodiging", {})):
        r = main.post(url, data=data, csrf=False)
        assert r.status_code == 400 and "Ongeldige aanvraag" in text(r), url
    assert team["colleague"].get("/dashboard").status_code == 200
    with app.app_context():
        assert session.scalar(select(Account.id).where(Account.organisation_id == team["org_id"])
                              .order_by(Account.id.desc())) == team["colleague_id"]


def _beheer_pages(app, org_id: int) -> list[str]:
    urls = [r.rule for r in app.url_map.iter_rules()
            if r.rule.startswith("/beheer") and "GET" in r.methods and not r.arguments]
    return urls + [f"/beheer/organisaties/{org_id}", f"/beheer/organisaties/{org_id}/bewerken",
                   f"/beheer/audit?organisatie={org_id}", "/beheer/organisaties?q=Brug",
                   "/beheer/audit?soort=login", "/beheer/audit?soort=invitation"]


def test_beheerders_see_the_number_of_logins_never_a_colleagues_address(team, make_admin):
    app = team["app"]
    add_client(team["colleague"])
    assert login(app.test_client(), team["colleague_email"], "fout wachtwoord").status_code == 200
    main = team["main"]
    other = _address("tweede")
    _invite(main, other)  # a pending invitation counts as a login too
    for region in (None, "limburg"):
        beheerder = logged_in_client(app, make_admin(region))
        for url in _beheer_pages(app, team["org_id"]):
            r = beheerder.get(url)
            assert r.status_code in (200, 403), url
            for address in (team["colleague_email"], other):
                assert address.split("@")[0].encode() not in r.get_data(), url
        page = text(beheerder.get(f"/beheer/organisaties/{team['org_id']}"))
        assert team["main_email"] in page
        assert re.search(r'id="login-count">3\b', page)
        listing = text(beheerder.get("/beheer/organisaties"))
        assert listing.count(f'href="/beheer/organisaties/{team["org_id"]}"') == 1  # no duplicates
        audit = text(beheerder.get(f"/beheer/audit?organisatie={team['org_id']}"))
        assert f"collega-login #{team['colleague_id']}" in audit
        assert team["main_email"] in audit


def test_colleague_actions_are_recorded_with_the_colleagues_account(team):
    app = team["app"]
    with app.app_context():
        kinds = set(session.scalars(select(AuditEvent.kind).where(
            AuditEvent.account_id == team["colleague_id"])))
    assert {"password_set", "login"} <= kinds


def test_every_login_sees_a_beheerders_pending_change_of_the_main_login(team, make_admin):
    app = team["app"]
    beheerder = logged_in_client(app, make_admin("limburg"))
    new = _address("nieuw")
    r = beheerder.post(f"/beheer/organisaties/{team['org_id']}/bewerken",
                       data={"name": "Atelier De Brug", "region": "limburg", "email": new})
    assert r.status_code == 302
    assert get_account(app, team["main_email"]) is not None  # pending, not applied
    for c in (team["main"], team["colleague"]):
        page = text(c.get("/dashboard"))
        assert "login-change-notice" in page and new in page


def test_deactivating_the_organisation_ends_every_logins_session(team, make_admin):
    beheerder = logged_in_client(team["app"], make_admin("limburg"))
    org = f"/beheer/organisaties/{team['org_id']}"
    assert beheerder.post(f"{org}/deactiveren").status_code == 302
    assert team["main"].get("/dashboard").status_code == 302
    # reactivated, the organisation logs in again, but the sessions of before stay dead
    assert beheerder.post(f"{org}/activeren").status_code == 302
    assert team["colleague"].get("/dashboard").status_code == 302
    assert login(team["app"].test_client(), team["colleague_email"]).status_code == 302


def test_the_logins_page_is_linked_from_the_menu_and_the_dashboard(org_client):
    page = text(org_client.get("/dashboard"))
    assert page.count('href="/organisatie/logins"') == 2
    help_text = text(org_client.get("/organisatie/logins"))
    assert "eigen wachtwoord" in help_text and "nooit de e-mailadressen" in help_text


def _upgrade_marks_the_existing_login_as_main(app):
    from alembic import command
    from sqlalchemy import text as sql

    from app import migrate
    from app.db import get_engine
    with app.app_context():
        with get_engine().begin() as conn:
            command.upgrade(migrate._config(conn), "0005")
            conn.execute(sql("INSERT INTO region (id, code, name, position) "
                             "VALUES (1, 'limburg', 'Limburg', 0)"))
            conn.execute(sql("INSERT INTO organisation (id, name, region_id, active, created_at, "
                             "last_client_nr, show_public) VALUES (7, 'Oud', 1, :t, :now, 0, :f)"),
                         {"t": True, "f": False, "now": "2026-01-01 00:00:00"})
            conn.execute(sql("INSERT INTO account (id, email, kind, is_super, organisation_id, active, "
                             "failed_logins, created_at) VALUES "
                             "(3, 'oud@example.be', 'org', :f, 7, :t, 0, :now), "
                             "(4, 'beheer@example.be', 'admin', :t, NULL, :t, 0, :now)"),
                         {"t": True, "f": False, "now": "2026-01-01 00:00:00"})
        migrate.upgrade()
        assert migrate.differences() == []
        rows = dict(session.execute(select(Account.email, Account.is_main)).all())
        assert rows == {"oud@example.be": True, "beheer@example.be": False}
        get_engine().dispose()


def test_the_migration_marks_each_organisations_existing_login_as_main(make_app, tmp_path, database):
    if database.kind == "postgresql":
        from sqlalchemy.engine import make_url
        name = f"az_main_{uuid.uuid4().hex[:10]}"
        database.admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = make_url(database.url).set(database=name).render_as_string(hide_password=False)
            _upgrade_marks_the_existing_login_as_main(make_app(DATABASE_URL=url))
        finally:
            database.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        _upgrade_marks_the_existing_login_as_main(
            make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'oud.sqlite'}"))


def test_an_address_taken_at_the_same_moment_gives_the_message_not_a_500(team, make_org,
                                                                        monkeypatch):
    """Two invitations of one address at once: the database's unique address decides."""
    from app.clients import logins
    _, other_email = make_org(name="Ander Initiatief")
    monkeypatch.setattr(logins, "check_email", lambda email: email.strip().lower())  # both pass
    r = team["main"].post("/organisatie/logins", data={"email": other_email})
    assert r.status_code == 200 and "heeft al een login in het Registratiesysteem" in text(r)
    assert get_account(team["app"], other_email).organisation_id != team["org_id"]
    assert team["main"].get("/organisatie/logins").status_code == 200
