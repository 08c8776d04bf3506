"""A token that changes whenever clients, periods or code lists change.

Expensive read-only results (the yearly statistics) are cached per process under this token, so a
cached result is never served after the data it was computed from has changed. Every ORM flush
that touches a Client, Period or CodeOption writes a new random token in the same transaction;
bulk statements (demo data, deletion on request) call bump() themselves.
"""

import os
from collections import OrderedDict
from itertools import chain

from flask import current_app
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from .db import session
from .models import AppMeta, Client, CodeOption, Period

KEY = "data_version"
_WATCHED = (Client, Period, CodeOption)
CACHE_SIZE = 64


def ensure() -> None:
    """Create the token row (upgrade-db and seeding call this)."""
    if session.get(AppMeta, KEY) is None:
        session.execute(insert(AppMeta).values(key=KEY, value=os.urandom(8)))


def bump(sess: Session | None = None) -> None:
    """Give the data a new version (in the caller's transaction)."""
    (sess or session).execute(update(AppMeta).where(AppMeta.key == KEY).values(value=os.urandom(8)))


@event.listens_for(Session, "after_flush")
def _after_flush(sess: Session, _context) -> None:
    if any(isinstance(obj, _WATCHED) for obj in chain(sess.new, sess.dirty, sess.deleted)):
        bump(sess)


def current() -> bytes | None:
    return session.scalar(select(AppMeta.value).where(AppMeta.key == KEY))


def cached(name: str, key: tuple, compute):
    """compute() once per data version (per process); without a version row, always compute."""
    version = current()
    if version is None:
        return compute()
    cache: OrderedDict = current_app.extensions.setdefault("dataversion_cache", OrderedDict())
    full_key = (name, version, *key)
    if full_key in cache:
        cache.move_to_end(full_key)
        return cache[full_key]
    value = compute()
    cache[full_key] = value
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return value
