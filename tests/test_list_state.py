"""Lists keep their state (SPEC §12): the dashboard's tab, search, sort and page come back via
the menu link, the back links and after saving a period; the search text (it may be initials)
is never readable in the cookie."""

import re
from datetime import date, timedelta
from decimal import Decimal

from helpers import add_period, client_values, first_code
from support import SESSION_COOKIE, login

from app.clients import services
from app.db import session
from app.models import Organisation


def _seed(app, org_id: int, count: int, old_prefix: str, ended: bool = False) -> None:
    with app.app_context():
        org = session.get(Organisation, org_id)
        for i in range(count):
            values = client_values(birth_date=date(1960, 1, 1) + timedelta(days=i),
                                   old_nr=f"{old_prefix}{i:03d}")
            client = services.create_client(org, values, f"Cliënt {old_prefix}{i}")
            end = date.today() - timedelta(days=3) if ended else None
            services.add_period(client, {
                "hours": Decimal("16"), "start_date": date(2020, 1, 1), "end_date": end,
                "reden_stopzetting": first_code("reden_stopzetting") if end else None,
                "perspectief": first_code("perspectief") if end else None})
        session.commit()


def _state(page: str) -> dict:
    tab = re.search(r'tab=(\w+)[^"]*"[^>]*\s+aria-current="page"', page)
    sort = re.search(r'<option value="(\w+)" selected>', page)
    q = re.search(r'id="zoek" name="q" value="([^"]*)"', page)
    number = re.search(r"Pagina (\d+) van", page)
    return {"tab": tab and tab.group(1), "sort": sort and sort.group(1), "q": q and q.group(1),
            "page": int(number.group(1)) if number else 1}


def test_the_menu_link_shows_the_list_as_it_was_left(app, org_client):
    _seed(app, org_client.org_id, 120, "JV-", ended=True)
    left = org_client.get("/dashboard?tab=inactief&q=JV-&sort=oud_desc&page=2").get_data(as_text=True)
    assert _state(left) == {"tab": "inactief", "sort": "oud_desc", "q": "JV-", "page": 2}
    org_client.get("/profiel")
    page = org_client.get("/dashboard").get_data(as_text=True)
    assert 'href="/dashboard">Dashboard</a>' in page  # the menu link is the plain URL
    assert _state(page) == {"tab": "inactief", "sort": "oud_desc", "q": "JV-", "page": 2}
    assert "JV-069" in page and "JV-119" not in page  # page 2 of the descending order


def test_htmx_searches_and_tab_switches_are_remembered(app, org_client):
    _seed(app, org_client.org_id, 3, "AB-")
    org_client.get("/dashboard?tab=actief&q=AB-00&sort=nr_asc", headers={"HX-Request": "true"})
    assert _state(org_client.get("/dashboard").get_data(as_text=True))["q"] == "AB-00"
    org_client.get("/dashboard?tab=inactief&sort=nr_asc", headers={"HX-Request": "true"})
    assert _state(org_client.get("/dashboard").get_data(as_text=True)) == {
        "tab": "inactief", "sort": "nr_asc", "q": "", "page": 1}


def test_the_search_text_is_sealed_in_the_cookie(app, org_client):
    _seed(app, org_client.org_id, 2, "KVD")
    org_client.get("/dashboard?q=KVD-initialen")
    with org_client.session_transaction() as s:
        state = s["dashboard"]
        assert state["tab"] == "actief" and isinstance(state["q"], bytes)
        assert b"KVD" not in state["q"] and "KVD" not in repr(dict(s))
    assert "KVD" not in org_client.get_cookie(SESSION_COOKIE).value
    # a number typed in the search is sealed as well (nothing to tell the two apart)
    org_client.get("/dashboard?q=12")
    with org_client.session_transaction() as s:
        assert isinstance(s["dashboard"]["q"], bytes)


def test_saving_a_period_returns_to_the_list_as_it_was_left(app, org_client):
    _seed(app, org_client.org_id, 60, "PR-")
    org_client.get("/dashboard?tab=actief&sort=nr_desc&page=2")
    r = add_period(org_client, 1, startdatum="2015-01-01", einddatum="2015-12-31",
                   reden_stopzetting=first_code("reden_stopzetting"),
                   perspectief=first_code("perspectief"))
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert r.location == "/dashboard"
    page = org_client.get(r.location).get_data(as_text=True)
    assert "werd opgeslagen" in page
    assert _state(page) == {"tab": "actief", "sort": "nr_desc", "q": "", "page": 2}


def test_the_client_page_links_back_to_the_list_as_it_was_left(app, org_client):
    _seed(app, org_client.org_id, 1, "CB-")
    fresh = org_client.get("/clienten/1").get_data(as_text=True)
    assert 'href="/dashboard?tab=actief">← Terug naar dashboard' in fresh  # nothing remembered
    org_client.get("/dashboard?tab=inactief")
    page = org_client.get("/clienten/1").get_data(as_text=True)
    assert 'href="/dashboard">← Terug naar dashboard' in page


def test_a_new_login_starts_with_the_default_list(app, org_client):
    _seed(app, org_client.org_id, 2, "NL-")
    org_client.get("/dashboard?tab=inactief&q=NL-&sort=oud_asc")
    org_client.post("/logout")
    login(org_client, org_client.email)
    assert _state(org_client.get("/dashboard").get_data(as_text=True)) == {
        "tab": "actief", "sort": "nr_asc", "q": "", "page": 1}


def test_a_state_from_another_organisation_is_ignored(app, org_client, make_org):
    _seed(app, org_client.org_id, 1, "XO-")
    org_client.get("/dashboard?q=XO-")
    with org_client.session_transaction() as s:
        sealed = s["dashboard"]
    _, other_email = make_org(name="Ander")
    other = app.test_client()
    login(other, other_email)
    with other.session_transaction() as s:
        s["dashboard"] = sealed  # copied between browsers: the other organisation's key differs
    page = other.get("/dashboard")
    assert page.status_code == 200 and _state(page.get_data(as_text=True))["q"] == ""
