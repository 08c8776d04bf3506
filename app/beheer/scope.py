"""The beheerder's scope, in one place: a provinciebeheerder sees its own region only.

A `Scope` is a plain value built once per request by the beheer blueprint's guard (from the
logged-in beheerder) and passed to every service that filters by region; tests build one
directly (`Scope(account_id=…, region_id=…, is_super=…)`). Every /beheer query for organisations,
clients or periods starts from one of its methods. Client queries select explicit anonymous
columns: the name and the old number are never read under /beheer.
"""

from dataclasses import dataclass
from functools import lru_cache, wraps

from flask import abort, g
from sqlalchemy import Select, select

from ..db import session
from ..models import Client, Organisation, Period, Region

# every client column except the (encrypted) name and the old number (free text the organisation
# chose, which may hold initials; SPEC §12: beheerders find a client by Nr)
ANONYMOUS_CLIENT_COLUMNS = tuple(c for c in Client.__table__.c if c.name not in ("name_enc", "old_nr"))


@dataclass(frozen=True)
class Scope:
    """What one beheerder may see: every region (superbeheerder) or its own region."""

    account_id: int
    region_id: int | None
    is_super: bool

    @classmethod
    def of(cls, account) -> "Scope":
        return cls(account_id=account.id, is_super=bool(account.is_super),
                   region_id=None if account.is_super else account.region_id)

    # statistics: figures of a region are the same for every beheerder who may see the region
    cache_key = None

    @property
    def own_region_id(self) -> int | None:
        """None for a superbeheerder (all regions), else the beheerder's region id."""
        return None if self.is_super else self.region_id

    def _limit(self, query: Select, region_column=Organisation.region_id) -> Select:
        """Restrict a query to the scope's region (a beheerder without a region sees nothing)."""
        if self.is_super:
            return query
        return query.where(region_column == self.region_id)

    def regions(self) -> list[Region]:
        """The regions this beheerder may see (one for a provinciebeheerder)."""
        return list(session.scalars(_regions_statement(self)))

    def region_ids(self) -> list[int]:
        """The ids of the regions this beheerder may see, in region order (a provinciebeheerder's
        is its own region: no query; the report asks for them several times per view)."""
        if not self.is_super:
            return [] if self.region_id is None else [self.region_id]
        return [r.id for r in self.regions()]

    def region_from_param(self, code: str | None) -> Region | None:
        """The region a ?regio= parameter asks for, within scope; None means every region in scope.

        A provinciebeheerder asking for another region gets 404.
        """
        if not code:
            return None if self.is_super else session.get(Region, self.region_id)
        region = session.scalar(select(Region).where(Region.code == code))
        if region is None or not (self.is_super or region.id == self.region_id):
            abort(404)
        return region

    def organisations(self) -> Select:
        """Organisations in scope."""
        return self._limit(select(Organisation))

    def organisation_ids(self) -> Select:
        """The ids of the organisations in scope (for IN filters)."""
        return self._limit(select(Organisation.id))

    def organisation_versions(self, region_id: int | None = None) -> Select:
        """(id, region id, data version) of the organisations in scope (statistics cache)."""
        query = self._limit(select(Organisation.id, Organisation.region_id,
                                   Organisation.data_version))
        return query if region_id is None else query.where(Organisation.region_id == region_id)

    def get_organisation(self, org_id: int) -> Organisation:
        """An organisation in scope, or 404."""
        org = session.scalar(self.organisations().where(Organisation.id == org_id))
        if org is None:
            abort(404)
        return org

    def anonymous_clients(self, region_id: int | None = None,
                          organisation_id: int | None = None) -> Select:
        """Client rows (without the name) of organisations in scope, joined to their organisation."""
        query = self._limit(select(*ANONYMOUS_CLIENT_COLUMNS)
                            .join(Organisation, Organisation.id == Client.organisation_id))
        if region_id is not None:
            query = query.where(Organisation.region_id == region_id)
        if organisation_id is not None:
            query = query.where(Organisation.id == organisation_id)
        return query

    def get_anonymous_client(self, client_id: int):
        """One client row (without the name) in scope, or 404."""
        row = session.execute(self.anonymous_clients().where(Client.id == client_id)).first()
        if row is None:
            abort(404)
        return row

    def periods(self, region_id: int | None = None) -> Select:
        """Periods of clients of organisations in scope (joined to Client and Organisation)."""
        query = self._limit(select(Period).join(Client, Client.id == Period.client_id)
                            .join(Organisation, Organisation.id == Client.organisation_id))
        if region_id is not None:
            query = query.where(Organisation.region_id == region_id)
        return query


@dataclass(frozen=True)
class OrganisationScope:
    """One organisation's own clients, for its own figures (/cijfers): the same filters the
    statistics take from a beheerder's `Scope` (periods, anonymous client columns, regions), so
    one implementation computes every figure for both. Built from the logged-in organisation."""

    organisation_id: int
    region_id: int

    @property
    def cache_key(self) -> int:
        return self.organisation_id

    def regions(self) -> list[Region]:
        return [session.get(Region, self.region_id)]

    def region_ids(self) -> list[int]:
        return [self.region_id]

    def organisation_versions(self, region_id: int | None = None) -> Select:
        """(id, region id, data version) of the organisation (statistics cache)."""
        query = select(Organisation.id, Organisation.region_id, Organisation.data_version) \
            .where(Organisation.id == self.organisation_id)
        return query if region_id is None else query.where(Organisation.region_id == region_id)

    def anonymous_clients(self, region_id: int | None = None) -> Select:
        """The organisation's client rows (without the name), joined to the organisation."""
        query = (select(*ANONYMOUS_CLIENT_COLUMNS)
                 .join(Organisation, Organisation.id == Client.organisation_id)
                 .where(Client.organisation_id == self.organisation_id))
        return query if region_id is None else query.where(Organisation.region_id == region_id)

    def periods(self, region_id: int | None = None) -> Select:
        """The organisation's periods (joined to Client and Organisation)."""
        query = (select(Period).join(Client, Client.id == Period.client_id)
                 .join(Organisation, Organisation.id == Client.organisation_id)
                 .where(Client.organisation_id == self.organisation_id))
        return query if region_id is None else query.where(Organisation.region_id == region_id)


@lru_cache(maxsize=256)
def _regions_statement(scope: Scope) -> Select:
    """Scope.regions' statement, built once per scope (pages ask for it on every view)."""
    return scope._limit(select(Region).order_by(Region.position), Region.id)


def current_scope() -> Scope:
    """The scope the beheer guard built for this request."""
    return g.beheer_scope


def superbeheerder_only(view):
    """The blueprint admits beheerders only; a provinciebeheerder gets 403 here."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_scope().is_super:
            abort(403)
        return view(*args, **kwargs)
    return wrapper
