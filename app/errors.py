"""Dutch error pages; no traceback or connection string ever reaches the browser."""

import logging
from urllib.parse import urlsplit

from flask import current_app, has_request_context, redirect, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from .auth import session as login_state
from .db import session
from .keys import KeyRotatedError

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Ongeldige aanvraag", "De aanvraag kon niet verwerkt worden."),
    403: ("Geen toegang", "Je hebt geen toegang tot deze pagina."),
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet of je hebt er geen toegang toe."),
    405: ("Niet toegestaan", "Deze actie is hier niet mogelijk."),
    413: ("Bestand te groot", "Het bestand is te groot."),
    422: ("Ongeldige gegevens", "De gegevens konden niet verwerkt worden."),
    429: ("Te veel pogingen", "Je hebt te veel pogingen gedaan. Wacht even en probeer het opnieuw."),
    500: ("Er ging iets mis", "Er ging iets mis aan onze kant. Probeer het later opnieuw."),
    503: ("Tijdelijk niet beschikbaar",
          "Het registratiesysteem is tijdelijk niet bereikbaar. Probeer het over enkele minuten opnieuw."),
}


def _settle_current_user(database_broken: bool = False) -> None:
    """Make sure rendering the error page cannot fail on loading the logged-in account.

    The page shows the menu of the current user; when that user cannot be loaded (the
    database is down, or loading it is what failed) the page is shown as to a visitor.
    """
    if not has_request_context() or login_state.user_loaded():
        return
    if not database_broken:
        try:
            login_state.load_user()
            return
        except Exception:  # noqa: BLE001 - whatever broke, the error page must still render
            _rollback()
    login_state.serve_as_visitor()


# a throttled login: said in the same words whether or not the address has an account
LOGIN_THROTTLED = ("Er werden te veel aanmeldpogingen gedaan voor dit adres of vanaf dit netwerk. "
                   "Wacht even en probeer het opnieuw.")


def error_page(status: int, message: str | None = None, database_broken: bool = False):
    title, text = MESSAGES.get(status, MESSAGES[500])
    forgot_link = status == 429 and has_request_context() and request.endpoint == "auth.login"
    if forgot_link and message is None:
        message = LOGIN_THROTTLED
    _settle_current_user(database_broken)
    return render_template("errors/error.html", status=status, title=title,
                           text=message or text, forgot_link=forgot_link), status


def _rollback() -> None:
    try:
        session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the page must still render
        log.warning("rollback after error failed")


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        from flask_login import current_user

        from .auth import drafts
        if drafts.keep_for_stale_form(current_user):  # SPEC §12: nothing typed is lost
            return redirect(request.full_path.rstrip("?"))
        return error_page(400, "Je sessie is verlopen of het formulier is ongeldig. "
                               "Ga terug, herlaad de pagina en probeer het opnieuw.")

    @app.errorhandler(SecurityError)
    def _untrusted_host(exc):
        # A Host header outside TRUSTED_HOSTS: Flask made no URL adapter for it. The error page
        # builds its (relative) links with one bound to BASE_URL's host instead.
        if request_ctx.url_adapter is None:
            base = urlsplit(current_app.config["BASE_URL"])
            request_ctx.url_adapter = app.url_map.bind(
                base.netloc, script_name=request.script_root or None, url_scheme=base.scheme)
        log.info("refused a request for an untrusted Host header on %s %s",
                 request.method, request.path)
        return error_page(400)

    @app.errorhandler(HTTPException)
    def _http(exc):
        if exc.code in (301, 302, 303, 307, 308):
            return exc
        return error_page(exc.code if exc.code in MESSAGES else 500)

    @app.errorhandler(KeyRotatedError)
    def _key_rotated(exc):
        _rollback()  # nothing is written under a discarded key
        log.error("%s %s refused: %s", request.method, request.path, exc)
        return error_page(503, "De sleutel werd vernieuwd; de toepassing moet herstart worden. "
                               "Probeer het over enkele minuten opnieuw.")

    @app.errorhandler(OperationalError)
    def _db_down(exc):
        _rollback()
        orig = getattr(exc, "orig", None) or exc
        # the driver's first line says what is wrong (server down, disk full, read-only file);
        # it never holds a password, and query parameters are not part of it
        reason = str(orig).strip().splitlines()[0][:200] if str(orig).strip() else ""
        log.error("database unavailable on %s %s: %s: %s", request.method, request.path,
                  type(orig).__name__, reason)
        return error_page(503, database_broken=True)

    @app.errorhandler(DBAPIError)
    def _db_error(exc):
        _rollback()
        if exc.connection_invalidated:
            log.error("database connection lost on %s %s", request.method, request.path)
            return error_page(503, database_broken=True)
        log.error("database error on %s %s: %s", request.method, request.path,
                  type(exc.orig).__name__ if exc.orig else type(exc).__name__)
        return error_page(500)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        _rollback()
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.path,
                  exc_info=not app.config.get("TESTING_QUIET_ERRORS"))
        return error_page(500)
