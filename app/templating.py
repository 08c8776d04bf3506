"""Jinja globals and settings; the filters are the Dutch formatters of app/formatting.py."""

from flask_login import current_user

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


def init_app(app) -> None:
    app.jinja_env.globals["nav_extra"] = _nav_extra
    app.jinja_env.globals["session_remaining"] = _session_remaining
    app.jinja_env.globals["url_template"] = url_template
    app.context_processor(page_links)
    formatting.init_app(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
