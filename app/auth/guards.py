"""Who may enter which blueprint: organisations /dashboard and /clienten, beheerders /beheer."""

from flask import abort
from flask_login import current_user

from ..extensions import login_manager


def require_kind(kind: str):
    """before_request guard: log in first; the wrong kind of account gets 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.kind != kind:
        abort(403)
    return None
