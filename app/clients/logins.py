"""An organisation's own logins (SPEC §11 "Colleague logins"): list, invite, remove.

The main login is the one the beheerder created (Account.is_main); colleagues add personal logins
beside it. A removed colleague login keeps its row (for the audit trail: its events point at it)
but loses its address, password, sessions and links, so the address can be invited again, by this
organisation or another one, as a brand-new login.
"""

from flask import abort
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..accounts import AccountError, AddressTaken, check_email
from ..auth.services import normalize_email, revoke_all_sessions
from ..auth.twofactor import reset_second_factor
from ..db import session
from ..models import Account, AccountToken, Organisation, utcnow

MAIN_NOT_REMOVABLE = ("De hoofdlogin kan niet verwijderd worden: het is de login die de beheerder "
                      "voor je organisatie aanmaakte. Vraag de beheerder van je regio om het adres "
                      "ervan te wijzigen.")
LAST_NOT_REMOVABLE = "De laatste login van je organisatie kan niet verwijderd worden."
ALREADY_OURS = "Dit e-mailadres is al een login van je organisatie."
TAKEN = ("Dit e-mailadres heeft al een login in het Registratiesysteem Arbeidszorg. Kies een ander "
         "adres of neem contact op met de beheerder van je regio.")


class LoginError(ValueError):
    """A Dutch message about why a login cannot be added or removed."""


def _live(organisation_id: int):
    return select(Account).where(Account.organisation_id == organisation_id,
                                 Account.kind == "org", Account.removed_at.is_(None))


def logins_of(org: Organisation) -> list[Account]:
    """The organisation's logins: the main login first, then colleagues as they were added."""
    return list(session.scalars(_live(org.id).order_by(Account.is_main.desc(), Account.id)))


def counts(org_ids: list[int]) -> dict[int, int]:
    """The number of logins (not removed) per organisation, in one query."""
    if not org_ids:
        return {}
    rows = session.execute(
        select(Account.organisation_id, func.count()).where(
            Account.organisation_id.in_(org_ids), Account.kind == "org",
            Account.removed_at.is_(None)).group_by(Account.organisation_id))
    return dict(rows.all())


def get_login(org: Organisation, account_id: int) -> Account:
    """One of the organisation's logins, or 404 (also for another organisation's login)."""
    account = session.scalar(_live(org.id).where(Account.id == account_id))
    if account is None:
        abort(404)
    return account


def invite(org: Organisation, email: str) -> Account:
    """Add a colleague login without a password (flushes; the caller sends the invitation)."""
    address = normalize_email(email)
    if session.scalar(_live(org.id).where(Account.email == address)) is not None:
        raise LoginError(ALREADY_OURS)
    try:
        address = check_email(email)
    except AddressTaken as exc:
        raise LoginError(TAKEN) from exc
    except AccountError as exc:
        raise LoginError(str(exc)) from exc
    account = Account(email=address, kind="org", organisation_id=org.id, is_main=False)
    session.add(account)
    try:
        session.flush()
    except IntegrityError as exc:  # the address was taken at the same moment
        session.rollback()
        raise LoginError(TAKEN) from exc
    audit.record("login_added", organisation_id=org.id, login=account.audit_label)
    return account


def remove(org: Organisation, account: Account) -> None:
    """Remove a colleague login: its sessions and links end at once (flushes; caller commits)."""
    if account.is_main:
        raise LoginError(MAIN_NOT_REMOVABLE)
    if session.scalar(select(func.count()).select_from(_live(org.id).subquery())) <= 1:
        raise LoginError(LAST_NOT_REMOVABLE)
    now = utcnow()
    account.removed_at = now
    account.active = False
    account.password_hash = None
    account.failed_logins = 0
    account.locked_until = None
    reset_second_factor(account)  # a re-invited address starts without 2FA
    # free the address: a reserved domain (RFC 2606) that no real login can have
    account.email = f"verwijderd-{account.id}@verwijderd.invalid"
    session.execute(update(AccountToken)
                    .where(AccountToken.account_id == account.id, AccountToken.used_at.is_(None))
                    .values(used_at=now))
    revoke_all_sessions(account.id)
    audit.record("login_removed", organisation_id=org.id, login=account.audit_label)
    session.flush()
