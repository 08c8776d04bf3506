"""The yearly statistics as an XLSX workbook (/beheer/statistieken.xlsx): the report's tables.

One mapping: every `Grid` of `Statistics.grids()` (app/beheer/statistics.py: every table of the
report, in the report's order, the trend and the regions side by side included) becomes one sheet,
after an "Overzicht" sheet (title, year, region, when it was made, every headline count, a link
to every sheet). A new table of the report is a new grid, and so a new sheet, without code here.

A sheet: the grid's title in A1, a note in A2, the grid's Dutch headers in row 4, its rows below
(the closing "Totaal" row bold). Per column kind: counts as integers (#,##0), percentages as
fractions (pct / 100) with the format 0.0%, decimals (days, months) with the format 0.0, labels as
text neutralised against formula injection like the CSV export. A native chart per sheet: a
horizontal bar chart for "bar" grids (a clustered one, a series per region, for the regions side by
side), a line chart for the trend (a line per headline row over the years).

The statistics never select a name, so neither can the workbook.
"""

import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ..formatting import TIME_ZONE
from ..spreadsheet import FIELD_HEADERS, neutralise
from .statistics import HEADLINE_ROWS, Grid, Statistics

TITLE = "De Vlaamse arbeidszorgmedewerker in beeld"
OVERVIEW = "Overzicht"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
FORMATS = {"count": COUNT_FORMAT, "percent": PERCENT_FORMAT, "decimal": DECIMAL_FORMAT}
MAX_SHEET_NAME = 31
FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
HEADER_ROW = 4
REGION_PREFIX = "regio-"  # the grids of the regions side by side (last column: Vlaanderen)
PER_REGION = " per regio"
RETIRED = " (niet meer in gebruik)"

# short sheet names per grid key (the grid's full title goes in the sheet's first cell) …
SHORT_NAMES = {
    "kerncijfers": "Kerncijfers",
    "trend": "Evolutie kerncijfers",
    "leeftijd": "Leeftijd",
    "uren": "Uren per week",
    "duur": "Duur van de periodes",
    "reden": "Reden van stopzetting",
    "perspectief": "Perspectief na stopzetting",
    "ladder": "Participatieladder",
    **FIELD_HEADERS,
}
# … and shorter ones where a name would not fit in 31 characters
COMPACT_NAMES = {
    "verwijzer": "Verwijzer",
    "vergoeding": "Vergoeding",
    "bezoldigd_circuit": "Bezoldigd circuit",
    "subsidie": "Subsidie",
    "perspectief": "Perspectief",
}
# the columns charted where not every count or decimal column is a series (0-based): the
# difference is no figure of either year; months are the days again in another unit
SERIES = {"kerncijfers": (1, 2), "duur": (1,)}
# a last row with one of these labels closes the table: in the sheet, not a chart category
SUMMARY_LABELS = {"Totaal", "Beëindigde periodes"}

ACTIVE = "Aantal en percentage van de actieve cliënten in het jaar."
ENDED = "Aantal en percentage van de begeleidingsperiodes die in het jaar eindigden."
REGIONS = ("Een kolom per regio en Vlaanderen (alle regio's samen). De grafiek vergelijkt de "
           "regio's; Vlaanderen, hun som, staat alleen in de tabel.")
NOTES = {
    "kerncijfers": "Aantallen in het gekozen jaar en het jaar ervoor; verschil = gekozen jaar min "
                   "vorig jaar. Instroom: de eerste begeleidingsperiode van de cliënt startte in "
                   "het jaar. Uitstroom: de cliënt stopte in het jaar en liep op 31 december geen "
                   "periode meer.",
    "trend": "Aantallen per jaar: het gekozen jaar en de vier jaren ervoor.",
    "duur": "Duur = einddatum − startdatum + 1 dag; 1 maand = 365,25 / 12 dagen.",
    "reden": ENDED, "perspectief": ENDED, "ladder": ENDED,
    "regio-duur": "Duur in dagen. " + REGIONS,
}


# --- the mapping: grid -> sheet --------------------------------------------------------------

def wanted_name(grid: Grid) -> str:
    """The sheet name a grid asks for (`sheet_names` makes the names valid and unique)."""
    key = grid.key.removeprefix(REGION_PREFIX)
    suffix = PER_REGION if grid.key.startswith(REGION_PREFIX) else ""
    name = SHORT_NAMES.get(key, grid.title) + suffix
    if len(name) > MAX_SHEET_NAME and key in COMPACT_NAMES:
        name = COMPACT_NAMES[key] + suffix
    return name


def note(grid: Grid) -> str:
    if grid.key in NOTES:
        return NOTES[grid.key]
    if grid.key.startswith(REGION_PREFIX):
        return "Aantallen. " + REGIONS
    return ACTIVE if "percent" in grid.kinds else ""


def cell_value(kind: str, value):
    """(value, number format) of one cell of a grid column of this kind."""
    if value is None:
        return None, None
    if kind == "label" or isinstance(value, str):
        return neutralise(str(value)), None
    if kind == "percent":
        return value / 100.0, PERCENT_FORMAT
    if isinstance(value, int):  # a count, also where the column holds decimals (a number of periods)
        return value, COUNT_FORMAT
    return value, FORMATS.get(kind)


def chart_rows(grid: Grid) -> int:
    """How many rows, from the top, are the chart's categories (not a closing total)."""
    rows = len(grid.rows)
    return rows - 1 if rows and grid.rows[-1][0] in SUMMARY_LABELS else rows


