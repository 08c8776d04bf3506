"""Two-step verification (SPEC §11): TOTP (RFC 6238) and single-use recovery codes.

- The secret is made on the set-up page and travels, signed and bound to the account, in a hidden
  field of the confirmation form (the page shows it anyway); nothing is stored until a first code
  confirms it. It is then stored sealed by the master key (app/keys.py), never in clear, never
  logged or audited.
- A TOTP code is accepted for the current 30-second step and one step either side (clock drift),
  and only once: the account keeps the last accepted step, raised with one conditional UPDATE, so
  a replayed code (also two parallel submissions of one code) is refused.
- Ten recovery codes are shown once when 2FA is turned on; only their sha256 is stored and each
  is claimed with one conditional UPDATE.

Services change and flush; the caller commits (the views in account_2fa.py and routes.py).
"""

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from .. import keys
from ..db import session
from ..models import Account, RecoveryCode, utcnow

ISSUER = "Registratiesysteem Arbeidszorg"
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LEN = 4
SETUP_MAX_AGE = 3600  # seconds a set-up page stays valid
_SETUP_SALT = "az-totp-setup"

WRONG_CODE = "Deze code klopt niet. Controleer de code in je authenticator-app en probeer opnieuw."
NO_CODE = "Voer de zescijferige code uit je authenticator-app in."
SETUP_EXPIRED = "De instelpagina is verlopen. Scan de nieuwe QR-code en probeer opnieuw."


@dataclass
class Setup:
    """What the set-up page shows: the secret (for typing), the QR code and the signed token."""

    secret: str
    qr_data_uri: str
    token: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SETUP_SALT)


def new_setup(account: Account, secret: str | None = None) -> Setup:
    """A fresh secret (or `secret` again, after a wrong first code) for the set-up page."""
    secret = secret or pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")
    token = _serializer().dumps({"a": account.id, "s": secret})
    return Setup(secret=secret, qr_data_uri=qr, token=token)


def secret_from_setup(account: Account, token: str) -> str | None:
    """The secret of a set-up page this account was shown (signed, at most an hour old)."""
    try:
        data = _serializer().loads(token or "", max_age=SETUP_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account.id or not isinstance(data.get("s"), str):
        return None
    return data["s"]


def format_secret(secret: str) -> str:
    """The secret in groups of four, easier to type into an app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str | None:
    """Six digits typed with or without spaces, else None."""
    compact = re.sub(r"\s+", "", code or "")
    return compact if re.fullmatch(r"[0-9]{6}", compact) else None


def clock() -> float:
    """The time the codes are checked against (tests move it to check steps and drift)."""
    return time.time()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (current ±DRIFT_STEPS) whose code this is, or None."""
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(clock() // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(account: Account, step: int) -> bool:
    """Record `step` as used, only when it is later than the last used one (atomically)."""
    table = Account.__table__
    claimed = session.execute(
        update(table)
        .where(table.c.id == account.id,
               or_(table.c.totp_last_step.is_(None), table.c.totp_last_step < step))
        .values(totp_last_step=step)).rowcount
    if claimed == 1:
        set_committed_value(account, "totp_last_step", step)
    return claimed == 1


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[\s\-]+", "", (code or "").lower())


def _recovery_hash(account_id: int, code: str) -> str:
    return hashlib.sha256(f"recovery:{account_id}:{_normalise_recovery(code)}".encode()).hexdigest()


def new_recovery_codes(account: Account) -> list[str]:
    """Replace the account's recovery codes by RECOVERY_COUNT fresh ones; returns them in clear
    (to be shown once)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    codes = []
    for _ in range(RECOVERY_COUNT):
        groups = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LEN))
                  for _ in range(RECOVERY_GROUPS)]
        code = "-".join(groups)
        codes.append(code)
        session.add(RecoveryCode(account_id=account.id, code_hash=_recovery_hash(account.id, code)))
    session.flush()
    return codes


def recovery_codes_left(account: Account) -> int:
    return session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))) or 0


def enable(account: Account, secret: str, code: str) -> list[str] | None:
    """Turn 2FA on with `secret` when `code` is its current code; returns the recovery codes
    (shown once), or None when the code is wrong (nothing changed)."""
    digits = _digits(code)
    step = _matching_step(secret, digits) if digits else None
    if step is None:
        return None
    sealed = keys.seal_totp_secret(account, secret)
    now = utcnow()
    table = Account.__table__
    # conditional: of two parallel confirmations only one turns it on (and makes the codes)
    turned_on = session.execute(
        update(table).where(table.c.id == account.id, table.c.totp_enabled_at.is_(None))
        .values(totp_secret_enc=sealed, totp_enabled_at=now, totp_last_step=step)).rowcount
    if turned_on != 1:
        return None
    for name, value in (("totp_secret_enc", sealed), ("totp_enabled_at", now),
                        ("totp_last_step", step)):  # this code is used now
        set_committed_value(account, name, value)
    return new_recovery_codes(account)


def check_code(account: Account, code: str) -> str | None:
    """Verify a code for an account with 2FA and use it up: "totp" or "recovery" when accepted,
    None when wrong, replayed or already used."""
    if not account.has_2fa:
        return None
    digits = _digits(code)
    if digits:
        step = _matching_step(keys.totp_secret(account), digits)
        return "totp" if step is not None and _claim_step(account, step) else None
    compact = _normalise_recovery(code)
    if len(compact) != RECOVERY_GROUPS * RECOVERY_GROUP_LEN or any(
            ch not in RECOVERY_ALPHABET for ch in compact):
        return None
    claimed = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.account_id == account.id,
               RecoveryCode.code_hash == _recovery_hash(account.id, compact),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())).rowcount
    return "recovery" if claimed == 1 else None


def reset_second_factor(account: Account) -> None:
    """Turn 2FA off for an account: secret, last step and recovery codes go. Used when the user
    turns it off, when a superbeheerder resets a beheerder's 2FA, and for a fresh invitation of
    a login (which must start without 2FA). The caller audits and commits."""
    account.totp_secret_enc = None
    account.totp_enabled_at = None
    account.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    session.flush()


def required_for(account: Account) -> bool:
    """Whether this account must have 2FA before it can use its part of the app."""
    return account.is_admin and current_app.config["REQUIRE_2FA_BEHEER"]


def missing_for(account: Account) -> bool:
    """A required second factor that is not set up yet."""
    return required_for(account) and not account.has_2fa
