"""A beheerder's change of a login address (SPEC §11 "No way in for a beheerder").

For an account that has a password the change is *pending*: the current address gets a mail
announcing it with a link that cancels it, the new address a mail with a link that confirms it.
The confirm link works only once LOGIN_CHANGE_DELAY_HOURS have passed since the request (and for
INVITE_TOKEN_DAYS days after that); using it then applies the change, unless it was cancelled.
So the change takes effect at the moment of confirmation after the wait — no scheduler needed,
and nothing else ever applies a change. Until then the old address and password keep working.
When it takes effect every unused link token of the account (reset and invitation links mailed
to the old address) dies, and so do the account's login sessions; the password stays.

An account without a password (its invitation still pending) is readdressed at once; its old
invitation links die.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit, mailer
from ..db import session
from ..models import Account, AccountToken, LoginChange, Organisation, utcnow
from .services import _digest, _link, revoke_all_sessions

log = logging.getLogger(__name__)

NOTICE_DAYS = 30  # the organisation's dashboard shows an applied change this long
BRUSSELS = ZoneInfo("Europe/Brussels")
ADDRESS_TAKEN = ("Dit e-mailadres is intussen in gebruik als login. De wijziging werd niet "
                 "doorgevoerd; neem contact op met de beheerder van je regio.")


def local(moment: datetime) -> datetime:
    """A stored (naive UTC) moment in Brussels time, for display."""
    return moment.replace(tzinfo=UTC).astimezone(BRUSSELS)


def effective_from(change: LoginChange) -> datetime:
    """The earliest moment (naive UTC) the change can take effect."""
    return change.requested_at + timedelta(hours=current_app.config["LOGIN_CHANGE_DELAY_HOURS"])


def links_expire_at(change: LoginChange) -> datetime:
    """After this moment (naive UTC) an unconfirmed change lapses and its links stop working."""
    return effective_from(change) + timedelta(days=current_app.config["INVITE_TOKEN_DAYS"])


def is_pending(change: LoginChange) -> bool:
    return (change.applied_at is None and change.cancelled_at is None
            and links_expire_at(change) > utcnow())


@dataclass
class Requested:
    """A recorded change; the plain link tokens (pending change only) go into the two mails."""

    change: LoginChange
    organisation: str | None
    confirm_token: str | None = None
    cancel_token: str | None = None

    @property
    def pending(self) -> bool:
        return self.confirm_token is not None


def _open_changes(account_id: int):
    return select(LoginChange).where(LoginChange.account_id == account_id,
                                     LoginChange.applied_at.is_(None),
                                     LoginChange.cancelled_at.is_(None))


def pending_for(account: Account) -> LoginChange | None:
    """The account's pending change, if any."""
    for change in session.scalars(_open_changes(account.id).order_by(LoginChange.id.desc())):
        if is_pending(change):
            return change
    return None


def _readdress(account: Account, email: str, now: datetime) -> None:
    """The account answers to its new address; links mailed to the old one and sessions end."""
    account.email = email
    session.execute(update(AccountToken)
                    .where(AccountToken.account_id == account.id, AccountToken.used_at.is_(None))
                    .values(used_at=now))
    revoke_all_sessions(account.id)


def request_change(account: Account, new_email: str, requested_by: int) -> Requested:
    """Record a beheerder's change of the login address (new_email already checked as free).

    A newer request replaces a pending one (whose links die). Flushes; the caller commits and then
    calls announce() for a pending change.
    """
    now = utcnow()
    for older in session.scalars(_open_changes(account.id)):
        older.cancelled_at = now
    name = account.organisation.name if account.organisation else None
    if account.organisation:  # its dashboard looks for notices from now on (may_have_notices)
        account.organisation.last_login_change_at = now
    change = LoginChange(account_id=account.id, old_email=account.email, new_email=new_email,
                         requested_by=requested_by, requested_at=now)
    session.add(change)
    if not account.password_hash:
        change.applied_at = now
        audit.record("login_change_applied", organisation_id=account.organisation_id,
                     van=account.email, naar=new_email, meteen="nog geen wachtwoord")
        _readdress(account, new_email, now)
        session.flush()
        return Requested(change, name)
    confirm, cancel = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    change.confirm_token_hash, change.cancel_token_hash = _digest(confirm), _digest(cancel)
    session.flush()
    audit.record("login_change_requested", organisation_id=account.organisation_id,
                 van=account.email, naar=new_email,
                 ten_vroegste_actief=local(effective_from(change)).strftime("%d/%m/%Y %H:%M"))
    return Requested(change, name, confirm, cancel)


def _contact() -> str:
    return current_app.config["BASE_URL"] + current_app.url_map.bind("localhost").build("public.contact")


def _when(moment: datetime) -> str:
    return local(moment).strftime("%d/%m/%Y om %H:%M")


def announce(requested: Requested) -> bool:
    """Mail the current address (cancel link) and the new one (confirm link); True when both left."""
    change = requested.change
    common = {"organisation": requested.organisation, "old": change.old_email,
              "new": change.new_email, "from_": _when(effective_from(change)),
              "until": _when(links_expire_at(change)),
              "hours": current_app.config["LOGIN_CHANGE_DELAY_HOURS"], "contact": _contact()}
    to_old = mailer.build(change.old_email, "Wijziging van je login-e-mailadres aangevraagd – "
                          "Registratiesysteem Arbeidszorg", "login_change_old",
                          link=_link(requested.cancel_token, "auth.cancel_login_change"), **common)
    to_new = mailer.build(change.new_email, "Bevestig je nieuwe login-e-mailadres – "
                          "Registratiesysteem Arbeidszorg", "login_change_new",
                          link=_link(requested.confirm_token, "auth.confirm_login_change"), **common)
    sent_old = mailer.send(to_old, "login_change_old")
    sent_new = mailer.send(to_new, "login_change_new")
    return bool(sent_old and sent_new)


