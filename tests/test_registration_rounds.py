"""Registration rounds (SPEC §12, issue 13 point 5): a beheerder opens a round for a year with a
deadline, the organisations of its scope see a checklist on their dashboard and confirm, the
beheerder follows who confirmed and sends one reminder mail (real SMTP) to the others."""

import html
import re
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from helpers import client_values
from sqlalchemy import select
from support import PASSWORD, audit_rows, html_part, logged_in_client, text_part

from app.auth.passwords import hash_password
from app.clients import rounds as org_rounds
from app.clients import services
from app.db import session
from app.models import (
    Account,
    Client,
    Organisation,
    RegistrationConfirmation,
    RegistrationReminder,
    RegistrationRound,
)

CLIENT_NAME = "QQGEHEIM Marie Peeters"
TODAY = date.today()
DEADLINE = TODAY + timedelta(days=60)
YEAR = TODAY.year - 1
NO_PERIOD = 23  # clients of Alfa without a period: 20 listed "en 3 meer"


def _period(client, start, end=None):
    services.add_period(client, {"hours": Decimal(16), "start_date": start, "end_date": end,
                                 "reden_stopzetting": "x" if end else None,
                                 "perspectief": "y" if end else None})


@pytest.fixture
def world(mail_app, make_org, make_admin):
    """Limburg: Alfa (the checklist fixture, a main login and a colleague login), Beta (clean),
    Gamma (deactivated); Antwerpen: Delta. A beheerder per region and a superbeheerder."""
    app = mail_app
    alfa_id, alfa_email = make_org(name="Atelier Alfa", region="limburg")
    beta_id, beta_email = make_org(name="Werkhuis Beta", region="limburg")
    gamma_id, gamma_email = make_org(name="Gesloten Gamma", region="limburg")
    delta_id, delta_email = make_org(name="Delta Antwerpen", region="antwerpen")
    colleague_email = "collega-alfa@example.be"
    with app.app_context():
        alfa = session.get(Organisation, alfa_id)
        nrs = {"zonder_periode": [], "lang_open": [], "einde_laat": [], "ok": []}
        for _ in range(NO_PERIOD):
            nrs["zonder_periode"].append(services.create_client(
                alfa, client_values(), CLIENT_NAME).nr)
        # an open period that started more than a year before the deadline: an item
        c = services.create_client(alfa, client_values(), CLIENT_NAME)
        _period(c, org_rounds.one_year_before(DEADLINE) - timedelta(days=1))
        nrs["lang_open"].append(c.nr)
        # an open period that started exactly one year before the deadline: not (yet) an item
        c = services.create_client(alfa, client_values(), CLIENT_NAME)
        _period(c, org_rounds.one_year_before(DEADLINE))
        nrs["ok"].append(c.nr)
        # a period ending after 31 December of the deadline's year: an item
        c = services.create_client(alfa, client_values(), CLIENT_NAME)
        _period(c, TODAY - timedelta(days=400), date(DEADLINE.year + 1, 1, 1))
        nrs["einde_laat"].append(c.nr)
        # ending on 31 December of the deadline's year: not an item
        c = services.create_client(alfa, client_values(), CLIENT_NAME)
        _period(c, TODAY - timedelta(days=400), date(DEADLINE.year, 12, 31))
        nrs["ok"].append(c.nr)
        # a period ending after the limit, then an open one starting later still: an item
        # (the latest period is open; the earlier one is found on the periods)
        c = services.create_client(alfa, client_values(), CLIENT_NAME)
        _period(c, TODAY - timedelta(days=10), date(DEADLINE.year + 1, 1, 10))
        _period(c, date(DEADLINE.year + 1, 2, 1))
        nrs["einde_laat"].append(c.nr)
        # only a period starting after the limit: an item too
        c = services.create_client(alfa, client_values(), CLIENT_NAME)
        _period(c, date(DEADLINE.year + 1, 3, 1))
        nrs["einde_laat"].append(c.nr)
        # an old closed period, then an open one that started long before the deadline: an item
        c = services.create_client(alfa, client_values(), CLIENT_NAME)
        _period(c, TODAY - timedelta(days=2000), TODAY - timedelta(days=1900))
        _period(c, TODAY - timedelta(days=1000))
        nrs["lang_open"].append(c.nr)
        # Beta: one ordinary client; Delta (Antwerpen) a client without a period
        beta = session.get(Organisation, beta_id)
        _period(services.create_client(beta, client_values(), CLIENT_NAME), TODAY - timedelta(days=30))
        services.create_client(session.get(Organisation, delta_id), client_values(), CLIENT_NAME)
        session.get(Organisation, gamma_id).active = False
        colleague = Account(email=colleague_email, kind="org", organisation_id=alfa_id,
                            is_main=False, password_hash=hash_password(PASSWORD))
        session.add(colleague)
        session.commit()
        colleague_id = colleague.id
    return {"app": app, "alfa": alfa_id, "beta": beta_id, "gamma": gamma_id, "delta": delta_id,
            "alfa_email": alfa_email, "beta_email": beta_email, "gamma_email": gamma_email,
            "delta_email": delta_email, "colleague_email": colleague_email,
            "colleague_id": colleague_id, "nrs": nrs,
            "super": make_admin(None), "limburg": make_admin("limburg"),
            "antwerpen": make_admin("antwerpen")}


