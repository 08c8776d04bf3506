"""The organisation's own caseload (/clienten/export.csv and .xlsx) and the dashboard's print
view (/dashboard?print=1): exact rows of a hand-made fixture, names of the organisation only,
formula-looking names neutralised, audited without a name, closed to beheerders."""

import csv
import gc
import io
import json
import re
import time
import tracemalloc
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from helpers import LISTS, client_values, label_of
from sqlalchemy import func, insert, select, text
from support import logged_in_client, recorded_statements

from app.clients import names, services
from app.db import session
from app.models import CLIENT_CODE_FIELDS, AuditEvent, Client, Organisation, Period

HEADERS = ["Nr", "Nr (oud)", "Naam", "Geboortedatum", "Postcode woonplaats",
           "Postcode tewerkstelling", "Geslacht", "Burgerlijke staat", "Hoofdproblematiek",
           "Leefsituatie", "Onderwijsniveau", "Belangrijkste verwijzer", "Hoofdinkomen",
           "Vergoeding van het initiatief", "Ooit gewerkt in het bezoldigde circuit",
           "Subsidie voor de begeleiding", "Overeenkomst", "Methodiek", "Status", "Aantal uren",
           "Startdatum", "Einddatum", "Reden van stopzetting", "Perspectief na stopzetting"]
NAME_A = "Jana Peeters"
FORMULA_NAME = "=HYPERLINK(\"http://x.test\";\"klik\")"
NAME_B = "Geheim van organisatie B"
OLD_B = "B-OUD-9"


def _codes(**overrides):
    values = {name: LISTS[name]["options"][0]["code"] for name in CLIENT_CODE_FIELDS}
    values.update(overrides)
    return values


@pytest.fixture
def fixture(app, make_org):
    """A: nr 1 (two periods: one ended with a reason and perspective, one open), nr 2 (a name
    that looks like a formula, no period). B: one client with a period."""
    a_id, a_email = make_org(name="Atelier A")
    b_id, b_email = make_org(name="Atelier B", region="antwerpen")
    with app.app_context():
        a = session.get(Organisation, a_id)
        one = services.create_client(a, client_values(
            old_nr="OUD-1", birth_date=date(1980, 2, 29), postcode_woonplaats="3500",
            postcode_tewerkstelling="3510", **_codes(geslacht="vrouw",
                                                       hoofdproblematiek="verstandelijke_beperking")),
            NAME_A)
        services.add_period(one, {"hours": Decimal("19.5"), "start_date": date(2023, 1, 2),
                                  "end_date": date(2024, 3, 31),
                                  "reden_stopzetting": "doorstroom_betaald_werk",
                                  "perspectief": "betaald_werk_nec"})
        services.add_period(one, {"hours": Decimal("16"), "start_date": date(2024, 6, 1),
                                  "end_date": None, "reden_stopzetting": None, "perspectief": None})
        services.create_client(a, client_values(birth_date=date(2001, 12, 1),
                                                postcode_woonplaats="buitenland"), FORMULA_NAME)
        b = session.get(Organisation, b_id)
        other = services.create_client(b, client_values(old_nr=OLD_B), NAME_B)
        services.add_period(other, {"hours": Decimal("8"), "start_date": date(2024, 1, 1),
                                    "end_date": None, "reden_stopzetting": None,
                                    "perspectief": None})
        session.commit()
    return {"a": a_id, "b": b_id, "a_email": a_email, "b_email": b_email}


def _labels(**overrides):
    codes = _codes(**overrides)
    return [label_of(name, codes[name]) for name in CLIENT_CODE_FIELDS]


