"""Nothing typed is lost (SPEC §12): an organisation form posted after the login session expired
comes back, after the next login, with what was typed (the name included).

- `keep()` (from the login-required handler, on a POST to an organisation page that also has a
  GET): the posted fields, without the CSRF token, are sealed under a key made of the
  organisation's data key (known from the expired session's row) and a random token; the
  database keeps the ciphertext and the token's sha256 for FORM_DRAFT_MINUTES, the signed cookie
  the token. Nothing is readable from the database alone, nor from the cookie alone; nothing
  goes into the browser's storage.
- the login carries the token over only for an account of the same organisation (`carry`);
  another account logging in in that browser drops it.
- `keep_for_stale_form()` (from the CSRF error handler): the same for a POST of a logged-in
  organisation whose form token is stale because the user logged in again in another tab
  meanwhile (a login starts a new cookie); the browser is sent to the form's page at once.
- `restore()` (before a GET of the organisation pages): on the very path that was posted to, the
  draft is opened and deleted in one go (single use) and every form of that page shows the
  values (`restored_formdata`, read by app.forms_common.Form) with a fresh CSRF token; nothing is
  submitted: the user checks and presses Opslaan.
"""

import hashlib
import json
import secrets
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from flask import current_app, flash, g, request
from flask import session as cookie
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from .. import crypto, keys
from ..db import session, set_write_intent
from ..models import Account, FormDraft, LoginSession, utcnow

COOKIE_KEY = "draft"
NOTICE = "Je sessie was verlopen. Wat je had ingevuld staat hieronder; controleer en bewaar opnieuw."
KEPT = ("Je sessie is verlopen. Meld je opnieuw aan. Wat je had ingevuld, staat daarna weer in "
        "het formulier.")
MAX_BYTES = 64 * 1024  # a form of ours is far smaller; anything bigger is not kept
BLUEPRINTS = ("clients",)  # the organisation pages (beheer forms hold no typed client data)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keepable() -> bool:
    """A POST to an organisation page whose path also answers a GET (the form itself)."""
    rule = request.url_rule
    return (request.method == "POST" and request.blueprint in BLUEPRINTS and rule is not None
            and "GET" in (rule.methods or ()) and len(request.path) <= 300)


def _expired_account(login_token) -> Account | None:
    """The organisation account of the (idle-expired, not revoked) login session in the cookie."""
    if not isinstance(login_token, str) or not login_token:
        return None
    account = session.scalar(
        select(Account).join(LoginSession, LoginSession.account_id == Account.id)
        .where(LoginSession.id == _digest(login_token), LoginSession.revoked_at.is_(None)))
    if account is None or account.kind != "org" or not account.active:
        return None
    return account


def keep(login_token) -> bool:
    """Seal this POST's fields for the next login of the organisation of the expired session in
    the cookie; commit. Whether kept."""
    if not keepable():
        return False
    account = _expired_account(login_token)
    return account is not None and _keep(account)


def keep_for_stale_form(account) -> bool:
    """A POST of the logged-in organisation whose CSRF token is stale (the user logged in again
    in another tab meanwhile, which starts a new cookie): keep it for this login, to be shown
    again on the form's page. Only for a same-origin request (the browser says so, or says
    nothing): the session cookie is SameSite=Lax, and another site cannot fill our forms."""
    if not keepable() or request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return False
    if not request.form.get("csrf_token"):
        return False  # a form of ours always carries its token: stale, never missing
    if not getattr(account, "is_authenticated", False) or getattr(account, "kind", None) != "org":
        return False
    return _keep(account)


def _keep(account) -> bool:
    fields = [(name, value) for name, values in request.form.lists() if name != "csrf_token"
              for value in values]
    if not fields:
        return False
    data = json.dumps(fields, ensure_ascii=False).encode("utf-8")
    if len(data) > MAX_BYTES:
        return False
    org = account.organisation
    if org is None or not org.active:
        return False
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(FormDraft).where(FormDraft.expires_at <= now))
    old = cookie.get(COOKIE_KEY)
    if isinstance(old, str):
        session.execute(delete(FormDraft).where(FormDraft.id == _digest(old)))
    session.add(FormDraft(
        id=_digest(token), organisation_id=org.id, account_id=account.id, path=request.path,
        sealed=crypto.seal_draft(keys.data_key(org), token, org.id, request.path, data),
        expires_at=now + timedelta(minutes=current_app.config["FORM_DRAFT_MINUTES"])))
    session.commit()
    cookie[COOKIE_KEY] = token
    return True


def carry(token, account) -> FormDraft | None:
    """At login: the draft whose token the new cookie keeps, only for an account of the draft's
    organisation (checked again when it is restored)."""
    if not isinstance(token, str) or getattr(account, "kind", None) != "org":
        return None
    row = session.get(FormDraft, _digest(token))
    if row is None or row.organisation_id != account.organisation_id or row.expires_at <= utcnow():
        return None
    return row


def restore() -> None:
    """Before a GET of an organisation page: restore the draft kept for this very path."""
    token = cookie.get(COOKIE_KEY)
    if token is None or request.method != "GET" or request.headers.get("HX-Request"):
        return
    if not isinstance(token, str):
        cookie.pop(COOKIE_KEY, None)
        return
    from flask_login import current_user
    org = current_user.organisation
    # end the read transaction of the user lookup: this one writes (SQLite: BEGIN IMMEDIATE)
    session.commit()
    set_write_intent(True)
    row = session.get(FormDraft, _digest(token))
    if row is None or row.expires_at <= utcnow() or row.organisation_id != org.id:
        cookie.pop(COOKIE_KEY, None)
        if row is not None:
            session.delete(row)
            session.commit()
        return
    if row.path != request.path:
        return  # never into another page; it waits (for minutes at most) for its own
    sealed, path = row.sealed, row.path
    taken = session.execute(delete(FormDraft).where(FormDraft.id == row.id)).rowcount
    session.commit()
    cookie.pop(COOKIE_KEY, None)
    if taken != 1:
        return  # another request restored it first (single use)
    try:
        fields = json.loads(crypto.open_draft(keys.data_key(org), token, org.id, path, sealed))
    except (InvalidTag, ValueError):
        return
    g.restored_formdata = MultiDict([(str(k), str(v)) for k, v in fields])
    flash(NOTICE, "info")


def restored_formdata() -> MultiDict | None:
    """The values a form of this GET request shows instead of its defaults, if any."""
    return g.get("restored_formdata") if request.method == "GET" else None
