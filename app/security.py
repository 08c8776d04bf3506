"""Response headers and per-request transaction intent."""

from flask import abort, request
from flask_login import current_user

from .auth import session as login_state
from .db import set_write_intent

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; object-src 'none'")


def _logged_in() -> bool:
    """Whether the response may hold a logged-in user's data: the request carries a login
    cookie, or it logged a user in. Never loads the user for this: a response whose view did not
    need the user (/healthz, a static file) is marked as well, without a database lookup."""
    return login_state.has_login_cookie() or (
        login_state.user_loaded() and current_user.is_authenticated)


def init_app(app) -> None:
    @app.before_request
    def _transaction_intent():
        set_write_intent(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.before_request
    def _refuse_nul_bytes():
        # no field of ours may hold a NUL byte; PostgreSQL cannot even store one in text
        if "\x00" in request.path or any(
                "\x00" in value for source in (request.args, request.form)
                for values in source.listvalues() for value in values):
            abort(400)

    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "same-origin"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config["SESSION_COOKIE_SECURE"]:
            h["Strict-Transport-Security"] = "max-age=31536000"
        if _logged_in():
            h["Cache-Control"] = "no-store"
            h.add("Vary", "Cookie")
        return response
