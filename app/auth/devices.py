"""Device cookies, as OWASP describes them ("Slow Down Online Guessing Attacks with Device Cookies").

A browser that logged in successfully gets the cookie `az_device`: for up to MAX_ENTRIES login
addresses (newest first) a pair (hash of the address, nonce), signed with SECRET_KEY. The
database keeps one TrustedDevice row per nonce (by its sha256) with that browser's own failure
counter and lockout. A login attempt that presents a valid entry for the address it logs in to
is judged on that device's counter only, so wrong passwords typed elsewhere never stop it; all
other attempts are "untrusted clients" and count toward the account's lockout of those.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, update

from ..db import session
from ..models import Account, TrustedDevice

COOKIE = "az_device"
MAX_ENTRIES = 5  # browsers shared by a few logins keep each of them trusted
_SALT = "az-device-cookie"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _address_key(email: str) -> str:
    """What the cookie keeps of a login address: not the address itself."""
    return _digest("address:" + email)[:24]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def _entries() -> list[list[str]]:
    """The signed [address key, nonce] pairs of this request's cookie; [] when absent or forged."""
    if "device_entries" not in g:
        entries = []
        raw = request.cookies.get(COOKIE, "")
        if raw and len(raw) <= 2048:
            try:
                data = _serializer().loads(raw)
            except BadSignature:
                data = None
            if isinstance(data, list):
                entries = [item for item in data[:MAX_ENTRIES]
                           if isinstance(item, list) and len(item) == 2
                           and all(isinstance(v, str) and 0 < len(v) <= 64 for v in item)]
        g.device_entries = entries
    return g.device_entries


def nonce_for(email: str) -> str | None:
    """The nonce this browser holds for a (normalised) login address, if its cookie is genuine."""
    key = _address_key(email)
    return next((nonce for address, nonce in _entries() if address == key), None)


def limiter_key(email: str) -> str | None:
    """A rate-limit key of its own for a browser with a device cookie for this address."""
    nonce = nonce_for(email)
    return "device:" + _digest(nonce)[:32] if nonce else None


def find(account: Account, nonce: str | None, now: datetime) -> TrustedDevice | None:
    """The trusted device behind a cookie nonce, when it belongs to this account and is not stale."""
    if not nonce:
        return None
    row = session.get(TrustedDevice, _digest(nonce))
    days = current_app.config["DEVICE_COOKIE_DAYS"]
    if row is None or row.account_id != account.id or row.last_login_at < now - timedelta(days=days):
        return None
    return row


def trust(account: Account, device: TrustedDevice | None, now: datetime) -> str:
    """After a successful login: a fresh nonce for this browser (a new row, or the device's row
    with a new nonce and clean counters); returns the nonce for the cookie."""
    nonce = secrets.token_urlsafe(16)
    if device is not None:
        # a new nonce: the old cookie value stops working. Conditional, because a parallel
        # login of the same browser (a double click) may have renewed it already.
        table = TrustedDevice.__table__
        renewed = session.execute(
            update(table).where(table.c.id == device.id)
            .values(id=_digest(nonce), last_login_at=now, failed_logins=0, failed_since=None,
                    locked_until=None)).rowcount
        session.expunge(device)
        if renewed == 1:
            return nonce
    cutoff = now - timedelta(days=current_app.config["DEVICE_COOKIE_DAYS"])
    session.execute(delete(TrustedDevice).where(TrustedDevice.account_id == account.id,
                                                TrustedDevice.last_login_at < cutoff))
    session.add(TrustedDevice(id=_digest(nonce), account_id=account.id, created_at=now,
                              last_login_at=now, failed_logins=0))
    return nonce


def remember(response, email: str, nonce: str) -> None:
    """Put (address, nonce) first in this browser's device cookie."""
    key = _address_key(email)
    entries = [[key, nonce]] + [e for e in _entries() if e[0] != key]
    cfg = current_app.config
    response.set_cookie(COOKIE, _serializer().dumps(entries[:MAX_ENTRIES]),
                        max_age=cfg["DEVICE_COOKIE_DAYS"] * 24 * 3600, path="/", httponly=True,
                        samesite="Lax", secure=cfg["SESSION_COOKIE_SECURE"])
