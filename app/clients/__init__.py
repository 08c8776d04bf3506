from flask import Blueprint

from ..auth.guards import require_kind

bp = Blueprint("clients", __name__)


@bp.before_request
def _organisations_only():
    return require_kind("org")


from . import figures_routes, logins_routes, profile_routes  # noqa
from . import routes  # noqa: E402,F401
