"""The yearly statistics as an XLSX workbook (/beheer/statistieken.xlsx): one sheet per table.

Two steps, kept apart so that a new table of the report becomes a new sheet with little change:

1. `sheets_of(data)` — the one mapping from a `statistics.Statistics` result to `Sheet`s (plain
   rows of typed values with Dutch column headers). Every `Table` the result offers becomes a
   sheet: the known ones in the order of the report, any other attribute holding a `Table`, a
   list of `Table`s or an object with a `.table` after them.
2. `write(fileobj, data, …)` — an "Overzicht" sheet (title, year, region, when it was made, the
   headline counts, links to the sheets), then every sheet with its header row, counts as
   numbers, percentages as fractions with the number format 0.0% and a native bar chart.

The statistics never select a name, so neither can the workbook. Text taken from code lists
(labels) is neutralised against formula injection like the CSV export.
"""

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ..formatting import TIME_ZONE
from ..spreadsheet import FIELD_HEADERS, neutralise
from .statistics import HEADLINE_ROWS, Statistics, Table

TITLE = "De Vlaamse arbeidszorgmedewerker in beeld"
OVERVIEW = "Overzicht"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
MAX_SHEET_NAME = 31
FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

# short sheet names per table key (the table's full title goes in the sheet's first cell)
SHORT_NAMES = {
    "kerncijfers": "Kerncijfers",
    "leeftijd": "Leeftijd",
    "uren": "Uren per week",
    "duur": "Duur van de periodes",
    "reden": "Reden van stopzetting",
    "perspectief": "Perspectief na stopzetting",
    "ladder": "Participatieladder",
    **FIELD_HEADERS,
}
# the report's order (SPEC §13 / issue 13): who, how, flow; unknown tables follow in result order
ORDER = ("kerncijfers", "leeftijd", "geslacht", "burgerlijke_staat", "hoofdproblematiek",
         "leefsituatie", "onderwijsniveau", "verwijzer", "hoofdinkomen", "vergoeding",
         "bezoldigd_circuit", "subsidie", "uren", "overeenkomst", "methodiek", "duur", "reden",
         "perspectief", "ladder")
# what the percentages of a table are counted over
ENDED_BASIS = "beëindigde begeleidingsperiodes in het jaar"
ACTIVE_BASIS = "actieve cliënten in het jaar"
ENDED_KEYS = {"reden", "perspectief", "ladder"}


@dataclass
class Column:
    header: str
    kind: str = "count"  # "text", "count", "percent" (a fraction 0..1) or "decimal"


@dataclass
class Sheet:
    key: str
    name: str  # wanted name; write() makes it a valid, unique sheet name
    title: str
    note: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    total: list | None = None  # a last row, bold
    chart_columns: tuple[int, ...] = (1,)  # column indexes (0-based) charted against column 0
    chart_title: str = ""


# --- the result -> sheets mapping ----------------------------------------------------------

def _fraction(pct: float | None) -> float | None:
    return None if pct is None else pct / 100.0


def table_sheet(table: Table) -> Sheet:
    """A count table (label, count, percentage of the total) as a sheet."""
    basis = ENDED_BASIS if table.key in ENDED_KEYS else ACTIVE_BASIS
    short = SHORT_NAMES.get(table.key, table.title)
    rows = [[neutralise(row.label) + (" (niet meer in gebruik)" if row.retired else ""),
             row.count, _fraction(row.pct)] for row in table.rows]
    return Sheet(
        key=table.key, name=short, title=table.title,
        note=f"Aantal en percentage van de {basis} (totaal {table.total}).",
        columns=[Column(short, "text"), Column("Aantal"), Column("Percentage", "percent")],
        rows=rows, total=["Totaal", table.total, 1.0 if table.total else None],
        chart_title=table.title)


def comparison_sheet(data: Statistics) -> Sheet:
    year = data.year
    rows = [[c.label, c.previous, c.current, c.difference] for c in data.comparison]
    return Sheet(
        key="kerncijfers", name="Kerncijfers", title=f"Kerncijfers {year} en {year - 1}",
        note="Aantallen in het gekozen jaar en het jaar ervoor; verschil = gekozen jaar min vorig jaar.",
        columns=[Column("Kerncijfer", "text"), Column(str(year - 1)), Column(str(year)),
                 Column("Verschil")],
        rows=rows, chart_columns=(1, 2), chart_title=f"Kerncijfers {year - 1} en {year}")


def lengths_sheet(data: Statistics) -> Sheet:
    lengths = data.lengths
    return Sheet(
        key="duur", name="Duur van de periodes",
        title=f"Duur van de begeleidingsperiodes beëindigd in {data.year}",
        note=f"Over {lengths.count} beëindigde periodes; duur = einddatum − startdatum + 1 dag, "
             "1 maand = 365,25 / 12 dagen.",
        columns=[Column("Maat", "text"), Column("Dagen", "decimal"), Column("Maanden", "decimal")],
        rows=[["Gemiddelde duur", lengths.average_days, lengths.average_months],
              ["Mediaan", lengths.median_days, lengths.median_months]],
        total=["Aantal beëindigde periodes", lengths.count, None],
        chart_title=f"Duur van de periodes beëindigd in {data.year} (dagen)")


def _tables_in(value) -> list[Table]:
    """The Tables a result attribute offers: a Table, a list of Tables, or an object's .table."""
    if isinstance(value, Table):
        return [value]
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, Table)]
    table = getattr(value, "table", None)
    return [table] if isinstance(table, Table) else []


