"""Nothing typed is lost (SPEC §12): a form posted after the session expired comes back after
the next login of the same organisation, once, on the same page; never readable in the database
or the cookie; the session warning's status and renew endpoints."""

import re
import time
from datetime import timedelta

from helpers import add_client, client_form
from sqlalchemy import select, text
from support import PASSWORD, SESSION_COOKIE, login

from app.auth import drafts
from app.db import session
from app.models import Client, FormDraft

NAME = "Marieke Zwanenberg-Ostyn"


def _expire(c) -> None:
    with c.session_transaction() as s:
        s["seen"] = time.time() - 31 * 60


def _field_value(page: str, name: str) -> str | None:
    match = re.search(r'<input[^>]*\bname="' + re.escape(name) + r'"[^>]*>', page)
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def _drafts(app) -> list[FormDraft]:
    with app.app_context():
        return session.scalars(select(FormDraft)).all()


def _age_drafts(app, delta) -> None:
    with app.app_context():
        for row in session.scalars(select(FormDraft)):
            row.expires_at -= delta
        session.commit()


def _post_expired_client(org_client, **fields):
    _expire(org_client)
    data = client_form(naam=NAME, postcode_woonplaats="3511", **fields)
    r = org_client.post("/clienten/nieuw", data=data)
    assert r.status_code == 302 and r.location.startswith("/login")
    return r


def test_a_client_form_posted_after_expiry_comes_back_after_login(app, org_client):
    r = _post_expired_client(org_client, oud_volgnummer="A-17")
    assert "next=/clienten/nieuw" in r.location
    login_page = org_client.get(r.location).get_data(as_text=True)
    assert drafts.KEPT in login_page
    with app.app_context():
        assert session.scalar(select(Client.id)) is None  # nothing was saved

    back = login(org_client, org_client.email)
    assert back.status_code == 302 and back.location == "/clienten/nieuw"
    page = org_client.get(back.location).get_data(as_text=True)
    assert drafts.NOTICE in page
    assert _field_value(page, "naam") == NAME
    assert _field_value(page, "oud_volgnummer") == "A-17"
    assert _field_value(page, "postcode_woonplaats") == "3511"
    assert not _drafts(app)  # single use: gone once shown

    # not submitted by itself; saving it (with the page's fresh token) works
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = client_form(naam=NAME, postcode_woonplaats="3511", oud_volgnummer="A-17",
                       csrf_token=token)
    saved = org_client.post("/clienten/nieuw", data=data)
    assert saved.status_code == 302 and "/periodes/nieuw" in saved.location
    nr = int(saved.location.split("/clienten/")[1].split("/")[0])
    assert NAME in org_client.get(f"/clienten/{nr}").get_data(as_text=True)


def test_the_draft_is_used_once(app, org_client):
    _post_expired_client(org_client)
    login(org_client, org_client.email)
    assert _field_value(org_client.get("/clienten/nieuw").get_data(as_text=True), "naam") == NAME
    again = org_client.get("/clienten/nieuw").get_data(as_text=True)
    assert _field_value(again, "naam") == "" and drafts.NOTICE not in again


def test_neither_database_nor_cookie_holds_the_name(app, org_client):
    _post_expired_client(org_client)
    rows = _drafts(app)
    assert len(rows) == 1
    with app.app_context():
        dumped = [repr(tuple(row)) for row in session.execute(text("SELECT * FROM form_draft"))]
    assert len(dumped) == 1
    for needle in (NAME, "Zwanenberg", NAME.encode().hex()):
        assert needle not in dumped[0]
    assert NAME.encode() not in rows[0].sealed and b"Zwanenberg" not in rows[0].sealed
    # the signed cookie keeps only a random token
    with org_client.session_transaction() as s:
        assert "Zwanenberg" not in repr(dict(s))
        assert set(s) <= {"csrf_token", "draft", "_flashes", "_fresh", "_permanent", "_id"}
    assert "Zwanenberg" not in org_client.get_cookie(SESSION_COOKIE).value


def test_an_expired_draft_is_not_restored(app, org_client):
    _post_expired_client(org_client)
    _age_drafts(app, timedelta(minutes=app.config["FORM_DRAFT_MINUTES"]))
    login(org_client, org_client.email)
    page = org_client.get("/clienten/nieuw").get_data(as_text=True)
    assert _field_value(page, "naam") == "" and drafts.NOTICE not in page


