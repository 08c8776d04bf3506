"""Anonymous export: one row per begeleidingsperiode, as CSV (streamed) or XLSX (write-only).

Rows are read with a streaming cursor (`yield_per`: a server-side cursor on PostgreSQL, SQLite
steps its cursor lazily anyway) and written out as they come, so memory does not grow with the
number of rows. The query starts from Scope.periods() and never selects the name; the
birth date leaves the database only as a birth year.

Cells that a spreadsheet would take for a formula get a leading apostrophe (app/spreadsheet.py).
"""

import csv
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import Integer, cast, extract, func

from .. import codelists
from ..clients.rules import period_overlaps
from ..db import session
from ..models import CLIENT_CODE_FIELDS, Client, Organisation, Period, Region
from ..spreadsheet import (  # noqa: F401 (FORMULA_START, XLSX_MIMETYPE: used through this module)
    BATCH,
    FIELD_HEADERS,
    FORMULA_START,
    XLSX_DATE_FORMAT,
    XLSX_MIMETYPE,
    Lines,
    date_text,
    hours_text,
    neutralise,
)
from .scope import Scope
from .statistics import year_bounds

# never the old number (free text the organisation chose, may hold initials; SPEC §12)
HEADERS = (["Organisatie", "Regio", "Nr", "Geboortejaar"]
           + [FIELD_HEADERS[name] for name in CLIENT_CODE_FIELDS]
           + ["Aantal uren", "Startdatum", "Einddatum", "Reden van stopzetting",
              "Perspectief na stopzetting"])
HOURS_AT = 4 + len(CLIENT_CODE_FIELDS)  # column index of the hours; start and end date follow
CODED = [*range(4, HOURS_AT), HOURS_AT + 3, HOURS_AT + 4]  # columns holding a code


def filename(year: int | None, region_code: str | None, extension: str) -> str:
    return (f"arbeidszorg-{year if year else 'alle-jaren'}-{region_code or 'alle-regios'}"
            f".{extension}")


def _query(scope: Scope, year: int | None, region_id: int | None):
    columns = [Organisation.name, Region.name, Client.nr,
               cast(extract("year", Client.birth_date), Integer)]
    columns += [getattr(Client, name) for name in CLIENT_CODE_FIELDS]
    columns += [Period.hours, Period.start_date, Period.end_date, Period.reden_stopzetting,
                Period.perspectief]
    query = (scope.periods(region_id)
             .with_only_columns(*columns, maintain_column_froms=True)
             .join(Region, Region.id == Organisation.region_id)
             .order_by(Region.position, Organisation.name, Organisation.id, Client.nr,
                       Period.start_date, Period.id))
    if year is not None:
        query = query.where(period_overlaps(*year_bounds(year)))
    return query


def count_rows(scope: Scope, year: int | None, region_id: int | None) -> int:
    query = scope.periods(region_id).with_only_columns(
        func.count(), maintain_column_froms=True)
    if year is not None:
        query = query.where(period_overlaps(*year_bounds(year)))
    return int(session.execute(query).scalar_one())


def _label_maps() -> list[dict[str, str]]:
    """Per coded column (client fields, then reason, then perspective): code -> safe label."""
    book = codelists.book()
    return [{option.code: neutralise(option.label) for option in book.lists.get(name, [])}
            for name in (*CLIENT_CODE_FIELDS, "reden_stopzetting", "perspectief")]


def _rows(scope: Scope, year: int | None, region_id: int | None) -> Iterator[list]:
    """Every period as a list of typed values, codes replaced by their labels, text neutralised.

    Rows come from a streaming cursor (Core execution, no ORM row processing) and are handed on
    one at a time.
    """
    maps = list(zip(CODED, _label_maps(), strict=True))
    # yield_per: a server-side cursor (PostgreSQL) read in batches of BATCH rows
    result = session.connection().execute(_query(scope, year, region_id).execution_options(yield_per=BATCH))
    try:
        for row in result:
            values = list(row)
            values[0] = neutralise(values[0])
            values[1] = neutralise(values[1])
            for index, labels in maps:
                code = values[index]
                if code is not None:
                    label = labels.get(code)
                    values[index] = label if label is not None else neutralise(code)
            yield values
    finally:
        result.close()


def csv_chunks(scope: Scope, year: int | None, region_id: int | None) -> Iterator[bytes]:
    """The CSV file in chunks of BATCH rows: UTF-8 with BOM, ';' separated, CRLF line ends,
    Dutch headers. Only one chunk is held in memory at a time."""
    lines = Lines()
    writer = csv.writer(lines, delimiter=";", lineterminator="\r\n")
    lines.append("\ufeff")
    writer.writerow(HEADERS)
    for values in _rows(scope, year, region_id):
        values[HOURS_AT] = hours_text(values[HOURS_AT])
        values[HOURS_AT + 1] = date_text(values[HOURS_AT + 1])
        values[HOURS_AT + 2] = date_text(values[HOURS_AT + 2])
        writer.writerow(values)
        if len(lines) >= BATCH:
            yield "".join(lines).encode("utf-8")
            lines.clear()
    yield "".join(lines).encode("utf-8")


def write_xlsx(fileobj, scope: Scope, year: int | None, region_id: int | None) -> int:
    """Write the XLSX workbook to an open binary file (write-only mode); return the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    for letter, width in (("A", 32), ("B", 16)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append(HEADERS)
    count = 0
    for values in _rows(scope, year, region_id):
        hours = values[HOURS_AT]
        values[HOURS_AT] = float(hours) if hours is not None else None
        for offset in (1, 2):
            if values[HOURS_AT + offset] is not None:
                cell = WriteOnlyCell(sheet, value=values[HOURS_AT + offset])
                cell.number_format = XLSX_DATE_FORMAT
                values[HOURS_AT + offset] = cell
        sheet.append(values)
        count += 1
    workbook.save(fileobj)
    return count
