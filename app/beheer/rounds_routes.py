"""/beheer/registratierondes: open a registration round, follow it, send its one reminder."""

from flask import flash, redirect, render_template, url_for

from ..db import session
from ..models import Account
from . import bp, rounds
from .forms import ActionForm, RoundForm
from .scope import current_scope


def _region_choices(form: RoundForm) -> None:
    if current_scope().is_super:
        form.regio.choices = ([("", "— Kies —"), (rounds.ALL, "Alle regio's")]
                              + [(r.code, r.name) for r in current_scope().regions()])
    else:
        del form.regio  # a provinciebeheerder opens a round for its own region only


@bp.route("/registratierondes", methods=["GET", "POST"])
def rounds_page():
    scope = current_scope()
    form = RoundForm()
    _region_choices(form)
    if form.validate_on_submit():
        if scope.is_super:
            region = None if form.regio.data == rounds.ALL else scope.region_from_param(form.regio.data)
        else:
            region = scope.region_from_param(None)  # its own region
        try:
            round_ = rounds.open_round(scope, form.jaar.year, form.deadline.data, region)
        except rounds.RoundError as exc:
            form.jaar.errors.append(str(exc))
        else:
            session.commit()
            flash(f"De registratieronde {round_.year} werd geopend. De organisaties zien de "
                  "controlelijst nu op hun dashboard.", "success")
            return redirect(url_for("beheer.round_detail", round_id=round_.id))
    return render_template("beheer/rounds.html", form=form, rows=rounds.list_rounds(scope),
                           own_region=None if scope.is_super else scope.region_from_param(None))


@bp.route("/registratierondes/<int:round_id>")
def round_detail(round_id: int):
    scope = current_scope()
    round_ = rounds.get_round(scope, round_id)
    reminder = rounds.reminder_of(round_.id)
    statuses = rounds.round_status(scope, round_)
    opener = session.get(Account, round_.opened_by) if round_.opened_by else None
    return render_template("beheer/round.html", round=round_, statuses=statuses, reminder=reminder,
                           opened_by=opener.email if opener is not None and opener.is_admin else None,
                           refusal=rounds.reminder_refusal(scope, round_, reminder),
                           confirmed=sum(1 for s in statuses if s.confirmed_at))


@bp.route("/registratierondes/<int:round_id>/herinnering", methods=["GET", "POST"])
def round_reminder(round_id: int):
    """GET: what the reminder will do, and the button; POST: send it (once per round)."""
    scope = current_scope()
    round_ = rounds.get_round(scope, round_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            sent = rounds.send_reminder(scope, round_)
        except rounds.RoundError as exc:
            flash(str(exc), "error")
        else:
            orgs = f"{sent.organisations} {'organisatie' if sent.organisations == 1 else 'organisaties'}"
            if sent.failed:
                flash(f"De herinnering werd verstuurd naar {orgs}, maar {sent.failed} van de "
                      f"{sent.mails + sent.failed} e-mails konden niet verstuurd worden.", "error")
            else:
                flash(f"De herinnering werd verstuurd naar {orgs} ({sent.mails} e-mails).", "success")
        return redirect(url_for("beheer.round_detail", round_id=round_.id))
    recipients = rounds.reminder_recipients(scope, round_)
    return render_template("beheer/round_reminder.html", round=round_, form=form,
                           refusal=rounds.reminder_refusal(scope, round_, rounds.reminder_of(round_.id)),
                           n_orgs=len({org_id for org_id, _ in recipients}), n_mails=len(recipients))

