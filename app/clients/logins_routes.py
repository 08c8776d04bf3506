"""The organisation's logins (/organisatie/logins): list, invite a colleague, remove a login."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from ..auth import session as login_session
from ..auth.services import needs_invitation, send_invitation
from ..db import session
from ..extensions import limiter
from ..forms_common import REQUIRED, ActionForm, Form
from . import bp, logins


class InviteForm(Form):
    email = EmailField("E-mailadres van je collega", validators=[
        DataRequired(REQUIRED), Length(max=254, message="Maximaal 254 tekens."),
        Email("Geef een geldig e-mailadres in.", check_deliverability=False)])


def _org():
    return current_user.organisation


def _organisation_key() -> str:
    return f"invitations:{current_user.organisation_id}"


def _sent(response) -> bool:
    """Only invitations that went out count against the organisation's limit."""
    return response.status_code == 302


_invitation_limit = limiter.shared_limit(
    lambda: current_app.config["INVITE_LIMIT"], scope="organisation-invitations",
    key_func=_organisation_key, methods=["POST"], deduct_when=_sent)


def _mailed(account, sent) -> None:
    if sent:
        flash(f"Er werd een uitnodiging gestuurd naar {account.email}. De link is "
              f"{current_app.config['INVITE_TOKEN_DAYS']} dagen geldig.", "success")
    else:
        flash(f"De uitnodiging naar {account.email} kon niet verstuurd worden. Probeer het later "
              "opnieuw met 'Uitnodiging opnieuw versturen'.", "error")


@bp.route("/organisatie/logins", methods=["GET", "POST"])
@_invitation_limit
def logins_page():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            account = logins.invite(_org(), form.email.data)
        except logins.LoginError as exc:
            form.email.errors.append(str(exc))
        else:
            session.commit()
            _mailed(account, send_invitation(account))
            return redirect(url_for("clients.logins_page"))
    return render_template("clients/logins.html", form=form, logins=logins.logins_of(_org()),
                           organisation=_org(), action=ActionForm())


@bp.route("/organisatie/logins/<int:account_id>/uitnodiging", methods=["POST"])
@_invitation_limit
def resend_login_invitation(account_id: int):
    account = logins.get_login(_org(), account_id)
    if ActionForm().validate_on_submit():
        if not needs_invitation(account):
            flash(f"{account.email} heeft al een wachtwoord gekozen; een nieuwe uitnodiging is niet "
                  "nodig. Bij een vergeten wachtwoord gebruikt je collega 'Wachtwoord vergeten?'.",
                  "error")
        else:
            _mailed(account, send_invitation(account))
    return redirect(url_for("clients.logins_page"))


@bp.route("/organisatie/logins/<int:account_id>/verwijderen", methods=["GET", "POST"])
def remove_login(account_id: int):
    account = logins.get_login(_org(), account_id)
    form = ActionForm()
    error = None
    if form.validate_on_submit():
        own = account.id == current_user.id
        address = account.email
        try:
            logins.remove(_org(), account)
        except logins.LoginError as exc:
            error = str(exc)
        else:
            session.commit()
            if own:
                login_session.finish()
                flash("Je eigen login werd verwijderd; je bent afgemeld.", "info")
                return redirect(url_for("auth.login"))
            flash(f"De login {address} werd verwijderd. Wie ermee aangemeld was, is meteen "
                  "afgemeld.", "success")
            return redirect(url_for("clients.logins_page"))
    status = 409 if error else 200
    if error is None and account.is_main:
        error = logins.MAIN_NOT_REMOVABLE
    return render_template("clients/login_remove.html", login=account, form=form, error=error,
                           own=account.id == current_user.id), status
