"""Flask-Login wiring: the cookie holds a login-session token plus start/last-seen times.

The only place that touches Flask-Login's private per-request state (`g._login_user`,
`LoginManager._load_user`, the cookie's `_user_id`): see `user_loaded`, `has_login_cookie`,
`load_user` and `serve_as_visitor`.
"""

import time

from flask import current_app, flash, g, make_response, redirect, request, url_for
from flask import session as cookie
from flask_login import login_user, logout_user

from ..extensions import login_manager
from . import services

IDLE_TOUCH_SECONDS = 30


@login_manager.user_loader
def _load_user(token: str):
    account = services.load_session(token, cookie.get("started"), cookie.get("seen"))
    if account is None:
        if cookie.get("seen"):
            cookie["expired"] = True
        return None
    account.login_token = token
    now = time.time()
    if now - cookie.get("seen", 0) > IDLE_TOUCH_SECONDS:
        cookie["seen"] = now
    return account


@login_manager.unauthorized_handler
def _unauthorized():
    expired = cookie.pop("expired", False)
    for key in ("seen", "started", "_user_id"):
        cookie.pop(key, None)
    if expired:
        flash("Je sessie is verlopen. Meld je opnieuw aan.", "info")
    target = url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    if request.headers.get("HX-Request"):
        # htmx follows HX-Redirect with a full page load instead of swapping a login form in
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def begin(account, token: str) -> None:
    """A brand-new cookie session for this login (no data carried over from before)."""
    cookie.clear()
    cookie.permanent = True
    now = time.time()
    cookie["started"] = now
    cookie["seen"] = now
    account.login_token = token
    login_user(account)


PENDING = "second_factor"


def await_second_factor(marker: dict, target: str | None) -> None:
    """Right password, code still needed: the cookie holds only this marker (no login), so the
    browser can open nothing that needs a login until /login/code accepts a code."""
    cookie.clear()
    cookie[PENDING] = {**marker, "at": time.time(), "next": target}


def pending_second_factor() -> dict | None:
    """The marker of a login waiting for its code, when it is not older than
    SECOND_FACTOR_MINUTES (the cookie is signed, so it cannot be forged)."""
    marker = cookie.get(PENDING)
    if not isinstance(marker, dict) or not isinstance(marker.get("at"), int | float):
        return None
    if time.time() - marker["at"] > current_app.config["SECOND_FACTOR_MINUTES"] * 60:
        cookie.pop(PENDING, None)
        return None
    return marker


def drop_second_factor() -> None:
    cookie.pop(PENDING, None)


def finish() -> None:
    logout_user()
    cookie.clear()


def user_loaded() -> bool:
    """Whether this request already knows its user (logged in or visitor)."""
    return "_login_user" in g


def has_login_cookie() -> bool:
    """Whether the request's cookie names a login session (not checked: no database lookup)."""
    return "_user_id" in cookie


def load_user() -> None:
    """Load the logged-in account now (raises what loading raises, e.g. a database error)."""
    login_manager._load_user()


def serve_as_visitor() -> None:
    """Treat the rest of this request as a visitor's (when the account cannot be loaded)."""
    g._login_user = login_manager.anonymous_user()