def _open(c, year=YEAR, deadline=DEADLINE, regio=None):
    data = {"jaar": str(year), "deadline": deadline.strftime("%d/%m/%Y")}
    if regio is not None:
        data["regio"] = regio
    return c.post("/beheer/registratierondes", data=data)


def _round_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/beheer/registratierondes/(\d+)$", response.location).group(1))


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else ""


# --- opening a round -----------------------------------------------------------------------------

def test_opening_a_round_validates_in_dutch_and_saves_nothing_on_errors(world):
    app = world["app"]
    c = logged_in_client(app, world["super"])
    cases = [
        ({"jaar": "", "deadline": "", "regio": ""},
         {"jaar": "Geef het jaar van de registraties (bv. 2025).",
          "deadline": "Geef de deadline (dd/mm/jjjj).", "regio": "Maak een keuze."}),
        ({"jaar": "２０２５", "deadline": "31/02/2027", "regio": "limburg"},
         {"jaar": f"Geef een jaar tussen 2000 en {TODAY.year}, in vier cijfers (bv. 2025).",
          "deadline": "Geef een geldige datum in (dd/mm/jjjj)."}),
        ({"jaar": "1999", "deadline": (TODAY - timedelta(days=1)).strftime("%d/%m/%Y"),
          "regio": "limburg"},
         {"jaar": f"Geef een jaar tussen 2000 en {TODAY.year}, in vier cijfers (bv. 2025).",
          "deadline": "De deadline kan niet in het verleden liggen."}),
        ({"jaar": str(YEAR), "deadline": (TODAY + timedelta(days=800)).isoformat(),
          "regio": "nergens"},
         {"deadline": "De deadline kan hoogstens twee jaar in de toekomst liggen.",
          "regio": "Kies een van de aangeboden mogelijkheden."}),
    ]
    for data, errors in cases:
        r = c.post("/beheer/registratierondes", data=data)
        assert r.status_code == 200
        page = r.get_data(as_text=True)
        for field, message in errors.items():
            assert _field_error(page, field) == message, (data, field, page[:200])
    with app.app_context():
        assert session.scalar(select(RegistrationRound)) is None


