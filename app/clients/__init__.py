from flask import Blueprint

from ..auth import drafts
from ..auth.guards import require_kind
from .rows_html import client_rows

bp = Blueprint("clients", __name__)
bp.add_app_template_global(client_rows)


@bp.before_request
def _organisations_only():
    return require_kind("org")


@bp.before_request
def _restore_form_draft():
    drafts.restore()  # after the guard: a logged-in organisation account


from . import figures_routes, logins_routes, profile_routes  # noqa
from . import routes  # noqa: E402,F401
