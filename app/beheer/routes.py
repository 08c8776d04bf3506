"""Beheer: overview, organisations, anonymous clients, deletion on request."""

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from .. import codelists
from ..accounts import AccountError, create_organisation
from ..auth import login_change, passwords
from ..auth.services import needs_invitation, send_invitation
from ..clients import logins
from ..db import session
from ..forms_common import number_arg, page_arg
from ..models import CLIENT_CODE_FIELDS
from . import bp, services
from .forms import ActionForm, DeleteClientForm, OrganisationForm
from .scope import current_scope

STATUSES = {"": "Alle", "actief": "Actief", "gedeactiveerd": "Gedeactiveerd"}
INVITATION_NOT_NEEDED = ("Deze organisatie heeft al een wachtwoord ingesteld; een nieuwe uitnodiging "
                         "is niet nodig. Bij een vergeten wachtwoord gebruikt de organisatie "
                         "'Wachtwoord vergeten?'.")


def _region_choices(form) -> None:
    form.region.choices = [("", "— Kies —")] + [(r.code, r.name) for r in current_scope().regions()]


@bp.route("")
def index():
    orgs = session.scalar(select(func.count()).select_from(current_scope().organisations().subquery()))
    clients = session.scalar(select(func.count()).select_from(current_scope().anonymous_clients().subquery()))
    return render_template("beheer/index.html", n_orgs=orgs, n_clients=clients,
                           regions=current_scope().regions())


@bp.route("/organisaties")
def organisations():
    region = current_scope().region_from_param(request.args.get("regio"))
    q = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    rows = services.list_organisations(current_scope(), region, q, status)
    counts = services.active_client_counts([o.id for o, _ in rows], date.today())
    return render_template("beheer/organisations.html", rows=rows, counts=counts,
                           login_counts=logins.counts([o.id for o, _ in rows]),
                           regions=current_scope().regions(), region=region, q=q, status=status,
                           statuses=STATUSES)


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
def new_organisation():
    form = OrganisationForm()
    _region_choices(form)
    if form.validate_on_submit():
        region = current_scope().region_from_param(form.region.data)
        try:
            org, sent = create_organisation(form.name.data, form.email.data, region,
                                            background_mail=False)
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            if sent:
                flash(f"{org.name} werd aangemaakt. Er werd een uitnodiging gestuurd naar "
                      f"{form.email.data.strip().lower()}.", "success")
            else:
                flash(f"{org.name} werd aangemaakt, maar de uitnodiging kon niet verstuurd worden. "
                      "Probeer ze later opnieuw te versturen.", "error")
            return redirect(url_for("beheer.organisation", org_id=org.id))
    return render_template("beheer/organisation_form.html", form=form, org=None)


@bp.route("/organisaties/<int:org_id>")
def organisation(org_id: int):
    org = current_scope().get_organisation(org_id)
    nr_text = request.args.get("nr", "").strip()[:20]
    nr = number_arg(nr_text)
    rows, periods, page = services.anonymous_client_page(current_scope(), org, page_arg(), nr)
    account = services.login_of(org)
    return render_template("beheer/organisation.html", org=org, account=account,
                           n_logins=logins.counts([org.id]).get(org.id, 0),
                           pending=login_change.pending_notice(account),
                           rows=rows, periods=periods, page=page,
                           nr=nr, nr_text=nr_text, book=codelists.book(), action=ActionForm(),
                           code_fields=CLIENT_CODE_FIELDS)


@bp.route("/organisaties/<int:org_id>/bewerken", methods=["GET", "POST"])
def edit_organisation(org_id: int):
    org = current_scope().get_organisation(org_id)
    account = services.login_of(org)
    form = OrganisationForm(data={"name": org.name, "region": org.region.code,
                                  "email": account.email} if request.method == "GET" else None)
    _region_choices(form)
    if form.validate_on_submit():
        try:
            requested = services.update_organisation(
                current_scope(), org, account, form.name.data,
                current_scope().region_from_param(form.region.data), form.email.data)
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            session.commit()
            flash("De gegevens van de organisatie werden opgeslagen.", "success")
            if requested is not None:
                _announce_login_change(requested)
            return redirect(url_for("beheer.organisation", org_id=org.id))
    return render_template("beheer/organisation_form.html", form=form, org=org, account=account,
                           pending=login_change.pending_notice(account))


