"""Accounts: authentication with lockout, server-side login sessions, link tokens, mails."""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import contains_eager, lazyload

from .. import audit, mailer
from ..db import session
from ..models import Account, AccountToken, LoginSession, Organisation, utcnow
from . import devices, lockout, passwords, strength, twofactor

FAILED = ("Aanmelden mislukt: controleer je e-mailadres en wachtwoord. Na 5 mislukte pogingen "
          "moet je 15 minuten wachten.")
# the same words whether the address has an account or not; the page adds the link
LOCKED = ("Te veel mislukte pogingen voor dit adres vanaf deze browser. Probeer het over "
          "{minutes} minuten opnieuw of kies een nieuw wachtwoord via \"Wachtwoord vergeten?\".")
WRONG_CURRENT = "Dit is niet je huidige wachtwoord. Er werd niets gewijzigd."
DEACTIVATED = "Deze login is gedeactiveerd. Neem contact op met de beheerder van je regio."
CODE_EXPIRED = "Je aanmelding is verlopen. Meld je opnieuw aan met je e-mailadres en wachtwoord."


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
    locked: bool = False  # refused for too many failures (the page names "Wachtwoord vergeten?")
    device_nonce: str | None = None  # for this browser's device cookie after a success
    second_factor: bool = False  # right password, but the code of /login/code is still needed


def _locked_result() -> LoginResult:
    return LoginResult(error=LOCKED.format(minutes=current_app.config["LOCKOUT_MINUTES"]),
                       locked=True)


def _unknown_address(email: str, password: str) -> LoginResult:
    """No account: the same work and the same answers as for an account seen from an untrusted
    browser, including the lockout after repeated failures (see lockout.py)."""
    email = normalize_email(email)[:254]
    passwords.verify(None, password)
    locked = lockout.unknown_locked(email) or lockout.unknown_failure(email)
    audit.record("login_failed", reason="unknown")  # never what was typed: it may be a password
    session.commit()
    return _locked_result() if locked else LoginResult(error=FAILED)


def authenticate(email: str, password: str, device_nonce: str | None = None) -> LoginResult:
    """Check credentials, count failures, lock after repeated ones; commit what happened.

    `device_nonce` is the nonce of this browser's device cookie for the address. When it belongs
    to a trusted device of the account, only that device's own failures can refuse the attempt;
    otherwise the attempt is an untrusted client and the account's lockout of those applies.
    """
    cfg = current_app.config
    account = find_account(email)
    now = utcnow()
    if account is None:
        return _unknown_address(email, password)
    device = devices.find(account, device_nonce, now)
    scope, counted = ("device", device) if device is not None else ("untrusted", account)
    if counted.locked_until and counted.locked_until > now:
        passwords.verify(None, password)
        audit.record("login_failed", account=account, reason="locked", scope=scope)
        session.commit()
        return _locked_result()
    if not passwords.verify(account.password_hash, password):
        count, locked_now = lockout.count_failure(type(counted).__table__, counted.id, now)
        audit.record("login_failed", account=account, reason="password" if count else "locked",
                     scope=scope)
        if locked_now:
            audit.record("lockout", account=account, minutes=cfg["LOCKOUT_MINUTES"], scope=scope)
        session.commit()
        return _locked_result() if locked_now or count is None else LoginResult(error=FAILED)
    if not _account_usable(account):
        audit.record("login_failed", account=account, reason="deactivated")
        session.commit()
        return LoginResult(error=DEACTIVATED)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    if account.has_2fa:
        # no session, no device cookie and no reset of the failure counters yet: all of that
        # waits for the code, so the password alone never clears the wrong codes counted
        session.commit()
        return LoginResult(account=account, second_factor=True)
    return _complete_login(account, device, now)


def _complete_login(account: Account, device, now, **details) -> LoginResult:
    """The login succeeded: clear the counters, trust this browser, start a session; commit."""
    if device is None:  # a trusted device's success leaves the untrusted clients' lockout alone
        account.failed_logins = 0
        account.failed_since = None
        account.locked_until = None
    account.last_login_at = now
    nonce = devices.trust(account, device, now)
    token = start_session(account)
    audit.record("login", account=account, organisation_id=account.organisation_id,
                 device="trusted" if device is not None else "new", **details)
    session.commit()
    return LoginResult(account=account, token=token, device_nonce=nonce)


def _moment(value) -> float | None:
    return value.timestamp() if value is not None else None


