"""Every text cell of every export is neutralised against spreadsheet formulas.

Every text that reaches an export is planted with a leading =, +, -, @, tab or carriage return:
the organisation's name, the region's name, the old number, the label of every option in use
(the 12 client fields, the reason and the perspective) and a stored code that is no longer in
its list (exported as the code itself). In the CSV and in the XLSX, every such cell must come
out with a leading apostrophe, and no cell at all may start with a formula character. Columns
are found by their header, so removing or adding a column does not break the test.
"""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from helpers import client_values
from sqlalchemy import select, update
from support import logged_in_client

from app import crypto, keys
from app.beheer.export import FIELD_HEADERS
from app.clients import services
from app.db import session
from app.models import (
    CLIENT_CODE_FIELDS,
    Account,
    Client,
    CodeList,
    CodeOption,
    Organisation,
    Region,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PERIOD_HEADERS = {"reden_stopzetting": "Reden van stopzetting",
                  "perspectief": "Perspectief na stopzetting"}
YEAR = 2024


def _plant(app, make_org, prefix) -> dict[str, str]:
    """Two clients (one with only known codes, one with a code no longer in its list) and
    every text planted with `prefix`; returns header -> planted text for the first client."""
    org_id, _ = make_org(name="gewone naam", region="limburg")
    planted = {"Organisatie": f"{prefix}Organisatie", "Regio": f"{prefix}Regio",
               "Nr (oud)": f"{prefix}17"}
    with app.app_context():
        org = session.get(Organisation, org_id)
        first = services.create_client(org, client_values(old_nr=planted["Nr (oud)"]), None)
        second = services.create_client(org, client_values(old_nr="gewoon"), None)
        for client, end in ((first, date(YEAR, 6, 30)), (second, None)):
            services.add_period(client, {
                "hours": Decimal(16), "start_date": date(YEAR, 1, 1), "end_date": end,
                "reden_stopzetting": "pensioen" if end else None,
                "perspectief": "pensioen" if end else None})
        session.flush()
        session.execute(update(Organisation).where(Organisation.id == org_id)
                        .values(name=planted["Organisatie"]))
        session.execute(update(Region).where(Region.code == "limburg").values(name=planted["Regio"]))
        codes = {name: getattr(first, name) for name in CLIENT_CODE_FIELDS}
        codes.update(reden_stopzetting="pensioen", perspectief="pensioen")
        headers = {**FIELD_HEADERS, **PERIOD_HEADERS}
        for list_name, code in codes.items():
            option_id = session.scalar(select(CodeOption.id).join(CodeList).where(
                CodeList.name == list_name, CodeOption.code == code))
            label = f"{prefix}label {list_name}"
            session.execute(update(CodeOption).where(CodeOption.id == option_id).values(label=label))
            planted[headers[list_name]] = label
        # a code that is not (or no longer) in its list is exported as the code itself
        session.execute(update(Client).where(Client.id == second.id)
                        .values(geslacht=f"{prefix}onbekende-code"))
        session.commit()
        planted["second client's Geslacht"] = f"{prefix}onbekende-code"
    return planted


def _csv_rows(c, url=f"/beheer/export.csv?jaar={YEAR}") -> list[dict]:
    body = c.get(url).get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _xlsx_rows(c, url=f"/beheer/export.xlsx?jaar={YEAR}") -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(c.get(url).get_data()))
    rows = list(sheet.worksheets[0].iter_rows())
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"
    header = [cell.value for cell in rows[0]]
    return [dict(zip(header, [cell.value for cell in row], strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", FORMULA_START, ids=["=", "+", "-", "@", "tab", "CR"])
def test_every_text_cell_is_neutralised(app, make_org, make_admin, prefix, fmt):
    planted = _plant(app, make_org, prefix)
    c = logged_in_client(app, make_admin(None))
    rows = (_csv_rows if fmt == "csv" else _xlsx_rows)(c)
    assert len(rows) == 2
    _check(planted, rows, fmt, minimum=16)  # organisation, region, 12 fields, reason, perspective


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", FORMULA_START, ids=["=", "+", "-", "@", "tab", "CR"])
def test_every_text_cell_of_the_own_caseload_is_neutralised(app, make_org, prefix, fmt):
    """/clienten/export.csv|xlsx: the same, and the client's name (user text) too."""
    planted = _plant(app, make_org, prefix)
    with app.app_context():
        first = session.scalar(select(Client).where(Client.old_nr == planted["Nr (oud)"]))
        org = session.get(Organisation, first.organisation_id)
        # sealed as stored (names.seal strips a leading tab or CR; an import might not)
        first.name_enc = crypto.encrypt_name(keys.data_key(org), org.id, first.nr, f"{prefix}Naam")
        email = session.scalar(select(Account.email).where(Account.organisation_id == org.id))
        session.commit()
    planted["Naam"] = f"{prefix}Naam"
    c = logged_in_client(app, email)
    rows = (_csv_rows if fmt == "csv" else _xlsx_rows)(c, f"/clienten/export.{fmt}")
    _check(planted, rows, fmt, minimum=16)  # old number, name, 12 fields, reason, perspective


def _check(planted, rows, fmt, minimum):
    assert len(rows) == 2
    first, second = rows
    checked = 0
    for header, text in planted.items():
        expected = "'" + text
        if fmt == "xlsx":  # XML reads a carriage return in a text as a line feed
            expected = expected.replace("\r", "\n")
        if header == "second client's Geslacht":
            assert second["Geslacht"] == expected
        elif header in first:  # (a column may be dropped from the export; none may be unsafe)
            assert first[header] == expected, header
            checked += 1
    assert checked >= minimum
    for row in rows:
        for header, value in row.items():
            if isinstance(value, str):
                assert not value.startswith(FORMULA_START), (header, value)
