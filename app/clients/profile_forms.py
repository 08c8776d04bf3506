"""The organisation's public profile form (/profiel)."""

import re
from urllib.parse import urlsplit

from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..codelists import CodeBook
from ..forms_common import Form

URL_MAX = 300
DESCRIPTION_MAX = 600
DOENERS_HOST = "doeners.be"

# C0 control characters and DEL; PostgreSQL refuses NUL in text, and none belong in a profile
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # newlines and tabs allowed
_HOSTNAME = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*"
                       r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

_URL_ATTRS = {"inputmode": "url", "spellcheck": "false", "autocapitalize": "off"}
URL_INVALID = ("Geef een volledig webadres in dat begint met http:// of https:// "
               "(bv. https://www.voorbeeld.be).")


def split_codes(value: str | None) -> list[str]:
    """The werkvorm codes stored as comma-separated text, in stored order, without blanks."""
    return [c for c in (value or "").split(",") if c.strip()]


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _max_length(limit: int):
    def check(form, field) -> None:
        if len(_clean(field.data)) > limit:
            raise ValidationError(f"Maximaal {limit} tekens (nu {len(_clean(field.data))}).")
    return check


def _no_control_chars(form, field) -> None:
    if _CONTROL.search(field.data or ""):
        raise ValidationError("Dit veld bevat ongeldige tekens.")


def url_error(raw: str, doeners: bool = False) -> str | None:
    """Why a typed web address is not acceptable, or None when it is (empty is fine)."""
    value = raw.strip()
    if not value:
        return None
    if len(value) > URL_MAX:
        return f"Een webadres mag maximaal {URL_MAX} tekens lang zijn."
    if _CONTROL.search(value) or any(ch.isspace() for ch in value):
        return "Een webadres mag geen spaties of onzichtbare tekens bevatten."
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return URL_INVALID
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return URL_INVALID
    if parts.username is not None or parts.password is not None:
        return "Een webadres met een gebruikersnaam of wachtwoord erin is niet toegelaten."
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")  # café.be → xn--caf-dma.be
    except UnicodeError:
        return URL_INVALID
    if not _HOSTNAME.match(host) or "." not in host:
        return URL_INVALID
    if doeners and host != DOENERS_HOST and not host.endswith("." + DOENERS_HOST):
        return "Dit moet een adres op doeners.be zijn (bv. https://www.doeners.be/...)."
    return None


def _web_address(form, field) -> None:
    error = url_error(field.data or "")
    if error:
        raise ValidationError(error)


def _doeners_address(form, field) -> None:
    error = url_error(field.data or "", doeners=True)
    if error:
        raise ValidationError(error)


def _postcode(form, field) -> None:
    value = _clean(field.data)
    if value and not re.fullmatch(r"[1-9][0-9]{3}", value):
        raise ValidationError("Geef een Belgische postcode van 4 cijfers (1000–9999).")


def _description(form, field) -> None:
    value = normalize_description(field.data)
    if _CONTROL_MULTILINE.search(value):
        raise ValidationError("De beschrijving bevat ongeldige tekens.")
    if len(value) > DESCRIPTION_MAX:
        raise ValidationError(f"Maximaal {DESCRIPTION_MAX} tekens (nu {len(value)}).")


def normalize_description(value: str | None) -> str:
    """Plain text with Unix newlines, without surrounding blanks."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


class ProfileForm(Form):
    publieke_naam = StringField("Naam zoals die publiek getoond wordt", validators=[
        _no_control_chars, _max_length(200)])
    straat = StringField("Straat en huisnummer", validators=[_no_control_chars, _max_length(200)])
    postcode = StringField("Postcode", validators=[_no_control_chars, _postcode],
                           render_kw={"inputmode": "numeric"})
    gemeente = StringField("Gemeente", validators=[_no_control_chars, _max_length(100)])
    website = StringField("Website", validators=[_web_address], render_kw=_URL_ATTRS)
    doeners_url = StringField("Pagina op doeners.be", validators=[_doeners_address],
                              render_kw=_URL_ATTRS)
    werkvormen = SelectMultipleField("Werkvormen", validate_choice=False,
                                     widget=ListWidget(prefix_label=False),
                                     option_widget=CheckboxInput())
    beschrijving = TextAreaField("Korte beschrijving", validators=[_description],
                                 render_kw={"rows": 6})
    publiek_tonen = BooleanField("Toon mijn organisatie op de publieke pagina")

    @classmethod
    def from_model(cls, org) -> "ProfileForm":
        """The profile form of an organisation (its stored values on GET, the post on POST)."""
        return cls.prefilled({
            "publieke_naam": org.public_name or "",
            "straat": org.street or "",
            "postcode": org.postcode or "",
            "gemeente": org.municipality or "",
            "website": org.website or "",
            "doeners_url": org.doeners_url or "",
            "werkvormen": split_codes(org.werkvormen),
            "beschrijving": org.description or "",
            "publiek_tonen": bool(org.show_public),
        })

    def set_choices(self, book: CodeBook, held: list[str]) -> None:
        """Active werkvormen, plus retired ones this organisation already chose (list order)."""
        offered = {code for code, _ in book.choices("werkvorm")}
        offered.update(c for c in held if book.has("werkvorm", c, allow_retired=True))
        self.werkvormen.choices = [(o.code, o.label) for o in book.lists.get("werkvorm", [])
                                   if o.code in offered]

    def validate_werkvormen(self, field) -> None:
        allowed = {code for code, _ in field.choices or []}
        if any(code not in allowed for code in field.data or []):
            raise ValidationError("Kies enkel werkvormen uit de lijst.")

    def values(self) -> dict:
        """The model values (column name → value); blanks become None."""
        chosen = set(self.werkvormen.data or [])
        codes = [code for code, _ in self.werkvormen.choices if code in chosen]
        return {
            "public_name": _clean(self.publieke_naam.data) or None,
            "street": _clean(self.straat.data) or None,
            "postcode": _clean(self.postcode.data) or None,
            "municipality": _clean(self.gemeente.data) or None,
            "website": _clean(self.website.data) or None,
            "doeners_url": _clean(self.doeners_url.data) or None,
            "werkvormen": ",".join(codes) or None,
            "description": normalize_description(self.beschrijving.data) or None,
            "show_public": bool(self.publiek_tonen.data),
        }