def test_a_second_round_for_a_year_and_region_is_refused_with_a_clear_message(world):
    app = world["app"]
    limburg = logged_in_client(app, world["limburg"])
    round_id = _round_id(_open(limburg))
    r = _open(limburg, deadline=DEADLINE + timedelta(days=5))
    assert r.status_code == 200
    assert _field_error(r.get_data(as_text=True), "jaar") == (
        f"Er is al een registratieronde voor {YEAR} voor Limburg. Per jaar kan er voor een regio "
        "maar één ronde zijn.")
    # the superbeheerder cannot open an all-regions round over it either, but Antwerpen can
    superb = logged_in_client(app, world["super"])
    r = _open(superb, regio="alle")
    assert "Er is al een registratieronde voor" in _field_error(r.get_data(as_text=True), "jaar")
    antwerpen_round = _round_id(_open(superb, regio="antwerpen"))
    # and another year for Limburg is fine
    _round_id(_open(limburg, year=YEAR - 1))
    with app.app_context():
        rounds = session.scalars(select(RegistrationRound).order_by(RegistrationRound.id)).all()
        assert [(r.year, r.region.code) for r in rounds] == [
            (YEAR, "limburg"), (YEAR, "antwerpen"), (YEAR - 1, "limburg")]
        assert rounds[0].id == round_id and rounds[1].id == antwerpen_round
        assert rounds[0].opened_by is not None and rounds[0].deadline == DEADLINE
    events = [e for e in audit_rows(app) if e.kind == "round_opened"]
    assert len(events) == 3
    # an all-regions round clashes with a regional one the other way round too
    r = _open(superb, year=YEAR - 2, regio="alle")
    assert r.status_code == 302
    r = _open(limburg, year=YEAR - 2)
    assert "voor alle regio's (dus ook voor Limburg)" in _field_error(r.get_data(as_text=True), "jaar")


def test_a_provinciebeheerder_opens_a_round_for_its_own_region_only(world):
    app = world["app"]
    limburg = logged_in_client(app, world["limburg"])
    page = limburg.get("/beheer/registratierondes").get_data(as_text=True)
    assert 'name="regio"' not in page and "Regio: <strong>Limburg</strong>" in page
    round_id = _round_id(_open(limburg, regio="antwerpen"))  # a posted region is ignored
    with app.app_context():
        assert session.get(RegistrationRound, round_id).region.code == "limburg"
    # the superbeheerder's form offers every region and "alle regio's"
    page = logged_in_client(app, world["super"]).get("/beheer/registratierondes").get_data(as_text=True)
    assert 'value="antwerpen"' in page and 'value="alle"' in page


# --- the organisation's dashboard ----------------------------------------------------------------

def test_the_dashboard_checklist_has_exact_counts_and_links_to_the_clients(world):
    app = world["app"]
    _round_id(_open(logged_in_client(app, world["limburg"])))
    alfa = logged_in_client(app, world["alfa_email"])
    page = alfa.get("/dashboard").get_data(as_text=True)
    text = re.sub(r"\s+", " ", page)
    assert f"Registratieronde {YEAR}" in text
    assert f"uiterlijk op <strong>{DEADLINE:%d/%m/%Y}</strong>" in text
    section = page[page.index('class="registration-round"'):page.index("</section>")]
    items = re.findall(r"<li>(.*?)</li>", section, re.S)
    assert len(items) == 3
    nrs = world["nrs"]
    expected = [(NO_PERIOD, nrs["zonder_periode"][:20], 3), (2, nrs["lang_open"], 0),
                (3, nrs["einde_laat"], 0)]
    for item, (total, listed, more) in zip(items, expected, strict=True):
        assert re.search(rf"<strong>{total}</strong>", item)
        assert [int(n) for n in re.findall(r'href="/clienten/(\d+)"', item)] == listed
        assert (f"en {more} meer" in item) == bool(more)
    assert f"Mijn registraties voor {YEAR} zijn volledig" in page
    # every link opens that client's page (the client of this organisation)
    for nr in nrs["lang_open"] + nrs["einde_laat"]:
        assert alfa.get(f"/clienten/{nr}").status_code == 200
    for nr in nrs["ok"]:
        assert f'href="/clienten/{nr}"' not in section


def test_the_checklist_counts_in_a_fixed_number_of_statements(world):
    """Counts and lists come from one statement, whatever the number of clients."""
    from support import recorded_statements
    app = world["app"]
    _round_id(_open(logged_in_client(app, world["limburg"])))
    alfa = logged_in_client(app, world["alfa_email"])
    beta = logged_in_client(app, world["beta_email"])
    counts = []
    for c in (alfa, beta):
        with recorded_statements(app) as statements:
            assert c.get("/dashboard").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    with recorded_statements(app) as statements:
        assert beta.get("/dashboard", headers={"HX-Request": "true"}).status_code == 200
    assert not any("registration_round" in s for s in statements)  # not for the list swap