def sheets_of(data: Statistics) -> list[Sheet]:
    """Every table of the report as a sheet, in the report's order (the one mapping)."""
    sheets = [comparison_sheet(data), lengths_sheet(data)]
    seen: set[str] = {sheet.key for sheet in sheets}
    for attribute in dataclasses.fields(data):
        for table in _tables_in(getattr(data, attribute.name)):
            if table.key not in seen:  # `gender` is also one of the profile tables
                seen.add(table.key)
                sheets.append(table_sheet(table))
    position = {key: index for index, key in enumerate(ORDER)}
    return sorted(sheets, key=lambda s: position.get(s.key, len(ORDER)))  # stable: result order


# --- writing -------------------------------------------------------------------------------

def sheet_names(wanted: list[str]) -> list[str]:
    """Valid, unique sheet names: no []:*?/\\, at most 31 characters, unique regardless of case."""
    used = {OVERVIEW.lower(), "history"}  # Excel reserves "History"
    names = []
    for name in wanted:
        base = re.sub(r"\s+", " ", FORBIDDEN_IN_SHEET_NAME.sub(" ", name)).strip().strip("'")
        base = base[:MAX_SHEET_NAME].rstrip() or "Tabel"
        candidate, number = base, 2
        while candidate.lower() in used:
            suffix = f" ({number})"
            candidate = base[:MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
            number += 1
        used.add(candidate.lower())
        names.append(candidate)
    return names


def _link(cell, name: str) -> Hyperlink:
    """An internal link to cell A1 of a sheet (a location, not an external target)."""
    return Hyperlink(ref=cell.coordinate, location="'{}'!A1".format(name.replace("'", "''")))


FORMATS = {"count": COUNT_FORMAT, "percent": PERCENT_FORMAT, "decimal": DECIMAL_FORMAT}


def _write_sheet(ws, sheet: Sheet) -> None:
    ws["A1"] = neutralise(sheet.title)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = sheet.note
    header_row = 4
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=header_row, column=index, value=column.header)
        cell.font = Font(bold=True)
    rows = list(sheet.rows) + ([sheet.total] if sheet.total else [])
    for offset, values in enumerate(rows, start=1):
        for index, (column, value) in enumerate(zip(sheet.columns, values, strict=True), start=1):
            cell = ws.cell(row=header_row + offset, column=index, value=value)
            if column.kind in FORMATS:
                cell.number_format = FORMATS[column.kind]
            if sheet.total is not None and offset == len(rows):
                cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 48
    for index in range(2, len(sheet.columns) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 14
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    last = header_row + len(sheet.rows)
    if sheet.rows:
        ws.add_chart(_chart(ws, sheet, header_row, last),
                     f"{get_column_letter(len(sheet.columns) + 2)}{header_row}")


def _chart(ws, sheet: Sheet, header_row: int, last: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: the category labels are long
    chart.style = 10
    chart.title = sheet.chart_title or sheet.title
    chart.y_axis.title = sheet.columns[sheet.chart_columns[0]].header \
        if len(sheet.chart_columns) == 1 else "Aantal"
    chart.x_axis.scaling.orientation = "maxMin"  # first category on top, as in the table
    chart.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told otherwise
    chart.y_axis.delete = False
    for index in sheet.chart_columns:
        chart.add_data(Reference(ws, min_col=index + 1, min_row=header_row, max_row=last),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    if len(sheet.chart_columns) == 1:
        chart.legend = None
    chart.width = 18
    chart.height = max(7.5, 1.0 + 0.8 * (last - header_row))
    return chart


def _write_overview(ws, data: Statistics, region_name: str, made: datetime,
                    sheets: list[tuple[str, Sheet]]) -> None:
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"Statistieken {data.year} – {region_name}"
    ws["A2"].font = Font(bold=True)
    facts = [("Jaar", data.year, None), ("Regio", region_name, None),
             ("Gemaakt op", made, DATETIME_FORMAT),
             ("Bron", "Registratiesysteem Arbeidszorg: anonieme gegevens, nooit een naam", None)]
    for row, (label, value, number_format) in enumerate(facts, start=4):
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        cell = ws.cell(row=row, column=2, value=value)
        if number_format:
            cell.number_format = number_format
    row = 4 + len(facts) + 1
    ws.cell(row=row, column=1, value="Kerncijfer").font = Font(bold=True)
    ws.cell(row=row, column=2, value=str(data.year)).font = Font(bold=True)
    for key, label in HEADLINE_ROWS:
        row += 1
        ws.cell(row=row, column=1, value=label)
        ws.cell(row=row, column=2, value=getattr(data.current, key)).number_format = COUNT_FORMAT
    row += 2
    ws.cell(row=row, column=1, value="Bladen in dit werkboek").font = Font(bold=True)
    for name, sheet in sheets:
        row += 1
        cell = ws.cell(row=row, column=1, value=name)
        cell.hyperlink = _link(cell, name)
        cell.style = "Hyperlink"
        ws.cell(row=row, column=2, value=neutralise(sheet.title))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 60


def write(fileobj, data: Statistics, region_name: str, made: datetime | None = None) -> int:
    """Write the workbook to a binary file object; return the number of table sheets."""
    made = made or datetime.now(TIME_ZONE).replace(tzinfo=None, microsecond=0)
    sheets = sheets_of(data)
    named = list(zip(sheet_names([s.name for s in sheets]), sheets, strict=True))
    workbook = Workbook()
    overview = workbook.active
    overview.title = OVERVIEW
    _write_overview(overview, data, region_name, made, named)
    for name, sheet in named:
        _write_sheet(workbook.create_sheet(name), sheet)
    workbook.save(fileobj)
    return len(named)


def filename(year: int, region_code: str | None) -> str:
    return f"statistieken-{year}-{region_code or 'alle-regios'}.xlsx"
