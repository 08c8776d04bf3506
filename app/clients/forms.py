"""The client form and the period forms (field names as in SPEC §10), and how their fields map
to the model's columns (also used by the import from the old system, whose columns are these
field names)."""

from datetime import date

from wtforms import BooleanField, SelectField, StringField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from ..codelists import CodeBook
from ..forms_common import CHOOSE, REQUIRED, DecimalCommaField, Form, NlDateField
from ..models import CLIENT_CODE_FIELDS
from . import rules

# the form's groups, as in the manual
GROUPS = (
    ("Algemeen", ("oud_volgnummer", "naam", "geboortedatum", "geslacht", "burgerlijke_staat",
                  "postcode_woonplaats", "postcode_tewerkstelling")),
    ("Persoonsgebonden gegevens / Beroepsverleden / werkervaring",
     ("hoofdproblematiek", "leefsituatie", "onderwijsniveau")),
    ("Verwijzer", ("verwijzer", "hoofdinkomen", "vergoeding", "bezoldigd_circuit", "subsidie",
                   "overeenkomst", "methodiek")),
)
POSTCODE_HINT = "4 cijfers (bv. 3500), of 'buitenland'."

# form field -> model column (the name, naam, is sealed apart: app/clients/names.py)
CLIENT_COLUMN_OF = {"oud_volgnummer": "old_nr", "geboortedatum": "birth_date",
                    "postcode_woonplaats": "postcode_woonplaats",
                    "postcode_tewerkstelling": "postcode_tewerkstelling",
                    **{name: name for name in CLIENT_CODE_FIELDS}}
PERIOD_COLUMN_OF = {"uren": "hours", "startdatum": "start_date", "einddatum": "end_date",
                    "reden_stopzetting": "reden_stopzetting", "perspectief": "perspectief"}
PERIOD_CHOICES = ("reden_stopzetting", "perspectief")


def client_values(data: dict) -> dict:
    """Model values from checked client field values (field name -> value): an empty oud
    volgnummer becomes None, postcodes are normalised."""
    values = {column: data[name] for name, column in CLIENT_COLUMN_OF.items()}
    values["old_nr"] = (values["old_nr"] or "").strip() or None
    for name in ("postcode_woonplaats", "postcode_tewerkstelling"):
        values[name] = rules.normalize_postcode(values[name])
    return values


def period_values(data: dict) -> dict:
    """Model values from checked period field values (field name -> value); an empty choice is None."""
    values = {column: data[name] for name, column in PERIOD_COLUMN_OF.items()}
    for name in PERIOD_CHOICES:
        values[name] = values[name] or None
    return values


def _postcode(form, field) -> None:
    if field.data and rules.normalize_postcode(field.data) is None:
        raise ValidationError("Geef een Belgische postcode van 4 cijfers (1000–9999) of 'buitenland'.")


def _choice(label: str) -> SelectField:
    return SelectField(label, validators=[InputRequired(CHOOSE)], validate_choice=True)