def series_columns(grid: Grid) -> list[int]:
    """The columns (0-based) a bar chart shows as series."""
    if grid.key in SERIES:
        return list(SERIES[grid.key])
    columns = [i for i, kind in enumerate(grid.kinds) if kind in ("count", "decimal")]
    if grid.key.startswith(REGION_PREFIX):
        columns = columns[:-1]  # Vlaanderen, the sum of the regions, would dwarf them
    return columns


def _retired(data: Statistics) -> set[tuple[str, str]]:
    """(table key, label) of the retired options shown (the report marks them)."""
    return {(t.key, r.label) for t in data.count_tables() for r in t.rows if r.retired}


def _write_sheet(ws, grid: Grid, retired: set[tuple[str, str]]) -> None:
    ws["A1"] = neutralise(grid.title)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = note(grid)
    for index, header in enumerate(grid.headers, start=1):
        ws.cell(row=HEADER_ROW, column=index, value=neutralise(str(header))).font = Font(bold=True)
    table_key = grid.key.removeprefix(REGION_PREFIX)
    summary = chart_rows(grid) < len(grid.rows)
    for offset, values in enumerate(grid.rows, start=1):
        bold = summary and offset == len(grid.rows)
        for index, (kind, value) in enumerate(zip(grid.kinds, values, strict=True), start=1):
            value, number_format = cell_value(kind, value)
            if index == 1 and (table_key, values[0]) in retired:
                value += RETIRED
            cell = ws.cell(row=HEADER_ROW + offset, column=index, value=value)
            if number_format:
                cell.number_format = number_format
            if bold:
                cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 48
    for index in range(2, len(grid.headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 16
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    chart = _chart(ws, grid)
    if chart is not None:
        ws.add_chart(chart, f"{get_column_letter(len(grid.headers) + 2)}{HEADER_ROW}")


def _chart(ws, grid: Grid):
    """The sheet's native chart (None when the grid asks for none or has nothing to chart)."""
    rows = chart_rows(grid)
    if not rows or len(grid.headers) < 2 or grid.chart not in ("bar", "line"):
        return None
    last = HEADER_ROW + rows
    if grid.chart == "line":
        return _line_chart(ws, grid, last)
    columns = series_columns(grid)
    if not columns:
        return None
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: the category labels are long
    chart.grouping = "clustered"
    chart.style = 10
    chart.title = neutralise(grid.title)
    if len(columns) == 1:
        chart.y_axis.title = neutralise(str(grid.headers[columns[0]]))
        chart.legend = None
    elif all(grid.kinds[i] == "count" for i in columns):
        chart.y_axis.title = "Aantal"
    chart.x_axis.scaling.orientation = "maxMin"  # first category on top, as in the table
    chart.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told otherwise
    chart.y_axis.delete = False
    for index in columns:
        chart.add_data(Reference(ws, min_col=index + 1, min_row=HEADER_ROW, max_row=last),
                       titles_from_data=True)
    _categories(chart, Reference(ws, min_col=1, min_row=HEADER_ROW + 1, max_row=last))
    chart.width = 18 if len(columns) < 3 else 22
    chart.height = max(7.5, 2.0 + rows * (0.4 + 0.35 * len(columns)))
    return chart


def _categories(chart, cells: Reference) -> None:
    """The category labels as text (set_categories would refer to them as numbers, and the
    years of the trend are text headers)."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(cells)))


def _line_chart(ws, grid: Grid, last: int) -> LineChart:
    """The trend: one line per row (a headline count), the year columns along the x axis."""
    chart = LineChart()
    chart.style = 12
    chart.title = neutralise(grid.title)
    chart.y_axis.title = "Aantal"
    chart.x_axis.title = "Jaar"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    columns = len(grid.headers)
    chart.add_data(Reference(ws, min_col=1, max_col=columns, min_row=HEADER_ROW + 1, max_row=last),
                   from_rows=True, titles_from_data=True)
    _categories(chart, Reference(ws, min_col=2, max_col=columns, min_row=HEADER_ROW,
                                 max_row=HEADER_ROW))
    for series in chart.series:
        series.smooth = False
        series.marker.symbol = "circle"  # five points a line: each year visible
    chart.width = 24
    chart.height = 12
    return chart


# --- names, links and the overview -----------------------------------------------------------

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


def _write_overview(ws, data: Statistics, region_name: str, made: datetime,
                    sheets: list[tuple[str, Grid]]) -> None:
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = neutralise(f"Statistieken {data.year} – {region_name}")
    ws["A2"].font = Font(bold=True)
    facts = [("Jaar", data.year, None), ("Regio", neutralise(region_name), None),
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
    for name, grid in sheets:
        row += 1
        cell = ws.cell(row=row, column=1, value=name)
        cell.hyperlink = _link(cell, name)
        cell.style = "Hyperlink"
        ws.cell(row=row, column=2, value=neutralise(grid.title))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 60


def write(fileobj, data: Statistics, region_name: str, made: datetime | None = None) -> int:
    """Write the workbook to a binary file object; return the number of table sheets."""
    made = made or datetime.now(TIME_ZONE).replace(tzinfo=None, microsecond=0)
    grids = data.grids()
    named = list(zip(sheet_names([wanted_name(g) for g in grids]), grids, strict=True))
    retired = _retired(data)
    workbook = Workbook()
    overview = workbook.active
    overview.title = OVERVIEW
    _write_overview(overview, data, region_name, made, named)
    for name, grid in named:
        _write_sheet(workbook.create_sheet(name), grid, retired)
    workbook.save(fileobj)
    return len(named)


def filename(year: int, region_code: str | None) -> str:
    return f"statistieken-{year}-{region_code or 'alle-regios'}.xlsx"
