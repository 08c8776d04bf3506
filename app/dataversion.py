"""Tokens that change whenever the clients, periods or code lists of a region change.

Expensive read-only results (the yearly statistics) are cached per process under these tokens, so
a cached result is never served after the data it was computed from has changed. There is one
token per region: every ORM flush that touches a Client or Period writes a new random token for
that client's region, in the same transaction (so writers in different regions never wait on one
row); a change of a code option or of an organisation's region renews every token. Bulk statements
(demo data, deletion on request) call bump() themselves. A result for all regions is cached under
all tokens together.
"""

import os
from collections import OrderedDict
from itertools import chain

from flask import current_app
from sqlalchemy import bindparam, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from .db import session
from .models import AppMeta, Client, CodeOption, Organisation, Period, Region

PREFIX = "data_version:"
CACHE_SIZE = 64


def _key(region_id: int) -> str:
    return f"{PREFIX}{region_id}"


def ensure() -> None:
    """Create the token rows (upgrade-db and seeding call this after the regions exist)."""
    existing = set(session.scalars(select(AppMeta.key).where(AppMeta.key.startswith(PREFIX))))
    for region_id in session.scalars(select(Region.id)):
        if _key(region_id) not in existing:
            session.execute(insert(AppMeta).values(key=_key(region_id), value=os.urandom(8)))


def bump(sess: Session | None = None, region_ids=None) -> None:
    """Give the data of these regions (default: all) a new version, in the caller's transaction."""
    query = update(AppMeta).values(value=os.urandom(8))
    if region_ids is None:
        query = query.where(AppMeta.key.startswith(PREFIX))
    else:
        query = query.where(AppMeta.key.in_([_key(r) for r in region_ids]))
    (sess or session).execute(query)


def _changed_regions(sess: Session) -> set[int] | None:
    """Regions whose statistics this flush changes; None means all of them."""
    org_ids: set[int] = set()
    client_ids: set[int] = set()
    for obj in chain(sess.new, sess.dirty, sess.deleted):
        if isinstance(obj, CodeOption):
            return None
        if isinstance(obj, Organisation) and inspect(obj).attrs.region_id.history.has_changes() \
                and obj not in sess.new:
            return None
        if isinstance(obj, Client):
            org_ids.add(obj.organisation_id)
        elif isinstance(obj, Period) and obj.client_id is not None:
            client_ids.add(obj.client_id)
    if client_ids:
        org_ids.update(sess.scalars(select(Client.organisation_id).where(Client.id.in_(client_ids))))
    if not org_ids:
        return set()
    return set(sess.scalars(select(Organisation.region_id).where(Organisation.id.in_(org_ids))))


@event.listens_for(Session, "after_flush")
def _after_flush(sess: Session, _context) -> None:
    regions = _changed_regions(sess)
    if regions is None or regions:
        bump(sess, regions)


_ALL_TOKENS = select(AppMeta.value).where(AppMeta.key.startswith(PREFIX)).order_by(AppMeta.key)
_ONE_TOKEN = select(AppMeta.__table__.c.value).where(AppMeta.__table__.c.key == bindparam("key"))


def current(region_id: int | None) -> tuple | None:
    """The token of one region, or of all regions together (None when there are none yet).
    One region's token is read with a prebuilt Core statement (pages read it on every request)."""
    if region_id is None:
        values = tuple(session.scalars(_ALL_TOKENS))
    else:
        values = tuple(session.connection().execute(_ONE_TOKEN, {"key": _key(region_id)}).scalars())
    return values or None


def cached(name: str, key: tuple, compute, region_id: int | None = None):
    """compute() once per data version of the region (None: all regions), per process."""
    version = current(region_id)
    if version is None:
        return compute()
    cache: OrderedDict = current_app.extensions.setdefault("dataversion_cache", OrderedDict())
    full_key = (name, version, region_id, *key)
    if full_key in cache:
        cache.move_to_end(full_key)
        return cache[full_key]
    value = compute()
    cache[full_key] = value
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return value
