"""The organisation's client pages: wizard, dashboard, client information, periods, validation."""

import re
from datetime import date, timedelta
from decimal import Decimal

from helpers import add_client, add_period, client_form, first_code, label_of
from sqlalchemy import func, select

from app.db import session
from app.models import CLIENT_CODE_FIELDS, Client, Period


def count_clients(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(Client))


def text(r) -> str:
    return r.get_data(as_text=True)


def test_wizard_creates_client_then_period_and_lands_on_dashboard(org_client):
    r = org_client.get("/dashboard")
    assert "+ Voeg een nieuwe cliënt toe" in text(r)
    r = org_client.post("/clienten/nieuw", data=client_form(naam="Jan Peeters", oud_volgnummer="A-7"))
    assert r.status_code == 302 and r.location.endswith("/clienten/1/periodes/nieuw?stap=2")
    page = text(org_client.get(r.location))
    assert "Periode toevoegen" in page and 'value="1"' in page
    r = add_period(org_client, 1, uren="16,5", startdatum="03/06/2024")
    # back to the dashboard as it was left (SPEC §12: the first tab here)
    assert r.status_code == 302 and r.location == "/dashboard"
    page = text(org_client.get(r.location))
    assert "werd opgeslagen" in page and "Actieve cliënten" in page
    assert re.search(r'tab=actief"[^>]*\s+aria-current="page"', page)
    assert "Jan Peeters" in page and "03/06/2024" in page and "A-7" in page


def test_numbers_are_per_organisation_and_never_reused(app, make_org):
    from support import login
    c1, c2 = app.test_client(), app.test_client()
    login(c1, make_org(name="Een")[1])
    login(c2, make_org(name="Twee")[1])
    assert [add_client(c1) for _ in range(3)] == [1, 2, 3]
    assert add_client(c2) == 1


def test_client_page_shows_labels_dates_and_periods(org_client):
    nr = add_client(org_client, naam="x", geboortedatum="1985-06-13",
                    hoofdproblematiek="justitiaal", geslacht="vrouw")
    add_period(org_client, nr, uren="16", startdatum="2023-09-11", einddatum="2024-06-06",
               reden_stopzetting=first_code("reden_stopzetting"), perspectief=first_code("perspectief"))
    page = text(org_client.get(f"/clienten/{nr}"))
    assert "13/06/1985" in page and "Vrouw" in page and "Justitiaal" in page
    assert label_of("reden_stopzetting", first_code("reden_stopzetting")) in page
    assert "11/09/2023" in page and "06/06/2024" in page
    assert "Overzicht begeleidingsperiodes" in page and "Cliënt bewerken" in page
    assert "justitiaal" not in page.replace("Justitiaal", "")  # labels, not codes


def test_closing_a_period_moves_the_client_to_inactive_and_new_period_back(org_client):
    nr = add_client(org_client)
    add_period(org_client, nr, startdatum="2023-01-01")
    with org_client.application.app_context():
        period_id = session.scalar(select(Period.id))
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    r = org_client.post(f"/clienten/{nr}/periodes/{period_id}/bewerken", data={
        "uren": "16", "startdatum": "2023-01-01", "einddatum": yesterday,
        "reden_stopzetting": first_code("reden_stopzetting"), "perspectief": first_code("perspectief")})
    assert r.status_code == 302 and r.location.endswith("tab=inactief")
    assert f">{nr}<" not in text(org_client.get("/dashboard?tab=actief"))
    inactive = text(org_client.get("/dashboard?tab=inactief"))
    assert re.search(rf"<td[^>]*>{nr}</td>", inactive) and "Nieuwe periode starten" in inactive
    r = add_period(org_client, nr, startdatum=date.today().isoformat())
    # back to the list as it was left (the inactive tab); the message says where the client is
    assert r.location == "/dashboard"
    back = text(org_client.get(r.location))
    assert "De cliënt staat bij Actieve cliënten" in back
    assert re.search(r'tab=inactief"[^>]*\s+aria-current="page"', back)
    assert re.search(rf"<td[^>]*>{nr}</td>", text(org_client.get("/dashboard?tab=actief")))