# the rows of A, as typed values (None: an empty cell)
EXPECTED = [
    [1, "OUD-1", NAME_A, date(1980, 2, 29), "3500", "3510",
     *_labels(geslacht="vrouw", hoofdproblematiek="verstandelijke_beperking"), "Actief",
     Decimal("19.5"), date(2023, 1, 2), date(2024, 3, 31),
     label_of("reden_stopzetting", "doorstroom_betaald_werk"),
     label_of("perspectief", "betaald_werk_nec")],
    [1, "OUD-1", NAME_A, date(1980, 2, 29), "3500", "3510",
     *_labels(geslacht="vrouw", hoofdproblematiek="verstandelijke_beperking"), "Actief",
     Decimal("16"), date(2024, 6, 1), None, None, None],
    [2, None, "'" + FORMULA_NAME, date(2001, 12, 1), "buitenland", "3500", *_labels(), "Actief",
     None, None, None, None, None],
]


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _exports(app, fixture):
    with app.app_context():
        return list(session.scalars(select(AuditEvent).where(AuditEvent.kind == "export")
                                    .order_by(AuditEvent.id)))


def test_csv_has_exactly_the_organisations_rows(app, fixture):
    c = logged_in_client(app, fixture["a_email"])
    r = c.get("/clienten/export.csv")
    assert r.status_code == 200 and r.is_streamed
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="clienten-\d\d-\d\d-\d{4}\.csv"',
                        r.headers["Content-Disposition"])
    body = r.get_data()
    assert body.startswith("\ufeff".encode()) and b"\r\n" in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == HEADERS
    assert rows[1:] == [[_csv_cell(v) for v in row] for row in EXPECTED]
    assert NAME_B.encode() not in body and OLD_B.encode() not in body


