"""The yearly statistics as a workbook (/beheer/statistieken.xlsx): one sheet per table of the
report (`Statistics.grids()`, the trend and the regions side by side included) in the report's
order, Dutch headers, the exact figures of the hand-built statistics world (tests/world.py, the
same figures as tests/test_statistics.py), counts as integers, percentages as fractions with a
percent format, a native chart per sheet (a line chart for the trend, bar charts elsewhere), the
region scope, the audit event; never a name."""

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
from app.beheer.scope import Scope
from app.db import session
from app.models import Account, AuditEvent, Region

# the report's tables, in the report's order (who, how, flow), as sheets
TABLE_SHEETS = ["Kerncijfers", "Evolutie kerncijfers", "Leeftijd", "Geslacht", "Burgerlijke staat",
                "Hoofdproblematiek", "Leefsituatie", "Onderwijsniveau", "Belangrijkste verwijzer",
                "Hoofdinkomen", "Vergoeding van het initiatief", "Bezoldigd circuit",
                "Subsidie voor de begeleiding", "Uren per week", "Overeenkomst", "Methodiek",
                "Duur van de periodes", "Reden van stopzetting", "Perspectief na stopzetting",
                "Participatieladder"]
# the regions side by side (superbeheerder, no region chosen)
REGION_SHEETS = ["Kerncijfers per regio", "Leeftijd per regio", "Geslacht per regio",
                 "Burgerlijke staat per regio", "Hoofdproblematiek per regio",
                 "Leefsituatie per regio", "Onderwijsniveau per regio", "Verwijzer per regio",
                 "Hoofdinkomen per regio", "Vergoeding per regio", "Bezoldigd circuit per regio",
                 "Subsidie per regio", "Uren per week per regio", "Overeenkomst per regio",
                 "Methodiek per regio", "Reden van stopzetting per regio", "Perspectief per regio",
                 "Participatieladder per regio", "Duur van de periodes per regio"]
REGIONS = ["Antwerpen", "Limburg", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen",
           "Brussel", "Vlaanderen"]
HEADER_ROW = 4
YEAR = "/beheer/statistieken.xlsx?jaar=2025"


@pytest.fixture
def world(app, make_org, make_admin):
    return build_world(app, make_org, make_admin)