def test_client_without_period_is_listed_active_with_a_mark(org_client):
    add_client(org_client)
    page = text(org_client.get("/dashboard"))
    assert "Nog geen begeleidingsperiode" in page and "Periode toevoegen" in page


def test_invalid_client_form_keeps_input_shows_dutch_errors_and_saves_nothing(org_client):
    data = client_form(naam="Mia", geboortedatum="31/02/1990", postcode_woonplaats="12",
                       postcode_tewerkstelling="buitenland", geslacht="")
    r = org_client.post("/clienten/nieuw", data=data)
    page = text(r)
    assert r.status_code == 200
    assert "Geef een geldige datum in (dd/mm/jjjj)." in page
    assert "Belgische postcode" in page and "Maak een keuze." in page
    assert 'value="Mia"' in page and 'value="12"' in page and 'value="31/02/1990"' in page
    assert 'aria-describedby="geboortedatum-error"' in page
    assert count_clients(org_client.application) == 0


def test_hand_typed_dates_and_age_limits(org_client):
    too_young = (date.today() - timedelta(days=365 * 14)).strftime("%d/%m/%Y")
    r = org_client.post("/clienten/nieuw", data=client_form(geboortedatum=too_young))
    assert "minstens 15 jaar" in text(r)
    assert add_client(org_client, geboortedatum="13/06/1985") == 1


def test_period_validation_messages_and_nothing_saved(org_client):
    nr = add_client(org_client)
    r = add_period(org_client, nr, uren="40", startdatum="2024-06-03", einddatum="2024-06-01")
    page = text(r)
    assert "tussen 0,5 en 38" in page and "niet voor de startdatum" in page
    r = add_period(org_client, nr, uren="abc", startdatum="")
    assert "Geef een getal in" in text(r) and "Dit veld is verplicht." in text(r)
    r = add_period(org_client, nr, uren="10", startdatum="2024-01-01", einddatum="2024-03-01")
    assert "Kies de reden van stopzetting" in text(r)
    with org_client.application.app_context():
        assert session.scalar(select(func.count()).select_from(Period)) == 0


def test_overlap_and_second_open_period_are_refused(org_client):
    nr = add_client(org_client)
    add_period(org_client, nr, startdatum="2020-01-01", einddatum="2020-12-31",
               reden_stopzetting=first_code("reden_stopzetting"), perspectief=first_code("perspectief"))
    r = add_period(org_client, nr, startdatum="2020-06-01")
    assert "pas starten na het einde" in text(r)
    add_period(org_client, nr, startdatum="2021-01-01")
    r = add_period(org_client, nr, startdatum="2022-01-01")
    assert "al een lopende periode" in text(r)
    with org_client.application.app_context():
        assert session.scalar(select(func.count()).select_from(Period)) == 2


def test_duplicate_warning_can_be_confirmed(org_client):
    add_client(org_client, geboortedatum="1985-06-13")
    r = org_client.post("/clienten/nieuw", data=client_form())
    assert r.status_code == 200 and "Mogelijk dubbele registratie" in text(r) and "nr 1" in text(r)
    assert count_clients(org_client.application) == 1
    r = org_client.post("/clienten/nieuw", data=client_form(dubbel_bevestigd="y"))
    assert r.status_code == 302
    assert count_clients(org_client.application) == 2


def test_edit_client_prefills_and_saves(org_client):
    nr = add_client(org_client, naam="Oude Naam", oud_volgnummer="77", geboortedatum="1985-06-13")
    page = text(org_client.get(f"/clienten/{nr}/bewerken"))
    assert 'value="Oude Naam"' in page and 'value="77"' in page and 'value="1985-06-13"' in page
    r = org_client.post(f"/clienten/{nr}/bewerken", data=client_form(naam="Nieuwe Naam", oud_volgnummer="78"))
    assert r.status_code == 302
    page = text(org_client.get(f"/clienten/{nr}"))
    assert "Nieuwe Naam" in page and "78" in page and "Oude Naam" not in page


