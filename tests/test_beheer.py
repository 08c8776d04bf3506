"""The beheer back end: region scope, organisations, beheerders, anonymous clients, deletion, audit."""

import logging
import re
from datetime import date, datetime, timedelta

import pytest
from helpers import add_client, add_period, client_values, first_code
from sqlalchemy import func, select
from support import PASSWORD, logged_in_client, login

from app.clients import services
from app.db import session
from app.models import Account, AuditEvent, Client, Organisation, Period

CANARY = "ZZCANARY"


def text(r):
    return r.get_data(as_text=True)


@pytest.fixture
def world(app, make_org, make_admin):
    """An Antwerpen and a Limburg organisation with a client each; three beheerders."""
    orgs = {}
    for region in ("antwerpen", "limburg"):
        org_id, email = make_org(name=f"Org {region}", region=region)
        c = app.test_client()
        login(c, email)
        nr = add_client(c, naam=f"{CANARY} {region}", oud_volgnummer="OUD-9")
        add_period(c, nr, startdatum="2023-01-01", einddatum="2024-01-31",
                   reden_stopzetting=first_code("reden_stopzetting"), perspectief=first_code("perspectief"))
        with app.app_context():
            client_id = session.scalar(select(Client.id).where(Client.organisation_id == org_id))
        orgs[region] = {"id": org_id, "email": email, "client_id": client_id, "client": c}
    admins = {}
    for key, region in (("super", None), ("limburg", "limburg"), ("antwerpen", "antwerpen")):
        c = app.test_client()
        login(c, make_admin(region))
        admins[key] = c
    return orgs, admins


def _beheer_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/beheer")]


def test_provinciebeheerder_gets_404_for_another_region_on_every_route(app, world):
    orgs, admins = world
    other = orgs["antwerpen"]
    checked = 0
    for rule in _beheer_rules(app):
        args = set(rule.arguments)
        if not args & {"org_id", "client_id"}:
            continue
        url = rule.rule.replace("<int:org_id>", str(other["id"])).replace(
            "<int:client_id>", str(other["client_id"]))
        url = re.sub(r"<any\([^)]*\):action>", "deactiveren", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = admins["limburg"].open(url, method=method, data={} if method == "POST" else None)
            assert r.status_code == 404, f"{method} {url}: {r.status_code}"
            checked += 1
    region_pages = ("beheer.organisations", "beheer.statistics", "beheer.export_csv", "beheer.export_xlsx")
    for rule in _beheer_rules(app):
        if rule.endpoint in region_pages:
            r = admins["limburg"].get(rule.rule + "?regio=antwerpen")
            assert r.status_code == 404, f"{rule.rule}?regio=antwerpen: {r.status_code}"
            checked += 1
    assert checked >= 8
    with app.app_context():  # nothing happened to the Antwerpen organisation
        assert session.scalar(select(func.count()).select_from(Client)) == 2


def test_canary_name_never_appears_under_beheer(app, world, caplog):
    caplog.set_level(logging.DEBUG)
    orgs, admins = world
    urls = [r.rule for r in _beheer_rules(app) if "GET" in r.methods and not r.arguments]
    for region in orgs.values():
        urls += [f"/beheer/organisaties/{region['id']}",
                 f"/beheer/clienten/{region['client_id']}/verwijderen",
                 f"/beheer/organisaties/{region['id']}/bewerken"]
    for url in urls:
        r = admins["super"].get(url)
        assert r.status_code in (200, 403), url
        body = r.get_data()
        assert CANARY.encode() not in body, url
    assert CANARY not in caplog.text


def test_organisation_page_shows_anonymous_data(app, world):
    orgs, admins = world
    page = text(admins["super"].get(f"/beheer/organisaties/{orgs['limburg']['id']}"))
    assert "Geboortejaar" in page and "OUD-9" not in page and "Nr (oud)" not in page
    assert re.search(r"<td[^>]*>19\d\d</td>", page)  # the year only
    assert "01/01/2023 – 31/01/2024" in page
    assert not re.search(r"\d\d/\d\d/19\d\d", page)  # never a birth date


def test_super_sees_all_regions_province_only_its_own(app, world):
    orgs, admins = world
    page = text(admins["super"].get("/beheer/organisaties"))
    assert "Org antwerpen" in page and "Org limburg" in page
    page = text(admins["limburg"].get("/beheer/organisaties"))
    assert "Org limburg" in page and "Org antwerpen" not in page
    page = text(admins["super"].get("/beheer/organisaties?regio=antwerpen"))
    assert "Org antwerpen" in page and "Org limburg" not in page


def test_create_organisation_sends_invitation_and_edit_and_deactivate(app, world):
    _, admins = world
    c = admins["limburg"]
    r = c.post("/beheer/organisaties/nieuw", data={"name": "Nieuw Initiatief", "region": "limburg",
                                                 "email": "nieuw@example.be"})
    assert r.status_code == 302
    assert "uitnodiging" in text(c.get(r.location)).lower()
    mails = list((__import__("pathlib").Path(app.instance_path) / "mail").glob("*invite.eml"))
    assert len(mails) == 1
    r = c.post("/beheer/organisaties/nieuw", data={"name": "Ander", "region": "limburg",
                                                 "email": "nieuw@example.be"})
    assert "al een login" in text(r)
    r = c.post("/beheer/organisaties/nieuw",
               data={"name": "X", "region": "antwerpen", "email": "x@example.be"})
    assert r.status_code in (200, 404) and "x@example.be" not in text(c.get("/beheer/organisaties"))


def test_deactivated_organisation_cannot_log_in_and_its_data_stays(app, world):
    orgs, admins = world
    lim = orgs["limburg"]
    r = admins["limburg"].post(f"/beheer/organisaties/{lim['id']}/deactiveren")
    assert r.status_code == 302
    assert lim["client"].get("/dashboard").status_code == 302  # its open session ended
    fresh = app.test_client()
    r = login(fresh, lim["email"])
    assert r.status_code == 200 and "gedeactiveerd" in text(r)
    admins["limburg"].post(f"/beheer/organisaties/{lim['id']}/activeren")
    assert login(app.test_client(), lim["email"]).status_code == 302
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(Client)
                              .where(Client.organisation_id == lim["id"])) == 1