def _book(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def _table(sheet):
    """The header row of a sheet and {label: the other values of its row}."""
    rows = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
    return rows[0], {row[0]: tuple(row[1:]) for row in rows[1:]}


def _get(app, email, url=YEAR):
    return logged_in_client(app, email).get(url)


def _grids(app, email, region_code=None, side_by_side=False):
    """The report's grids as the route computes them, for this beheerder."""
    with app.app_context():
        account = session.scalar(select(Account).where(Account.email == email))
        region_id = session.scalar(select(Region.id).where(Region.code == region_code)) \
            if region_code else None
        return stats.compute(Scope.of(account), 2025, region_id,
                             side_by_side=side_by_side).grids()


def _charts(body: bytes) -> dict[str, str]:
    """{sheet name: the XML of its chart} from the workbook's parts."""
    book = openpyxl.load_workbook(io.BytesIO(body))
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        xml = {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/")}
    found = {}
    for text in xml.values():
        sheet = re.search(r"<f>'([^']+)'!", text).group(1)
        assert sheet in book.sheetnames
        found[sheet] = text
    return found


# --- sheets, order, names ---------------------------------------------------------------------

def test_one_sheet_per_table_of_the_report_in_its_order(app, world):
    r = _get(app, world["admins"]["limburg"])
    assert r.headers["Content-Disposition"] == "attachment; filename=statistieken-2025-limburg.xlsx"
    book = _book(r)
    assert book.sheetnames == ["Overzicht", *TABLE_SHEETS]
    grids = _grids(app, world["admins"]["limburg"], "limburg")
    assert [g.key for g in grids][:4] == ["kerncijfers", "trend", "leeftijd", "geslacht"]
    # every grid of the report is a sheet, in the same order, with its title and headers
    assert [book[name]["A1"].value for name in book.sheetnames[1:]] == [g.title for g in grids]
    for name, grid in zip(book.sheetnames[1:], grids, strict=True):
        assert list(_table(book[name])[0]) == grid.headers, name
    for name in book.sheetnames:
        assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)
    assert _table(book["Geslacht"])[0] == ("Geslacht", "Aantal", "Percentage")
    assert _table(book["Kerncijfers"])[0] == ("Kerncijfer", "2024", "2025", "Verschil")
    assert _table(book["Evolutie kerncijfers"])[0] == ("Kerncijfer", "2021", "2022", "2023", "2024",
                                                       "2025")
    assert _table(book["Duur van de periodes"])[0] == ("Maat", "Dagen", "Maanden")
    assert book["Hoofdinkomen"]["A1"].value == "Welk hoofdinkomen geniet de arbeidszorgmedewerker?"


def test_regions_side_by_side_only_for_the_superbeheerder_without_region(app, world):
    book = _book(_get(app, world["admins"]["super"]))
    assert book.sheetnames == ["Overzicht", *TABLE_SHEETS, *REGION_SHEETS]
    grids = _grids(app, world["admins"]["super"], side_by_side=True)
    assert [book[name]["A1"].value for name in book.sheetnames[1:]] == [g.title for g in grids]
    # a provinciebeheerder, or one region chosen: the region's own tables only
    assert _book(_get(app, world["admins"]["limburg"])).sheetnames == ["Overzicht", *TABLE_SHEETS]
    one = _book(_get(app, world["admins"]["super"], YEAR + "&regio=limburg"))
    assert one.sheetnames == ["Overzicht", *TABLE_SHEETS]


def test_exact_values_of_the_region_sheets(app, world):
    """The figures of tests/test_statistics.py::test_regions_side_by_side."""
    book = _book(_get(app, world["admins"]["super"]))
    header, kern = _table(book["Kerncijfers per regio"])
    assert header == ("Kerncijfer", *REGIONS)
    assert kern == {"Organisaties met activiteit": (1, 1, 0, 0, 0, 0, 2),
                    "Actieve cliënten": (2, 4, 0, 0, 0, 0, 6),
                    "Instroom (eerste periode gestart)": (1, 1, 0, 0, 0, 0, 2),
                    "Uitstroom (laatste periode beëindigd)": (1, 2, 0, 0, 0, 0, 3),
                    "Gestarte cliënten": (1, 2, 0, 0, 0, 0, 3),
                    "Gestopte cliënten": (1, 3, 0, 0, 0, 0, 4),
                    "Beëindigde begeleidingsperiodes": (1, 3, 0, 0, 0, 0, 4)}
    header, gender = _table(book["Geslacht per regio"])
    assert header == ("Geslacht", *REGIONS)
    assert gender == {"Man": (1, 2, 0, 0, 0, 0, 3), "Vrouw": (0, 2, 0, 0, 0, 0, 2),
                      "X": (1, 0, 0, 0, 0, 0, 1), "Totaal": (2, 4, 0, 0, 0, 0, 6)}
    assert book["Geslacht per regio"]["A8"].font.b  # the total row is bold
    _, hours = _table(book["Uren per week per regio"])
    assert hours["Meer dan 32 uur"] == (1, 1, 0, 0, 0, 0, 2)
    _, ladder = _table(book["Participatieladder per regio"])
    assert ladder["Niet van toepassing (geen trede)"] == (1, 0, 0, 0, 0, 0, 1)
    _, lengths = _table(book["Duur van de periodes per regio"])
    assert lengths["Mediaan"][0] == 717 and lengths["Beëindigde periodes"] == (1, 3, 0, 0, 0, 0, 4)


def test_overview_sheet(app, world):
    book = _book(_get(app, world["admins"]["super"]))
    sheet = book["Overzicht"]
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert sheet["A1"].value == "De Vlaamse arbeidszorgmedewerker in beeld"
    assert cells["Jaar"] == 2025 and cells["Regio"] == "Alle regio's"
    assert isinstance(cells["Gemaakt op"], datetime) and sheet["B6"].number_format == "DD/MM/YYYY HH:MM"
    # every headline row, inflow and outflow included (the 2025 column of the trend)
    assert [(label, cells[label]) for _, label in stats.HEADLINE_ROWS] == [
        ("Organisaties met activiteit", 2), ("Actieve cliënten", 6),
        ("Instroom (eerste periode gestart)", 2), ("Uitstroom (laatste periode beëindigd)", 3),
        ("Gestarte cliënten", 3), ("Gestopte cliënten", 4), ("Beëindigde begeleidingsperiodes", 4)]
    links = {c.value: (c.hyperlink.location, c.hyperlink.target) for c in sheet["A"] if c.hyperlink}
    assert list(links) == [*TABLE_SHEETS, *REGION_SHEETS]
    assert links["Geslacht"] == ("'Geslacht'!A1", None)
    assert links["Evolutie kerncijfers"] == ("'Evolutie kerncijfers'!A1", None)


# --- the figures -------------------------------------------------------------------------------

def test_trend_sheet_exact_values(app, world):
    """The trend of tests/test_statistics.py::test_trend_of_the_main_counts_over_five_years."""
    book = _book(_get(app, world["admins"]["super"]))
    _, trend = _table(book["Evolutie kerncijfers"])
    assert trend == {"Organisaties met activiteit": (1, 1, 1, 2, 2),
                     "Actieve cliënten": (1, 2, 3, 5, 6),
                     "Instroom (eerste periode gestart)": (0, 1, 1, 2, 2),
                     "Uitstroom (laatste periode beëindigd)": (0, 0, 0, 1, 3),
                     "Gestarte cliënten": (0, 1, 1, 2, 3),
                     "Gestopte cliënten": (0, 0, 0, 1, 4),
                     "Beëindigde begeleidingsperiodes": (0, 0, 0, 1, 4)}
    _, limburg = _table(_book(_get(app, world["admins"]["limburg"]))["Evolutie kerncijfers"])
    assert [v[-2:] for v in limburg.values()] == [(1, 1), (4, 4), (1, 1), (1, 2), (1, 2), (1, 3),
                                                  (1, 3)]


def test_exact_values_limburg_2025(app, world):
    """The figures of tests/test_statistics.py, now as numbers in the sheets."""
    book = _book(_get(app, world["admins"]["limburg"]))
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
    assert retired == ["Combinatie van werkvormen (niet meer in gebruik)"]
    assert methodiek[retired[0]] == (1, 0.25)
    _, lengths = _table(book["Duur van de periodes"])
    assert lengths["Gemiddelde duur"][0] == pytest.approx((731 + 1268 + 31) / 3)
    assert lengths["Mediaan"] == (731, pytest.approx(731 / stats.DAYS_PER_MONTH))
    assert lengths["Beëindigde periodes"] == (3, None)
    _, reasons = _table(book["Reden van stopzetting"])
    assert {k: v for k, v in reasons.items() if v[0]} == {
        "Doorstroom naar betaald werk": (1, pytest.approx(1 / 3)),
        "Eigen keuze / motivatie": (1, pytest.approx(1 / 3)),
        "Gezondheid (fysiek)": (1, pytest.approx(1 / 3)), "Totaal": (3, 1)}
    _, ladder = _table(book["Participatieladder"])
    assert [v[0] for v in ladder.values()] == [1, 1, 1, 0, 3]


def test_every_cell_is_its_grid_value_with_the_format_of_its_kind(app, world):
    """Counts as integers (#,##0), percentages as fractions (0.0%), decimals as 0.0: every cell of
    every sheet against the report's grid."""
    book = _book(_get(app, world["admins"]["super"]))
    grids = _grids(app, world["admins"]["super"], side_by_side=True)
    percentages = 0
    for name, grid in zip(book.sheetnames[1:], grids, strict=True):
        sheet = book[name]
        for offset, values in enumerate(grid.rows, start=1):
            cells = sheet[HEADER_ROW + offset][:len(grid.kinds)]
            assert cells[0].value.startswith(values[0]), name
            for cell, kind, value in zip(cells[1:], grid.kinds[1:], values[1:], strict=True):
                where = (name, cell.coordinate)
                if value is None:
                    assert cell.value is None, where
                elif kind == "percent":
                    percentages += 1
                    assert cell.value == pytest.approx(value / 100) and 0 <= cell.value <= 1, where
                    assert cell.number_format == "0.0%", where
                elif kind == "count" or isinstance(value, int):
                    assert type(cell.value) is int and cell.value == value, where
                    assert cell.number_format == "#,##0", where
                else:
                    assert cell.value == pytest.approx(value) and cell.number_format == "0.0", where
    assert percentages > 100
    assert book["Geslacht"]["C5"].value == 0.5 and book["Geslacht"]["C5"].number_format == "0.0%"


# --- charts ------------------------------------------------------------------------------------

def test_a_native_chart_per_sheet_line_for_the_trend(app, world):
    r = _get(app, world["admins"]["super"])
    book = _book(r)
    assert book["Overzicht"]._charts == []
    for name in book.sheetnames[1:]:
        charts = book[name]._charts
        assert len(charts) == 1, name
        expected = "lineChart" if name == "Evolutie kerncijfers" else "barChart"
        assert charts[0].tagname == expected, name
    xml = _charts(r.get_data())
    assert set(xml) == set(TABLE_SHEETS) | set(REGION_SHEETS)
    # the trend: a line per headline row, the five years along the axis
    trend = xml["Evolutie kerncijfers"]
    assert trend.count("<ser>") == len(stats.HEADLINE_ROWS) == 7
    for row in range(5, 12):
        assert f"<f>'Evolutie kerncijfers'!$B${row}:$F${row}</f>" in trend
    assert "<cat><strRef><f>'Evolutie kerncijfers'!$B$4:$F$4</f>" in trend
    # a count table: the counts charted against the labels, without the total row
    gender = xml["Geslacht"]
    assert gender.count("<ser>") == 1
    assert "'Geslacht'!$B$5:$B$7" in gender and "'Geslacht'!$A$5:$A$7" in gender
    # the key figures: both years, not the difference
    kern = xml["Kerncijfers"]
    assert kern.count("<ser>") == 2 and "$D$" not in kern
    # the regions side by side: a clustered bar per region, Vlaanderen (the sum) left out
    regions = xml["Geslacht per regio"]
    assert '<grouping val="clustered"' in regions and regions.count("<ser>") == 6
    assert "'Geslacht per regio'!$G$5:$G$7" in regions and "$H$" not in regions
    # the lengths: days, the mean and the median (not the number of periods)
    assert "'Duur van de periodes'!$B$5:$B$6" in xml["Duur van de periodes"]


# --- scope, audit, names -----------------------------------------------------------------------

def test_region_scope_and_junk_parameters(app, world):
    limburg = logged_in_client(app, world["admins"]["limburg"])
    assert limburg.get("/beheer/statistieken.xlsx?regio=antwerpen").status_code == 404
    for junk in ("abc", "²⁰²⁵", "2025.0", "9" * 30):
        assert limburg.get(f"/beheer/statistieken.xlsx?jaar={junk}").status_code == 404, junk
    assert limburg.get("/beheer/statistieken.xlsx?regio=%00").status_code in (400, 404)
    super_ = logged_in_client(app, world["admins"]["super"])
    r = super_.get(YEAR + "&regio=antwerpen")
    _, gender = _table(_book(r)["Geslacht"])
    assert gender == {"Man": (1, 0.5), "Vrouw": (0, 0), "X": (1, 0.5), "Totaal": (2, 1)}
    assert "statistieken-2025-antwerpen.xlsx" in r.headers["Content-Disposition"]
    assert "statistieken-2025-alle-regios.xlsx" in super_.get(YEAR).headers["Content-Disposition"]
    org = logged_in_client(app, world["limburg_email"])
    assert org.get("/beheer/statistieken.xlsx").status_code == 403
    assert app.test_client().get("/beheer/statistieken.xlsx").status_code == 302


@pytest.mark.parametrize("who, sheets", [("limburg", len(TABLE_SHEETS)),
                                         ("super", len(TABLE_SHEETS) + len(REGION_SHEETS))])
def test_audited_as_an_export_and_never_a_name(app, world, who, sheets):
    c = logged_in_client(app, world["admins"][who])
    with recorded_statements(app) as statements:
        body = c.get(YEAR).get_data()
    assert not any("name_enc" in s or "old_nr" in s for s in statements)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert "Combinatie van werkvormen" in xml  # the text is readable here …
    assert CANARY not in xml and "=1+1" not in xml  # … and holds no name, no old number
    with app.app_context():
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "export"))
        assert json.loads(event.details) == {
            "format": "statistieken-xlsx", "jaar": 2025,
            "regio": "limburg" if who == "limburg" else "alle", "bladen": sheets}
        assert event.actor == world["admins"][who]


