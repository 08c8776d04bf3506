"""The app's master key and the organisation data keys it unwraps (cached per process).

The database holds a check value: a constant sealed under the master key, sealed anew (random
nonce) by every rotation, so it also tells *which* key the database is under. Each process
remembers the check value its key was verified against. A running process learns of a rotation
(`rotate-keys` in another process) as follows:

- reading: a re-wrapped data key no longer opens under the old key; the process then reads the
  check value, and when it changed, loads the new key from instance/master.key (or the
  rotation's pending master.key.new) — or, with MASTER_KEY from the environment, which it cannot
  learn, refuses with KeyRotatedError (a Dutch 503 page: restart with the new key);
- writing a new data key (a new organisation): the check value is read (share-locked on
  PostgreSQL) in the writing transaction itself, so the data key is wrapped under the key the
  database has at commit; a rotation either waits for that commit and re-wraps the new key too,
  or commits first and is seen.
"""

import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from . import crypto
from .db import get_engine, session
from .models import Account, AppMeta, Organisation

log = logging.getLogger(__name__)
CHECK_KEY = "master_key_check"


class KeyRotatedError(crypto.MasterKeyError):
    """The master key was rotated and this process cannot load the new one (MASTER_KEY is set)."""


class _MasterKey:
    """This process's master key and the check value it is known to open, swapped together."""

    def __init__(self, key: bytes, check: bytes | None):
        self.state = (key, check)
        self.lock = threading.Lock()


def pending_key_path(key_path: Path) -> Path:
    """Where rotate-keys writes the new key before its commit (renamed over the key after it)."""
    return key_path.with_name(key_path.name + ".new")


def stored_check(conn=None, lock: bool = False) -> bytes | None:
    stmt = select(AppMeta.value).where(AppMeta.key == CHECK_KEY)
    if lock:
        stmt = stmt.with_for_update(read=True)  # PostgreSQL FOR SHARE; SQLite writers are serial
    return (conn or session).execute(stmt).scalar_one_or_none()


def _file_keys(app):
    """The key in instance/master.key, then a rotation's pending key (the moment between its
    commit and its rename). Nothing when the key comes from MASTER_KEY."""
    if app.config.get("MASTER_KEY"):
        return
    path = crypto.master_key_path(app.instance_path)
    for candidate in (path, pending_key_path(path)):
        try:
            yield crypto.decode_key(candidate.read_text())
        except (OSError, crypto.MasterKeyError):
            continue


def init_app(app) -> None:
    """Load the master key; refuse to start when it is not the key the database was written with."""
    key = crypto.load_master_key(app.config, app.instance_path)
    with app.app_context():
        try:
            with get_engine().connect() as conn:
                blob = stored_check(conn)
        except SQLAlchemyError:
            blob = None  # no schema yet, or database unreachable: checked again when used
    if blob is not None and not crypto.verify_check_value(key, blob):
        key = next((k for k in _file_keys(app) if crypto.verify_check_value(k, blob)), None)
        if key is None:
            raise crypto.MasterKeyError(
                "The configured master key does not match this database. Refusing to start: "
                "set MASTER_KEY (or instance/master.key) to the key the data was written with.")
    app.extensions["master_key"] = _MasterKey(key, blob)
    app.extensions["data_keys"] = {}


def master_key() -> bytes:
    return current_app.extensions["master_key"].state[0]


def adopt(key: bytes) -> None:
    """Use this master key from now on (after this process committed a rotation to it)."""
    current_app.extensions["master_key"].state = (key, None)
    current_app.extensions["data_keys"].clear()


def _key_for(check: bytes | None) -> bytes:
    """This process's master key for a database whose check value is `check`: the key in use,
    or the new one from the key file after a rotation. KeyRotatedError when the new key cannot
    be had (MASTER_KEY from the environment: the process must be restarted with the new key)."""
    app = current_app._get_current_object()
    holder: _MasterKey = app.extensions["master_key"]
    key, known = holder.state
    if check is None or check == known:
        return key
    with holder.lock:
        key, known = holder.state
        if check == known:  # another thread loaded it meanwhile
            return key
        for candidate in (key, *_file_keys(app)):
            if crypto.verify_check_value(candidate, check):
                if candidate != key:
                    log.warning("the master key was rotated: this process now uses the new key "
                                "from %s", crypto.master_key_path(app.instance_path))
                holder.state = (candidate, check)
                return candidate
    raise KeyRotatedError(
        "the master key was rotated (rotate-keys) and this process cannot load the new key: "
        "restart it with the new MASTER_KEY")


