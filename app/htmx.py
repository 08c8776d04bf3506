"""htmx helpers: one template fragment, two callers (full page or the swapped part)."""

from flask import make_response, render_template, request


def is_partial() -> bool:
    """True for an htmx swap request; False for boosted or history-restore requests."""
    h = request.headers
    return (h.get("HX-Request") == "true" and h.get("HX-Boosted") != "true"
            and h.get("HX-History-Restore-Request") != "true")


def render(full: str, partial: str, **ctx):
    """The partial for htmx swaps, else the full page; cached separately per kind (Vary)."""
    response = make_response(render_template(partial if is_partial() else full, **ctx))
    response.headers.add("Vary", "HX-Request")
    return response
