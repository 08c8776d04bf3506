"""The one place where client names are encrypted and decrypted. Organisation views only."""

import logging

from cryptography.exceptions import InvalidTag

from .. import crypto, keys
from ..models import Client, Organisation

log = logging.getLogger(__name__)
UNREADABLE = "(naam onleesbaar)"


def seal(org: Organisation, nr: int, name: str | None) -> bytes | None:
    """The stored form of a name (None when empty)."""
    name = (name or "").strip()
    if not name:
        return None
    return crypto.encrypt_name(keys.data_key(org), org.id, nr, name)


def reveal(org: Organisation, nr: int, blob: bytes | None) -> str:
    """The name in clear for the organisation's own pages ('' when there is none)."""
    if not blob:
        return ""
    try:
        return crypto.decrypt_name(keys.data_key(org), org.id, nr, blob)
    except InvalidTag:
        log.error("name of client nr %s of organisation %s does not decrypt", nr, org.id)
        return UNREADABLE


def revealer(org: Organisation):
    """reveal() for many clients of the organisation (one page of a list): the data key and the
    cipher are looked up once. The returned function takes (nr, blob)."""
    decrypt = crypto.name_decrypter(keys.data_key(org), org.id)

    def name(nr: int, blob: bytes | None) -> str:
        if not blob:
            return ""
        try:
            return decrypt(nr, blob)
        except InvalidTag:
            log.error("name of client nr %s of organisation %s does not decrypt", nr, org.id)
            return UNREADABLE

    return name


def of_client(org: Organisation, client: Client) -> str:
    assert client.organisation_id == org.id
    return reveal(org, client.nr, client.name_enc)