def test_xlsx_has_exactly_the_organisations_rows(app, fixture):
    c = logged_in_client(app, fixture["a_email"])
    r = c.get("/clienten/export.xlsx")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r"attachment; filename=clienten-\d\d-\d\d-\d{4}\.xlsx",
                        r.headers["Content-Disposition"])
    book = openpyxl.load_workbook(io.BytesIO(r.get_data()))
    assert book.sheetnames == ["Cliënten"]
    sheet = book["Cliënten"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS

    def typed(value):
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        return value

    assert rows[1:] == [[typed(v) for v in row] for row in EXPECTED]
    # the formula-looking name is text, not a formula; dates carry a date format
    name_cell = sheet["C4"]
    assert name_cell.data_type == "s" and name_cell.value.startswith("'=")
    assert sheet["D2"].is_date and sheet["U2"].number_format == "DD/MM/YYYY"
    assert NAME_B not in str(rows)


def test_the_other_organisation_gets_its_own_rows_only(app, fixture):
    c = logged_in_client(app, fixture["b_email"])
    body = c.get("/clienten/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert [row[:3] for row in rows[1:]] == [["1", OLD_B, NAME_B]]
    assert NAME_A not in body and "HYPERLINK" not in body
    book = openpyxl.load_workbook(io.BytesIO(c.get("/clienten/export.xlsx").get_data()))
    values = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert [row[:3] for row in values[1:]] == [[1, OLD_B, NAME_B]]


def test_exports_are_audited_with_counts_and_without_a_name(app, fixture):
    c = logged_in_client(app, fixture["a_email"])
    c.get("/clienten/export.csv").get_data()
    c.get("/clienten/export.xlsx").get_data()
    events = _exports(app, fixture)
    assert [(e.organisation_id, json.loads(e.details)) for e in events] == [
        (fixture["a"], {"format": "csv", "soort": "eigen cliënten", "clienten": 2, "rows": 3}),
        (fixture["a"], {"format": "xlsx", "soort": "eigen cliënten", "clienten": 2, "rows": 3})]
    for event in events:
        row = f"{event.actor} {event.details}"
        assert "Peeters" not in row and "HYPERLINK" not in row and "OUD-1" not in row


def test_beheerders_and_visitors_have_no_access(app, fixture, make_admin):
    for region in (None, "limburg"):
        admin = logged_in_client(app, make_admin(region))
        for url in ("/clienten/export.csv", "/clienten/export.xlsx", "/dashboard?print=1"):
            r = admin.get(url)
            assert r.status_code == 403, url
            assert NAME_A.encode() not in r.get_data()
    anonymous = app.test_client()
    for url in ("/clienten/export.csv", "/clienten/export.xlsx", "/dashboard?print=1"):
        r = anonymous.get(url)
        assert r.status_code == 302 and r.location.split("?")[0].endswith("/login"), url
    assert _exports(app, fixture) == []


def test_dashboard_links_to_both_exports(app, fixture):
    page = logged_in_client(app, fixture["a_email"]).get("/dashboard").get_data(as_text=True)
    assert re.search(r'href="/clienten/export\.csv"[^>]*>CSV</a>', page)
    assert re.search(r'href="/clienten/export\.xlsx"[^>]*>Excel</a>', page)


def test_the_name_goes_through_the_one_decryption(app, fixture, monkeypatch):
    """names.reveal is the one place names are decrypted: without it the export has none."""
    monkeypatch.setattr(names, "reveal", lambda org, nr, blob: "(via reveal)")
    body = logged_in_client(app, fixture["a_email"]).get("/clienten/export.csv").get_data(as_text=True)
    assert NAME_A not in body and body.count("(via reveal)") == 3


# --- print view -----------------------------------------------------------------------------

def _add_clients(app, org_id, count, start=date(2024, 1, 1), end=None, prefix="Druk"):
    with app.app_context():
        org = session.get(Organisation, org_id)
        for i in range(count):
            client = services.create_client(org, client_values(old_nr=f"P-{i}"), f"{prefix} {i}")
            services.add_period(client, {"hours": Decimal(10), "start_date": start, "end_date": end,
                                         "reden_stopzetting": "andere" if end else None,
                                         "perspectief": "onbekend" if end else None})
        session.commit()


def _names_in_table(page):
    return re.findall(r"<td>(Druk \d+|" + re.escape(NAME_A) + r")</td>", page)


def test_print_view_lists_every_row_of_the_tab_without_navigation(app, fixture):
    _add_clients(app, fixture["a"], 60)  # active: 2 + 60, more than one dashboard page (50)
    _add_clients(app, fixture["a"], 3, date(2020, 1, 1), date(2021, 1, 1), "Gestopt")  # inactive
    c = logged_in_client(app, fixture["a_email"])
    assert "Pagina 1 van 2" in c.get("/dashboard").get_data(as_text=True)
    page = c.get("/dashboard?tab=actief&print=1").get_data(as_text=True)
    assert len(re.findall(r"<tr>\s*<td>\d+</td>", page)) == 62
    assert set(_names_in_table(page)) == {NAME_A, *(f"Druk {i}" for i in range(60))}
    assert "62 cliënten" in page and "Actieve cliënten" in page
    for absent in ("<nav", "Hoofdmenu", "Afmelden", 'class="pager"', "<form", 'class="tabs"',
                   "Pagina 1 van", "Periode bewerken", "+ Voeg een nieuwe cliënt toe"):
        assert absent not in page, absent
    assert "Nog geen begeleidingsperiode" in page  # client 2 has none
    inactive = c.get("/dashboard?tab=inactief&print=1").get_data(as_text=True)
    assert len(re.findall(r"<tr>\s*<td>\d+</td>", inactive)) == 3
    assert re.findall(r"<td>(Gestopt \d)</td>", inactive) == ["Gestopt 0", "Gestopt 1", "Gestopt 2"]
    assert "<td>Druk " not in inactive and NAME_A not in inactive
    # the dashboard's search and sort carry over
    searched = c.get("/dashboard?tab=actief&print=1&q=1&sort=nr_desc").get_data(as_text=True)
    assert re.findall(r"<tr>\s*<td>(\d+)</td>", searched) == ["1"]
    assert "zoekterm “1”" in searched


def test_the_list_links_to_the_print_view_of_its_tab(app, fixture):
    c = logged_in_client(app, fixture["a_email"])
    page = c.get("/dashboard?tab=inactief&q=7&sort=nr_desc", headers={"HX-Request": "true"})
    html = page.get_data(as_text=True)
    link = re.search(r'<p class="list-print"><a href="([^"]+)"', html).group(1)
    assert link.replace("&amp;", "&") == "/dashboard?tab=inactief&print=1&q=7&sort=nr_desc"


def test_print_view_statements_do_not_grow_with_rows(app, fixture):
    c = logged_in_client(app, fixture["a_email"])
    c.get("/dashboard?print=1")  # warm up (data key, code lists)

    def statements():
        with recorded_statements(app) as found:
            assert c.get("/dashboard?print=1").status_code == 200
        return len(found)

    small = statements()
    _add_clients(app, fixture["a"], 120)
    assert statements() == small <= 5


def test_print_view_other_organisation_absent(app, fixture):
    page = logged_in_client(app, fixture["b_email"]).get("/dashboard?print=1").get_data(as_text=True)
    assert NAME_B in page and NAME_A not in page and "HYPERLINK" not in page


def test_print_view_with_hostile_parameters(app, fixture):
    c = logged_in_client(app, fixture["a_email"])
    for junk in ("<script>alert(1)</script>", "' OR 1=1 --", "%", "_", "9" * 40, "١٢", "x" * 5000):
        r = c.get("/dashboard", query_string={"print": "1", "q": junk, "tab": junk, "sort": junk})
        page = r.get_data(as_text=True)
        assert r.status_code == 200 and "<script>alert" not in page and "Traceback" not in page
        assert "Actieve cliënten" in page and "gesorteerd op volgnummer (laag naar hoog)" in page


# --- memory: the CSV is streamed ------------------------------------------------------------

def _bulk(app, org_id, count):
    """`count` more clients with a sealed name and two periods each (Core INSERTs)."""
    base = client_values()
    now = datetime(2026, 1, 1)
    with app.app_context():
        org = session.get(Organisation, org_id)
        first_id = (session.scalar(select(func.max(Client.id))) or 0) + 1
        first_nr = (session.scalar(select(func.max(Client.nr)).where(
            Client.organisation_id == org_id)) or 0) + 1
        clients, periods = [], []
        for i in range(count):
            nr = first_nr + i
            clients.append(dict(base, id=first_id + i, organisation_id=org_id, nr=nr,
                                old_nr=f"OUD-{nr}", name_enc=names.seal(org, nr, f"Naam {nr}"),
                                created_at=now, updated_at=now, last_end=None))
            periods += [{"client_id": first_id + i, "hours": Decimal("16.5"),
                         "start_date": date(2020, 1, 1), "end_date": date(2021, 1, 1),
                         "reden_stopzetting": "andere", "perspectief": "onbekend",
                         "created_at": now},
                        {"client_id": first_id + i, "hours": Decimal(8),
                         "start_date": date(2022, 1, 1), "end_date": None,
                         "reden_stopzetting": None, "perspectief": None, "created_at": now}]
        session.execute(insert(Client.__table__), clients)
        session.execute(insert(Period.__table__), periods)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT setval('client_id_seq', (SELECT max(id) FROM client))"))
        session.commit()


def _csv_peak(client) -> tuple[int, int, bytes]:
    gc.collect()
    tracemalloc.start()
    try:
        r = client.get("/clienten/export.csv", buffered=False)
        assert r.is_streamed
        lines, last = 0, b""
        for chunk in r.response:
            lines += chunk.count(b"\r\n")
            last = chunk or last
        r.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, lines, last


@pytest.mark.slow
def test_caseload_csv_memory_does_not_grow_with_clients(app, make_org, capsys):
    org_id, email = make_org(name="Groot atelier")
    c = logged_in_client(app, email)
    started = time.perf_counter()
    _bulk(app, org_id, 1_000)
    c.get("/clienten/export.csv").get_data()  # warm up
    small, lines, _ = _csv_peak(c)
    assert lines == 2_001
    _bulk(app, org_id, 9_000)
    large, lines, last = _csv_peak(c)
    assert lines == 20_001 and b"Naam 10000" in last
    with capsys.disabled():
        print(f"\nOwn caseload CSV peak (tracemalloc): 1,000 clients {small / 1e6:.2f} MB, "
              f"10,000 clients {large / 1e6:.2f} MB ({time.perf_counter() - started:.1f} s)")
    assert large < 1.5 * small
