"""URL converters."""

from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """<int:…> that only matches what fits a database INTEGER, so a huge id is a plain 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)
