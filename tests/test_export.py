"""CSV and XLSX export (/beheer/export.csv, /beheer/export.xlsx): content, scope, safety, memory."""

import csv
import gc
import io
import json
import time
import tracemalloc
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from helpers import LISTS, client_values, first_code, label_of
from sqlalchemy import func, insert, select, text
from support import logged_in_client, login, recorded_statements
from world import CANARY, build_world

from app.beheer import export
from app.db import session
from app.models import CLIENT_CODE_FIELDS, AuditEvent, Client, Period

HEADERS = ["Organisatie", "Regio", "Nr", "Geboortejaar", "Geslacht", "Burgerlijke staat",
           "Hoofdproblematiek", "Leefsituatie", "Onderwijsniveau", "Belangrijkste verwijzer",
           "Hoofdinkomen", "Vergoeding van het initiatief", "Ooit gewerkt in het bezoldigde circuit",
           "Subsidie voor de begeleiding", "Overeenkomst", "Methodiek", "Aantal uren", "Startdatum",
           "Einddatum", "Reden van stopzetting", "Perspectief na stopzetting"]


@pytest.fixture
def world(app, make_org, make_admin):
    return build_world(app, make_org, make_admin)


def _expected(org, region, nr, birth_year, codes, hours, start, end=None, reden=None,
              perspectief=None):
    """One expected export row as typed values (None for empty)."""
    values = {name: first_code(name) for name in CLIENT_CODE_FIELDS}
    values.update(codes)
    return [org, region, nr, birth_year,
            *[label_of(name, values[name]) for name in CLIENT_CODE_FIELDS],
            hours, start, end,
            label_of("reden_stopzetting", reden) if reden else None,
            label_of("perspectief", perspectief) if perspectief else None]


# Limburg, periods that overlap 2025, in export order (organisation, Nr, start date)
LIMBURG_2025 = [
    _expected("Atelier Hasselt", "Limburg", 1, 1990,
              {"geslacht": "man", "hoofdproblematiek": "psychische_problematiek"},
              Decimal("16"), date(2023, 3, 1), date(2025, 2, 28), "doorstroom_betaald_werk",
              "betaald_werk_nec"),
    _expected("Atelier Hasselt", "Limburg", 1, 1990,
              {"geslacht": "man", "hoofdproblematiek": "psychische_problematiek"},
              Decimal("24"), date(2025, 9, 1)),
    _expected("Atelier Hasselt", "Limburg", 2, 2002,
              {"geslacht": "vrouw", "hoofdproblematiek": "psychische_problematiek",
               "methodiek": "combinatie_van_werkvormen"},
              Decimal("8"), date(2024, 6, 1)),
    _expected("Atelier Hasselt", "Limburg", 3, 1960,
              {"geslacht": "vrouw", "hoofdproblematiek": "verstandelijke_beperking"},
              Decimal("32.5"), date(2022, 1, 10), date(2025, 6, 30), "eigen_keuze_motivatie",
              "arbeidszorg_elders"),
    _expected("Atelier Hasselt", "Limburg", 7, 1975,
              {"geslacht": "man", "hoofdproblematiek": "autismespectrumstoornis"},
              Decimal("10"), date(2025, 3, 1), date(2025, 3, 31), "gezondheid_fysiek",
              "dagbesteding_of_zorgaanbod"),
]


def _as_csv(row):
    def cell(value):
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return f"{value.normalize():f}".replace(".", ",")
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        return str(value)
    return [cell(v) for v in row]


def _as_xlsx(row):
    def cell(value):
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        return value
    return [cell(v) for v in row]


