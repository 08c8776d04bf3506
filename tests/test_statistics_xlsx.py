"""The yearly statistics as a workbook (/beheer/statistieken.xlsx): sheet names, Dutch headers,
the exact figures of the hand-built statistics world (tests/world.py), percent formats, a native
chart on every table sheet, the region scope, the audit event; never a name."""

import io
import json
import re
import zipfile
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import select
from support import logged_in_client, recorded_statements
from world import CANARY, build_world

from app.beheer import statistics as stats
from app.beheer import workbook
from app.db import session
from app.models import AuditEvent

TABLE_SHEETS = ["Kerncijfers", "Leeftijd", "Geslacht", "Burgerlijke staat", "Hoofdproblematiek",
                "Leefsituatie", "Onderwijsniveau", "Belangrijkste verwijzer", "Hoofdinkomen",
                "Vergoeding van het initiatief", "Ooit gewerkt in het bezoldigde",
                "Subsidie voor de begeleiding", "Uren per week", "Overeenkomst", "Methodiek",
                "Duur van de periodes", "Reden van stopzetting", "Perspectief na stopzetting",
                "Participatieladder"]
HEADER_ROW = 4


@pytest.fixture
def world(app, make_org, make_admin):
    return build_world(app, make_org, make_admin)


def _book(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def _table(sheet):
    """{label: (count, percentage)} of a count sheet, and its header row."""
    rows = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
    return rows[0], {row[0]: tuple(row[1:]) for row in rows[1:]}


def _get(app, email, url):
    return logged_in_client(app, email).get(url)


def test_sheets_headers_and_download_name(app, world):
    r = _get(app, world["admins"]["limburg"], "/beheer/statistieken.xlsx?jaar=2025")
    assert r.headers["Content-Disposition"] == "attachment; filename=statistieken-2025-limburg.xlsx"
    book = _book(r)
    assert book.sheetnames == ["Overzicht", *TABLE_SHEETS]
    for name in book.sheetnames:
        assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)
    header, _ = _table(book["Geslacht"])
    assert header == ("Geslacht", "Aantal", "Percentage")
    assert _table(book["Kerncijfers"])[0] == ("Kerncijfer", "2024", "2025", "Verschil")
    assert _table(book["Duur van de periodes"])[0] == ("Maat", "Dagen", "Maanden")
    assert book["Hoofdinkomen"]["A1"].value == "Welk hoofdinkomen geniet de arbeidszorgmedewerker?"


def test_overview_sheet(app, world):
    book = _book(_get(app, world["admins"]["super"], "/beheer/statistieken.xlsx?jaar=2025"))
    sheet = book["Overzicht"]
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert sheet["A1"].value == "De Vlaamse arbeidszorgmedewerker in beeld"
    assert cells["Jaar"] == 2025 and cells["Regio"] == "Alle regio's"
    assert isinstance(cells["Gemaakt op"], datetime) and sheet["B6"].number_format == "DD/MM/YYYY HH:MM"
    assert (cells["Organisaties met activiteit"], cells["Actieve cliënten"], cells["Gestarte cliënten"],
            cells["Gestopte cliënten"], cells["Beëindigde begeleidingsperiodes"]) == (2, 6, 3, 4, 4)
    links = {c.value: (c.hyperlink.location, c.hyperlink.target) for c in sheet["A"] if c.hyperlink}
    assert set(links) == set(TABLE_SHEETS) and links["Geslacht"] == ("'Geslacht'!A1", None)


def test_exact_values_limburg_2025(app, world):
    """The figures of tests/test_statistics.py, now as numbers in the sheets."""
    book = _book(_get(app, world["admins"]["limburg"], "/beheer/statistieken.xlsx?jaar=2025"))
    _, headline = _table(book["Kerncijfers"])
    # inflow/outflow by hand in tests/test_statistics.py::test_inflow_and_outflow (1, 2 in 2025)
    assert headline == {"Organisaties met activiteit": (1, 1, 0), "Actieve cliënten": (4, 4, 0),
                        "Instroom (eerste periode gestart)": (1, 1, 0),
                        "Uitstroom (laatste periode beëindigd)": (1, 2, 1),
                        "Gestarte cliënten": (1, 2, 1), "Gestopte cliënten": (1, 3, 2),
                        "Beëindigde begeleidingsperiodes": (1, 3, 2)}
    _, age = _table(book["Leeftijd"])
    assert age == {"Jonger dan 25": (1, 0.25), "25–34 jaar": (0, 0), "35–44 jaar": (1, 0.25),
                   "45–54 jaar": (1, 0.25), "55–64 jaar": (0, 0), "65 jaar of ouder": (1, 0.25),
                   "Totaal": (4, 1)}
    _, gender = _table(book["Geslacht"])
    assert gender == {"Man": (2, 0.5), "Vrouw": (2, 0.5), "X": (0, 0), "Totaal": (4, 1)}
    _, hours = _table(book["Uren per week"])
    assert [v[0] for v in hours.values()] == [1, 1, 1, 0, 1, 4]
    _, methodiek = _table(book["Methodiek"])
    retired = [label for label in methodiek if label.endswith("(niet meer in gebruik)")]
    assert len(retired) == 1 and methodiek[retired[0]] == (1, 0.25)
    _, lengths = _table(book["Duur van de periodes"])
    assert lengths["Gemiddelde duur"][0] == pytest.approx((731 + 1268 + 31) / 3)
    assert lengths["Mediaan"] == (731, pytest.approx(731 / stats.DAYS_PER_MONTH))
    assert lengths["Aantal beëindigde periodes"] == (3, None)
    _, reasons = _table(book["Reden van stopzetting"])
    assert {k: v for k, v in reasons.items() if v[0]} == {
        "Doorstroom naar betaald werk": (1, pytest.approx(1 / 3)),
        "Eigen keuze / motivatie": (1, pytest.approx(1 / 3)),
        "Gezondheid (fysiek)": (1, pytest.approx(1 / 3)), "Totaal": (3, 1)}
    _, ladder = _table(book["Participatieladder"])
    assert [v[0] for v in ladder.values()] == [1, 1, 1, 0, 3]


