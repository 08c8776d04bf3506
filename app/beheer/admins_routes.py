"""Beheer: beheerders (superbeheerder only) and the audit log."""

import json
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import or_, select

from .. import audit, codelists
from ..accounts import AccountError, check_email, create_admin
from ..audit_text import describe
from ..auth import twofactor
from ..auth.services import needs_invitation, revoke_all_sessions, send_invitation
from ..db import session
from ..formatting import utc_start_of_day
from ..forms_common import page_arg, parse_date
from ..models import Account, AuditEvent, Organisation, colleague_label
from ..pagination import BEHEER_PER_PAGE, page_of
from ..params import ascii_int
from . import bp
from .forms import ActionForm, AdminForm
from .scope import current_scope, superbeheerder_only

ALL = "alle"
ADMIN_INVITATION_NOT_NEEDED = ("Deze beheerder heeft al een wachtwoord ingesteld; een nieuwe "
                               "uitnodiging is niet nodig. Bij een vergeten wachtwoord gebruikt de "
                               "beheerder 'Wachtwoord vergeten?'.")


def _admin_region_choices(form) -> None:
    form.region.choices = [(ALL, "Alle regio's (superbeheerder)")] + [
        (r.code, r.name) for r in codelists.regions()]


@bp.route("/beheerders")
@superbeheerder_only
def admins():
    accounts = session.scalars(select(Account).where(Account.kind == "admin")
                               .order_by(Account.is_super.desc(), Account.email)).all()
    return render_template("beheer/admins.html", accounts=accounts)


@bp.route("/beheerders/nieuw", methods=["GET", "POST"])
@superbeheerder_only
def new_admin():
    form = AdminForm()
    _admin_region_choices(form)
    if form.validate_on_submit():
        region = None if form.region.data == ALL else codelists.region_by_code(form.region.data)
        try:
            account, sent = create_admin(form.email.data, region, None,
                                         organisation=form.contact_organisation.data,
                                         name=form.contact_name.data, phone=form.contact_phone.data,
                                         contact_email=form.contact_email.data)
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(f"Beheerder {account.email} werd aangemaakt" + (
                " en kreeg een uitnodiging." if sent else
                ", maar de uitnodiging kon niet verstuurd worden."), "success" if sent else "error")
            return redirect(url_for("beheer.admins"))
    return render_template("beheer/admin_form.html", form=form, account=None)


@bp.route("/beheerders/<int:account_id>/bewerken", methods=["GET", "POST"])
@superbeheerder_only
def edit_admin(account_id: int):
    account = session.scalar(select(Account).where(Account.id == account_id, Account.kind == "admin"))
    if account is None:
        abort(404)
    data = None
    if request.method == "GET":
        data = {"email": account.email, "region": account.region.code if account.region else ALL,
                "contact_organisation": account.contact_organisation,
                "contact_name": account.contact_name, "contact_phone": account.contact_phone,
                "contact_email": account.contact_email,
                "active": account.active}
    form = AdminForm(data=data)
    _admin_region_choices(form)
    if form.validate_on_submit():
        try:
            _update_admin(account, form)
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            session.commit()
            flash(f"De gegevens van {account.email} werden opgeslagen.", "success")
            return redirect(url_for("beheer.admins"))
    return render_template("beheer/admin_form.html", form=form, account=account)


def _update_admin(account: Account, form) -> None:
    if account.id == current_scope().account_id and (not form.active.data or form.region.data != ALL):
        raise AccountError("Je kan je eigen account niet deactiveren of beperken.")
    email = form.email.data.strip().lower()
    if email != account.email:
        account.email = check_email(email)
    region = None if form.region.data == ALL else codelists.region_by_code(form.region.data)
    account.is_super = region is None
    account.region_id = region.id if region else None
    account.contact_organisation = form.contact_organisation.data or None
    account.contact_name = form.contact_name.data or None
    account.contact_phone = form.contact_phone.data or None
    account.contact_email = (form.contact_email.data or "").strip().lower() or None
    if account.active and not form.active.data:
        revoke_all_sessions(account.id)
    account.active = form.active.data
    audit.record("admin_changed", changed=account.email, region=region.code if region else ALL,
                 active=account.active)


@bp.route("/beheerders/<int:account_id>/uitnodiging", methods=["GET", "POST"])
@superbeheerder_only
def resend_admin_invitation(account_id: int):
    """GET: ask for confirmation (a mail is sent); POST: send a new invitation."""
    account = session.scalar(select(Account).where(Account.id == account_id, Account.kind == "admin"))
    if account is None:
        abort(404)
    if request.method == "GET":
        back = url_for("beheer.edit_admin", account_id=account.id)
        if not needs_invitation(account):
            return render_template("beheer/confirm.html", heading="Geen uitnodiging nodig",
                                   lines=[ADMIN_INVITATION_NOT_NEEDED], button=None, back_url=back,
                                   back_label=f"beheerder {account.email}")
        return render_template(
            "beheer/confirm.html", heading=f"Uitnodiging opnieuw versturen naar {account.email}?",
            lines=[f"{account.email} krijgt een e-mail met een nieuwe link om een wachtwoord te "
                   f"kiezen (geldig {current_app.config['INVITE_TOKEN_DAYS']} dagen, werkt één keer).",
                   "Doe dit enkel als de beheerder de vorige uitnodiging niet (meer) heeft."],
            button="Uitnodiging versturen", danger=False, back_url=back,
            back_label=f"beheerder {account.email}")
    if ActionForm().validate_on_submit():
        if not needs_invitation(account):
            flash(ADMIN_INVITATION_NOT_NEEDED, "error")
            return redirect(url_for("beheer.admins"))
        ok = send_invitation(account)
        flash(f"Uitnodiging verstuurd naar {account.email}." if ok else
              "De uitnodiging kon niet verstuurd worden.", "success" if ok else "error")
    return redirect(url_for("beheer.admins"))


