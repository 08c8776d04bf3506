"""URL converters and URL templates."""

from flask import current_app, has_request_context, request, url_for
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
    of one per row. Prefix (SCRIPT_NAME), host and quoting are url_for's own. In a request it is
    built once per URL prefix and kept with the page's other links (`_links`)."""
    # kept per prefix; a '.name' endpoint depends on the blueprint, so it is built every time
    links = _links() if has_request_context() and endpoint[0] != "." else None
    key = ("template", endpoint, params)
    if links is not None and key in links:
        return links[key]
    values = {name: _SENTINEL + i for i, name in enumerate(params)}
    url = url_for(endpoint, **values).replace("%", "%%")
    positions = [url.find(str(value)) for value in values.values()]
    if any(url.count(str(value)) != 1 for value in values.values()) or positions != sorted(positions):
        raise ValueError(f"cannot make a URL template of {endpoint} with {params}")
    for value in values.values():
        url = url.replace(str(value), "%s")
    if links is not None:
        links[key] = url
    return url


_PREFIXES_KEPT = 16  # URL prefixes (SCRIPT_NAME) with kept links; a flood of forwarded ones only
# empties the store


def _links() -> dict:
    """The links kept for this request's URL prefix (SCRIPT_NAME): one dict per prefix, at most
    _PREFIXES_KEPT of them (a flood of forwarded prefixes only empties the store)."""
    store = current_app.extensions.setdefault("page_links", {})
    links = store.get(request.root_path)
    if links is None:
        if len(store) >= _PREFIXES_KEPT:
            store.clear()
        links = store[request.root_path] = {}
    return links


def page_links() -> dict:
    """Context processor: the templates' url_for. A link without parameters (menus, footer,
    static files) is built once per URL prefix and then read from a dict; any other link is
    url_for's own work, and so is every link outside a request (mails from a command). A page
    has some thirty such links: this makes them one dict lookup each."""
    if not has_request_context():
        return {}
    links = _links()

    def link(endpoint: str, **values) -> str:
        if not values and endpoint[0] != ".":  # '.name' depends on the blueprint
            key = endpoint
        elif endpoint == "static" and values.keys() == {"filename"}:
            key = ("static", values["filename"])
        else:
            return url_for(endpoint, **values)
        url = links.get(key)
        if url is None:
            url = links[key] = url_for(endpoint, **values)
        return url

    return {"url_for": link}
