"""The beheerder's scope, in one place: a provinciebeheerder sees its own region only.

Every /beheer query for organisations, clients or periods starts from a helper here.
Client queries select explicit anonymous columns: the name column is never read under /beheer.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from ..db import session
from ..models import Client, Organisation, Period, Region

# every client column except the (encrypted) name
ANONYMOUS_CLIENT_COLUMNS = tuple(c for c in Client.__table__.c if c.name != "name_enc")


def own_region_id() -> int | None:
    """None for a superbeheerder (all regions), else the beheerder's region id."""
    return None if current_user.is_super else current_user.region_id


def regions() -> list[Region]:
    """The regions this beheerder may see (one for a provinciebeheerder)."""
    query = select(Region).order_by(Region.position)
    if own_region_id() is not None:
        query = query.where(Region.id == own_region_id())
    return list(session.scalars(query))


def region_from_param(code: str | None) -> Region | None:
    """The region a ?regio= parameter asks for, within scope; None means every region in scope.

    A provinciebeheerder asking for another region gets 404.
    """
    if not code:
        if own_region_id() is not None:
            return session.get(Region, own_region_id())
        return None
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None or (own_region_id() is not None and region.id != own_region_id()):
        abort(404)
    return region


def organisations() -> Select:
    """Organisations in scope."""
    query = select(Organisation)
    if own_region_id() is not None:
        query = query.where(Organisation.region_id == own_region_id())
    return query


def get_organisation(org_id: int) -> Organisation:
    """An organisation in scope, or 404."""
    org = session.scalar(organisations().where(Organisation.id == org_id))
    if org is None:
        abort(404)
    return org


def anonymous_clients(region_id: int | None = None, organisation_id: int | None = None) -> Select:
    """Client rows (without the name) of organisations in scope, joined to their organisation."""
    query = select(*ANONYMOUS_CLIENT_COLUMNS).join(Organisation, Organisation.id == Client.organisation_id)
    if own_region_id() is not None:
        query = query.where(Organisation.region_id == own_region_id())
    if region_id is not None:
        query = query.where(Organisation.region_id == region_id)
    if organisation_id is not None:
        query = query.where(Organisation.id == organisation_id)
    return query


def get_anonymous_client(client_id: int):
    """One client row (without the name) in scope, or 404."""
    row = session.execute(anonymous_clients().where(Client.id == client_id)).first()
    if row is None:
        abort(404)
    return row


def periods_in_scope(region_id: int | None = None) -> Select:
    """Periods of clients of organisations in scope (joined to Client and Organisation)."""
    query = (select(Period).join(Client, Client.id == Period.client_id)
             .join(Organisation, Organisation.id == Client.organisation_id))
    if own_region_id() is not None:
        query = query.where(Organisation.region_id == own_region_id())
    if region_id is not None:
        query = query.where(Organisation.region_id == region_id)
    return query
