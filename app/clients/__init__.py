from flask import Blueprint

from ..auth.guards import require_kind
from .rows_html import client_rows

bp = Blueprint("clients", __name__)
bp.add_app_template_global(client_rows)


@bp.before_request
def _organisations_only():
    return require_kind("org")


from . import logins_routes, profile_routes  # noqa
from . import routes  # noqa: E402,F401