def _announce_login_change(requested: login_change.Requested) -> None:
    """Mail a pending change to both addresses and tell the beheerder what happens next."""
    change = requested.change
    if not requested.pending:
        flash(f"Het login-e-mailadres is nu {change.new_email}: de organisatie had nog geen "
              "wachtwoord gekozen. Eerdere uitnodigingen werken niet meer; verstuur een nieuwe "
              "uitnodiging naar het nieuwe adres.", "info")
        return
    start = login_change.local(login_change.effective_from(change))
    flash(f"De wijziging van het login-e-mailadres naar {change.new_email} is aangevraagd, maar nog "
          f"niet actief. {change.old_email} kreeg een bericht (met een link om te annuleren) en "
          f"{change.new_email} moet de wijziging bevestigen. Ze wordt ten vroegste actief op "
          f"{start:%d/%m/%Y} om {start:%H:%M}; tot dan blijft {change.old_email} de login.", "info")
    if not login_change.announce(requested):
        flash("Niet alle e-mails over deze wijziging konden verstuurd worden. Sla het nieuwe adres "
              "later opnieuw op om ze opnieuw te versturen.", "error")


@bp.route("/organisaties/<int:org_id>/uitnodiging", methods=["GET", "POST"])
def resend_invitation(org_id: int):
    """GET: ask for confirmation (a mail is sent); POST: send a new invitation."""
    org = current_scope().get_organisation(org_id)
    if request.method == "GET":
        account = services.login_of(org)
        back = url_for("beheer.organisation", org_id=org.id)
        if not needs_invitation(account):
            return render_template("beheer/confirm.html", heading="Geen uitnodiging nodig",
                                   lines=[INVITATION_NOT_NEEDED], button=None, back_url=back,
                                   back_label=org.name)
        return render_template(
            "beheer/confirm.html", heading=f"Uitnodiging opnieuw versturen naar {org.name}?",
            lines=[f"{account.email} krijgt een e-mail met een nieuwe link om een wachtwoord te "
                   f"kiezen (geldig {current_app.config['INVITE_TOKEN_DAYS']} dagen, werkt één keer).",
                   "Doe dit enkel als de organisatie de vorige uitnodiging niet (meer) heeft."],
            button="Uitnodiging versturen", danger=False, back_url=back, back_label=org.name)
    if ActionForm().validate_on_submit():
        account = services.login_of(org)
        if not needs_invitation(account):
            flash(INVITATION_NOT_NEEDED, "error")
        elif send_invitation(account):
            flash(f"Er werd een nieuwe uitnodiging gestuurd naar {account.email}.", "success")
        else:
            flash("De uitnodiging kon niet verstuurd worden. Probeer het later opnieuw.", "error")
    return redirect(url_for("beheer.organisation", org_id=org.id))


@bp.route("/organisaties/<int:org_id>/<any(deactiveren, activeren):action>", methods=["GET", "POST"])
def toggle_organisation(org_id: int, action: str):
    """GET: ask for confirmation; POST: (de)activate the organisation."""
    org = current_scope().get_organisation(org_id)
    if request.method == "GET":
        back = url_for("beheer.organisation", org_id=org.id)
        if action == "deactiveren":
            return render_template(
                "beheer/confirm.html", heading=f"{org.name} deactiveren?",
                lines=["De organisatie en al haar logins kunnen daarna niet meer aanmelden; wie "
                       "aangemeld is, wordt afgemeld.",
                       "Haar cliënten en begeleidingsperiodes blijven bewaard en tellen mee in de "
                       "statistieken. Je kan de organisatie later opnieuw activeren."],
                button=f"{org.name} deactiveren", danger=True, back_url=back, back_label=org.name)
        return render_template(
            "beheer/confirm.html", heading=f"{org.name} opnieuw activeren?",
            lines=["De logins van de organisatie kunnen daarna opnieuw aanmelden."],
            button=f"{org.name} opnieuw activeren", danger=False, back_url=back,
            back_label=org.name)
    if ActionForm().validate_on_submit():
        services.set_organisation_active(org, action == "activeren")
        session.commit()
        flash(f"{org.name} werd " + ("opnieuw geactiveerd." if org.active else
                                     "gedeactiveerd: de organisatie kan niet meer aanmelden. "
                                     "Haar gegevens blijven bewaard."), "success")
    return redirect(url_for("beheer.organisation", org_id=org.id))


@bp.route("/clienten/<int:client_id>/verwijderen", methods=["GET", "POST"])
def delete_client(client_id: int):
    row = current_scope().get_anonymous_client(client_id)
    org = current_scope().get_organisation(row.organisation_id)
    form = DeleteClientForm()
    if form.validate_on_submit():
        if not passwords.verify(services.password_hash_of(current_scope()), form.password.data):
            form.password.errors.append("Dit wachtwoord klopt niet. Er werd niets verwijderd.")
        else:
            services.delete_client(current_scope(), client_id, form.reden.data)
            session.commit()
            flash(f"Cliënt {row.nr} van {org.name} en zijn begeleidingsperiodes werden verwijderd.",
                  "success")
            return redirect(url_for("beheer.organisation", org_id=org.id))
    return render_template("beheer/delete_client.html", form=form, row=row, org=org)
