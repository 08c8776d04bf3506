"""Failure counters and temporary lockouts of login attempts.

Known accounts: the counters live in the database (`account` for untrusted clients,
`trusted_device` per device cookie) and are changed with one conditional UPDATE … RETURNING, so
parallel wrong passwords are all counted (no read-modify-write in Python).

Unknown addresses: nothing can be locked, but the answers must not tell that the address has
no account. Their failures are counted, with exactly the same rule, in the rate-limit storage
(memory, or Redis shared by all workers), under a hash of the typed address; those entries expire
by themselves.

The rule: LOCKOUT_AFTER_FAILURES wrong passwords within LOCKOUT_WINDOW_HOURS of the first one
refuse further attempts for LOCKOUT_MINUTES; attempts refused that way are not counted.
"""

import hashlib
import threading
from datetime import datetime, timedelta

from flask import current_app
from limits.storage import storage_from_string
from sqlalchemy import Table, case, or_, update

from ..db import session

_storage_lock = threading.Lock()


def count_failure(table: Table, row_id, now: datetime) -> tuple[int | None, bool]:
    """Count one wrong password on a row of `table` (account or trusted_device).

    Returns (count, locked_now): count is None when the row was locked meanwhile by a parallel
    request (the attempt is not counted); locked_now is True for the one attempt that locks it.
    """
    cfg = current_app.config
    c = table.c
    fresh = or_(c.failed_since.is_(None),
                c.failed_since <= now - timedelta(hours=cfg["LOCKOUT_WINDOW_HOURS"]))
    count = session.execute(
        update(table)
        .where(c.id == row_id, or_(c.locked_until.is_(None), c.locked_until <= now))
        .values(failed_logins=case((fresh, 1), else_=c.failed_logins + 1),
                failed_since=case((fresh, now), else_=c.failed_since))
        .returning(c.failed_logins)).scalar()
    if count is None or count < cfg["LOCKOUT_AFTER_FAILURES"]:
        return count, False
    # only one of several parallel attempts over the limit finds the counter still full
    locked = session.execute(
        update(table)
        .where(c.id == row_id, c.failed_logins >= cfg["LOCKOUT_AFTER_FAILURES"])
        .values(locked_until=now + timedelta(minutes=cfg["LOCKOUT_MINUTES"]), failed_logins=0,
                failed_since=None)
        .returning(c.id)).scalar()
    return count, locked is not None


def _storage():
    app = current_app._get_current_object()
    storage = app.extensions.get("unknown_login_storage")
    if storage is None:
        with _storage_lock:
            storage = app.extensions.get("unknown_login_storage")
            if storage is None:
                storage = storage_from_string(app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
                                              **app.config.get("RATELIMIT_STORAGE_OPTIONS", {}))
                app.extensions["unknown_login_storage"] = storage
    return storage


def _key(email: str) -> str:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    return f"{prefix}az-unknown-login/" + hashlib.sha256(email.encode()).hexdigest()[:32]


def unknown_locked(email: str) -> bool:
    """Whether an address without an account is in its (pretended) lockout."""
    return _storage().get(_key(email) + "/lock") > 0


def unknown_failure(email: str) -> bool:
    """Count a failed attempt on an address without an account; True when it now 'locks'."""
    cfg = current_app.config
    key = _key(email)
    storage = _storage()
    count = storage.incr(key + "/count", cfg["LOCKOUT_WINDOW_HOURS"] * 3600)
    if count < cfg["LOCKOUT_AFTER_FAILURES"]:
        return False
    storage.clear(key + "/count")
    storage.incr(key + "/lock", cfg["LOCKOUT_MINUTES"] * 60)
    return True
