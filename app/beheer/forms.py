"""Forms of the beheer back end."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..forms_common import CHOOSE, REQUIRED, ActionForm, Form

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


__all__ = ["ActionForm", "AdminForm", "DeleteClientForm", "OrganisationForm"]