def test_percentages_are_numbers_with_a_percent_format(app, world):
    book = _book(_get(app, world["admins"]["limburg"], "/beheer/statistieken.xlsx?jaar=2025"))
    for name in TABLE_SHEETS:
        sheet = book[name]
        header = [c.value for c in sheet[HEADER_ROW]]
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
            for column, cell in zip(header, row, strict=False):
                if column == "Percentage" and cell.value is not None:
                    assert isinstance(cell.value, (int, float)) and 0 <= cell.value <= 1, name
                    assert cell.number_format == "0.0%", name
                elif column in ("Aantal", "2024", "2025", "Verschil"):
                    assert isinstance(cell.value, int), (name, cell.value)


def test_every_table_sheet_has_a_native_bar_chart(app, world):
    r = _get(app, world["admins"]["limburg"], "/beheer/statistieken.xlsx?jaar=2025")
    book = _book(r)
    assert book["Overzicht"]._charts == []
    for name in TABLE_SHEETS:
        charts = book[name]._charts
        assert len(charts) == 1, name
        assert charts[0].tagname == "barChart"
    with zipfile.ZipFile(io.BytesIO(r.get_data())) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == len(TABLE_SHEETS)
        xml = archive.read(charts[2]).decode()  # the gender sheet's chart: its own cells
    assert "'Geslacht'!$B$5:$B$7" in xml and "'Geslacht'!$A$5:$A$7" in xml


def test_region_scope_and_junk_parameters(app, world):
    limburg = logged_in_client(app, world["admins"]["limburg"])
    assert limburg.get("/beheer/statistieken.xlsx?regio=antwerpen").status_code == 404
    for junk in ("abc", "²⁰²⁵", "2025.0", "9" * 30):
        assert limburg.get(f"/beheer/statistieken.xlsx?jaar={junk}").status_code == 404, junk
    assert limburg.get("/beheer/statistieken.xlsx?regio=%00").status_code in (400, 404)
    super_ = logged_in_client(app, world["admins"]["super"])
    r = super_.get("/beheer/statistieken.xlsx?jaar=2025&regio=antwerpen")
    _, gender = _table(_book(r)["Geslacht"])
    assert gender == {"Man": (1, 0.5), "Vrouw": (0, 0), "X": (1, 0.5), "Totaal": (2, 1)}
    assert "statistieken-2025-antwerpen.xlsx" in r.headers["Content-Disposition"]
    org = logged_in_client(app, world["limburg_email"])
    assert org.get("/beheer/statistieken.xlsx").status_code == 403
    assert app.test_client().get("/beheer/statistieken.xlsx").status_code == 302


def test_audited_as_an_export_and_never_a_name(app, world):
    c = logged_in_client(app, world["admins"]["limburg"])
    with recorded_statements(app) as statements:
        body = c.get("/beheer/statistieken.xlsx?jaar=2025").get_data()
    assert not any("name_enc" in s or "old_nr" in s for s in statements)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert CANARY not in xml and "=1+1" not in xml
    with app.app_context():
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "export"))
        assert json.loads(event.details) == {"format": "statistieken-xlsx", "jaar": 2025,
                                             "regio": "limburg", "bladen": len(TABLE_SHEETS)}
        assert event.actor == world["admins"]["limburg"]


def test_statistics_page_links_to_the_workbook(app, world):
    page = _get(app, world["admins"]["limburg"], "/beheer/statistieken?jaar=2024").get_data(as_text=True)
    assert re.search(r'href="/beheer/statistieken\.xlsx\?jaar=2024&amp;regio=limburg"[^>]*>'
                     r"Download als Excel-werkboek \(\.xlsx\)</a>", page)


# --- the mapping and the names, without a request -------------------------------------------

def test_sheet_names_are_valid_and_unique():
    names = workbook.sheet_names(["Overzicht", "Wat? [ja]: a/b\\c*", "x" * 40, "x" * 40, "X" * 40,
                                  "History", "'quoted'", ""])
    assert names == ["Overzicht (2)", "Wat ja a b c", "x" * 31, "x" * 27 + " (2)",
                     "X" * 27 + " (3)", "History (2)", "quoted", "Tabel"]


def test_a_new_table_of_the_result_becomes_a_sheet(app, world):
    """Tables the result may gain (a trend, per-region columns as Tables) need no new code."""
    with app.app_context():
        from app.beheer.scope import Scope
        from app.models import Account
        account = session.scalar(select(Account).where(Account.email == world["admins"]["super"]))
        data = stats.compute(Scope.of(account), 2025, None)
    extra = stats.Table("nieuw", "Een nieuwe tabel", 2, [stats.Row("a", "A", 2, 100.0)])
    data.extra = [extra]  # an attribute that is not a dataclass field is not seen …
    assert "nieuw" not in [s.key for s in workbook.sheets_of(data)]
    data.profile = [*data.profile, extra]  # … a Table in a field the result offers is
    sheets = workbook.sheets_of(data)
    assert [s.key for s in sheets][-1] == "nieuw" and sheets[-1].rows == [["A", 2, 1.0]]
