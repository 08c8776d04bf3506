import logging

from flask import Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..db import get_engine
from ..extensions import limiter
from . import bp

log = logging.getLogger(__name__)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """200 ok when the database answers, 503 otherwise (plain text, no details)."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("healthz: database does not answer")
        return Response("database unavailable", status=503, mimetype="text/plain")
    return Response("ok", mimetype="text/plain")
