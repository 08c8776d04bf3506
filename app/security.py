"""Response headers and per-request transaction intent."""

from flask import request
from flask_login import current_user

from .db import set_write_intent

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; object-src 'none'")


def init_app(app) -> None:
    @app.before_request
    def _transaction_intent():
        set_write_intent(request.method not in ("GET", "HEAD", "OPTIONS"))

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
        if current_user and current_user.is_authenticated:
            h["Cache-Control"] = "no-store"
            h.add("Vary", "Cookie")
        return response
