from flask import Blueprint, g
from flask_login import current_user

from ..auth.guards import require_kind
from .scope import Scope

bp = Blueprint("beheer", __name__, url_prefix="/beheer")


@bp.before_request
def _beheerders_only():
    """Beheerders only; the region scope is built here, once, and passed down explicitly."""
    refused = require_kind("admin")
    if refused is not None:
        return refused
    g.beheer_scope = Scope.of(current_user)
    return None


from . import (  # noqa: E402,F401
    admins_routes,
    codelists_routes,
    export_routes,
    import_routes,
    routes,
    statistics_routes,
)
