"""Accounts: authentication with lockout, server-side login sessions, link tokens, mails."""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import contains_eager, lazyload

from .. import audit, mailer
from ..db import session
from ..models import Account, AccountToken, LoginSession, Organisation, utcnow
from . import passwords, strength

FAILED = ("Aanmelden mislukt: controleer je e-mailadres en wachtwoord. Na 5 mislukte pogingen "
          "wordt het account 15 minuten geblokkeerd.")
WRONG_CURRENT = "Dit is niet je huidige wachtwoord. Er werd niets gewijzigd."
DEACTIVATED = "Deze login is gedeactiveerd. Neem contact op met de beheerder van je regio."


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_account(email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == normalize_email(email)))


def _account_usable(account: Account) -> bool:
    if not account.active:
        return False
    return not (account.kind == "org" and account.organisation and not account.organisation.active)


@dataclass
class LoginResult:
    account: Account | None = None
    token: str | None = None
    error: str | None = None


def authenticate(email: str, password: str) -> LoginResult:
    """Check credentials, count failures, lock after repeated ones; commit what happened."""
    cfg = current_app.config
    account = find_account(email)
    now = utcnow()
    if account is None:
        passwords.verify(None, password)  # same work as for a known address
        audit.record("login_failed", reason="unknown")  # never what was typed: it may be a password
        session.commit()
        return LoginResult(error=FAILED)
    if account.locked_until and account.locked_until > now:
        passwords.verify(None, password)
        audit.record("login_failed", account=account, reason="locked")
        session.commit()
        return LoginResult(error=FAILED)
    if not passwords.verify(account.password_hash, password):
        account.failed_logins = (account.failed_logins or 0) + 1
        audit.record("login_failed", account=account, reason="password")
        if account.failed_logins >= cfg["LOCKOUT_AFTER_FAILURES"]:
            account.locked_until = now + timedelta(minutes=cfg["LOCKOUT_MINUTES"])
            account.failed_logins = 0
            audit.record("lockout", account=account, minutes=cfg["LOCKOUT_MINUTES"])
        session.commit()
        return LoginResult(error=FAILED)
    if not _account_usable(account):
        audit.record("login_failed", account=account, reason="deactivated")
        session.commit()
        return LoginResult(error=DEACTIVATED)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now
    token = start_session(account)
    audit.record("login", account=account, organisation_id=account.organisation_id)
    session.commit()
    return LoginResult(account=account, token=token)


