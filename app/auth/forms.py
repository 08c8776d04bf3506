from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms_common import Form

REQUIRED = "Dit veld is verplicht."


class LoginForm(Form):
    email = EmailField("E-mailadres", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("Wachtwoord", validators=[DataRequired(REQUIRED), Length(max=1000)])


class ForgotPasswordForm(Form):
    email = EmailField("E-mailadres", validators=[DataRequired(REQUIRED), Length(max=254)])


class NewPasswordForm(Form):
    password = PasswordField("Nieuw wachtwoord", validators=[
        DataRequired(REQUIRED),
        Length(min=12, message="Kies een wachtwoord van minstens 12 tekens."),
        Length(max=1000, message="Dit wachtwoord is te lang.")])
    password_confirm = PasswordField("Herhaal het nieuwe wachtwoord", validators=[
        DataRequired(REQUIRED),
        EqualTo("password", message="De twee wachtwoorden zijn niet gelijk.")])
