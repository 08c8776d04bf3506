"""The organisation's own caseload (/clienten/export.csv and .xlsx): every client with its name
and every period, one row per period (a client without a period: one row, period columns empty).

Organisation views only. Rows come from a streaming cursor (`yield_per`) over `clients_of(org)`
left-joined to the periods and are written as they come (CSV in chunks, XLSX in openpyxl's
write-only mode), so memory does not grow with the number of clients. Names are decrypted by
`names.reveal`, the one place that decrypts them. Every text cell (name, old number, postcodes,
code-list labels) is neutralised against formula injection as in the beheer export; the CSV
conventions (UTF-8 with BOM, ';', CRLF, dd/mm/jjjj, decimal comma) are the beheer export's
(shared in app/spreadsheet.py).
"""

import csv
from collections.abc import Iterator
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import func

from .. import codelists
from ..db import session
from ..models import CLIENT_CODE_FIELDS, Client, Organisation, Period
from ..spreadsheet import (
    BATCH,
    FIELD_HEADERS,
    XLSX_DATE_FORMAT,
    Lines,
    date_text,
    hours_text,
    neutralise,
)
from . import names, rules
from .services import clients_of

PERIOD_FIELDS = ("reden_stopzetting", "perspectief")
HEADERS = (["Nr", "Nr (oud)", "Naam", "Geboortedatum", "Postcode woonplaats",
            "Postcode tewerkstelling"]
           + [FIELD_HEADERS[name] for name in CLIENT_CODE_FIELDS]
           + ["Status", "Aantal uren", "Startdatum", "Einddatum", "Reden van stopzetting",
              "Perspectief na stopzetting"])
BIRTH_AT = 3  # column index of the birth date
STATUS_AT = 6 + len(CLIENT_CODE_FIELDS)  # the status; hours, start and end date follow
HOURS_AT = STATUS_AT + 1
DATE_COLUMNS = (BIRTH_AT, HOURS_AT + 1, HOURS_AT + 2)
ACTIVE, INACTIVE = "Actief", "Niet-actief"


def filename(extension: str, today: date) -> str:
    return f"clienten-{today:%d-%m-%Y}.{extension}"


def _text(value: str | None) -> str | None:
    """Free text for a cell: neutralised, None when empty (an empty cell, not an empty string)."""
    return neutralise(value) or None


def _query(org: Organisation):
    columns = [Client.nr, Client.old_nr, Client.name_enc, Client.birth_date,
               Client.postcode_woonplaats, Client.postcode_tewerkstelling,
               *[getattr(Client, name) for name in CLIENT_CODE_FIELDS],
               Client.last_end, Client.last_period_id,
               Period.hours, Period.start_date, Period.end_date,
               *[getattr(Period, name) for name in PERIOD_FIELDS]]
    return (clients_of(org).with_only_columns(*columns, maintain_column_froms=True)
            .outerjoin(Period, Period.client_id == Client.id)
            .order_by(Client.nr, Period.start_date, Period.id))


def counts(org: Organisation) -> tuple[int, int]:
    """(clients, rows) of the export: one row per period, one for a client without periods."""
    clients, rows = session.execute(
        clients_of(org).with_only_columns(func.count(func.distinct(Client.id)), func.count(),
                                          maintain_column_froms=True)
        .outerjoin(Period, Period.client_id == Client.id)).one()
    return int(clients or 0), int(rows or 0)


def _label_maps() -> dict[str, dict[str, str]]:
    book = codelists.book()
    return {name: {option.code: neutralise(option.label) for option in book.lists.get(name, [])}
            for name in (*CLIENT_CODE_FIELDS, *PERIOD_FIELDS)}


def rows(org: Organisation, today: date) -> Iterator[list]:
    """Every row as typed values (dates as dates, hours as Decimal), text neutralised."""
    labels = _label_maps()
    client_labels = [labels[name] for name in CLIENT_CODE_FIELDS]
    period_labels = [labels[name] for name in PERIOD_FIELDS]

    def label(mapping, code):
        if code is None:
            return None
        found = mapping.get(code)
        return found if found is not None else neutralise(code)

    n = len(CLIENT_CODE_FIELDS)
    result = session.connection().execute(_query(org).execution_options(yield_per=BATCH))
    try:
        for row in result:
            nr, old_nr, blob, birth, home, work = row[:6]
            codes = row[6:6 + n]
            last_end, last_period_id, hours, start, end, *period_codes = row[6 + n:]
            active = rules.is_active(last_end, last_period_id is not None, today)
            yield [nr, _text(old_nr), _text(names.reveal(org, nr, blob)), birth,
                   _text(home), _text(work),
                   *[label(m, c) for m, c in zip(client_labels, codes, strict=True)],
                   ACTIVE if active else INACTIVE, hours, start, end,
                   *[label(m, c) for m, c in zip(period_labels, period_codes, strict=True)]]
    finally:
        result.close()


def csv_chunks(org: Organisation, today: date) -> Iterator[bytes]:
    """The CSV in chunks of BATCH rows (UTF-8 with BOM, ';', CRLF, dd/mm/jjjj, decimal comma)."""
    lines = Lines()
    writer = csv.writer(lines, delimiter=";", lineterminator="\r\n")
    lines.append("\ufeff")
    writer.writerow(HEADERS)
    for values in rows(org, today):
        values[HOURS_AT] = hours_text(values[HOURS_AT])
        for index in DATE_COLUMNS:
            values[index] = date_text(values[index])
        writer.writerow(values)
        if len(lines) >= BATCH:
            yield "".join(lines).encode("utf-8")
            lines.clear()
    yield "".join(lines).encode("utf-8")


def write_xlsx(fileobj, org: Organisation, today: date) -> tuple[int, int]:
    """The workbook (write-only mode) to an open binary file; return (clients, rows)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Cliënten")
    sheet.column_dimensions["C"].width = 28
    sheet.freeze_panes = "A2"
    sheet.append(HEADERS)
    clients, count, last_nr = 0, 0, None
    for values in rows(org, today):
        if values[0] != last_nr:
            clients, last_nr = clients + 1, values[0]
        if values[HOURS_AT] is not None:
            values[HOURS_AT] = float(values[HOURS_AT])
        for index in DATE_COLUMNS:
            if values[index] is not None:
                cell = WriteOnlyCell(sheet, value=values[index])
                cell.number_format = XLSX_DATE_FORMAT
                values[index] = cell
        sheet.append(values)
        count += 1
    workbook.save(fileobj)
    return clients, count