def start_session(account: Account) -> str:
    """Create a server-side login session; the returned token goes into the signed cookie."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(id=_digest(token), account_id=account.id))
    return token


# The live (unrevoked) login session's account and organisation, in one statement built once:
# what every logged-in request runs first, so it loads only what current_user needs.
_LIVE_SESSION = (
    select(Account, LoginSession.created_at)
    .join(LoginSession, LoginSession.account_id == Account.id)
    .outerjoin(Organisation, Organisation.id == Account.organisation_id)
    .options(contains_eager(Account.organisation), lazyload(Account.organisation, Organisation.region))
    .where(LoginSession.id == bindparam("digest"), LoginSession.revoked_at.is_(None)))


def load_session(token: str, started: float | None, seen: float | None) -> Account | None:
    """The account of a live login session, or None when revoked, idle or too old."""
    cfg = current_app.config
    now_ts = time.time()
    if started is None or seen is None:
        return None
    if now_ts - seen > cfg["SESSION_IDLE_MINUTES"] * 60:
        return None
    if now_ts - started > cfg["SESSION_ABSOLUTE_HOURS"] * 3600:
        return None
    row = session.execute(_LIVE_SESSION, {"digest": _digest(token)}).first()
    if row is None:
        return None
    account, created_at = row
    if not _account_usable(account):
        return None
    if utcnow() - created_at > timedelta(hours=cfg["SESSION_ABSOLUTE_HOURS"]):
        return None
    return account


def end_session(token: str) -> None:
    session.execute(update(LoginSession).where(LoginSession.id == _digest(token))
                    .values(revoked_at=utcnow()))


def revoke_all_sessions(account_id: int) -> None:
    session.execute(update(LoginSession)
                    .where(LoginSession.account_id == account_id, LoginSession.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def issue_token(account: Account, purpose: str) -> str:
    """A new single-use link token; the database keeps only its hash."""
    cfg = current_app.config
    lifetime = (timedelta(hours=cfg["RESET_TOKEN_HOURS"]) if purpose == "reset"
                else timedelta(days=cfg["INVITE_TOKEN_DAYS"]))
    token = secrets.token_urlsafe(32)
    session.add(AccountToken(account_id=account.id, token_hash=_digest(token), purpose=purpose,
                             expires_at=utcnow() + lifetime))
    return token


def valid_token(token: str) -> AccountToken | None:
    """The token row when it is unused, unexpired and issued after the last password change."""
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == _digest(token)))
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        return None
    if account.password_changed_at and row.created_at < account.password_changed_at:
        return None
    if row.purpose == "invite" and account.password_hash:
        return None  # an invitation never works for an account that has a password (SPEC §11)
    return row


def password_problem(account: Account | None, password: str) -> str | None:
    """Why a new password is not good enough for this account (Dutch), or None.

    The account's e-mail address and its organisation's name (a beheerder's contact
    organisation) are what an attacker would try first."""
    if account is None:
        return strength.problem(password)
    organisation = account.organisation.name if account.organisation else account.contact_organisation
    return strength.problem(password, account.email, organisation)


def set_password(account: Account, password: str) -> None:
    """Store a new password; every link token and every login session of the account dies."""
    now = utcnow()
    account.password_hash = passwords.hash_password(password)
    account.password_changed_at = now
    account.failed_logins = 0
    account.locked_until = None
    session.execute(update(AccountToken)
                    .where(AccountToken.account_id == account.id, AccountToken.used_at.is_(None))
                    .values(used_at=now))
    revoke_all_sessions(account.id)


def change_password(account: Account, current: str, new: str) -> str | None:
    """Change one's own password when `current` is right.

    Every login session of the account ends (other browsers are logged out) and a fresh one
    starts for the caller: its token is returned. None when `current` is wrong (nothing changed).
    """
    if not passwords.verify(account.password_hash, current):
        audit.record("password_change_failed", account=account,
                     organisation_id=account.organisation_id)
        session.commit()
        return None
    set_password(account, new)
    token = start_session(account)
    audit.record("password_changed", account=account, organisation_id=account.organisation_id)
    session.commit()
    return token


def use_token(token_row: AccountToken, password: str) -> Account | None:
    """Set the password through a link; the link cannot be used again.

    The link is claimed with one conditional UPDATE, so two simultaneous submissions of the same
    link cannot both set a password: the second gets None.
    """
    claimed = session.execute(update(AccountToken).where(
        AccountToken.id == token_row.id, AccountToken.used_at.is_(None)).values(used_at=utcnow()))
    if claimed.rowcount != 1:
        session.rollback()
        return None
    account = session.get(Account, token_row.account_id)
    set_password(account, password)
    audit.record("password_reset" if token_row.purpose == "reset" else "password_set",
                 account=account, organisation_id=account.organisation_id)
    session.commit()
    return account


def _link(token: str, endpoint: str = "auth.choose_password") -> str:
    """An absolute link built from BASE_URL, never from the request's Host header."""
    path = current_app.url_map.bind("localhost").build(endpoint, {"token": token})
    return current_app.config["BASE_URL"] + path


def request_reset(email: str) -> None:
    """Mail a reset link when the address belongs to a usable account; do nothing visible else."""
    account = find_account(email)
    if account is None or not _account_usable(account):
        return
    token = issue_token(account, "reset")
    audit.record("password_reset_requested", account=account, organisation_id=account.organisation_id)
    session.commit()
    msg = mailer.build(account.email, "Nieuw wachtwoord kiezen – Registratiesysteem Arbeidszorg",
                       "reset", link=_link(token), hours=current_app.config["RESET_TOKEN_HOURS"])
    mailer.send(msg, "reset", background=True)


def needs_invitation(account: Account) -> bool:
    """Only an account without a password can be invited (to choose one)."""
    return not account.password_hash


def send_invitation(account: Account, background: bool = False) -> bool | None:
    """Mail an invitation link (valid INVITE_TOKEN_DAYS days, single use) to set a password.

    An account that already has a password gets nothing (False): such a link would let whoever
    reads the mailbox replace the password (SPEC §11). Callers check needs_invitation() first.
    """
    if not needs_invitation(account):
        return False
    token = issue_token(account, "invite")
    audit.record("invitation", account=None, actor=account.email,
                 organisation_id=account.organisation_id, invited=account.email)
    session.commit()
    name = account.organisation.name if account.organisation else None
    msg = mailer.build(account.email, "Uitnodiging – Registratiesysteem Arbeidszorg", "invite",
                       link=_link(token), days=current_app.config["INVITE_TOKEN_DAYS"],
                       organisation=name, is_admin=account.is_admin)
    return mailer.send(msg, "invite", background=background)
