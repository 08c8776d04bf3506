"""Jinja filters and globals: Dutch dates and numbers, code-list labels."""

from datetime import date, datetime
from decimal import Decimal

from flask_login import current_user


def date_nl(value) -> str:
    """dd/mm/jjjj, or an empty string."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.strftime("%d/%m/%Y")
    return str(value)


def datetime_nl(value) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y %H:%M")


def number_nl(value) -> str:
    """A number with a decimal comma and no useless trailing zeros (16 → 16, 2.5 → 2,5)."""
    if value is None:
        return ""
    if isinstance(value, (Decimal, float)):
        text = f"{Decimal(str(value)).normalize():f}"
    else:
        text = str(value)
    return text.replace(".", ",")


NAV_ORG = (("clients.profile", "Profiel"), ("public.help", "Help"))
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


def init_app(app) -> None:
    app.jinja_env.globals["nav_extra"] = _nav_extra
    app.jinja_env.filters["date_nl"] = date_nl
    app.jinja_env.filters["datetime_nl"] = datetime_nl
    app.jinja_env.filters["number_nl"] = number_nl
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
