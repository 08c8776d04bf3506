"""Every state-changing route, generated from app.url_map (a new route is covered the day it is
added): without a CSRF token it is refused with the Dutch 400 page; without a login it sends to
the login page; the wrong kind of account gets 403; a provinciebeheerder gets 403 on the
superbeheerder's routes and 404 on another region's objects. In every case nothing changes in
the database (every row of every table is compared)."""

import pytest
from generated import WRITE_METHODS, build_world, fingerprint, methods, urls, write_rules
from support import login

CSRF_MESSAGE = "Je sessie is verlopen of het formulier is ongeldig"

# Work without a login (and still need a CSRF token).
PUBLIC = {"/login", "/password/new", "/password/edit/<token>",
          "/login-wijziging/annuleren/<token>", "/login-wijziging/bevestigen/<token>",
          "/login/code"}  # the second step of a login: a password was given, no session yet
# For every logged-in account, whatever its kind.
ANY_ACCOUNT = {"/logout", "/account/wachtwoord", "/account/tweestapsverificatie",
               "/account/tweestapsverificatie/uitzetten",
               "/sessie/verlengen"}  # *Aangemeld blijven* (SPEC §12)
# /beheer routes only a superbeheerder may use (a provinciebeheerder gets 403).
SUPER_ONLY_PREFIXES = ("/beheer/beheerders", "/beheer/keuzelijsten")
# /beheer routes without an object in the URL that every beheerder may use in its own region.
REGIONAL_WITHOUT_OBJECT = {"/beheer/organisaties/nieuw", "/beheer/registratierondes"}


@pytest.fixture
def app(make_app):
    """Many logins in one test: the login rate limits are not what is tested here."""
    return make_app(RATELIMIT_ENABLED=False)


@pytest.fixture
def world(app, make_org, make_admin):
    return build_world(app, make_org, make_admin)


def _client_for(app, rule, world):
    """A test client logged in as the account a rule is meant for (anonymous for PUBLIC)."""
    c = app.test_client()
    if rule.rule in PUBLIC:
        return c
    email = world.admins["super"] if rule.rule.startswith("/beheer") else world.orgs["limburg"].email
    assert login(c, email).status_code == 302
    return c


def _requests(app, world):
    """(rule, method, url) for every state-changing method of every rule."""
    found = []
    for rule in write_rules(app):
        for method in methods(rule):
            if method in WRITE_METHODS:
                found.extend((rule, method, url) for url in urls(rule, world.values))
    return found


def _check(app, failures, label, response, expected, before):
    """Record what is wrong: the status (and page) and whether anything changed."""
    problem = expected(response)
    if problem:
        failures.append(f"{label}: {problem} (status {response.status_code})")
    if fingerprint(app) != before:
        failures.append(f"{label}: the database changed")


def _csrf_refused(response):
    page = response.get_data(as_text=True)
    if response.status_code != 400 or CSRF_MESSAGE not in page or "Ongeldige aanvraag" not in page:
        return "not refused with the Dutch CSRF page"
    return None


def _to_login(response):
    if response.status_code in (401, 403):
        return None
    if response.status_code == 302 and response.location.split("?")[0].endswith("/login"):
        return None
    return "not sent to the login page"


def _status(code):
    def check(response):
        return None if response.status_code == code else f"expected {code}"
    return check


def test_the_generated_list_holds_every_kind_of_write_route(app, world):
    found = {(method, url) for _, method, url in _requests(app, world)}
    org, client = world.orgs["limburg"].org_id, world.orgs["limburg"].client_id
    assert {("POST", "/login"), ("POST", "/logout"), ("POST", "/clienten/nieuw"),
            ("POST", "/profiel"), ("POST", f"/beheer/keuzelijsten/geslacht/{world.option_id}/uitfaseren"),
            ("POST", f"/beheer/organisaties/{org}/activeren"),  # any(...): every option
            ("POST", f"/beheer/organisaties/{org}/deactiveren"),
            ("POST", f"/beheer/clienten/{client}/verwijderen"),
            ("POST", f"/password/edit/{world.token}"), ("POST", "/beheer/registratierondes"),
            ("POST", f"/beheer/registratierondes/{world.values['round_id']}/herinnering"),
            ("POST", f"/registratierondes/{world.values['round_id']}/volledig")} <= found
    assert len(found) >= 25