def _parse_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    text = body[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def _load_xlsx(body: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    return workbook.worksheets[0]


def test_csv_limburg_2025_cell_by_cell(app, world):
    c = logged_in_client(app, world["admins"]["limburg"])
    r = c.get("/beheer/export.csv?jaar=2025")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="arbeidszorg-2025-limburg.csv"'
    rows = _parse_csv(r.get_data())
    assert rows[0] == HEADERS
    assert rows[1:] == [_as_csv(row) for row in LIMBURG_2025]


def test_xlsx_limburg_2025_cell_by_cell(app, world):
    c = logged_in_client(app, world["admins"]["limburg"])
    r = c.get("/beheer/export.xlsx?jaar=2025&regio=limburg")
    assert r.status_code == 200
    assert r.mimetype == export.XLSX_MIMETYPE
    assert "arbeidszorg-2025-limburg.xlsx" in r.headers["Content-Disposition"]
    sheet = _load_xlsx(r.get_data())
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert rows[1:] == [_as_xlsx(row) for row in LIMBURG_2025]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate  # never a formula
    assert sheet["R2"].number_format == "DD/MM/YYYY"


def test_formula_cells_are_neutralised():
    assert export.neutralise("=1+1") == "'=1+1"
    assert export.neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert export.neutralise("+32 11 22") == "'+32 11 22"
    assert export.neutralise("-5") == "'-5"
    assert export.neutralise("\t=x") == "'\t=x"
    assert export.neutralise("A-7") == "A-7" and export.neutralise(None) == ""


def test_superbeheerder_exports_everything_without_year(app, world):
    c = logged_in_client(app, world["admins"]["super"])
    r = c.get("/beheer/export.csv")
    assert 'filename="arbeidszorg-alle-jaren-alle-regios.csv"' in r.headers["Content-Disposition"]
    rows = _parse_csv(r.get_data())[1:]
    # every period: 2 + 1 + 1 + 1 + 1 + 1 in Limburg, 2 in Antwerpen; Antwerpen comes first
    assert len(rows) == 9
    assert [(row[0], row[2], row[17]) for row in rows] == [
        ("Werkhuis Antwerpen", "1", "15/01/2024"), ("Werkhuis Antwerpen", "2", "05/05/2025"),
        ("Atelier Hasselt", "1", "01/03/2023"), ("Atelier Hasselt", "1", "01/09/2025"),
        ("Atelier Hasselt", "2", "01/06/2024"), ("Atelier Hasselt", "3", "10/01/2022"),
        ("Atelier Hasselt", "4", "01/01/2020"), ("Atelier Hasselt", "6", "01/02/2026"),
        ("Atelier Hasselt", "7", "01/03/2025")]
    assert rows[0][1] == "Antwerpen" and rows[0][16] == "38" and rows[0][18] == "31/12/2025"
    sheet = _load_xlsx(c.get("/beheer/export.xlsx?regio=antwerpen").get_data())
    assert sheet.max_row == 3 and sheet["A2"].value == "Werkhuis Antwerpen"
    # a year without periods gives just the header
    assert len(_parse_csv(c.get("/beheer/export.csv?jaar=2010").get_data())) == 1


def test_region_scope_of_exports(app, world):
    limburg = logged_in_client(app, world["admins"]["limburg"])
    for fmt in ("csv", "xlsx"):
        assert limburg.get(f"/beheer/export.{fmt}?regio=antwerpen").status_code == 404
        assert limburg.get(f"/beheer/export.{fmt}?jaar=2025&regio=antwerpen").status_code == 404
        assert limburg.get(f"/beheer/export.{fmt}?jaar=volgend").status_code == 404
    rows = _parse_csv(limburg.get("/beheer/export.csv").get_data())[1:]
    assert {row[1] for row in rows} == {"Limburg"} and len(rows) == 7
    antwerpen = logged_in_client(app, world["admins"]["antwerpen"])
    sheet = _load_xlsx(antwerpen.get("/beheer/export.xlsx").get_data())
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"Antwerpen"}
    org = app.test_client()
    login(org, world["limburg_email"])
    assert org.get("/beheer/export.csv").status_code == 403


def test_exports_are_audited(app, world):
    c = logged_in_client(app, world["admins"]["limburg"])
    c.get("/beheer/export.csv?jaar=2025").get_data()
    c.get("/beheer/export.xlsx").get_data()
    with app.app_context():
        events = session.scalars(select(AuditEvent).where(AuditEvent.kind == "export")
                                 .order_by(AuditEvent.id)).all()
        assert [json.loads(e.details) for e in events] == [
            {"format": "csv", "jaar": 2025, "regio": "limburg", "rows": 5},
            {"format": "xlsx", "jaar": "alle", "regio": "limburg", "rows": 7}]
        assert all(e.actor == world["admins"]["limburg"] for e in events)


def test_no_name_no_old_number_and_no_birth_date_in_exports(app, world):
    c = logged_in_client(app, world["admins"]["super"])
    with recorded_statements(app) as statements:
        csv_body = c.get("/beheer/export.csv").get_data()
        xlsx_body = c.get("/beheer/export.xlsx").get_data()
    assert statements and not any("name_enc" in s or "old_nr" in s for s in statements)
    with zipfile.ZipFile(io.BytesIO(xlsx_body)) as archive:
        unpacked = b"".join(archive.read(name) for name in archive.namelist())
    for body in (csv_body, xlsx_body, unpacked):
        assert CANARY.encode() not in body
        assert b"Zonder periode" not in body
        # nor the old numbers: free text the organisation chose, may hold initials (SPEC §12)
        for old_nr in (b"=1+1", b"@SUM(A1)", b"A-7"):
            assert old_nr not in body
    text = csv_body.decode("utf-8-sig")
    assert "01/05/1990" not in text and "1990-05-01" not in text and ";1990;" in text
    sheet = _load_xlsx(xlsx_body)
    assert all(not isinstance(v, datetime) for v in next(sheet.iter_cols(min_col=4, max_col=4,
                                                                        values_only=True)))


def test_statistics_page_links_to_both_exports(app, world):
    c = logged_in_client(app, world["admins"]["limburg"])
    page = c.get("/beheer/statistieken?jaar=2025").get_data(as_text=True)
    assert 'href="/beheer/export.csv?jaar=2025&amp;regio=limburg"' in page
    assert 'href="/beheer/export.xlsx?jaar=2025&amp;regio=limburg"' in page


# --- memory: streaming does not grow with the number of rows -------------------------------

def _bulk(app, org_id, count):
    """`count` more periods for the organisation: clients with five periods each (the last one
    open), written with two executemany INSERTs (Core, no ORM bookkeeping)."""
    base = client_values()
    codes = {name: [o["code"] for o in LISTS[name]["options"]] for name in CLIENT_CODE_FIELDS}
    now = datetime(2026, 1, 1)
    with app.app_context():
        first_id = (session.scalar(select(func.max(Client.id))) or 0) + 1
        first_nr = (session.scalar(select(func.max(Client.nr)).where(
            Client.organisation_id == org_id)) or 0) + 1
        clients, periods = [], []
        for i in range(count // 5):
            row = dict(base, id=first_id + i, organisation_id=org_id, nr=first_nr + i,
                       old_nr=f"OUD-{first_nr + i}", birth_date=date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
                       name_enc=None, created_at=now, updated_at=now)
            for name in CLIENT_CODE_FIELDS:
                row[name] = codes[name][i % len(codes[name])]
            clients.append(row)
            for p in range(5):
                last = p == 4
                periods.append({"client_id": first_id + i, "hours": Decimal("16.5"),
                                "start_date": date(2016 + 2 * p, 1 + i % 12, 1),
                                "end_date": None if last else date(2017 + 2 * p, 1 + i % 12, 28),
                                "reden_stopzetting": None if last else "andere",
                                "perspectief": None if last else "onbekend", "created_at": now})
        session.execute(insert(Client.__table__), clients)
        session.execute(insert(Period.__table__), periods)
        if session.get_bind().dialect.name == "postgresql":  # explicit ids: move the sequence on
            session.execute(text("SELECT setval('client_id_seq', (SELECT max(id) FROM client))"))
        session.commit()


def _csv_peak(client) -> tuple[int, int]:
    """Peak traced memory while requesting and consuming the streamed CSV; and its line count."""
    gc.collect()
    tracemalloc.start()
    try:
        r = client.get("/beheer/export.csv", buffered=False)
        assert r.is_streamed
        lines = 0
        for chunk in r.response:  # the body is produced while it is consumed here
            lines += chunk.count(b"\r\n")
        r.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, lines


def _xlsx_peak(client):
    """Peak traced memory while the XLSX is generated (into its temporary file); the response."""
    gc.collect()
    tracemalloc.start()
    try:
        r = client.get("/beheer/export.xlsx", buffered=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, r


def _xlsx_rows(body: bytes) -> int:
    """The number of rows of the sheet, read from its XML (cheaper than loading 50k rows)."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    return xml.count(b"<row ")


def _report(capsys, text):
    with capsys.disabled():
        print("\n" + text)


@pytest.mark.slow
def test_csv_export_memory_does_not_grow_with_rows(app, make_org, make_admin, capsys):
    org_id, _ = make_org(name="Bulk", region="limburg")
    c = logged_in_client(app, make_admin(None))
    started = time.perf_counter()
    _bulk(app, org_id, 5_000)
    c.get("/beheer/export.csv").get_data()  # warm up: imports, statement caches
    small, lines = _csv_peak(c)
    assert lines == 5_001
    _bulk(app, org_id, 45_000)
    large, lines = _csv_peak(c)
    assert lines == 50_001
    with app.app_context():
        rows = [json.loads(e.details)["rows"] for e in session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "export").order_by(AuditEvent.id))]
    assert rows == [5_000, 5_000, 50_000]
    _report(capsys, f"CSV export peak (tracemalloc): 5,000 rows {small / 1e6:.2f} MB, "
                    f"50,000 rows {large / 1e6:.2f} MB ({time.perf_counter() - started:.1f} s)")
    assert large < 1.5 * small


@pytest.mark.slow
def test_xlsx_export_memory_does_not_grow_with_rows(app, make_org, make_admin, capsys, monkeypatch):
    """openpyxl is slow under tracemalloc (about 5 ms a row), so this compares 200 and 2,000
    rows, with the database read in batches of 50 rows instead of 500 so that both exports
    read several batches (one batch is the only thing held in memory); a workbook that kept
    its cells would hold some 20 times more at 2,000 rows."""
    monkeypatch.setattr(export, "BATCH", 50)
    org_id, _ = make_org(name="Bulk", region="limburg")
    c = logged_in_client(app, make_admin(None))
    started = time.perf_counter()
    _bulk(app, org_id, 200)
    c.get("/beheer/export.xlsx").get_data()  # warm up
    small, r = _xlsx_peak(c)
    assert _xlsx_rows(r.get_data()) == 201
    r.close()
    _bulk(app, org_id, 1_800)
    large, r = _xlsx_peak(c)
    body = r.get_data()
    r.close()
    assert _xlsx_rows(body) == 2_001
    sheet = _load_xlsx(body)
    assert sheet["A2001"].value == "Bulk" and sheet["R2001"].is_date
    _report(capsys, f"XLSX export peak (tracemalloc): 200 rows {small / 1e6:.2f} MB, "
                    f"2,000 rows {large / 1e6:.2f} MB ({time.perf_counter() - started:.1f} s)")
    assert large < 1.5 * small
