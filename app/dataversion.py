"""Tokens that change whenever the clients, periods or code lists of a region change.

Expensive read-only results (the yearly statistics) are cached per process under these tokens, so
a cached result is never served after the data it was computed from has changed. There is one
token per region: every ORM flush that touches a Client or Period writes a new random token for
that client's region, in the same transaction (so writers in different regions never wait on one
row); a change of a code option or of an organisation's region renews every token. The same flush
adds one to the `data_version` of each organisation whose clients or periods (or region) it
changes (the statistics cache each organisation's counts under it, in the process and in the
table statistics_tally, so a write recounts one organisation).
Bulk statements (demo data, deletion on request) call bump() themselves. A result for all regions
is cached under all tokens together.

`cached()` is single flight per cache key: when several threads of one process ask for the same
missing result at once, one computes it and the others wait for its result (or its exception)
instead of each computing the same figures after a write.
"""

import os
import threading
from collections import OrderedDict
from itertools import chain

from flask import current_app
from sqlalchemy import bindparam, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from .db import session
from .models import AppMeta, Client, CodeOption, Organisation, Period, Region

PREFIX = "data_version:"
CACHE_SIZE = 4096  # entries; the statistics keep one per organisation and year viewed
FLIGHT_TIMEOUT = 120  # seconds a waiter waits for another thread's computation before its own
_UNSET = object()


def _key(region_id: int) -> str:
    return f"{PREFIX}{region_id}"


def ensure() -> None:
    """Create the token rows (upgrade-db and seeding call this after the regions exist)."""
    existing = set(session.scalars(select(AppMeta.key).where(AppMeta.key.startswith(PREFIX))))
    for region_id in session.scalars(select(Region.id)):
        if _key(region_id) not in existing:
            session.execute(insert(AppMeta).values(key=_key(region_id), value=os.urandom(8)))


def bump(sess: Session | None = None, region_ids=None, organisation_ids=None) -> None:
    """Give the data of these organisations (their regions too), or these regions, or (default)
    everything a new version, in the caller's transaction."""
    sess = sess or session
    if organisation_ids is not None:
        organisation_ids = list(organisation_ids)
        if not organisation_ids:
            return
        if region_ids is None:
            region_ids = set(sess.scalars(select(Organisation.region_id)
                                          .where(Organisation.id.in_(organisation_ids))))
    orgs = update(Organisation).values(data_version=Organisation.data_version + 1) \
        .execution_options(synchronize_session=False)
    if organisation_ids is not None:
        sess.execute(orgs.where(Organisation.id.in_(organisation_ids)))
    elif region_ids is not None:
        sess.execute(orgs.where(Organisation.region_id.in_(list(region_ids))))
    else:
        sess.execute(orgs)
    query = update(AppMeta).values(value=os.urandom(8))
    if region_ids is None:
        query = query.where(AppMeta.key.startswith(PREFIX))
    else:
        query = query.where(AppMeta.key.in_([_key(r) for r in region_ids]))
    sess.execute(query)


def _changed(sess: Session) -> tuple[set[int] | None, set[int]]:
    """(regions whose tokens this flush renews, None for all of them; organisations whose
    clients or periods it changes)."""
    org_ids: set[int] = set()
    client_ids: set[int] = set()
    every_region = False
    for obj in chain(sess.new, sess.dirty, sess.deleted):
        if isinstance(obj, CodeOption):
            every_region = True
        elif isinstance(obj, Organisation) and obj not in sess.new \
                and inspect(obj).attrs.region_id.history.has_changes():
            every_region = True
            org_ids.add(obj.id)  # its counts are per region: stored ones must not be reused
        elif isinstance(obj, Client):
            org_ids.add(obj.organisation_id)
        elif isinstance(obj, Period) and obj.client_id is not None:
            client_ids.add(obj.client_id)
    if client_ids:
        org_ids.update(sess.scalars(select(Client.organisation_id).where(Client.id.in_(client_ids))))
    org_ids.discard(None)
    if every_region:
        return None, org_ids
    if not org_ids:
        return set(), org_ids
    return set(sess.scalars(select(Organisation.region_id).where(Organisation.id.in_(org_ids)))), \
        org_ids


