"""Jinja globals and settings; the filters are the Dutch formatters of app/formatting.py."""

import secrets

from flask import current_app, render_template
from flask_login import current_user
from markupsafe import Markup

from . import formatting
from .urls import page_links, url_template

NAV_ORG = (("clients.figures", "Cijfers"), ("clients.profile", "Profiel"),
           ("clients.logins_page", "Logins van de organisatie"), ("public.help", "Help"))
NAV_ADMIN = (("beheer.organisations", "Organisaties"), ("beheer.statistics", "Statistieken"),
             ("beheer.audit_log", "Audit"), ("public.help", "Help"))
NAV_SUPER = (("beheer.organisations", "Organisaties"), ("beheer.statistics", "Statistieken"),
             ("beheer.codelists", "Keuzelijsten"), ("beheer.admins", "Beheerders"),
             ("beheer.audit_log", "Audit"), ("public.help", "Help"))
NAV_PUBLIC = (("public.initiatives", "Arbeidszorginitiatieven"), ("public.contact", "Contact"),
              ("public.help", "Help"))


def _nav_extra():
    """Menu items for the current kind of visitor."""
    if not current_user.is_authenticated:
        return NAV_PUBLIC
    return NAV_ORG if current_user.is_org else NAV_SUPER if current_user.is_super else NAV_ADMIN


def _session_remaining() -> int:
    """Seconds the logged-in session has left when the page is made (the warning's clock)."""
    from .auth.session import remaining_seconds
    return remaining_seconds()


class EncodedHtml:
    """A large piece of HTML that many pages show unchanged (a cached report), kept with its
    UTF-8 bytes so that a page encodes it once, not at every view (110 kB of text with
    accented letters take ~0.3 ms to encode: a tenth of a whole page view)."""

    __slots__ = ("html", "utf8")

    def __init__(self, html: Markup):
        self.html = Markup(html)
        self.utf8 = self.html.encode()

    def __html__(self) -> str:
        return self.html


# in place of the piece while the page around it is rendered; never part of an answer
_PLACE = Markup(f"<!--{secrets.token_hex(16)}-->")


def render_around(template: str, name: str, piece: EncodedHtml, **context):
    """The response of `template` with `piece` as the variable `name`: the page around the piece
    is rendered and encoded, the piece's bytes are put in between as they are."""
    head, tail = render_template(template, **{name: _PLACE}, **context).split(_PLACE, 1)
    body = b"".join((head.encode(), piece.utf8, tail.encode()))
    return current_app.response_class(body, mimetype="text/html")


def init_app(app) -> None:
    app.jinja_env.globals["nav_extra"] = _nav_extra
    app.jinja_env.globals["session_remaining"] = _session_remaining
    app.jinja_env.globals["url_template"] = url_template
    app.context_processor(page_links)
    formatting.init_app(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