def test_every_write_route_refuses_a_request_without_a_valid_csrf_token(app, world):
    failures = []
    for rule, method, url in _requests(app, world):
        c = _client_for(app, rule, world)
        stranger_token = app.test_client().csrf_token()
        for label, kwargs in (("no token", {}),
                              ("another session's token", {"data": {"csrf_token": stranger_token}}),
                              ("a forged header", {"headers": {"X-CSRFToken": "vervalst"}})):
            before = fingerprint(app)
            r = c.open(url, method=method, csrf=False, **kwargs)
            _check(app, failures, f"{method} {url} with {label}", r, _csrf_refused, before)
        if rule.rule not in PUBLIC and rule.rule not in ANY_ACCOUNT:
            # still logged in: the refusal did not end the session either
            home = "/beheer" if rule.rule.startswith("/beheer") else "/dashboard"
            if c.get(home).status_code != 200:
                failures.append(f"{method} {url}: the session ended")
    assert not failures, "\n".join(failures)


def test_every_write_route_needs_a_login(app, world):
    failures = []
    for rule, method, url in _requests(app, world):
        if rule.rule in PUBLIC:
            continue
        c = app.test_client()
        token = c.csrf_token()  # a valid token of this (anonymous) session: only the login lacks
        before = fingerprint(app)
        r = c.open(url, method=method, csrf=False, data={"csrf_token": token},
                   headers={"X-CSRFToken": token})
        _check(app, failures, f"anonymous {method} {url}", r, _to_login, before)
    assert not failures, "\n".join(failures)


def test_organisation_login_gets_403_on_every_beheer_write_route(app, world):
    failures = []
    c = app.test_client()
    assert login(c, world.orgs["limburg"].email).status_code == 302
    checked = 0
    for rule, method, url in _requests(app, world):
        if rule.rule.startswith("/beheer"):
            before = fingerprint(app)
            _check(app, failures, f"organisation {method} {url}", c.open(url, method=method),
                   _status(403), before)
            checked += 1
    assert checked >= 15
    assert not failures, "\n".join(failures)


def test_beheerder_gets_403_on_every_organisation_write_route(app, world):
    failures = []
    c = app.test_client()
    assert login(c, world.admins["super"]).status_code == 302
    checked = 0
    for rule, method, url in _requests(app, world):
        if rule.rule.startswith("/beheer") or rule.rule in PUBLIC | ANY_ACCOUNT:
            continue
        before = fingerprint(app)
        _check(app, failures, f"beheerder {method} {url}", c.open(url, method=method),
               _status(403), before)
        checked += 1
    assert checked >= 5
    assert not failures, "\n".join(failures)


def test_provinciebeheerder_write_routes_stay_in_scope(app, world):
    """The Antwerpen beheerder on the Limburg objects of every regional route: 404; on every
    superbeheerder route: 403. A new /beheer write route must fit one of these (or be listed
    in REGIONAL_WITHOUT_OBJECT)."""
    failures = []
    c = app.test_client()
    assert login(c, world.admins["antwerpen"]).status_code == 302
    for rule, method, url in _requests(app, world):
        if not rule.rule.startswith("/beheer") or rule.rule in REGIONAL_WITHOUT_OBJECT:
            continue
        if rule.rule.startswith(SUPER_ONLY_PREFIXES):
            expected = _status(403)
        elif set(rule.arguments) & {"org_id", "client_id", "round_id"}:
            expected = _status(404)  # world.values hold the Limburg organisation, client, round
        else:
            failures.append(f"{rule.rule}: neither superbeheerder-only nor about an object in "
                            "a region; classify it in this test")
            continue
        before = fingerprint(app)
        _check(app, failures, f"provinciebeheerder {method} {url}", c.open(url, method=method),
               expected, before)
    assert not failures, "\n".join(failures)
