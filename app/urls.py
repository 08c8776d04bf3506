"""URL converters."""

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