@event.listens_for(Session, "after_flush")
def _after_flush(sess: Session, _context) -> None:
    regions, org_ids = _changed(sess)
    if org_ids:
        sess.execute(update(Organisation).where(Organisation.id.in_(org_ids))
                     .values(data_version=Organisation.data_version + 1)
                     .execution_options(synchronize_session=False))
    if regions is None or regions:
        query = update(AppMeta).values(value=os.urandom(8))
        if regions is not None:
            query = query.where(AppMeta.key.in_([_key(r) for r in regions]))
        else:
            query = query.where(AppMeta.key.startswith(PREFIX))
        sess.execute(query)


_ALL_TOKENS = (select(AppMeta.__table__.c.value).where(AppMeta.__table__.c.key.startswith(PREFIX))
               .order_by(AppMeta.__table__.c.key))
_ONE_TOKEN = select(AppMeta.__table__.c.value).where(AppMeta.__table__.c.key == bindparam("key"))


def current(region_id: int | None) -> tuple | None:
    """The token of one region, or of all regions together (None when there are none yet).
    Read with prebuilt Core statements (the report pages read them on every view)."""
    if region_id is None:
        values = tuple(session.connection().execute(_ALL_TOKENS).scalars())
    else:
        values = tuple(session.connection().execute(_ONE_TOKEN, {"key": _key(region_id)}).scalars())
    return values or None


def versions() -> dict[int, bytes]:
    """Every region's token in one query: {region id: token}."""
    rows = session.execute(select(AppMeta.key, AppMeta.value).where(AppMeta.key.startswith(PREFIX)))
    return {int(key[len(PREFIX):]): value for key, value in rows}


class _Flight:
    """One computation in progress; the threads that want the same result wait on it."""

    def __init__(self):
        self.done = threading.Event()
        self.value = None
        self.error: BaseException | None = None


def _state():
    """This app's cache, its computations in progress and their lock."""
    ext = current_app.extensions
    state = ext.get("dataversion_cache")
    if state is None:
        state = ext.setdefault("dataversion_cache", (OrderedDict(), {}, threading.Lock()))
    return state


def cached(name: str, key: tuple, compute, region_id: int | None = None, version=_UNSET):
    """compute() once per data version of the region (None: all regions), per process.

    `version` may be given when the caller read the tokens already (`versions()`). Single flight:
    while one thread computes a key, other threads asking for it wait for that result; when the
    computation raises, they raise the same error and nothing is cached (the next call retries).
    """
    if version is _UNSET:
        version = current(region_id)
    if version is None:
        return compute()
    cache, flights, lock = _state()
    full_key = (name, version, region_id, *key)
    with lock:
        if full_key in cache:
            cache.move_to_end(full_key)
            return cache[full_key]
        flight = flights.get(full_key)
        leader = flight is None
        if leader:
            flight = flights[full_key] = _Flight()
    if not leader:
        if flight.done.wait(FLIGHT_TIMEOUT):
            if flight.error is not None:
                raise flight.error
            return flight.value
        return compute()  # the leader is stuck: answer anyway, without caching
    try:
        flight.value = compute()
    except BaseException as error:
        flight.error = error
        raise
    else:
        with lock:
            cache[full_key] = flight.value
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
    finally:
        with lock:
            flights.pop(full_key, None)
        flight.done.set()
    return flight.value


def cached_many(name: str, items: dict, compute_many) -> dict:
    """Like cached() for many keys at once: `items` maps each key to its version;
    compute_many(keys) returns {key: value} for the keys that are neither cached nor being
    computed by another thread (one call for all of them). Single flight per key."""
    cache, flights, lock = _state()
    result, mine, theirs = {}, {}, {}
    with lock:
        for key, version in items.items():
            full_key = (name, version, key)
            if full_key in cache:
                cache.move_to_end(full_key)
                result[key] = cache[full_key]
            elif full_key in flights:
                theirs[key] = flights[full_key]
            else:
                mine[key] = flights[full_key] = _Flight()
    if mine:
        try:
            values = compute_many(list(mine))
        except BaseException as error:
            for flight in mine.values():
                flight.error = error
            raise
        else:
            with lock:
                for key, flight in mine.items():
                    flight.value = result[key] = cache[(name, items[key], key)] = values[key]
                while len(cache) > CACHE_SIZE:
                    cache.popitem(last=False)
        finally:
            with lock:
                for key in mine:
                    flights.pop((name, items[key], key), None)
            for flight in mine.values():
                flight.done.set()
    for key, flight in theirs.items():
        if not flight.done.wait(FLIGHT_TIMEOUT):
            result.update(compute_many([key]))
            continue
        if flight.error is not None:
            raise flight.error
        result[key] = flight.value
    return result