def test_statistics_page_links_to_the_workbook(app, world):
    page = _get(app, world["admins"]["limburg"], "/beheer/statistieken?jaar=2024").get_data(as_text=True)
    assert re.search(r'href="/beheer/statistieken\.xlsx\?jaar=2024&amp;regio=limburg"[^>]*>'
                     r"Download als Excel-werkboek \(\.xlsx\)</a>", page)


# --- the mapping and the names, without a request ---------------------------------------------

def test_sheet_names_are_valid_and_unique():
    names = workbook.sheet_names(["Overzicht", "Wat? [ja]: a/b\\c*", "x" * 40, "x" * 40, "X" * 40,
                                  "History", "'quoted'", ""])
    assert names == ["Overzicht (2)", "Wat ja a b c", "x" * 31, "x" * 27 + " (2)",
                     "X" * 27 + " (3)", "History (2)", "quoted", "Tabel"]


def test_a_new_grid_of_the_report_becomes_a_sheet(app, world):
    """A table the report gains is a grid, and so a sheet, with no change to the workbook code;
    its text is neutralised, its kinds formatted, its name made valid."""
    with app.app_context():
        account = session.scalar(select(Account).where(Account.email == world["admins"]["super"]))
        data = stats.compute(Scope.of(account), 2025, None)
    report_grids = data.grids()
    new = stats.Grid("nieuw", "=Een nieuwe tabel: wat/waarom?", ["@Soort", "Aantal", "Percentage",
                                                                 "Gemiddelde"],
                     [["=1+2", 3, 75.0, 2.5], ["B", 1, None, 4], ["Totaal", 4, 100.0, None]],
                     ["label", "count", "percent", "decimal"])
    data.grids = lambda: [*report_grids, new]
    buffer = io.BytesIO()
    assert workbook.write(buffer, data, "Alle regio's") == len(report_grids) + 1
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book[book.sheetnames[-1]]
    assert book.sheetnames[-1] == "=Een nieuwe tabel wat waarom"
    assert sheet["A1"].value == "'=Een nieuwe tabel: wat/waarom?"
    assert [c.value for c in sheet[HEADER_ROW]] == ["'@Soort", "Aantal", "Percentage", "Gemiddelde"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)] == [
        ["'=1+2", 3, 0.75, 2.5], ["B", 1, None, 4], ["Totaal", 4, 1, None]]
    assert (sheet["D5"].number_format, sheet["D6"].number_format) == ("0.0", "#,##0")
    assert sheet["A7"].font.b and not sheet["A6"].font.b
    assert len(sheet._charts) == 1 and len(sheet._charts[0].series) == 2  # count and decimal
