"""Organisation B never reaches organisation A's clients or periods (generated over all routes)."""

import re

import pytest
from helpers import add_client, add_period
from sqlalchemy import select
from support import login

from app.db import session
from app.models import Client, Period


def _org_routes(app):
    """Every route of the clients blueprint that takes a client number or a period id."""
    return [r for r in app.url_map.iter_rules()
            if r.endpoint.startswith("clients.") and ({"nr", "period_id"} & set(r.arguments))]


def test_routes_are_found(app):
    assert len(_org_routes(app)) >= 4


@pytest.fixture
def two_orgs(app, make_org):
    a, b = app.test_client(), app.test_client()
    login(a, make_org(name="Organisatie A")[1])
    login(b, make_org(name="Organisatie B")[1])
    for _ in range(2):
        nr = add_client(a, naam="Geheim A")
        add_period(a, nr, startdatum="2024-01-01")
    add_client(b)  # B has its own client 1
    with app.app_context():
        a_period = session.scalar(select(Period.id).join(Client).where(Client.nr == 1)
                                  .order_by(Client.organisation_id).limit(1))
    return a, b, a_period


def test_other_organisation_gets_404_on_every_client_route(app, two_orgs):
    _, b, a_period = two_orgs
    for rule in _org_routes(app):
        for nr in (2, 1) if "period_id" in rule.arguments else (2,):
            url = re.sub(r"<int:nr>", str(nr), rule.rule)
            url = re.sub(r"<int:period_id>", str(a_period), url)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                r = b.open(url, method=method, data={} if method == "POST" else None)
                assert r.status_code == 404, f"{method} {url} gave {r.status_code}"
                assert "Geheim A" not in r.get_data(as_text=True)


def test_beheerder_gets_no_organisation_page(app, two_orgs, make_admin):
    c = app.test_client()
    login(c, make_admin(None))
    for url in ("/dashboard", "/clienten/1", "/clienten/nieuw", "/clienten/1/bewerken"):
        r = c.get(url)
        assert r.status_code == 403 and "Geheim A" not in r.get_data(as_text=True)
