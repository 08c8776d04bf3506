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
from . import drafts, services

IDLE_TOUCH_SECONDS = 30
STATUS_ENDPOINT = "auth.session_status"  # asks how long the session lasts, must not renew it


def idle_seconds() -> float:
    return current_app.config["SESSION_IDLE_MINUTES"] * 60


def remaining_seconds() -> int:
    """Seconds until the logged-in session ends for idleness (from the cookie's last-seen time)."""
    return max(0, int(idle_seconds() - (time.time() - cookie.get("seen", 0))))


def renew() -> None:
    """Count this moment as activity (the *Aangemeld blijven* button)."""
    cookie["seen"] = time.time()


@login_manager.user_loader
def _load_user(token: str):
    account = services.load_session(token, cookie.get("started"), cookie.get("seen"))
    if account is None:
        if cookie.get("seen"):
            cookie["expired"] = True
        return None
    account.login_token = token
    now = time.time()
    # re-signing the cookie on every request is avoided; a tenth of a (test's) tiny idle time
    touch_after = min(IDLE_TOUCH_SECONDS, idle_seconds() / 10)
    if now - cookie.get("seen", 0) > touch_after and request.endpoint != STATUS_ENDPOINT:
        cookie["seen"] = now
    return account


@login_manager.unauthorized_handler
def _unauthorized():
    expired = cookie.pop("expired", False)
    # a form posted after the session expired is kept (sealed) for the next login: SPEC §12
    kept = expired and drafts.keep(cookie.get("_user_id"))
    for key in ("seen", "started", "_user_id"):
        cookie.pop(key, None)
    if kept:
        flash(drafts.KEPT, "info")
    elif expired:
        flash("Je sessie is verlopen. Meld je opnieuw aan.", "info")
    back = request.method == "GET" or kept  # a kept form: back to it (its GET) after the login
    target = url_for("auth.login", next=request.full_path.rstrip("?") if back else None)
    if request.headers.get("HX-Request"):
        # htmx follows HX-Redirect with a full page load instead of swapping a login form in
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def begin(account, token: str) -> str | None:
    """A brand-new cookie session for this login (nothing carried over from before but a form
    draft of the account's own organisation: the path of its form is returned)."""
    draft_token = cookie.get(drafts.COOKIE_KEY)
    draft = drafts.carry(draft_token, account)
    cookie.clear()
    if draft is not None:
        cookie[drafts.COOKIE_KEY] = draft_token
    cookie.permanent = True
    now = time.time()
    cookie["started"] = now
    cookie["seen"] = now
    account.login_token = token
    login_user(account)
    return draft.path if draft is not None else None


PENDING = "second_factor"


def await_second_factor(marker: dict, target: str | None) -> None:
    """Right password, code still needed: the cookie holds only this marker (no login), so the
    browser can open nothing that needs a login until /login/code accepts a code."""
    draft = cookie.get(drafts.COOKIE_KEY)  # checked against the account by begin()
    cookie.clear()
    if isinstance(draft, str):
        cookie[drafts.COOKIE_KEY] = draft
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
