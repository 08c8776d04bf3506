"""Form fields shared by several blueprints: Dutch dates and decimal-comma numbers."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from wtforms import Field
from wtforms.widgets import DateInput, TextInput

REQUIRED = "Dit veld is verplicht."
CHOOSE = "Maak een keuze."


def parse_date(raw: str) -> date:
    """ISO (jjjj-mm-dd, what <input type=date> posts) or dd/mm/jjjj typed by hand."""
    raw = raw.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            value = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if 1900 <= value.year <= 2200:
            return value
    raise ValueError("Geef een geldige datum in (dd/mm/jjjj).")


def parse_decimal(raw: str) -> Decimal:
    """A number with a decimal comma or point ('16', '16,5', '16.5')."""
    text = raw.strip().replace(" ", "")
    if not re.fullmatch(r"-?\d{1,6}([.,]\d{1,3})?", text):
        raise ValueError("Geef een getal in, bv. 16 of 16,5.")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError("Geef een getal in, bv. 16 of 16,5.") from exc


class NlDateField(Field):
    """<input type="date">; accepts ISO and dd/mm/jjjj; an unreadable date is a field error."""

    widget = DateInput()

    def _value(self):
        if self.data:
            return self.data.isoformat()
        return self.raw_data[0] if self.raw_data else ""

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "") or ""
        if raw.strip():
            self.data = parse_date(raw)


class DecimalCommaField(Field):
    """A number typed with a decimal comma (nl-BE) or point."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is not None:
            return f"{self.data.normalize():f}".replace(".", ",")
        return ""

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "") or ""
        if raw.strip():
            self.data = parse_decimal(raw)