@bp.route("/beheerders/<int:account_id>/tweestapsverificatie-wissen", methods=["GET", "POST"])
@superbeheerder_only
def reset_admin_2fa(account_id: int):
    """Reset a beheerder's two-step verification (a lost phone): the beheerder's sessions end
    and it sets 2FA up again at its next login. GET asks for confirmation first."""
    account = session.scalar(select(Account).where(Account.id == account_id, Account.kind == "admin"))
    if account is None:
        abort(404)
    if request.method == "GET":
        back = url_for("beheer.edit_admin", account_id=account.id)
        if account.id == current_scope().account_id or account.totp_secret_enc is None:
            why = ("Je eigen tweestapsverificatie zet je uit via de pagina Tweestapsverificatie."
                   if account.id == current_scope().account_id else
                   f"{account.email} heeft geen tweestapsverificatie ingesteld.")
            return render_template("beheer/confirm.html", heading="Niets te wissen", lines=[why],
                                   button=None, back_url=back, back_label=f"beheerder {account.email}")
        return render_template(
            "beheer/confirm.html", heading=f"Tweestapsverificatie van {account.email} wissen?",
            lines=["Doe dit enkel als de beheerder de telefoon met de authenticator-app én de "
                   "herstelcodes kwijt is, en je zeker weet dat de vraag van die beheerder komt.",
                   "De beheerder wordt overal afgemeld en stelt de tweestapsverificatie opnieuw in "
                   "bij de volgende aanmelding."],
            button="Tweestapsverificatie wissen", danger=True, back_url=back,
            back_label=f"beheerder {account.email}")
    if ActionForm().validate_on_submit():
        if account.id == current_scope().account_id:
            flash("Je eigen tweestapsverificatie zet je uit via de pagina Tweestapsverificatie.",
                  "error")
        elif account.totp_secret_enc is None:
            flash(f"{account.email} heeft geen tweestapsverificatie ingesteld.", "info")
        else:
            twofactor.reset_second_factor(account)
            revoke_all_sessions(account.id)
            audit.record("2fa_reset", reset=account.email)
            session.commit()
            flash(f"De tweestapsverificatie van {account.email} werd gewist. Bij de volgende "
                  "aanmelding stelt deze beheerder ze opnieuw in.", "success")
    return redirect(url_for("beheer.edit_admin", account_id=account.id))


def _date_arg(name: str):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None, ""
    try:
        return parse_date(raw), raw
    except ValueError:
        return None, raw


@bp.route("/audit")
def audit_log():
    kind = request.args.get("soort", "")
    kind = kind if kind in audit.KINDS else ""
    org_param = request.args.get("organisatie", "")
    scope = current_scope()
    org_id = ascii_int(org_param, min=1)
    org = scope.get_organisation(org_id) if org_id is not None else None
    since, since_raw = _date_arg("van")
    until, until_raw = _date_arg("tot")
    query = select(AuditEvent)
    if not scope.is_super:
        query = query.where(or_(AuditEvent.organisation_id.in_(scope.organisation_ids()),
                                AuditEvent.account_id == scope.account_id))
    if kind:
        query = query.where(AuditEvent.kind == kind)
    if org is not None:
        query = query.where(AuditEvent.organisation_id == org.id)
    if since:  # the days are Brussels days; the times are stored in UTC
        query = query.where(AuditEvent.at >= utc_start_of_day(since))
    if until:
        query = query.where(AuditEvent.at < utc_start_of_day(until + timedelta(days=1)))
    page = page_of(query, page_arg(), BEHEER_PER_PAGE)
    events = session.scalars(page.slice(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))).all()
    org_names = dict(session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({e.organisation_id for e in events if e.organisation_id}))).all())
    # a colleague login is named by its number, never by its address (SPEC §11)
    colleagues = set(session.scalars(select(Account.id).where(
        Account.id.in_({e.account_id for e in events if e.account_id}), Account.kind == "org",
        Account.is_main.is_(False))))

    def who(event: AuditEvent) -> str:
        if event.account_id in colleagues:
            return colleague_label(event.account_id)
        return event.actor or ""

    return render_template(
        "beheer/audit.html", events=events, page=page, kinds=audit.KINDS, kind=kind, org=org,
        since=since_raw, until=until_raw,
        org_names=org_names, who=who,
        describe=lambda e: describe(e.kind, json.loads(e.details) if e.details else {},
                                    audit.KINDS.get(e.kind)),
        organisations=session.scalars(scope.organisations().order_by(Organisation.name)).all(),
        bad_dates=(since_raw and not since) or (until_raw and not until))
