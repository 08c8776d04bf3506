"""The statistics are cached per data version: any change to the data shows at once."""

import re

from helpers import add_client, add_period
from sqlalchemy import select
from support import PASSWORD, login

from app.db import session
from app.models import Client


def active_count(admin, year=2024) -> int:
    page = admin.get(f"/beheer/statistieken?jaar={year}&regio=limburg").get_data(as_text=True)
    # the key figures row: label, previous year, chosen year, difference
    match = re.search(r"Actieve cliënten</th><td[^>]*>[^<]*</td><td[^>]*>([\d.]+)</td>", page)
    assert match, "active clients not found on the statistics page"
    return int(match.group(1).replace(".", ""))


def test_new_period_edit_and_delete_show_immediately(app, make_org, make_admin):
    _, email = make_org(region="limburg")
    org = app.test_client()
    login(org, email)
    admin = app.test_client()
    login(admin, make_admin("limburg"))
    nr = add_client(org)
    add_period(org, nr, startdatum="2024-02-01")
    assert active_count(admin) == 1
    assert active_count(admin) == 1  # served from the cache, same answer
    nr2 = add_client(org)
    add_period(org, nr2, startdatum="2024-03-01")
    assert active_count(admin) == 2
    with app.app_context():
        client_id = session.scalar(select(Client.id).where(Client.nr == nr2))
    r = admin.post(f"/beheer/clienten/{client_id}/verwijderen",
                   data={"reden": "Foute registratie", "password": PASSWORD, "bevestig": "y"})
    assert r.status_code == 302
    assert active_count(admin) == 1


def test_a_write_in_another_region_keeps_the_cache_and_a_region_move_renews_it(app, make_org,
                                                                                make_admin):
    from support import recorded_statements
    _, lim_email = make_org(region="limburg")
    _, ant_email = make_org(region="antwerpen")
    lim, ant = app.test_client(), app.test_client()
    login(lim, lim_email)
    login(ant, ant_email)
    add_period(lim, add_client(lim), startdatum="2024-02-01")
    admin = app.test_client()
    login(admin, make_admin("limburg"))
    assert active_count(admin) == 1
    add_period(ant, add_client(ant), startdatum="2024-02-01")  # Antwerpen only
    with recorded_statements(app) as cached_view:
        assert active_count(admin) == 1
    assert not any("GROUP BY" in s.upper() for s in cached_view)  # served from the cache
    superadmin = app.test_client()
    login(superadmin, make_admin(None))
    page = superadmin.get("/beheer/organisaties?regio=antwerpen").get_data(as_text=True)
    org_id = int(re.search(r"/beheer/organisaties/(\d+)\"", page).group(1))
    r = superadmin.post(f"/beheer/organisaties/{org_id}/bewerken", data={
        "name": "Verhuisd", "region": "limburg", "email": ant_email})
    assert r.status_code == 302
    assert active_count(admin) == 2  # the moved organisation now counts for Limburg
