from flask import Blueprint, flash, g, make_response, redirect, request, url_for
from flask_login import current_user

from ..auth import twofactor
from ..auth.guards import require_kind
from ..auth.routes import SETUP_FIRST
from .scope import Scope

bp = Blueprint("beheer", __name__, url_prefix="/beheer")


@bp.before_request
def _beheerders_only():
    """Beheerders only, with two-step verification when REQUIRE_2FA_BEHEER is on; the region
    scope is built here, once, and passed down explicitly."""
    refused = require_kind("admin")
    if refused is not None:
        return refused
    if twofactor.missing_for(current_user):
        flash(SETUP_FIRST, "info")
        target = url_for("auth.two_factor")
        if request.headers.get("HX-Request"):
            response = make_response("", 200)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target)
    g.beheer_scope = Scope.of(current_user)
    return None


from . import (  # noqa: E402,F401
    admins_routes,
    codelists_routes,
    export_routes,
    import_routes,
    rounds_routes,
    routes,
    statistics_routes,
    workbook_routes,
)
