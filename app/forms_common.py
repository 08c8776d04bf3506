"""Form fields shared by several blueprints: Dutch dates and decimal-comma numbers."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import Field
from wtforms.widgets import DateInput, TextInput

from .formatting import number_nl
from .params import ascii_int

REQUIRED = "Dit veld is verplicht."
CHOOSE = "Maak een keuze."

# WTForms' own default messages, in Dutch (shown when a validator has no message of ours)
_DUTCH = {
    "This field is required.": REQUIRED,
    "Not a valid choice.": "Kies een van de aangeboden mogelijkheden.",
    "Invalid Choice: could not coerce.": "Kies een van de aangeboden mogelijkheden.",
    "Invalid email address.": "Geef een geldig e-mailadres in.",
    "Invalid URL.": "Geef een geldig webadres in (http:// of https://).",
    "Invalid input.": "Deze invoer is ongeldig.",
    "Not a valid integer value.": "Geef een geheel getal in.",
    "Not a valid decimal value.": "Geef een getal in, bv. 16 of 16,5.",
    "Not a valid float value.": "Geef een getal in.",
    "Not a valid date value.": "Geef een geldige datum in (dd/mm/jjjj).",
    "Field must be equal to %(other_name)s.": "De twee velden zijn niet gelijk.",
    "Number must be at least %(min)s.": "Het getal moet minstens %(min)s zijn.",
    "Number must be at most %(max)s.": "Het getal mag hoogstens %(max)s zijn.",
    "Number must be between %(min)s and %(max)s.": "Het getal moet tussen %(min)s en %(max)s liggen.",
    "This field cannot be edited.": "Dit veld kan niet gewijzigd worden.",
    "This field is disabled and cannot have a value.": "Dit veld kan niet gewijzigd worden.",
    "The CSRF token is missing.": "Het formulier is verlopen. Herlaad de pagina en probeer opnieuw.",
    "The CSRF token is invalid.": "Het formulier is verlopen. Herlaad de pagina en probeer opnieuw.",
    "The CSRF token has expired.": "Het formulier is verlopen. Herlaad de pagina en probeer opnieuw.",
    "The CSRF tokens do not match.": "Het formulier is verlopen. Herlaad de pagina en probeer opnieuw.",
}
_DUTCH_PLURAL = {
    "Field must be at least %(min)d character long.": "Minstens %(min)d tekens.",
    "Field must be at most %(max)d character long.": "Maximaal %(max)d tekens.",
    "Field must be between %(min)d and %(max)d characters long.": "Tussen %(min)d en %(max)d tekens.",
}


class _DutchTranslations:
    def gettext(self, string: str) -> str:
        return _DUTCH.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _DUTCH_PLURAL.get(singular, singular if n == 1 else plural)


class Form(FlaskForm):
    """Every form of the app: Flask-WTF (CSRF) with WTForms' default messages in Dutch."""

    class Meta:
        def get_translations(self, form):
            return _DutchTranslations()

        def wrap_formdata(self, form, formdata):
            # a form posted after the session expired, restored on its GET (auth/drafts.py)
            if formdata is _Auto:
                from .auth.drafts import restored_formdata
                restored = restored_formdata()
                if restored is not None:
                    return restored
            return super().wrap_formdata(form, formdata)

    @classmethod
    def prefilled(cls, data: dict, **kwargs):
        """The form showing `data` (a record's stored values) on GET; on a POST what was posted."""
        return cls(data=data if request.method == "GET" else None, **kwargs)


class ActionForm(Form):
    """An empty form: only the CSRF token, for one-button POST actions."""


def page_arg() -> int:
    """The ?page= of a paginated list: a small positive number, else 1."""
    return ascii_int(request.args.get("page"), min=1, max=999_999) or 1


def number_arg(raw: str) -> int | None:
    """A volgnummer typed in a query string (?nr=): ASCII digits that fit an INTEGER, else None."""
    return ascii_int(raw)


# jjjj-mm-dd (what <input type=date> posts), or dd/mm/jjjj, dd-mm-jjjj, dd.mm.jjjj typed by hand
_DATE = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
                   r"|(?P<d2>[0-9]{1,2})(?P<sep>[/.-])(?P<m2>[0-9]{1,2})(?P=sep)(?P<y2>[0-9]{4})")


def parse_date(raw: str) -> date:
    """ISO (jjjj-mm-dd, what <input type=date> posts) or dd/mm/jjjj typed by hand; ASCII digits."""
    match = _DATE.fullmatch(raw.strip())
    if match:
        year, month, day = (int(match["y"] or match["y2"]), int(match["m"] or match["m2"]),
                            int(match["d"] or match["d2"]))
        try:
            value = date(year, month, day)
        except ValueError:
            value = None
        if value is not None and 1900 <= value.year <= 2200:
            return value
    raise ValueError("Geef een geldige datum in (dd/mm/jjjj).")


def parse_decimal(raw: str) -> Decimal:
    """A number with a decimal comma or point ('16', '16,5', '16.5'); ASCII digits only."""
    text = raw.strip().replace(" ", "")
    if not re.fullmatch(r"-?[0-9]{1,6}([.,][0-9]{1,3})?", text):
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
            return number_nl(self.data)
        return ""

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "") or ""
        if raw.strip():
            self.data = parse_decimal(raw)