def test_confirming_is_recorded_with_the_login_audited_and_shown_to_the_beheerder(world):
    app = world["app"]
    round_id = _round_id(_open(logged_in_client(app, world["limburg"])))
    colleague = logged_in_client(app, world["colleague_email"])
    r = colleague.post(f"/registratierondes/{round_id}/volledig")
    assert r.status_code == 302
    page = _text(colleague.get("/dashboard"))
    assert "Bevestigd op " in page and f"door {world['colleague_email']}" in page
    assert "Mijn registraties voor" not in page and 'class="checklist"' not in page
    # the main login sees it too; a second confirmation changes nothing
    alfa = logged_in_client(app, world["alfa_email"])
    assert f"door {world['colleague_email']}" in _text(alfa.get("/dashboard"))
    alfa.post(f"/registratierondes/{round_id}/volledig")
    with app.app_context():
        rows = session.scalars(select(RegistrationConfirmation)).all()
        assert [(r.organisation_id, r.account_id) for r in rows] == [(world["alfa"],
                                                                      world["colleague_id"])]
    events = [e for e in audit_rows(app) if e.kind == "round_confirmed"]
    assert len(events) == 1
    assert events[0].account_id == world["colleague_id"] and events[0].organisation_id == world["alfa"]
    assert CLIENT_NAME not in (events[0].details or "")
    # the beheerder: confirmed by "collega-login #id", never the address; Beta not yet
    detail = _text(logged_in_client(app, world["limburg"]).get(f"/beheer/registratierondes/{round_id}"))
    assert re.search(rf"Bevestigd op \d\d/\d\d/\d{{4}} \d\d:\d\d door collega-login #{world['colleague_id']}",
                     detail)
    assert world["colleague_email"] not in detail
    assert "Nog niet bevestigd" in detail and "1 van de 2" in detail
    assert "Gesloten Gamma" not in detail  # deactivated organisations take no part
    assert re.search(rf"Geopend op \d\d/\d\d/\d{{4}} \d\d:\d\d door {re.escape(world['limburg'])}", detail)
    # open items per organisation: Alfa 23 + 2 + 3, Beta 0
    rows = re.findall(r"<tr>.*?</tr>", detail)
    alfa_row = next(r for r in rows if "Atelier Alfa" in r)
    beta_row = next(r for r in rows if "Werkhuis Beta" in r)
    assert re.search(r'class="num">28<', alfa_row) and re.search(r'class="num">0<', beta_row)
    # the audit log names the colleague by number as well
    audit_page = _text(logged_in_client(app, world["limburg"]).get("/beheer/audit?soort=round_confirmed"))
    assert f"collega-login #{world['colleague_id']}" in audit_page
    assert world["colleague_email"] not in audit_page


def test_a_main_login_confirmation_reads_hoofdlogin(world):
    app = world["app"]
    round_id = _round_id(_open(logged_in_client(app, world["limburg"])))
    logged_in_client(app, world["beta_email"]).post(f"/registratierondes/{round_id}/volledig")
    detail = _text(logged_in_client(app, world["super"]).get(f"/beheer/registratierondes/{round_id}"))
    beta_row = next(r for r in re.findall(r"<tr>.*?</tr>", detail) if "Werkhuis Beta" in r)
    assert "door hoofdlogin" in beta_row and world["beta_email"] not in detail


def test_another_regions_organisation_does_not_see_the_round_and_cannot_confirm_it(world):
    app = world["app"]
    round_id = _round_id(_open(logged_in_client(app, world["limburg"])))
    delta = logged_in_client(app, world["delta_email"])
    page = delta.get("/dashboard").get_data(as_text=True)
    assert "Registratieronde" not in page and "Mijn registraties voor" not in page
    assert delta.post(f"/registratierondes/{round_id}/volledig").status_code == 404
    with app.app_context():
        assert session.scalar(select(RegistrationConfirmation)) is None


