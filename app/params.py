"""Numbers from URLs and forms: one parser, ASCII digits only (SPEC §14)."""

import re

DB_INT_MAX = 2**31 - 1  # the largest database INTEGER (ids, numbers)
_ASCII_INT = re.compile(r"[0-9]{1,18}")


def ascii_int(raw: str | None, *, min: int = 0, max: int = DB_INT_MAX) -> int | None:
    """A whole number written with the ASCII digits 0-9 only, within [min, max]; else None.

    The one parser for every number in a URL or a form (page, jaar, ids, nr, trede): Python's
    int() and str.isdigit() also take '²', '١٢', '１２' or '𝟙' (and isdigit() lets '²' through
    to an int() that fails), so neither is used on input. Surrounding spaces are allowed; a
    sign, a decimal point or anything else is not. The default range is a database INTEGER.
    """
    text = (raw or "").strip()
    if not _ASCII_INT.fullmatch(text):
        return None
    value = int(text)
    return value if min <= value <= max else None
