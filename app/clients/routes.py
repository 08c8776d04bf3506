from flask import render_template
from flask_login import current_user

from . import bp


@bp.route("/dashboard")
def dashboard():
    return render_template("clients/dashboard.html", organisation=current_user.organisation)
