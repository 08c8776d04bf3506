"""The organisation's public profile (/profiel): what /arbeidszorginitiatieven shows about it."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from .. import audit, codelists
from ..db import session
from . import bp
from .profile_forms import DESCRIPTION_MAX, ProfileForm, split_codes


@bp.route("/profiel", methods=["GET", "POST"])
def profile():
    org = current_user.organisation
    form = ProfileForm.from_model(org)
    form.set_choices(codelists.book(), split_codes(org.werkvormen))
    if form.validate_on_submit():
        values = form.values()
        changed = sorted(k for k, v in values.items() if getattr(org, k) != v)
        for key, value in values.items():
            setattr(org, key, value)
        if changed:
            audit.record("organisation_changed", organisation_id=org.id, profile=changed)
        session.commit()
        flash("Je publieke profiel werd opgeslagen.", "success")
        return redirect(url_for("clients.profile"))
    return render_template("clients/profile.html", form=form, organisation=org,
                           description_max=DESCRIPTION_MAX)
