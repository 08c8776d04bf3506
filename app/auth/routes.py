from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask import session as cookie
from flask_login import current_user

from .. import audit
from ..db import session
from ..extensions import limiter, login_manager
from ..forms_common import ActionForm
from ..models import Account
from . import bp, devices, login_change, services, twofactor
from . import session as login_session
from .forms import ForgotPasswordForm, LoginCodeForm, LoginForm, NewPasswordForm


def _ip_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def _account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _typed_address() -> str:
    return services.normalize_email(request.form.get("email", ""))[:254]


def _account_key() -> str:
    return "account:" + _typed_address()


def _login_account_key() -> str:
    """Per typed address; a browser with a device cookie for that address has its own key, so
    attempts from elsewhere cannot use up the limit of the rightful user's browser."""
    address = _typed_address()
    return devices.limiter_key(address) or "account:" + address


SETUP_FIRST = ("Stel eerst tweestapsverificatie in. Zolang die niet aan staat, kan je als beheerder "
               "niets openen onder Beheer.")


def _code_account_key() -> str:
    """/login/code: per waiting account, and per device cookie of that account's address."""
    marker = login_session.pending_second_factor() or {}
    account = services.pending_account(marker) if marker else None
    if account is None:
        return "login-code:none"
    return "login-code:" + (devices.limiter_key(account.email) or f"account:{account.id}")


def home_for(account) -> str:
    return url_for("beheer.index") if account.is_admin else url_for("clients.dashboard")


def _safe_next(target: str | None) -> str | None:
    """Only local paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    # browsers read "/\host" as "//host" and drop tabs and newlines from URLs
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    return target


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


def _signed_in(result, target: str | None):
    """Start the login session, go to the target (or home) and trust this browser (device cookie)."""
    draft_path = login_session.begin(result.account, result.token)
    # a form kept at the session's expiry: back to it even when the login came without ?next=
    response = redirect(target or draft_path or home_for(result.account))
    devices.remember(response, result.account.email, result.device_nonce)
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_login_account_key, methods=["POST"], scope="login-account")
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    error, locked = None, False
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data,
                                       devices.nonce_for(_typed_address()))
        if result.account is not None:
            target = _safe_next(request.args.get("next"))
            if target and result.account.is_admin != target.startswith("/beheer"):
                target = None
            if result.second_factor:
                login_session.await_second_factor(services.pending_marker(result.account), target)
                return redirect(url_for("auth.login_code"))
            if twofactor.missing_for(result.account):
                flash(SETUP_FIRST, "info")
                target = url_for("auth.two_factor")
            return _signed_in(result, target)
        error, locked = result.error, result.locked
    return render_template("auth/login.html", form=form, error=error, locked=locked), (
        429 if locked else 200)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_code_account_key, methods=["POST"], scope="login-code")
def login_code():
    """The second step of a login with two-step verification (after the right password)."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    marker = login_session.pending_second_factor()
    account = services.pending_account(marker) if marker else None
    if account is None:
        login_session.drop_second_factor()
        flash(services.CODE_EXPIRED, "info")
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    error, locked = None, False
    if form.validate_on_submit():
        result = services.verify_second_factor(account, form.code.data,
                                               devices.nonce_for(account.email))
        if result.token is not None:
            return _signed_in(result, marker.get("next"))
        if result.locked:
            login_session.drop_second_factor()
            error, locked = result.error, True
        else:
            form.code.errors.append(result.error)
    return render_template("auth/login_code.html", form=form, error=error, locked=locked), (
        429 if locked else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    token = current_user.login_token if current_user.is_authenticated else None
    if token:
        services.end_session(token)
        audit.record("logout", account=current_user, organisation_id=current_user.organisation_id)
        session.commit()
    login_session.finish()
    flash("Je bent afgemeld.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/new", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per hour", methods=["POST"])
@limiter.limit("5 per hour", key_func=_account_key, methods=["POST"], scope="reset-account")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_reset_after_answer(form.email.data)
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/edit/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def choose_password(token: str):
    row = services.valid_token(token)
    if row is None:
        return render_template("auth/link_invalid.html"), 410
    form = NewPasswordForm(account=session.get(Account, row.account_id))
    if form.validate_on_submit():
        account = services.use_token(row, form.password.data)
        if account is None:
            return render_template("auth/link_invalid.html"), 410
        # this browser read the mailbox: it is trusted from now on (see devices.py)
        nonce = services.trust_browser(account)
        session.commit()
        if current_user.is_authenticated:
            login_session.finish()
        cookie.clear()
        flash("Je wachtwoord is ingesteld. Je kan je nu aanmelden met je nieuwe wachtwoord.", "success")
        response = redirect(url_for("auth.login"))
        devices.remember(response, account.email, nonce)
        return response
    return render_template("auth/choose_password.html", form=form, invite=row.purpose == "invite")


@bp.route("/login-wijziging/bevestigen/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def confirm_login_change(token: str):
    """The new address confirms a beheerder's change of a login address (after the wait)."""
    change = login_change.by_token(token, "confirm")
    if change is None:
        return render_template("auth/link_invalid.html", about="login_change"), 410
    early = login_change.too_early(change)
    if early:
        return render_template("auth/login_change.html", kind="confirm", change=change, form=None,
                               error=early)
    form = ActionForm()
    if form.validate_on_submit():
        error = login_change.confirm(change)
        if error is None:
            if current_user.is_authenticated:
                login_session.finish()
            flash(f"Het login-e-mailadres werd gewijzigd naar {change.new_email}. Meld je aan met "
                  "dit adres en het bestaande wachtwoord, of kies een nieuw wachtwoord via "
                  "'Wachtwoord vergeten?'.", "success")
            return redirect(url_for("auth.login"))
        return render_template("auth/login_change.html", kind="confirm", change=change,
                               form=None, error=error), 409
    return render_template("auth/login_change.html", kind="confirm", change=change, form=form,
                           error=None)


@bp.route("/login-wijziging/annuleren/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def cancel_login_change(token: str):
    """The current address cancels a beheerder's change of its login address."""
    change = login_change.by_token(token, "cancel")
    if change is None:
        return render_template("auth/link_invalid.html", about="login_change"), 410
    form = ActionForm()
    if form.validate_on_submit():
        if not login_change.cancel(change, via="e-mail"):
            return render_template("auth/link_invalid.html", about="login_change"), 410
        return render_template("auth/login_change_cancelled.html", change=change)
    return render_template("auth/login_change.html", kind="cancel", change=change, form=form,
                           error=None)


@bp.route("/sessie")
def session_status():
    """How many seconds the login session has left (JSON), without renewing it: the page asks
    before it warns, since another tab may have renewed the session meanwhile."""
    remaining = login_session.remaining_seconds() if current_user.is_authenticated else 0
    return jsonify(remaining=remaining)


@bp.route("/sessie/verlengen", methods=["POST"])
def session_renew():
    """*Aangemeld blijven*: count this as activity; the seconds the session now has (JSON).
    Without a live session: to the login page like every page (the script then tells the
    session ended)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    login_session.renew()
    return jsonify(remaining=login_session.remaining_seconds())
