from flask import Blueprint

from ..auth.guards import require_kind

bp = Blueprint("beheer", __name__, url_prefix="/beheer")


@bp.before_request
def _beheerders_only():
    return require_kind("admin")


from . import (  # noqa: E402,F401
    admins_routes,
    codelists_routes,
    export_routes,
    import_routes,
    routes,
    statistics_routes,
)