def test_an_all_regions_round_reaches_every_region(world):
    app = world["app"]
    round_id = _round_id(_open(logged_in_client(app, world["super"]), regio="alle"))
    assert f"Registratieronde {YEAR}" in _text(logged_in_client(app, world["delta_email"]).get("/dashboard"))
    # the Limburg beheerder follows it for its own organisations only
    detail = _text(logged_in_client(app, world["limburg"]).get(f"/beheer/registratierondes/{round_id}"))
    assert "Atelier Alfa" in detail and "Delta Antwerpen" not in detail
    assert "de superbeheerder verstuurt de herinnering" in detail


def test_a_beheerder_of_another_region_gets_404_on_the_round(world):
    app = world["app"]
    round_id = _round_id(_open(logged_in_client(app, world["limburg"])))
    antwerpen = logged_in_client(app, world["antwerpen"])
    for url in (f"/beheer/registratierondes/{round_id}", f"/beheer/registratierondes/{round_id}/herinnering"):
        assert antwerpen.get(url).status_code == 404
    assert antwerpen.post(f"/beheer/registratierondes/{round_id}/herinnering").status_code == 404
    listing = _text(antwerpen.get("/beheer/registratierondes"))
    assert "Er werd nog geen registratieronde geopend." in listing
    with app.app_context():
        assert session.scalar(select(RegistrationReminder)) is None


# --- the reminder --------------------------------------------------------------------------------

def test_the_reminder_asks_first_then_mails_only_the_unconfirmed_and_only_once(world):
    app, smtp = world["app"], world["app"].smtp
    limburg = logged_in_client(app, world["limburg"])
    round_id = _round_id(_open(limburg))
    logged_in_client(app, world["beta_email"]).post(f"/registratierondes/{round_id}/volledig")
    detail = limburg.get(f"/beheer/registratierondes/{round_id}").get_data(as_text=True)
    assert f'href="/beheer/registratierondes/{round_id}/herinnering"' in detail
    assert "<form" not in detail.split("</header>")[1].split("<footer")[0]  # no one-click button
    confirm = _text(limburg.get(f"/beheer/registratierondes/{round_id}/herinnering"))
    assert "1 organisatie</strong> die nog niet bevestigden (2 e-mails)" in confirm
    assert not smtp.messages  # asking sent nothing
    r = limburg.post(f"/beheer/registratierondes/{round_id}/herinnering")
    assert r.status_code == 302
    messages = smtp.wait_for(2)
    assert sorted(m["To"] for m in messages) == sorted([world["alfa_email"], world["colleague_email"]])
    for msg in messages:
        body = text_part(msg)
        assert f"registraties voor {YEAR}" in body and f"{DEADLINE:%d/%m/%Y}" in body
        assert app.config["BASE_URL"] + "/dashboard" in body
        assert f'href="{app.config["BASE_URL"]}/dashboard"' in html_part(msg)
        assert f"{DEADLINE:%d/%m/%Y}" in msg["Subject"] and str(YEAR) in msg["Subject"]
        for part in (body, html_part(msg)):
            assert CLIENT_NAME not in part and "Atelier Alfa" not in part
    followed = _text(limburg.get(r.location))
    assert "De herinnering werd verstuurd naar 1 organisatie (2 e-mails)." in followed
    assert re.search(r"Herinnering verstuurd op \d\d/\d\d/\d{4} \d\d:\d\d", followed)
    # a second attempt is refused with a message and mails nobody
    r = limburg.post(f"/beheer/registratierondes/{round_id}/herinnering")
    followed = _text(limburg.get(r.location))
    assert "De herinnering voor deze ronde werd al verstuurd op" in followed
    again = _text(limburg.get(f"/beheer/registratierondes/{round_id}/herinnering"))
    assert "werd al verstuurd op" in again and ">Herinnering versturen</button>" not in again
    time.sleep(0.3)
    assert len(smtp.messages) == 2
    with app.app_context():
        reminders = session.scalars(select(RegistrationReminder)).all()
        assert [(r.organisations, r.mails) for r in reminders] == [(1, 2)]
    events = [e for e in audit_rows(app) if e.kind == "round_reminder"]
    assert len(events) == 1 and '"mails": 2' in events[0].details
    # Gamma (deactivated) and Delta (Antwerpen) got nothing
    assert not {world["gamma_email"], world["delta_email"]} & {m["To"] for m in smtp.messages}


