"""The logged-in user's own account: /account/wachtwoord and /account/tweestapsverificatie."""

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit
from ..db import session
from ..extensions import limiter
from . import bp, passwords, services, twofactor
from . import session as login_session
from .forms import ChangePasswordForm, TwoFactorOffForm, TwoFactorSetupForm
from .routes import home_for


def _account_key() -> str:
    return f"password-change:{getattr(current_user, 'id', request.remote_addr)}"


def _not_changed(response) -> bool:
    """Only attempts that changed nothing count against the limits."""
    return response.status_code != 302


def _throttled(account_limit: str, scope: str, deduct_when):
    """POSTs throttled like logins: per address, and per account with `account_limit` (a setting);
    only attempts for which `deduct_when(response)` holds count."""
    def decorate(view):
        view = limiter.limit(lambda: current_app.config[account_limit], key_func=_account_key,
                             methods=["POST"], scope=scope, deduct_when=deduct_when)(view)
        return limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"],
                             deduct_when=deduct_when)(view)
    return decorate


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
@_throttled("PASSWORD_CHANGE_LIMIT", "password-change-account", _not_changed)
def change_password():
    account = current_user._get_current_object()
    form = ChangePasswordForm(account=account)
    if form.validate_on_submit():
        token = services.change_password(account, form.current_password.data, form.password.data)
        if token is not None:
            login_session.begin(account, token)  # this browser stays logged in, the others end
            flash("Je wachtwoord is gewijzigd. Op andere toestellen ben je afgemeld.", "success")
            return redirect(home_for(account))
        form.current_password.errors.append(services.WRONG_CURRENT)
    return render_template("auth/change_password.html", form=form)


def _not_done(response) -> bool:
    """Attempts that changed nothing count against the limits (a 200 page with an error)."""
    return response.status_code == 200 and request.method == "POST" and not getattr(
        response, "two_factor_done", False)


@bp.route("/account/tweestapsverificatie", methods=["GET", "POST"])
@login_required
@_throttled("LOGIN_LIMIT_PER_ACCOUNT", "two-factor-account", _not_done)
def two_factor():
    """Set up two-step verification (QR code, secret as text, a first code), or see that it is
    on and turn it off."""
    account = current_user._get_current_object()
    if account.has_2fa:
        if request.method == "POST":
            return redirect(url_for("auth.two_factor"))
        return render_template("auth/two_factor.html", account=account, off_form=TwoFactorOffForm(),
                               codes_left=twofactor.recovery_codes_left(account),
                               required=twofactor.required_for(account))
    form = TwoFactorSetupForm()
    secret = None
    if form.validate_on_submit():
        secret = twofactor.secret_from_setup(account, form.setup.data)
        if secret is None:
            form.code.errors.append(twofactor.SETUP_EXPIRED)
        else:
            codes = twofactor.enable(account, secret, form.code.data)
            if codes is not None:
                audit.record("2fa_enabled", account=account, organisation_id=account.organisation_id)
                session.commit()
                response = make_response(render_template(
                    "auth/recovery_codes.html", codes=codes, home=home_for(account)))
                response.two_factor_done = True
                return response
            audit.record("2fa_failed", account=account, organisation_id=account.organisation_id,
                         reason="setup")
            session.commit()
            form.code.errors.append(twofactor.WRONG_CODE)
    setup = twofactor.new_setup(account, secret)
    form.setup.data = setup.token
    return render_template("auth/two_factor_setup.html", form=form, setup=setup,
                           secret_text=twofactor.format_secret(setup.secret),
                           required=twofactor.required_for(account))


@bp.route("/account/tweestapsverificatie/uitzetten", methods=["POST"])
@login_required
@_throttled("PASSWORD_CHANGE_LIMIT", "two-factor-off-account", _not_changed)
def two_factor_off():
    """Turn two-step verification off: needs the password and a code (TOTP or recovery)."""
    account = current_user._get_current_object()
    if not account.has_2fa:
        return redirect(url_for("auth.two_factor"))
    form = TwoFactorOffForm()
    if form.validate_on_submit():
        password_ok = passwords.verify(account.password_hash, form.password.data)
        used = twofactor.check_code(account, form.code.data) if password_ok else None
        if password_ok and used is not None:
            twofactor.reset_second_factor(account)
            if used == "recovery":
                audit.record("2fa_recovery_used", account=account,
                             organisation_id=account.organisation_id, left=0)
            audit.record("2fa_disabled", account=account, organisation_id=account.organisation_id)
            session.commit()
            flash("Tweestapsverificatie staat uit. Je herstelcodes werken niet meer.", "success")
            return redirect(url_for("auth.two_factor"))
        if not password_ok:
            form.password.errors.append("Dit wachtwoord klopt niet.")
            audit.record("2fa_failed", account=account, organisation_id=account.organisation_id,
                         reason="turn_off_password")
        else:
            form.code.errors.append(twofactor.WRONG_CODE)
            audit.record("2fa_failed", account=account, organisation_id=account.organisation_id,
                         reason="turn_off")
        session.commit()
    return render_template("auth/two_factor.html", account=account, off_form=form,
                           codes_left=twofactor.recovery_codes_left(account),
                           required=twofactor.required_for(account))