class ClientForm(Form):
    oud_volgnummer = StringField("Oud volgnummer", validators=[
        Optional(), Length(max=50, message="Maximaal 50 tekens.")])
    # autocomplete off: the browser must not keep client names and offer them elsewhere
    naam = StringField("Naam", validators=[Optional(), Length(max=200, message="Maximaal 200 tekens.")],
                       render_kw={"autocomplete": "off"})
    geboortedatum = NlDateField("Geboortedatum", validators=[InputRequired(REQUIRED)])
    geslacht = _choice("Geslacht")
    burgerlijke_staat = _choice("Burgerlijke staat")
    postcode_woonplaats = StringField("Postcode woonplaats", validators=[
        InputRequired(REQUIRED), Length(max=20, message="Maximaal 20 tekens."), _postcode])
    postcode_tewerkstelling = StringField("Postcode tewerkstelling", validators=[
        InputRequired(REQUIRED), Length(max=20, message="Maximaal 20 tekens."), _postcode])
    hoofdproblematiek = _choice("Hoofdproblematiek")
    leefsituatie = _choice("Leefsituatie")
    onderwijsniveau = _choice("Onderwijsniveau")
    verwijzer = _choice("Belangrijkste verwijzer")
    hoofdinkomen = _choice("Welk hoofdinkomen geniet de arbeidszorgmedewerker?")
    vergoeding = _choice("Krijgt de medewerker een vergoeding van het initiatief?")
    bezoldigd_circuit = _choice("Heeft de persoon ooit gewerkt in het bezoldigde circuit?")
    subsidie = _choice("Ontvangt de organisatie een subsidie voor de begeleiding van de medewerker?")
    overeenkomst = _choice("Onder welke overeenkomst gebeurt de arbeidszorg?")
    methodiek = _choice("Via welke methodiek wordt de arbeidszorgmedewerker tewerkgesteld?")
    dubbel_bevestigd = BooleanField("Ja, dit is een andere cliënt: toch opslaan")

    def __init__(self, *args, registered: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.registered = registered or date.today()

    @classmethod
    def from_model(cls, client, name: str | None) -> "ClientForm":
        """The edit form of a client (its stored values and name on GET, the post on POST)."""
        data = {field: getattr(client, column) for field, column in CLIENT_COLUMN_OF.items()}
        return cls.prefilled(dict(data, naam=name), registered=client.created_at.date())

    def values(self) -> dict:
        """The model values of a validated form (without the name)."""
        return client_values({name: getattr(self, name).data for name in CLIENT_COLUMN_OF})

    def validate_geboortedatum(self, field) -> None:
        if field.data is not None:
            error = rules.birth_date_error(field.data, self.registered, date.today())
            if error:
                raise ValidationError(error)

    def set_choices(self, book: CodeBook, record=None) -> None:
        """Options from the code lists; a retired option stays available to a record holding it."""
        for name in CLIENT_CODE_FIELDS:
            keep = getattr(record, name, None) if record is not None else None
            getattr(self, name).choices = [("", "— Kies —")] + book.choices(name, keep=keep)


class PeriodForm(Form):
    uren = DecimalCommaField("Aantal uren", validators=[InputRequired(REQUIRED)])
    startdatum = NlDateField("Startdatum", validators=[InputRequired(REQUIRED)])
    einddatum = NlDateField("Einddatum", validators=[Optional()])
    reden_stopzetting = SelectField("Reden van stopzetting", validators=[Optional()],
                                    validate_choice=True)
    perspectief = SelectField("Perspectief na stopzetting", validators=[Optional()],
                              validate_choice=True)

    @classmethod
    def from_model(cls, period) -> "PeriodForm":
        """The edit form of a period (its stored values on GET, the post on POST)."""
        data = {field: getattr(period, column) for field, column in PERIOD_COLUMN_OF.items()}
        data.update((name, data[name] or "") for name in PERIOD_CHOICES)
        return cls.prefilled(data)

    def set_choices(self, book: CodeBook, record=None) -> None:
        for name in PERIOD_CHOICES:
            keep = getattr(record, name, None) if record is not None else None
            getattr(self, name).choices = [("", "— Kies —")] + book.choices(name, keep=keep)

    def check_rules(self, others: list[rules.Span], is_new: bool) -> bool:
        """Put the Dutch errors of the rules that need more than one field (and the client's
        other periods) on the fields; True when there are none."""
        error = rules.hours_error(self.uren.data)
        if error:
            self.uren.errors.append(error)
        errors = rules.period_errors(
            others, self.startdatum.data, self.einddatum.data, bool(self.reden_stopzetting.data),
            bool(self.perspectief.data), date.today(), is_new)
        for field, message in errors.items():
            getattr(self, field).errors.append(message)
        return not (error or errors)

    def values(self) -> dict:
        """The model values of a validated form."""
        return period_values({name: getattr(self, name).data for name in PERIOD_COLUMN_OF})