def test_delete_on_request_needs_reason_and_password_and_is_audited(app, world):
    orgs, admins = world
    lim = orgs["limburg"]
    url = f"/beheer/clienten/{lim['client_id']}/verwijderen"
    r = admins["limburg"].post(url, data={"reden": "", "password": PASSWORD, "bevestig": "y"})
    assert "Geef de reden" in text(r)
    r = admins["limburg"].post(url, data={"reden": "Foute registratie", "password": "fout-wachtwoord-1",
                                          "bevestig": "y"})
    assert "wachtwoord klopt niet" in text(r)
    with app.app_context():
        assert session.get(Client, lim["client_id"]) is not None
    r = admins["limburg"].post(url, data={"reden": "Foute registratie", "password": PASSWORD,
                                          "bevestig": "y"})
    assert r.status_code == 302
    with app.app_context():
        assert session.get(Client, lim["client_id"]) is None
        assert session.scalar(select(func.count()).select_from(Period)
                              .join(Client, Client.id == Period.client_id)
                              .where(Client.organisation_id == lim["id"])) == 0
        assert session.scalar(select(func.count()).select_from(Period)) == 1  # Antwerpen's stays
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "client_deleted"))
        assert event.organisation_id == lim["id"] and '"volgnummer": 1' in event.details
        assert "Foute registratie" in event.details and CANARY not in event.details
        assert event.actor.startswith("admin-")
    page = text(admins["super"].get("/beheer/audit?soort=client_deleted"))
    assert "Cliënt verwijderd" in page and "Foute registratie" in page


def test_beheerders_page_is_for_superbeheerder_only(app, world):
    _, admins = world
    assert admins["limburg"].get("/beheer/beheerders").status_code == 403
    r = admins["super"].post("/beheer/beheerders/nieuw", data={
        "email": "nieuwe.beheerder@example.be", "region": "brussel", "contact_name": "Jo",
        "contact_phone": "02/000.00.00", "contact_organisation": "Steunpunt Brussel",
        "contact_email": "Brussel@steunpunt.example.be"})
    assert r.status_code == 302
    page = text(admins["super"].get("/beheer/beheerders"))
    assert "nieuwe.beheerder@example.be" in page and "Brussel" in page and "Steunpunt Brussel" in page
    contact = app.test_client().get("/contact").get_data(as_text=True)
    assert "Steunpunt Brussel" in contact and "brussel@steunpunt.example.be" in contact
    assert "nieuwe.beheerder@example.be" not in contact  # the login address stays private
    with app.app_context():
        account = session.scalar(select(Account).where(Account.email == "nieuwe.beheerder@example.be"))
        assert account.kind == "admin" and not account.is_super and account.region.code == "brussel"
        account_id = account.id
    r = admins["super"].post(f"/beheer/beheerders/{account_id}/bewerken", data={
        "email": "nieuwe.beheerder@example.be", "region": "brussel", "active": ""})
    assert r.status_code == 302
    with app.app_context():
        assert session.get(Account, account_id).active is False


