from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, codelists, htmx
from ..auth import login_change
from ..db import session
from ..forms_common import ActionForm, page_arg
from ..params import ascii_int
from . import bp, caseload_routes, liststate, names, rounds, services
from .forms import GROUPS, ClientForm, PeriodForm


def _org():
    return current_user.organisation


@bp.route("/dashboard")
def dashboard():
    args = request.args
    page = page_arg()
    if not args:  # the menu link, a back link, the return after saving: the list as left
        state = liststate.recall(_org())
        if state is not None:
            args = state
            page = ascii_int(str(state["page"]), min=1, max=999_999) or 1
    tab = args.get("tab") if args.get("tab") in services.TABS else "actief"
    sort = args.get("sort") if args.get("sort") in services.SORTS else "nr_asc"
    q = args.get("q") or ""
    if args.get("print") == "1":  # all rows of the tab, to print (clients/caseload_routes.py)
        return caseload_routes.print_view(tab, q, sort)
    org = _org()
    listing = services.list_clients(org, tab, q, sort, page, date.today())
    liststate.remember(org, tab, q, sort, listing.page.number)
    if htmx.is_partial():  # the swapped list shows no notices and no round
        notices, registration = [], None
    else:
        notices = login_change.notices(org.id) if login_change.may_have_notices(org) else []
        registration = rounds.dashboard_round(org)
    return htmx.render("clients/dashboard.html", "clients/_client_list.html",
                       organisation=org, listing=listing, tabs=services.TABS,
                       sorts=services.SORTS, login_notices=notices,
                       action=ActionForm() if notices else None, registration=registration)


@bp.route("/registratierondes/<int:round_id>/volledig", methods=["POST"])
def confirm_round(round_id: int):
    """Mijn registraties voor JJJJ zijn volledig (SPEC §12): recorded with the login, audited."""
    if ActionForm().validate_on_submit():
        if rounds.confirm(_org(), current_user, round_id):
            session.commit()
            flash("Bedankt: je bevestigde dat de registraties van je organisatie volledig zijn.",
                  "success")
        else:
            flash("Je organisatie had deze ronde al bevestigd.", "info")
    return redirect(url_for("clients.dashboard"))


@bp.route("/login-wijziging/<int:change_id>/annuleren", methods=["POST"])
def cancel_login_change(change_id: int):
    """The organisation cancels a beheerder's pending change of one of its login addresses."""
    if ActionForm().validate_on_submit():
        if login_change.cancel_for_organisation(_org().id, change_id):
            flash("De wijziging van het login-e-mailadres werd geannuleerd. Neem contact op met de "
                  "beheerder van je regio als je niet weet waarom ze werd aangevraagd.", "success")
        else:
            flash("Deze wijziging kan niet meer geannuleerd worden: ze werd al doorgevoerd, "
                  "geannuleerd of is verlopen.", "error")
    return redirect(url_for("clients.dashboard"))


@bp.route("/clienten/nieuw", methods=["GET", "POST"])
def new_client():
    form = ClientForm()
    form.set_choices(codelists.book())
    duplicates = []
    if form.validate_on_submit():
        values = form.values()
        duplicates = services.possible_duplicates(
            _org(), values["birth_date"], values["geslacht"], values["postcode_woonplaats"])
        if not duplicates or form.dubbel_bevestigd.data:
            client = services.create_client(_org(), values, form.naam.data)
            audit.record("client_created", organisation_id=_org().id, volgnummer=client.nr)
            session.commit()
            flash(f"Cliënt {client.nr} werd opgeslagen. Voeg nu de begeleidingsperiode toe.",
                  "success")
            return redirect(url_for("clients.new_period", nr=client.nr, stap=2))
    return render_template("clients/client_form.html", form=form, groups=GROUPS, client=None,
                           duplicates=duplicates)


@bp.route("/clienten/<int:nr>")
def client_info(nr: int):
    org = _org()
    client = services.client_page(org, nr)
    active = services.is_active(client, date.today())
    # back to the list as the user left it, else to the tab the client is on
    back = (url_for("clients.dashboard") if liststate.remembered()
            else url_for("clients.dashboard", tab="actief" if active else "inactief"))
    return render_template("clients/client.html", client=client, groups=GROUPS,
                           name=names.of_client(org, client), book=codelists.book(org.region_id),
                           active=active, back_url=back)


@bp.route("/clienten/<int:nr>/bewerken", methods=["GET", "POST"])
def edit_client(nr: int):
    client = services.get_client(_org(), nr)
    form = ClientForm.from_model(client, names.of_client(_org(), client))
    form.set_choices(codelists.book(), record=client)
    duplicates = []
    if form.validate_on_submit():
        values = form.values()
        identity = (values["birth_date"], values["geslacht"], values["postcode_woonplaats"])
        if identity != (client.birth_date, client.geslacht, client.postcode_woonplaats):
            duplicates = services.possible_duplicates(_org(), *identity, exclude_id=client.id)
        if not duplicates or form.dubbel_bevestigd.data:
            services.update_client(_org(), client, values, form.naam.data)
            audit.record("client_changed", organisation_id=_org().id, volgnummer=client.nr)
            session.commit()
            flash(f"De gegevens van cliënt {client.nr} werden opgeslagen.", "success")
            return redirect(url_for("clients.client_info", nr=client.nr))
    return render_template("clients/client_form.html", form=form, groups=GROUPS, client=client,
                           duplicates=duplicates)


@bp.route("/clienten/<int:nr>/periodes/nieuw", methods=["GET", "POST"])
def new_period(nr: int):
    client = services.get_client(_org(), nr, with_periods=True)
    wizard = request.args.get("stap") == "2"
    form = PeriodForm()
    form.set_choices(codelists.book())
    if form.validate_on_submit() and form.check_rules(services.spans(client), is_new=True):
        services.add_period(client, form.values())
        audit.record("period_added", organisation_id=_org().id, volgnummer=client.nr)
        session.commit()
        return _after_period_saved(client)
    return render_template("clients/period_form.html", form=form, client=client, period=None,
                           wizard=wizard)


@bp.route("/clienten/<int:nr>/periodes/<int:period_id>/bewerken", methods=["GET", "POST"])
def edit_period(nr: int, period_id: int):
    client, period = services.get_period(_org(), nr, period_id)
    form = PeriodForm.from_model(period)
    form.set_choices(codelists.book(), record=period)
    others = services.spans(client, without=period.id)
    if form.validate_on_submit() and form.check_rules(others, is_new=False):
        services.update_period(client, period, form.values())
        audit.record("period_changed", organisation_id=_org().id, volgnummer=client.nr)
        session.commit()
        return _after_period_saved(client)
    return render_template("clients/period_form.html", form=form, client=client, period=period,
                           wizard=False)


def _after_period_saved(client):
    session.refresh(client, ["periods"])
    active = services.is_active(client, date.today())
    tab = "actief" if active else "inactief"
    where = "Actieve cliënten" if active else "Niet-actieve cliënten"
    flash(f"De begeleidingsperiode van cliënt {client.nr} werd opgeslagen. "
          f"De cliënt staat bij {where}.", "success")
    if liststate.remembered():  # back to the list as the user left it (SPEC §12)
        return redirect(url_for("clients.dashboard"))
    return redirect(url_for("clients.dashboard", tab=tab))