def test_the_superbeheerder_reminds_an_all_regions_round(world):
    app, smtp = world["app"], world["app"].smtp
    superb = logged_in_client(app, world["super"])
    round_id = _round_id(_open(superb, regio="alle"))
    assert logged_in_client(app, world["limburg"]).post(
        f"/beheer/registratierondes/{round_id}/herinnering").status_code == 302
    assert not smtp.messages  # refused for the provinciebeheerder
    superb.post(f"/beheer/registratierondes/{round_id}/herinnering")
    messages = smtp.wait_for(4)
    assert sorted(m["To"] for m in messages) == sorted(
        [world["alfa_email"], world["colleague_email"], world["beta_email"], world["delta_email"]])


# --- names and the statistics page ---------------------------------------------------------------

def test_no_client_name_on_any_round_page(world):
    app = world["app"]
    limburg = logged_in_client(app, world["limburg"])
    round_id = _round_id(_open(limburg))
    for url in ("/beheer/registratierondes", f"/beheer/registratierondes/{round_id}",
                f"/beheer/registratierondes/{round_id}/herinnering",
                f"/beheer/statistieken?jaar={YEAR}"):
        page = limburg.get(url).get_data(as_text=True)
        assert CLIENT_NAME not in page and "QQGEHEIM" not in page, url


def test_the_statistics_page_says_how_many_organisations_confirmed_the_year(world):
    app = world["app"]
    superb = logged_in_client(app, world["super"])
    assert "Registratieronde" not in _text(superb.get(f"/beheer/statistieken?jaar={YEAR}"))
    round_id = _round_id(_open(logged_in_client(app, world["limburg"])))
    logged_in_client(app, world["alfa_email"]).post(f"/registratierondes/{round_id}/volledig")
    expected = f"Registratieronde {YEAR}: <strong>1 van de 2</strong> organisaties bevestigden"
    assert expected in _text(superb.get(f"/beheer/statistieken?jaar={YEAR}"))
    assert expected in _text(superb.get(f"/beheer/statistieken?jaar={YEAR}&regio=limburg"))
    assert "Registratieronde" not in _text(superb.get(f"/beheer/statistieken?jaar={YEAR}&regio=antwerpen"))
    assert "Registratieronde" not in _text(superb.get(f"/beheer/statistieken?jaar={YEAR - 1}"))
    assert expected in _text(logged_in_client(app, world["limburg"]).get(f"/beheer/statistieken?jaar={YEAR}"))
    assert "Registratieronde" not in _text(
        logged_in_client(app, world["antwerpen"]).get(f"/beheer/statistieken?jaar={YEAR}"))


def test_confirmed_count_service(world):
    from app.beheer.rounds import confirmed_count
    from app.beheer.scope import Scope
    app = world["app"]
    round_id = _round_id(_open(logged_in_client(app, world["super"]), regio="alle"))
    logged_in_client(app, world["delta_email"]).post(f"/registratierondes/{round_id}/volledig")
    with app.app_context():
        limburg_id = session.get(Organisation, world["alfa"]).region_id
        antwerpen_id = session.get(Organisation, world["delta"]).region_id
        everyone = Scope(account_id=1, region_id=None, is_super=True)
        assert confirmed_count(everyone, None, YEAR) == (1, 3)
        assert confirmed_count(everyone, limburg_id, YEAR) == (0, 2)
        assert confirmed_count(everyone, antwerpen_id, YEAR) == (1, 1)
        assert confirmed_count(Scope(account_id=1, region_id=limburg_id, is_super=False),
                               None, YEAR) == (0, 2)
        assert confirmed_count(everyone, None, YEAR - 1) is None
        assert session.scalar(select(Client).where(Client.organisation_id == world["gamma"])) is None
