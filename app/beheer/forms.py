"""Forms of the beheer back end."""

from datetime import date

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from ..forms_common import CHOOSE, REQUIRED, ActionForm, Form, NlDateField
from ..params import ascii_int

MIN_ROUND_YEAR = 2000

EMAIL_INVALID = "Geef een geldig e-mailadres in."
REASON_HINT = "Typ hier geen naam: de reden wordt bewaard in het auditlogboek."


class OrganisationForm(Form):
    name = StringField("Naam van de organisatie", validators=[
        DataRequired(REQUIRED), Length(max=200, message="Maximaal 200 tekens.")])
    region = SelectField("Regio", validators=[InputRequired(CHOOSE)])
    email = EmailField("E-mailadres van de login", validators=[
        DataRequired(REQUIRED), Length(max=254, message="Maximaal 254 tekens."),
        Email(EMAIL_INVALID, check_deliverability=False)])


class AdminForm(Form):
    email = EmailField("E-mailadres", validators=[
        DataRequired(REQUIRED), Length(max=254, message="Maximaal 254 tekens."),
        Email(EMAIL_INVALID, check_deliverability=False)])
    region = SelectField("Regio", validators=[InputRequired(CHOOSE)])
    contact_organisation = StringField("Organisatie (voor de contactpagina)", validators=[
        Optional(), Length(max=200, message="Maximaal 200 tekens.")])
    contact_name = StringField("Naam (voor de contactpagina)", validators=[
        Optional(), Length(max=200, message="Maximaal 200 tekens.")])
    contact_phone = StringField("Telefoon (voor de contactpagina)", validators=[
        Optional(), Length(max=50, message="Maximaal 50 tekens.")])
    contact_email = EmailField("E-mail voor de contactpagina (leeg: geen e-mail op de contactpagina)",
                               validators=[Optional(), Length(max=254, message="Maximaal 254 tekens."),
                                           Email(EMAIL_INVALID, check_deliverability=False)])
    active = BooleanField("Actief (kan aanmelden)", default=True)


class DeleteClientForm(Form):
    reden = TextAreaField("Reden van de verwijdering", description=REASON_HINT, validators=[
        DataRequired("Geef de reden van de verwijdering (bv. de vraag van de organisatie)."),
        Length(max=500, message="Maximaal 500 tekens.")])
    password = PasswordField("Je eigen wachtwoord (ter bevestiging)", validators=[
        DataRequired("Geef je wachtwoord om de verwijdering te bevestigen."), Length(max=1000)])
    bevestig = BooleanField("Ik begrijp dat deze cliënt en al zijn begeleidingsperiodes definitief "
                            "verwijderd worden.", validators=[
                                DataRequired("Vink aan dat je de verwijdering bevestigt.")])


__all__ = ["ActionForm", "AdminForm", "DeleteClientForm", "OrganisationForm", "RoundForm"]


class RoundForm(Form):
    """Open a registration round (SPEC §12). The year is read with ascii_int; `regio` exists for
    the superbeheerder only (a provinciebeheerder's round is for its own region)."""

    jaar = StringField("Jaar", validators=[DataRequired("Geef het jaar van de registraties (bv. 2025).")])
    deadline = NlDateField("Deadline", validators=[InputRequired("Geef de deadline (dd/mm/jjjj).")])
    regio = SelectField("Regio", validators=[InputRequired(CHOOSE)])

    def validate_jaar(self, field) -> None:
        year = ascii_int(field.data, min=MIN_ROUND_YEAR, max=date.today().year)
        if year is None:
            raise ValidationError(f"Geef een jaar tussen {MIN_ROUND_YEAR} en {date.today().year}, "
                                  "in vier cijfers (bv. 2025).")
        field.year = year

    def validate_deadline(self, field) -> None:
        if field.data is None:  # unreadable (the error is there already) or only spaces
            if not field.errors:
                raise ValidationError("Geef de deadline (dd/mm/jjjj).")
            return
        today = date.today()
        if field.data < today:
            raise ValidationError("De deadline kan niet in het verleden liggen.")
        if field.data > today.replace(year=today.year + 2, day=min(today.day, 28)):
            raise ValidationError("De deadline kan hoogstens twee jaar in de toekomst liggen.")
