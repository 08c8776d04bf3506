"""The logged-in user's own account: /account/wachtwoord."""

from flask import current_app, flash, redirect, render_template, request
from flask_login import current_user, login_required

from ..extensions import limiter
from . import bp, services
from . import session as login_session
from .forms import ChangePasswordForm
from .routes import home_for


def _account_key() -> str:
    return f"password-change:{getattr(current_user, 'id', request.remote_addr)}"


def _not_changed(response) -> bool:
    """Only attempts that changed nothing count against the limits."""
    return response.status_code != 302


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"],
               deduct_when=_not_changed)
@limiter.limit(lambda: current_app.config["PASSWORD_CHANGE_LIMIT"], key_func=_account_key,
               methods=["POST"], scope="password-change-account", deduct_when=_not_changed)
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
