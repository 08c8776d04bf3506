"""The client form and the period forms (field names as in SPEC §10)."""

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

    def set_choices(self, book: CodeBook, record=None) -> None:
        for name in ("reden_stopzetting", "perspectief"):
            keep = getattr(record, name, None) if record is not None else None
            getattr(self, name).choices = [("", "— Kies —")] + book.choices(name, keep=keep)
