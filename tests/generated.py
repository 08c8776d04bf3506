"""Helpers for tests generated from app.url_map: URLs with their arguments filled in, a world
with one object of every kind to fill them with, and a fingerprint of the whole database."""

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from helpers import client_values
from sqlalchemy import select
from werkzeug.routing import AnyConverter, Rule

from app.accounts import create_admin
from app.auth import login_change
from app.auth.services import issue_token
from app.clients import services
from app.codelists import region_by_code
from app.db import session
from app.models import Account, Base, CodeList, Organisation, RegistrationRound, RegistrationRoundRegion

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def methods(rule: Rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def write_rules(app) -> list[Rule]:
    """Every rule that accepts a state-changing method."""
    return sorted((r for r in app.url_map.iter_rules() if r.methods & WRITE_METHODS),
                  key=lambda r: r.rule)


def urls(rule: Rule, values: dict) -> list[str]:
    """Every URL of a rule: each argument filled from `values` by its name, and every option
    of an any(...) converter. An argument without a value fails the test, so a new route with a
    new kind of argument must be given an existing object here before it can pass."""
    choices = []
    for arg in sorted(rule.arguments):
        converter = rule._converters[arg]
        if isinstance(converter, AnyConverter):
            choices.append([(arg, item) for item in sorted(converter.items)])
        elif arg in values:
            choices.append([(arg, values[arg])])
        else:
            raise AssertionError(f"{rule.rule}: no value for <{arg}>: add an existing object "
                                 "for it to the URL values of tests/generated.py (World.values)")
    return [rule.build(dict(combo), append_unknown=False)[1]
            for combo in itertools.product(*choices)]


def fingerprint(app) -> dict[str, list[tuple]]:
    """Every row of every table (committed state), to prove that a request changed nothing."""
    with app.app_context():
        return {table.name: [tuple(row) for row in session.execute(
            select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables}


@dataclass
class Side:
    """One organisation of the world: its login, a client with a period."""
    org_id: int
    email: str
    client_id: int
    nr: int
    period_id: int


@dataclass
class World:
    orgs: dict[str, Side]  # region code -> its organisation
    admins: dict[str, str]  # "super" or a region code -> e-mail address
    other_admin_id: int  # an admin account that is not one of the logins above
    option_id: int  # an option of the code list `list_name`
    list_name: str
    token: str  # an unused, valid invitation link token of the other admin
    values: dict = field(default_factory=dict)


def build_world(app, make_org, make_admin, regions=("limburg", "antwerpen")) -> World:
    """One organisation per region (with a client and a period), a superbeheerder and a
    provinciebeheerder per region, another beheerder with a pending invitation."""
    orgs = {}
    for region in regions:
        org_id, email = make_org(name=f"Organisatie {region}", region=region)
        with app.app_context():
            org = session.get(Organisation, org_id)
            client = services.create_client(org, client_values(), "Naam van een cliënt")
            period = services.add_period(client, {"hours": Decimal(16), "start_date": date(2024, 1, 1),
                                                  "end_date": None, "reden_stopzetting": None,
                                                  "perspectief": None})
            session.commit()
            orgs[region] = Side(org_id, email, client.id, client.nr, period.id)
    admins = {"super": make_admin(None)}
    for region in regions:
        admins[region] = make_admin(region)
    with app.app_context():
        other, _ = create_admin("andere-beheerder@example.be", region_by_code(regions[0]), None)
        token = issue_token(other, "invite")
        code_list = session.scalar(select(CodeList).where(CodeList.name == "geslacht"))
        option_id = sorted(code_list.options, key=lambda o: o.position)[1].id
        # a beheerder's pending change of the first organisation's login address
        main_login = session.scalar(select(Account).where(Account.email == orgs[regions[0]].email))
        change = login_change.request_change(main_login, "nieuw-adres@example.be", other.id).change
        # a registration round of the first organisation's region (not yet confirmed, no reminder)
        first_region = session.get(Organisation, orgs[regions[0]].org_id).region_id
        registration_round = RegistrationRound(year=date.today().year - 1, region_id=first_region,
                                               deadline=date.today() + timedelta(days=30))
        session.add(registration_round)
        session.flush()
        session.add(RegistrationRoundRegion(round_id=registration_round.id, region_id=first_region,
                                            year=registration_round.year))
        session.commit()
        other_id, change_id, round_id = other.id, change.id, registration_round.id
    first = orgs[regions[0]]
    world = World(orgs, admins, other_id, option_id, "geslacht", token)
    world.values = {"org_id": first.org_id, "client_id": first.client_id, "nr": first.nr,
                    "period_id": first.period_id, "account_id": other_id,
                    "option_id": option_id, "name": "geslacht", "token": token,
                    "change_id": change_id, "round_id": round_id}
    return world