def by_token(token: str, kind: str) -> LoginChange | None:
    """The pending change a confirm or cancel link belongs to, else None."""
    column = LoginChange.confirm_token_hash if kind == "confirm" else LoginChange.cancel_token_hash
    change = session.scalar(select(LoginChange).where(column == _digest(token)))
    if change is None or not is_pending(change):
        return None
    account = session.get(Account, change.account_id)
    if account is None or not account.active or account.email != change.old_email:
        return None
    return change


def _claim(change: LoginChange, **values) -> bool:
    """Close a pending change with one conditional UPDATE (confirm and cancel cannot both win)."""
    result = session.execute(update(LoginChange).where(
        LoginChange.id == change.id, LoginChange.applied_at.is_(None),
        LoginChange.cancelled_at.is_(None)).values(**values))
    return result.rowcount == 1


def too_early(change: LoginChange) -> str | None:
    """A Dutch message while the waiting time runs, else None."""
    if utcnow() >= effective_from(change):
        return None
    return (f"Deze wijziging kan pas bevestigd worden vanaf {_when(effective_from(change))}. "
            "Open de link dan opnieuw.")


def confirm(change: LoginChange) -> str | None:
    """Apply a pending change whose waiting time has passed; commit. A Dutch reason when not."""
    if too_early(change):
        return too_early(change)
    if session.scalar(select(Account.id).where(Account.email == change.new_email)) is not None:
        return ADDRESS_TAKEN
    now = utcnow()
    if not _claim(change, applied_at=now):
        session.rollback()
        return "Deze wijziging werd intussen geannuleerd of al doorgevoerd."
    account = session.get(Account, change.account_id)
    try:
        _readdress(account, change.new_email, now)
        audit.record("login_change_applied", actor=change.new_email,
                     organisation_id=account.organisation_id, van=change.old_email,
                     naar=change.new_email)
        session.commit()
    except IntegrityError:  # the address was taken at the same moment
        session.rollback()
        return ADDRESS_TAKEN
    name = account.organisation.name if account.organisation else None
    mailer.send(mailer.build(change.old_email, "Je login-e-mailadres werd gewijzigd – "
                             "Registratiesysteem Arbeidszorg", "login_change_done",
                             organisation=name, old=change.old_email, new=change.new_email,
                             contact=_contact()),
                "login_change_done")
    return None


def cancel(change: LoginChange, via: str) -> bool:
    """Cancel a pending change (from the e-mail link or the organisation's dashboard); commit."""
    if not _claim(change, cancelled_at=utcnow()):
        session.rollback()
        return False
    account = session.get(Account, change.account_id)
    audit.record("login_change_cancelled", actor=change.old_email,
                 organisation_id=account.organisation_id, van=change.old_email,
                 naar=change.new_email, via=via)
    session.commit()
    return True


@dataclass
class Notice:
    """What the organisation's dashboard says about a beheerder's change of a login address."""

    change_id: int
    old: str
    new: str
    pending: bool
    when: datetime  # local time: earliest effect (pending) or when it took effect
    requested: datetime  # local time

    @classmethod
    def of(cls, change: LoginChange) -> "Notice":
        pending = change.applied_at is None
        return cls(change.id, change.old_email, change.new_email, pending,
                   local(effective_from(change) if pending else change.applied_at),
                   local(change.requested_at))


def pending_notice(account: Account) -> Notice | None:
    """The account's pending change, described for a page."""
    change = pending_for(account)
    return Notice.of(change) if change else None


def may_have_notices(organisation: Organisation) -> bool:
    """Whether notices() can find anything for the organisation, from the moment of its latest
    login change (kept on the organisation, already loaded with the login), without a query.

    A change is shown while pending, which ends at the latest when its links expire, and for
    NOTICE_DAYS after it took effect, which it can only do while pending: so at the latest
    NOTICE_DAYS after its links expire (plus a day, for a confirmation at that very moment).
    The settings are read now, as is_pending() reads them."""
    requested = organisation.last_login_change_at
    if requested is None:
        return False
    cfg = current_app.config
    shown_until = (requested + timedelta(hours=cfg["LOGIN_CHANGE_DELAY_HOURS"])
                   + timedelta(days=cfg["INVITE_TOKEN_DAYS"] + NOTICE_DAYS + 1))
    return utcnow() < shown_until


def notices(organisation_id: int) -> list[Notice]:
    """Pending and recent (NOTICE_DAYS) changes of the organisation's logins, newest first."""
    since = utcnow() - timedelta(days=NOTICE_DAYS)
    rows = session.scalars(
        select(LoginChange).join(Account, Account.id == LoginChange.account_id)
        .where(Account.organisation_id == organisation_id,
               or_(LoginChange.applied_at >= since,
                   and_(LoginChange.applied_at.is_(None), LoginChange.cancelled_at.is_(None))))
        .order_by(LoginChange.id.desc()))
    return [Notice.of(change) for change in rows
            if change.applied_at is not None or is_pending(change)]


def cancel_for_organisation(organisation_id: int, change_id: int) -> bool:
    """Cancel a pending change of one of the organisation's logins (from its dashboard)."""
    change = session.scalar(select(LoginChange).join(Account, Account.id == LoginChange.account_id)
                            .where(LoginChange.id == change_id,
                                   Account.organisation_id == organisation_id))
    if change is None or not is_pending(change):
        return False
    return cancel(change, via="dashboard")