def ensure_check_value() -> None:
    """Store the master key check value if the database has none yet."""
    if session.get(AppMeta, CHECK_KEY) is None:
        session.add(AppMeta(key=CHECK_KEY, value=crypto.make_check_value(master_key())))


def give_data_key(org: Organisation) -> None:
    """Give an organisation (already flushed, so it has an id) its own wrapped data key.

    The key it is wrapped under is checked against the database's check value in this same
    transaction, so a rotation cannot leave it wrapped under a discarded master key."""
    check = stored_check(lock=True)
    if check is None:
        ensure_check_value()
    org.data_key = crypto.new_wrapped_data_key(_key_for(check), org.id)


def data_key(org: Organisation) -> bytes:
    """The organisation's data key in clear (cached in this process)."""
    cache = current_app.extensions["data_keys"]
    cached = cache.get(org.id)
    if cached is not None and cached[0] == org.data_key:
        return cached[1]
    key = master_key()
    try:
        clear = crypto.unwrap_data_key(key, org.data_key, org.id)
    except crypto.MasterKeyError:
        # re-wrapped by a rotation? (the check value was committed with the data key we read)
        current = _key_for(stored_check())
        if current == key:
            raise
        clear = crypto.unwrap_data_key(current, org.data_key, org.id)
    cache[org.id] = (org.data_key, clear)
    return clear


def seal_totp_secret(account: Account, secret: str) -> bytes:
    """A TOTP secret sealed under the master key the database has (checked in this transaction,
    as for a new data key, so a parallel rotation cannot leave it under a discarded key)."""
    check = stored_check(lock=True)
    if check is None:
        ensure_check_value()
    return crypto.wrap_totp_secret(_key_for(check), secret, account.id)


def totp_secret(account: Account) -> str:
    """The account's TOTP secret in clear (never cached, never logged)."""
    key = master_key()
    try:
        return crypto.unwrap_totp_secret(key, account.totp_secret_enc, account.id)
    except crypto.MasterKeyError:
        current = _key_for(stored_check())  # re-wrapped by a rotation in another process?
        if current == key:
            raise
        return crypto.unwrap_totp_secret(current, account.totp_secret_enc, account.id)


@contextmanager
def rotation_lock(instance_path: str):
    """Serialise rotate-keys runs on one instance folder (the pending key file is theirs)."""
    import fcntl
    fd = os.open(Path(instance_path) / "master.key.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def rotate(new_master: bytes) -> int:
    """Re-wrap every organisation's data key, every TOTP secret and the check value under a new
    master key.

    Runs in the caller's transaction; returns the number of data keys re-wrapped. The check value
    is locked first: an organisation being created meanwhile either commits before (and is
    re-wrapped here) or waits and then sees the new check value. Raises MasterKeyError when this
    process's key no longer is the database's (another rotation came first). Names are not
    touched: they stay encrypted under the (unchanged) data keys.
    """
    meta = session.execute(select(AppMeta).where(AppMeta.key == CHECK_KEY).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one_or_none()
    old = master_key()
    if meta is not None and not crypto.verify_check_value(old, meta.value):
        raise crypto.MasterKeyError("the master key was rotated meanwhile by another run; "
                                    "nothing was changed")
    if meta is None:
        meta = AppMeta(key=CHECK_KEY)
        session.add(meta)
    meta.value = crypto.make_check_value(new_master)
    session.flush()
    count = 0
    for org in session.scalars(select(Organisation).where(Organisation.data_key.is_not(None))):
        data = crypto.unwrap_data_key(old, org.data_key, org.id)
        org.data_key = crypto.wrap_data_key(new_master, data, org.id)
        count += 1
    for account in session.scalars(select(Account).where(Account.totp_secret_enc.is_not(None))):
        secret = crypto.unwrap_totp_secret(old, account.totp_secret_enc, account.id)
        account.totp_secret_enc = crypto.wrap_totp_secret(new_master, secret, account.id)
    return count
