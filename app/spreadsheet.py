"""What every spreadsheet export shares (the beheer's anonymous export, the statistics workbook,
an organisation's own caseload): formula neutralising, Dutch column headers of the coded
fields, cached Dutch cell texts and the CSV chunk target.

Cells that a spreadsheet would take for a formula (starting with =, +, -, @, tab or carriage
return) get a leading apostrophe, in CSV and XLSX alike (openpyxl itself writes a text starting
with = as a formula).
"""

from functools import lru_cache

from .formatting import date_nl, number_nl

BATCH = 500  # rows fetched from the database at a time (and rows in one CSV chunk)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_DATE_FORMAT = "DD/MM/YYYY"

FIELD_HEADERS = {
    "geslacht": "Geslacht",
    "burgerlijke_staat": "Burgerlijke staat",
    "hoofdproblematiek": "Hoofdproblematiek",
    "leefsituatie": "Leefsituatie",
    "onderwijsniveau": "Onderwijsniveau",
    "verwijzer": "Belangrijkste verwijzer",
    "hoofdinkomen": "Hoofdinkomen",
    "vergoeding": "Vergoeding van het initiatief",
    "bezoldigd_circuit": "Ooit gewerkt in het bezoldigde circuit",
    "subsidie": "Subsidie voor de begeleiding",
    "overeenkomst": "Overeenkomst",
    "methodiek": "Methodiek",
}


def neutralise(value: str | None) -> str:
    """Text a spreadsheet will not evaluate: a leading formula character gets an apostrophe."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


# Exports format every row's dates and hours: cached, as the values repeat (some ten thousand
# days cover decades of periods; hours take at most 77 values).
date_text = lru_cache(maxsize=16384)(date_nl)
hours_text = lru_cache(maxsize=256)(number_nl)


class Lines(list):
    """A csv.writer target that keeps the written lines (joined into compact text per chunk)."""

    write = list.append
