"""URL converters and URL templates."""

from flask import url_for
from werkzeug.routing import IntegerConverter

from .params import DB_INT_MAX


class BoundedIntConverter(IntegerConverter):
    """<int:…> that only matches ASCII digits and what fits a database INTEGER: anything else
    (a huge id, '١٢', '１２') is a plain 404. Werkzeug's own pattern is `\\d+`, which also matches
    other scripts' digits, and int() reads '١٢' as 12: /clienten/١٢ would be client 12."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


_SENTINEL = 987654321  # a value for each parameter, to be found and replaced in the built URL


def url_template(endpoint: str, *params: str) -> str:
    """url_for(endpoint) as a %-format string with one %s for each of `params`, in that order:
    a list builds each row's link as `template % (value, ...)`, with one url_for per page instead
    of one per row. Prefix (SCRIPT_NAME), host and quoting are url_for's own."""
    values = {name: _SENTINEL + i for i, name in enumerate(params)}
    url = url_for(endpoint, **values).replace("%", "%%")
    positions = [url.find(str(value)) for value in values.values()]
    if any(url.count(str(value)) != 1 for value in values.values()) or positions != sorted(positions):
        raise ValueError(f"cannot make a URL template of {endpoint} with {params}")
    for value in values.values():
        url = url.replace(str(value), "%s")
    return url