def test_another_organisation_logging_in_in_that_browser_gets_nothing(app, org_client, make_org):
    _post_expired_client(org_client)
    _, other = make_org(name="Andere organisatie")
    back = login(org_client, other)
    assert back.status_code == 302 and back.location == "/dashboard"  # not sent to the form
    with org_client.session_transaction() as s:
        assert "draft" not in s
    page = org_client.get("/clienten/nieuw").get_data(as_text=True)
    assert NAME not in page and drafts.NOTICE not in page
    # and the rightful organisation, logging in afterwards, no longer has the token either
    org_client.post("/logout")
    login(org_client, org_client.email)
    assert NAME not in org_client.get("/clienten/nieuw").get_data(as_text=True)


def test_a_beheerder_logging_in_in_that_browser_does_not_carry_it(app, org_client, make_admin):
    _post_expired_client(org_client)
    login(org_client, make_admin())
    with org_client.session_transaction() as s:
        assert "draft" not in s


def test_a_colleague_of_the_same_organisation_gets_it(app, org_client):
    from app.auth import passwords
    from app.models import Account
    with app.app_context():
        session.add(Account(email="collega@example.be", kind="org", is_main=False,
                            organisation_id=org_client.org_id,
                            password_hash=passwords.hash_password("een ander lang wachtwoord")))
        session.commit()
    _post_expired_client(org_client)
    login(org_client, "collega@example.be", "een ander lang wachtwoord")
    assert _field_value(org_client.get("/clienten/nieuw").get_data(as_text=True), "naam") == NAME


def test_never_restored_into_another_page(app, org_client):
    nr = add_client(org_client, naam="Eerste Cliënt")
    _expire(org_client)
    r = org_client.post(f"/clienten/{nr}/bewerken",
                        data=client_form(naam=NAME, geboortedatum="1990-02-03"))
    assert r.status_code == 302 and f"next=/clienten/{nr}/bewerken" in r.location
    login(org_client, org_client.email)
    for other in ("/clienten/nieuw", "/profiel", f"/clienten/{nr}/periodes/nieuw"):
        assert NAME not in org_client.get(other).get_data(as_text=True)
    page = org_client.get(f"/clienten/{nr}/bewerken").get_data(as_text=True)
    assert _field_value(page, "naam") == NAME and drafts.NOTICE in page
    assert _field_value(page, "geboortedatum") in ("1990-02-03", "03/02/1990")
    # the stored client was not changed by the post that came too late
    assert "Eerste Cliënt" in org_client.get(f"/clienten/{nr}").get_data(as_text=True)


def test_a_period_form_comes_back_on_its_wizard_url(app, org_client):
    nr = add_client(org_client)
    _expire(org_client)
    r = org_client.post(f"/clienten/{nr}/periodes/nieuw?stap=2",
                        data={"uren": "17,5", "startdatum": "2024-06-03", "einddatum": ""})
    assert r.status_code == 302
    back = org_client.post(r.location, data={"email": org_client.email, "password": PASSWORD})
    assert back.location == f"/clienten/{nr}/periodes/nieuw?stap=2"
    page = org_client.get(back.location).get_data(as_text=True)
    assert _field_value(page, "uren") == "17,5" and drafts.NOTICE in page


def test_a_post_without_a_session_row_or_after_logout_keeps_nothing(app, org_client, client):
    # no cookie at all: nothing known about the poster
    r = client.post("/clienten/nieuw", data=client_form(naam=NAME))
    assert r.status_code == 302 and "next=" not in r.location
    assert not _drafts(app)


def test_a_post_only_action_is_not_kept(app, org_client):
    _expire(org_client)
    r = org_client.post("/login-wijziging/1/annuleren", data={})
    assert r.status_code == 302 and "next=" not in r.location
    assert not _drafts(app)


def test_expired_drafts_are_purged_when_a_new_one_is_kept(app, org_client):
    _post_expired_client(org_client)
    _age_drafts(app, timedelta(hours=1))
    login(org_client, org_client.email)
    _post_expired_client(org_client)
    assert len(_drafts(app)) == 1


