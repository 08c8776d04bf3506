"""Creating organisations and beheerders with their logins (used by the CLI and /beheer)."""

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from . import audit, keys
from .auth import passwords, strength
from .auth.services import normalize_email, send_invitation
from .db import session
from .models import Account, Organisation, Region, utcnow


class AccountError(ValueError):
    """A Dutch message about why an account cannot be created."""


class AddressTaken(AccountError):
    """The address already has a login."""


def check_email(email: str) -> str:
    """A normalised, syntactically valid address not yet in use; else AccountError."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise AccountError("Dit is geen geldig e-mailadres.") from exc
    email = normalize_email(email)
    if session.scalar(select(Account.id).where(Account.email == email)) is not None:
        raise AddressTaken("Dit e-mailadres heeft al een login.")
    return email


def check_password(password: str, email: str, organisation: str | None = None) -> None:
    """Long enough and hard to guess for this address and organisation; else AccountError."""
    reason = strength.problem(password, email, organisation)
    if reason:
        raise AccountError(reason)


def _finish(account: Account, password: str | None, background: bool) -> bool | None:
    if password:
        account.password_hash = passwords.hash_password(password)
        account.password_changed_at = utcnow()
        session.commit()
        return True
    session.commit()
    return send_invitation(account, background=background)


def create_organisation(name: str, email: str, region: Region, password: str | None = None,
                        background_mail: bool = False) -> tuple[Organisation, bool | None]:
    """A new organisation with its own data key and login; invites when there is no password."""
    email = check_email(email)
    if password:
        check_password(password, email, name)
    org = Organisation(name=name.strip(), region_id=region.id, public_name=name.strip())
    session.add(org)
    session.flush()
    keys.give_data_key(org)
    account = Account(email=email, kind="org", organisation_id=org.id, is_main=True)
    session.add(account)
    session.flush()
    audit.record("organisation_created", organisation_id=org.id, name=org.name, email=email,
                 region=region.code)
    return org, _finish(account, password, background_mail)


def create_admin(email: str, region: Region | None, password: str | None = None,
                 background_mail: bool = False, **contact) -> tuple[Account, bool | None]:
    """A provinciebeheerder (region given) or a superbeheerder (region None)."""
    email = check_email(email)
    if password:
        check_password(password, email, contact.get("organisation"))
    account = Account(email=email, kind="admin", is_super=region is None,
                      region_id=region.id if region else None,
                      contact_organisation=contact.get("organisation"),
                      contact_name=contact.get("name"), contact_phone=contact.get("phone"),
                      contact_email=(contact.get("contact_email") or "").strip().lower() or None)
    session.add(account)
    session.flush()
    audit.record("admin_created", email=email, region=region.code if region else "alle")
    return account, _finish(account, password, background_mail)
