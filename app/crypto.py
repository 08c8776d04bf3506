"""Master key, per-organisation data keys and the AES-GCM primitives for client names.

Layout: the master key (32 bytes, outside the database) wraps one random data key per
organisation (AES-GCM, associated data = the organisation id), and each account's TOTP secret
(associated data = the account id). A client name is encrypted with its
organisation's data key, the associated data being the client's identity (organisation id and
volgnummer), so a ciphertext copied onto another row does not decrypt.
"""

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import files

VERSION = b"\x01"
_CHECK_PLAINTEXT = b"arbeidszorg master key check"


class MasterKeyError(RuntimeError):
    """The configured master key is missing, malformed or not the one the data was written with."""


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str) -> bytes:
    """Parse a base64 master key; raise MasterKeyError when it is not 32 bytes."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise MasterKeyError("MASTER_KEY is not valid base64") from exc
    if len(key) != 32:
        raise MasterKeyError("MASTER_KEY must be 32 bytes (base64-encoded)")
    return key


def master_key_path(instance_path: str) -> Path:
    return Path(instance_path) / "master.key"


def load_master_key(config: dict, instance_path: str) -> bytes:
    """The master key from MASTER_KEY, else instance/master.key (created with mode 0600)."""
    if config.get("MASTER_KEY"):
        return decode_key(config["MASTER_KEY"])
    path = master_key_path(instance_path)
    if not path.exists():
        write_key_file(path, AESGCM.generate_key(bit_length=256))
    return decode_key(path.read_text())


def write_key_file(path: Path, key: bytes) -> None:
    """Write a key file atomically with mode 0600."""
    files.private_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    files.write_private(tmp, (encode_key(key) + "\n").encode(), exclusive=False)
    os.replace(tmp, path)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-GCM: version byte + 12-byte nonce + ciphertext and tag (the one format of this app)."""
    nonce = os.urandom(12)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """The plaintext of seal(); raise cryptography's InvalidTag when key, blob or aad differ."""
    if not blob or blob[:1] != VERSION:
        raise InvalidTag("unknown ciphertext version")
    return AESGCM(key).decrypt(blob[1:13], blob[13:], aad)


def make_check_value(master: bytes) -> bytes:
    """A value stored in the database that only the right master key opens."""
    return seal(master, _CHECK_PLAINTEXT, b"check")


def verify_check_value(master: bytes, blob: bytes) -> bool:
    try:
        return unseal(master, blob, b"check") == _CHECK_PLAINTEXT
    except InvalidTag:
        return False


def new_wrapped_data_key(master: bytes, organisation_id: int) -> bytes:
    """A fresh random data key for an organisation, wrapped by the master key."""
    return wrap_data_key(master, AESGCM.generate_key(bit_length=256), organisation_id)


def wrap_data_key(master: bytes, data_key: bytes, organisation_id: int) -> bytes:
    return seal(master, data_key, f"org:{organisation_id}".encode())


def unwrap_data_key(master: bytes, wrapped: bytes, organisation_id: int) -> bytes:
    """Raise MasterKeyError when the master key does not open this data key."""
    try:
        return unseal(master, wrapped, f"org:{organisation_id}".encode())
    except InvalidTag as exc:
        raise MasterKeyError(f"data key of organisation {organisation_id} does not open") from exc


def _totp_aad(account_id: int) -> bytes:
    return f"totp:{account_id}".encode()


def wrap_totp_secret(master: bytes, secret: str, account_id: int) -> bytes:
    """A TOTP secret sealed by the master key, bound to its account (copied onto another
    account's row it does not open)."""
    return seal(master, secret.encode("ascii"), _totp_aad(account_id))


def unwrap_totp_secret(master: bytes, blob: bytes, account_id: int) -> str:
    """Raise MasterKeyError when the master key does not open this secret."""
    try:
        return unseal(master, blob, _totp_aad(account_id)).decode("ascii")
    except InvalidTag as exc:
        raise MasterKeyError(f"TOTP secret of account {account_id} does not open") from exc


def _name_aad(organisation_id: int, nr: int) -> bytes:
    return f"client:{organisation_id}:{nr}".encode()


def encrypt_name(data_key: bytes, organisation_id: int, nr: int, name: str) -> bytes:
    return seal(data_key, name.encode("utf-8"), _name_aad(organisation_id, nr))


def decrypt_name(data_key: bytes, organisation_id: int, nr: int, blob: bytes) -> str:
    """Raise cryptography's InvalidTag when the blob does not belong to this client."""
    return unseal(data_key, blob, _name_aad(organisation_id, nr)).decode("utf-8")


def _draft_key(data_key: bytes, token: str) -> bytes:
    """The key of one form draft: the organisation's data key and the draft's random token
    (held only by the browser's cookie; the database keeps its hash), so neither the database
    with the master key nor the cookie alone opens the draft."""
    return hmac.new(data_key, b"form-draft:" + token.encode("ascii"), hashlib.sha256).digest()


def _draft_aad(organisation_id: int, path: str) -> bytes:
    return f"draft:{organisation_id}:{path}".encode()


def seal_draft(data_key: bytes, token: str, organisation_id: int, path: str, data: bytes) -> bytes:
    return seal(_draft_key(data_key, token), data, _draft_aad(organisation_id, path))


def open_draft(data_key: bytes, token: str, organisation_id: int, path: str, blob: bytes) -> bytes:
    """Raise cryptography's InvalidTag when token, organisation or path differ."""
    return unseal(_draft_key(data_key, token), blob, _draft_aad(organisation_id, path))


def _search_aad(organisation_id: int) -> bytes:
    return f"dashboard-search:{organisation_id}".encode()


def seal_search(data_key: bytes, organisation_id: int, text: str) -> bytes:
    """The dashboard's search text for the signed (readable) cookie: it may be initials."""
    return seal(data_key, text.encode("utf-8"), _search_aad(organisation_id))


def open_search(data_key: bytes, organisation_id: int, blob: bytes) -> str:
    """Raise cryptography's InvalidTag when the blob is not this organisation's."""
    return unseal(data_key, blob, _search_aad(organisation_id)).decode("utf-8")


def name_decrypter(data_key: bytes, organisation_id: int):
    """decrypt_name for many clients of one organisation (a page of the dashboard): one cipher
    object for all of them. The returned function takes (nr, blob) and raises what
    decrypt_name raises."""
    decrypt = AESGCM(data_key).decrypt

    def name(nr: int, blob: bytes) -> str:
        if not blob or blob[:1] != VERSION:  # the checks of unseal()
            raise InvalidTag("unknown ciphertext version")
        return decrypt(blob[1:13], blob[13:], _name_aad(organisation_id, nr)).decode("utf-8")

    return name
