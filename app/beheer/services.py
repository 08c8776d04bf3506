"""Beheer rules: organisations, anonymous clients, deletion on request. Never a client name."""

from datetime import date

from sqlalchemy import delete, extract, func, select

from .. import audit, dataversion
from ..accounts import AccountError, check_email
from ..auth import login_change
from ..clients import rules
from ..db import session
from ..models import Account, Client, Organisation, Period, Region
from ..pagination import BEHEER_PER_PAGE, Page, page_of
from .scope import ANONYMOUS_CLIENT_COLUMNS, Scope


def active_client_counts(org_ids: list[int], today: date) -> dict[int, int]:
    """Active clients per organisation, in one query."""
    if not org_ids:
        return {}
    rows = session.execute(
        select(Client.organisation_id, func.count()).where(
            Client.organisation_id.in_(org_ids), rules.client_active_on(today))
        .group_by(Client.organisation_id))
    return dict(rows.all())


def list_organisations(scope: Scope, region: Region | None, q: str,
                       status: str) -> list[tuple[Organisation, Account]]:
    query = (scope.organisations()
             .join(Account, (Account.organisation_id == Organisation.id)
                   & Account.is_main.is_(True))
             .add_columns(Account).order_by(func.lower(Organisation.name)))
    if region is not None:
        query = query.where(Organisation.region_id == region.id)
    if q:
        query = query.where(func.lower(Organisation.name).contains(q.lower(), autoescape=True))
    if status == "actief":
        query = query.where(Organisation.active.is_(True))
    elif status == "gedeactiveerd":
        query = query.where(Organisation.active.is_(False))
    return [(org, account) for org, account in session.execute(query).all()]


def password_hash_of(scope: Scope) -> str | None:
    """The password hash of the beheerder the scope belongs to (to confirm a destructive action)."""
    return session.scalar(select(Account.password_hash).where(Account.id == scope.account_id))


def login_of(org: Organisation) -> Account:
    """The organisation's main login (the one the beheerder created); never a colleague's."""
    return session.scalar(select(Account).where(Account.organisation_id == org.id,
                                                Account.is_main.is_(True)))


def update_organisation(scope: Scope, org: Organisation, account: Account, name: str,
                        region: Region, email: str) -> login_change.Requested | None:
    """Change name and region, and request a change of the login address (SPEC §11).

    A new login address never takes effect here for an account with a password: it becomes a
    pending change (see app/auth/login_change.py), returned so the caller can mail both addresses
    after committing. Raises AccountError for a taken or invalid address.
    """
    email = email.strip().lower()
    requested = None
    if email != account.email:
        requested = login_change.request_change(account, check_email(email), scope.account_id)
    changes = {}
    if name.strip() != org.name:
        changes["name"] = [org.name, name.strip()]
        org.name = name.strip()
    if region.id != org.region_id:
        changes["region"] = [org.region.code, region.code]
        org.region_id = region.id
    if changes:
        audit.record("organisation_changed", organisation_id=org.id, **changes)
    return requested


def set_organisation_active(org: Organisation, active: bool) -> None:
    from ..auth.services import revoke_all_sessions
    org.active = active
    if not active:  # every login of the organisation, colleagues included, is logged out
        for account_id in session.scalars(select(Account.id).where(Account.organisation_id == org.id)):
            revoke_all_sessions(account_id)
    audit.record("organisation_changed", organisation_id=org.id,
                 status="geactiveerd" if active else "gedeactiveerd")


def anonymous_client_page(scope: Scope, org: Organisation, page: int,
                          nr: int | None = None) -> tuple[list, dict[int, list[Period]], Page]:
    """One page of an organisation's clients (no name, birth year only) with their periods
    (a page past the end is the last page); with `nr` only the client with that volgnummer."""
    columns = [c for c in ANONYMOUS_CLIENT_COLUMNS if c.name != "birth_date"]
    base = scope.anonymous_clients(organisation_id=org.id)
    if nr is not None:
        base = base.where(Client.nr == nr)
    shown = page_of(base, page, BEHEER_PER_PAGE)
    rows = session.execute(shown.slice(
        base.with_only_columns(*columns, extract("year", Client.birth_date).label("birth_year"))
        .order_by(Client.nr))).all()
    ids = [r.id for r in rows]
    periods: dict[int, list[Period]] = {i: [] for i in ids}
    if ids:
        for p in session.scalars(select(Period).where(Period.client_id.in_(ids))
                                 .order_by(Period.start_date)):
            periods[p.client_id].append(p)
    return rows, periods, shown


def delete_client(scope: Scope, client_id: int, reason: str) -> tuple[int, int]:
    """Delete a client in scope with its periods; audit who, when, which organisation and number."""
    row = scope.get_anonymous_client(client_id)
    n_periods = session.execute(delete(Period).where(Period.client_id == row.id)).rowcount
    session.execute(delete(Client).where(Client.id == row.id))
    dataversion.bump(organisation_ids=[row.organisation_id])
    audit.record("client_deleted", organisation_id=row.organisation_id, volgnummer=row.nr,
                 periodes=n_periods, reden=reason.strip())
    return row.organisation_id, row.nr


__all__ = ["AccountError"]
