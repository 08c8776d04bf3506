"""The app's master key and the organisation data keys it unwraps (cached per process)."""

import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from . import crypto
from .db import get_engine, session
from .models import AppMeta, Organisation

log = logging.getLogger(__name__)
CHECK_KEY = "master_key_check"


def init_app(app) -> None:
    """Load the master key; refuse to start when it is not the key the database was written with."""
    app.extensions["master_key"] = crypto.load_master_key(app.config, app.instance_path)
    app.extensions["data_keys"] = {}
    with app.app_context():
        try:
            with get_engine().connect() as conn:
                blob = conn.execute(
                    select(AppMeta.value).where(AppMeta.key == CHECK_KEY)).scalar_one_or_none()
        except SQLAlchemyError:
            blob = None  # no schema yet, or database unreachable: checked again when used
    if blob is not None and not crypto.verify_check_value(app.extensions["master_key"], blob):
        raise crypto.MasterKeyError(
            "The configured master key does not match this database. Refusing to start: "
            "set MASTER_KEY (or instance/master.key) to the key the data was written with.")


def master_key() -> bytes:
    return current_app.extensions["master_key"]


def ensure_check_value() -> None:
    """Store the master key check value if the database has none yet."""
    if session.get(AppMeta, CHECK_KEY) is None:
        session.add(AppMeta(key=CHECK_KEY, value=crypto.make_check_value(master_key())))


def give_data_key(org: Organisation) -> None:
    """Give an organisation (already flushed, so it has an id) its own wrapped data key."""
    org.data_key = crypto.new_wrapped_data_key(master_key(), org.id)


def data_key(org: Organisation) -> bytes:
    """The organisation's data key in clear (cached in this process)."""
    cache = current_app.extensions["data_keys"]
    cached = cache.get(org.id)
    if cached is not None and cached[0] == org.data_key:
        return cached[1]
    key = crypto.unwrap_data_key(master_key(), org.data_key, org.id)
    cache[org.id] = (org.data_key, key)
    return key


def rotate(new_master: bytes) -> int:
    """Re-wrap every organisation's data key and the check value under a new master key.

    Runs in the caller's transaction; returns the number of data keys re-wrapped. Names are not
    touched: they stay encrypted under the (unchanged) data keys.
    """
    old = master_key()
    count = 0
    for org in session.scalars(select(Organisation).where(Organisation.data_key.is_not(None))):
        data = crypto.unwrap_data_key(old, org.data_key, org.id)
        org.data_key = crypto.wrap_data_key(new_master, data, org.id)
        count += 1
    meta = session.get(AppMeta, CHECK_KEY)
    if meta is None:
        session.add(AppMeta(key=CHECK_KEY, value=crypto.make_check_value(new_master)))
    else:
        meta.value = crypto.make_check_value(new_master)
    return count