def pending_marker(account: Account) -> dict:
    """What the cookie keeps between the password and the code (signed by Flask, not secret):
    the account id and its last password change, so a password reset meanwhile ends it."""
    return {"id": account.id, "pwc": _moment(account.password_changed_at)}


def pending_account(marker: dict) -> Account | None:
    """The account waiting for its code, when the marker still fits it."""
    account = session.get(Account, marker.get("id")) if isinstance(marker.get("id"), int) else None
    if (account is None or not _account_usable(account) or not account.has_2fa
            or marker.get("pwc") != _moment(account.password_changed_at)):
        return None
    return account


def verify_second_factor(account: Account, code: str, device_nonce: str | None) -> LoginResult:
    """The code of /login/code for an account whose password was right a moment ago.

    A wrong code counts like a wrong password (the device's counter for a trusted browser, else
    the account's counter of untrusted clients) and can lock the same way; commits.
    """
    cfg = current_app.config
    now = utcnow()
    device = devices.find(account, device_nonce, now)
    scope, counted = ("device", device) if device is not None else ("untrusted", account)
    if counted.locked_until and counted.locked_until > now:
        audit.record("2fa_failed", account=account, organisation_id=account.organisation_id,
                     reason="locked", scope=scope)
        session.commit()
        return _locked_result()
    used = twofactor.check_code(account, code)
    if used is None:
        count, locked_now = lockout.count_failure(type(counted).__table__, counted.id, now)
        audit.record("2fa_failed", account=account, organisation_id=account.organisation_id,
                     reason="code" if count else "locked", scope=scope)
        if locked_now:
            audit.record("lockout", account=account, minutes=cfg["LOCKOUT_MINUTES"], scope=scope)
        session.commit()
        if locked_now or count is None:
            return _locked_result()
        return LoginResult(error=twofactor.WRONG_CODE)
    if used == "recovery":
        audit.record("2fa_recovery_used", account=account, organisation_id=account.organisation_id,
                     left=twofactor.recovery_codes_left(account))
    return _complete_login(account, device, now, second_factor=used)


def trust_browser(account: Account) -> str:
    """A device-cookie nonce for a browser that just proved it reads the account's mailbox
    (a password set through a mailed link); the caller commits."""
    return devices.trust(account, None, utcnow())


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
    account.failed_since = None
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


def request_reset_after_answer(email: str) -> None:
    """Hand a forgotten-password request to a background job and return at once.

    The request itself does the same for every address (no lookup at all), so its answer and its
    time tell nothing about whether the address has an account.
    """
    mailer.run_in_background(request_reset, normalize_email(email)[:254], request.remote_addr,
                             name="password-reset", after_answer=True)


def request_reset(email: str, ip: str | None = None) -> None:
    """Mail a reset link when the address belongs to a usable account; do nothing visible else.

    Every request is audited, also for an address without (usable) account: the database then
    does a write either way, whose after-effects could otherwise tell the two apart.
    """
    account = find_account(email)
    if account is None or not _account_usable(account):
        audit.record("password_reset_requested", account=account, actor=email, ip=ip,
                     reason="unknown" if account is None else "deactivated")
        session.commit()
        return
    token = issue_token(account, "reset")
    audit.record("password_reset_requested", account=account, organisation_id=account.organisation_id,
                 ip=ip)
    session.commit()
    msg = mailer.build(account.email, "Nieuw wachtwoord kiezen – Registratiesysteem Arbeidszorg",
                       "reset", link=_link(token), hours=current_app.config["RESET_TOKEN_HOURS"])
    mailer.send(msg, "reset")


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
    # a login that was invited before exists already: the mail says so, not "was created"
    resent = session.scalar(select(AccountToken.id).where(
        AccountToken.account_id == account.id, AccountToken.purpose == "invite").limit(1)) is not None
    token = issue_token(account, "invite")
    audit.record("invitation", account=None, actor=account.audit_label,
                 organisation_id=account.organisation_id, invited=account.audit_label)
    session.commit()
    name = account.organisation.name if account.organisation else None
    msg = mailer.build(account.email, "Uitnodiging – Registratiesysteem Arbeidszorg", "invite",
                       link=_link(token), days=current_app.config["INVITE_TOKEN_DAYS"],
                       organisation=name, is_admin=account.is_admin, resent=resent)
    return mailer.send(msg, "invite", background=background)