def test_organisation_and_wrong_kind_refused(app, world):
    orgs, _ = world
    assert orgs["limburg"]["client"].get("/beheer/organisaties").status_code == 403
    assert app.test_client().get("/beheer/organisaties").status_code == 302


def test_audit_log_lists_logins_and_filters(app, world):
    _, admins = world
    page = text(admins["super"].get("/beheer/audit?soort=login"))
    assert "Aangemeld" in page and "Mislukte aanmelding" not in page.split("</select>")[-1]
    page = text(admins["limburg"].get("/beheer/audit"))
    assert "Org antwerpen" not in page.split("</form>")[-1]
    assert admins["super"].get("/beheer/audit?van=99/99/9999").status_code == 200


def _client_numbers(page: str) -> list[int]:
    return [int(nr) for nr in re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>", page)]


def test_organisation_page_past_the_end_shows_the_last_page(app, make_org, make_admin):
    org_id, _ = make_org(region="limburg")
    with app.app_context():
        org = session.get(Organisation, org_id)
        for i in range(103):
            services.create_client(org, client_values(birth_date=date(1970, 1, 1) + timedelta(days=i)),
                                   None)
        session.commit()
    beheerder = logged_in_client(app, make_admin("limburg"))
    first = text(beheerder.get(f"/beheer/organisaties/{org_id}"))
    assert _client_numbers(first) == list(range(1, 101)) and "Pagina 1 van 2" in first
    for past in ("?page=2", "?page=3", "?page=999"):
        page = text(beheerder.get(f"/beheer/organisaties/{org_id}{past}"))
        assert "nog geen cliënten" not in page, past
        assert _client_numbers(page) == [101, 102, 103], past
        assert "Pagina 2 van 2" in page and "← Vorige" in page and "Volgende →" not in page
        assert f"/beheer/organisaties/{org_id}?page=1" in page  # the link back


def _add_audit_events(app, *times: datetime) -> None:
    with app.app_context():
        session.add_all(AuditEvent(kind="export", at=at, actor="tijd@example.be") for at in times)
        session.commit()


def test_audit_log_shows_brussels_time_and_filters_on_brussels_days(app, world):
    _, admins = world
    # 22:30 UTC on 1 July is half past midnight on 2 July in Brussels (summer time, UTC+2)
    _add_audit_events(app, datetime(2026, 7, 1, 22, 30), datetime(2026, 1, 15, 10, 0))
    page = text(admins["super"].get("/beheer/audit?soort=export"))
    assert "02/07/2026 00:30" in page and "15/01/2026 11:00" in page
    assert "01/07/2026 22:30" not in page and "(UTC)" not in page
    on_2_july = text(admins["super"].get("/beheer/audit?soort=export&van=02/07/2026&tot=02/07/2026"))
    assert "02/07/2026 00:30" in on_2_july and "15/01/2026" not in on_2_july.split("</form>")[-1]
    on_1_july = text(admins["super"].get("/beheer/audit?soort=export&van=01/07/2026&tot=01/07/2026"))
    assert "Geen gebeurtenissen gevonden" in on_1_july


def test_audit_log_pages_and_past_the_end_shows_the_oldest(app, world):
    _, admins = world
    start = datetime(2020, 1, 1, 12, 0)
    _add_audit_events(app, *(start + timedelta(days=i) for i in range(105)))
    rows = lambda page: re.findall(r"<td[^>]*>(\d\d/\d\d/\d{4}) \d\d:\d\d</td>", page)  # noqa: E731
    newest = text(admins["super"].get("/beheer/audit?soort=export"))
    assert len(rows(newest)) == 100 and rows(newest)[0] == "14/04/2020"
    assert "Pagina 1 van 2" in newest and "Ouder →" in newest and "← Nieuwer" not in newest
    assert "soort=export" in newest.split("Ouder →")[0].rsplit("<a ", 1)[-1]  # the filter stays
    for past in ("2", "999"):
        oldest = text(admins["super"].get(f"/beheer/audit?soort=export&page={past}"))
        assert rows(oldest) == ["05/01/2020", "04/01/2020", "03/01/2020", "02/01/2020", "01/01/2020"]
        assert "Pagina 2 van 2" in oldest and "← Nieuwer" in oldest and "Ouder →" not in oldest
