from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..forms_common import Form
from . import strength, twofactor
from .services import password_problem

REQUIRED = "Dit veld is verplicht."


class LoginForm(Form):
    email = EmailField("E-mailadres", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("Wachtwoord", validators=[DataRequired(REQUIRED), Length(max=1000)])


class ForgotPasswordForm(Form):
    email = EmailField("E-mailadres", validators=[DataRequired(REQUIRED), Length(max=254)])


class NewPasswordForm(Form):
    """A new password: long and hard to guess for this account (its e-mail and organisation)."""

    password = PasswordField("Nieuw wachtwoord", validators=[
        DataRequired(REQUIRED),
        Length(min=strength.MIN_LENGTH, message=strength.TOO_SHORT),
        Length(max=1000, message="Dit wachtwoord is te lang.")],
        render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField("Herhaal het nieuwe wachtwoord", validators=[
        DataRequired(REQUIRED),
        EqualTo("password", message="De twee wachtwoorden zijn niet gelijk.")],
        render_kw={"autocomplete": "new-password"})

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def validate_password(self, field):
        if field.errors:  # too short or too long: that message is enough
            return
        reason = password_problem(self.account, field.data)
        if reason:
            raise ValidationError(reason)


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField("Huidig wachtwoord", validators=[
        DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"autocomplete": "current-password"})


def _code_field(label: str, message: str = twofactor.NO_CODE) -> StringField:
    return StringField(label, validators=[DataRequired(message), Length(max=64, message=message)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "off",
                                  "spellcheck": "false"})


class LoginCodeForm(Form):
    """/login/code: a code of the authenticator app or a recovery code."""

    code = _code_field("Code")


class TwoFactorSetupForm(Form):
    """The first code confirms the secret shown on the set-up page (signed in `setup`)."""

    setup = HiddenField()
    code = _code_field("Code uit je authenticator-app")


class TwoFactorOffForm(Form):
    """Turning 2FA off: the password and a code (authenticator app or recovery code)."""

    password = PasswordField("Wachtwoord", validators=[DataRequired(REQUIRED), Length(max=1000)],
                             render_kw={"autocomplete": "current-password"})
    code = _code_field("Code uit je authenticator-app of een herstelcode",
                       "Voer een code uit je authenticator-app of een herstelcode in.")