def test_search_by_new_or_old_number_and_sort(org_client):
    for old in ("100", "20", "B3"):
        add_client(org_client, oud_volgnummer=old)
    rows = lambda r: re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>", text(r))  # noqa: E731
    assert rows(org_client.get("/dashboard?q=2")) == ["2"]
    assert rows(org_client.get("/dashboard?q=b3")) == ["3"]
    assert rows(org_client.get("/dashboard?q=10")) == ["1"]
    assert rows(org_client.get("/dashboard?sort=nr_desc")) == ["3", "2", "1"]
    assert rows(org_client.get("/dashboard?sort=oud_asc")) == ["2", "3", "1"]
    assert "Geen cliënten gevonden" in text(org_client.get("/dashboard?q=999"))


def test_htmx_gets_only_the_list_and_pager_works(org_client, app):
    from helpers import client_values

    from app.clients import services
    from app.models import Organisation
    with app.app_context():
        org = session.get(Organisation, org_client.org_id)
        for i in range(55):
            services.create_client(org, client_values(birth_date=date(1980, 1, 1) + timedelta(days=i)), None)
        session.commit()
    full = org_client.get("/dashboard")
    assert "<html" in text(full) and "Pagina 1 van 2" in text(full)
    part = org_client.get("/dashboard?page=2", headers={"HX-Request": "true"})
    assert "<html" not in text(part) and "Pagina 2 van 2" in text(part)
    assert len(re.findall(r"<tr>\s*<td[^>]*>", text(part))) == 5
    assert "HX-Request" in part.headers.get("Vary", "")
    restore = org_client.get("/dashboard?page=2", headers={"HX-Request": "true",
                                                           "HX-History-Restore-Request": "true"})
    assert "<html" in text(restore)


def test_other_kind_and_bad_numbers(org_client):
    assert org_client.get("/clienten/999").status_code == 404
    assert org_client.get("/clienten/abc").status_code == 404
    assert org_client.get("/dashboard?page=-3&sort=evil&tab=x").status_code == 200


def test_edit_forms_show_the_stored_values_and_give_them_back(org_client):
    from app.clients.forms import ClientForm, PeriodForm

    nr = add_client(org_client, naam="Els", oud_volgnummer="X-5", postcode_woonplaats="buitenland",
                    geboortedatum="1980-02-29")
    reason, perspective = first_code("reden_stopzetting", 1), first_code("perspectief", 2)
    add_period(org_client, nr, uren="12,5", startdatum="2023-01-01", einddatum="2023-06-30",
               reden_stopzetting=reason, perspectief=perspective)
    app = org_client.application
    with app.app_context():
        period = session.scalar(select(Period))
    page = text(org_client.get(f"/clienten/{nr}/periodes/{period.id}/bewerken"))
    assert 'value="12,5"' in page and 'value="2023-01-01"' in page and 'value="2023-06-30"' in page
    assert re.search(rf'<option selected value="{reason}">', page)
    assert re.search(rf'<option selected value="{perspective}">', page)
    # what an edit page shows is, unchanged, what it saves
    with app.app_context(), app.test_request_context(f"/clienten/{nr}/bewerken"):
        form = ClientForm.from_model(session.scalar(select(Client)), "Els")
        assert form.naam.data == "Els"
        assert form.values() == {
            "old_nr": "X-5", "birth_date": date(1980, 2, 29), "postcode_woonplaats": "buitenland",
            "postcode_tewerkstelling": "3500", **{name: first_code(name) for name in CLIENT_CODE_FIELDS}}
        assert PeriodForm.from_model(session.scalar(select(Period))).values() == {
            "hours": Decimal("12.5"), "start_date": date(2023, 1, 1), "end_date": date(2023, 6, 30),
            "reden_stopzetting": reason, "perspectief": perspective}