# the session warning's endpoints


def test_status_tells_the_remaining_seconds_without_renewing(app, org_client):
    with org_client.session_transaction() as s:
        s["seen"] = time.time() - 25 * 60
    remaining = org_client.get("/sessie").get_json()["remaining"]
    assert 4 * 60 < remaining <= 5 * 60
    with org_client.session_transaction() as s:
        assert time.time() - s["seen"] > 24 * 60  # asking did not count as activity
    _expire(org_client)
    assert org_client.get("/sessie").get_json() == {"remaining": 0}


def test_renew_gives_the_full_idle_time_again(app, org_client):
    with org_client.session_transaction() as s:
        s["seen"] = time.time() - 29 * 60
    r = org_client.post("/sessie/verlengen")
    assert r.status_code == 200 and r.get_json()["remaining"] >= 30 * 60 - 2
    with org_client.session_transaction() as s:
        assert time.time() - s["seen"] < 5  # the idle clock starts again now
    assert org_client.get("/dashboard").status_code == 200


def test_renew_after_expiry_is_refused(app, org_client, client):
    _expire(org_client)
    r = org_client.post("/sessie/verlengen")
    assert r.status_code == 302 and r.location.startswith("/login")
    assert org_client.get("/dashboard").status_code == 302
    assert client.get("/sessie").get_json() == {"remaining": 0}


def test_renew_needs_the_csrf_token(app, org_client):
    r = org_client.post("/sessie/verlengen", csrf=False)
    assert r.status_code == 400


def test_pages_carry_the_remaining_time_for_the_warning(app, org_client, client):
    page = org_client.get("/dashboard").get_data(as_text=True)
    remaining = int(re.search(r'data-remaining="(\d+)"', page).group(1))
    assert 29 * 60 < remaining <= 30 * 60
    assert 'role="alertdialog"' in page and "Aangemeld blijven" in page
    assert 'src="/static/js/app.js"' in page
    assert "sessie-waarschuwing" not in client.get("/login").get_data(as_text=True)


def test_fractional_idle_minutes_setting(make_app, monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "0.25")
    assert make_app().config["SESSION_IDLE_MINUTES"] == 0.25
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "45")
    assert make_app().config["SESSION_IDLE_MINUTES"] == 45


def test_a_form_whose_token_went_stale_by_a_login_in_another_tab_comes_back(app, org_client):
    """The session ended; the user logged in again in another tab (a new cookie, a new CSRF
    token); the first tab's form is then posted with its old token."""
    stale = org_client.csrf_token()
    org_client.post("/logout")
    login(org_client, org_client.email)
    data = client_form(naam=NAME, postcode_woonplaats="3511", csrf_token=stale)
    r = org_client.post("/clienten/nieuw", data=data)
    assert r.status_code == 302 and r.location == "/clienten/nieuw"
    page = org_client.get(r.location).get_data(as_text=True)
    assert _field_value(page, "naam") == NAME and drafts.NOTICE in page
    with app.app_context():
        assert session.scalar(select(Client.id)) is None  # nothing saved with a stale token
    assert not _drafts(app)


def test_a_stale_token_from_another_site_is_refused_as_before(app, org_client):
    data = client_form(naam=NAME, csrf_token="vervalst")
    r = org_client.post("/clienten/nieuw", data=data, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 400 and not _drafts(app)
    # an empty post (only a bad token) keeps nothing either
    r = org_client.post("/clienten/nieuw", data={"csrf_token": "vervalst"})
    assert r.status_code == 400 and not _drafts(app)


def test_a_post_without_any_token_is_refused_as_before(app, org_client):
    r = org_client.post("/clienten/nieuw", data=client_form(naam=NAME), csrf=False)
    assert r.status_code == 400 and not _drafts(app)


def test_a_password_form_posted_after_expiry_is_never_kept(app, org_client):
    _expire(org_client)
    r = org_client.post("/account/wachtwoord", data={
        "current_password": "het oude wachtwoord", "password": "een nieuw lang wachtwoord",
        "password_confirm": "een nieuw lang wachtwoord"})
    assert r.status_code == 302 and r.location.startswith("/login")
    assert not _drafts(app)
