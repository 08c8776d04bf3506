"""Who may open /beheer and /dashboard; Dutch error pages without technical details."""

import logging

import pytest
from support import PASSWORD, SESSION_COOKIE, login

DB_DOWN = "postgresql+psycopg://nobody@127.0.0.1:1/x"
TECHNICAL = ("Traceback", "psycopg", "postgresql", "nobody", "127.0.0.1:1", "sqlalchemy",
             "OperationalError", "Werkzeug", "Internal Server Error")


def _assert_no_technical_details(page: str):
    for word in TECHNICAL:
        assert word.lower() not in page.lower(), f"{word!r} shown to the user"


# --- access ------------------------------------------------------------------------------------

def test_organisation_is_refused_on_beheer(org_client):
    for path in ("/beheer", "/beheer/organisaties"):
        r = org_client.get(path)
        assert r.status_code in (403, 404), path
    r = org_client.get("/beheer")
    assert r.status_code == 403
    page = r.get_data(as_text=True)
    assert "Geen toegang" in page and "Je hebt geen toegang tot deze pagina." in page


def test_beheerder_is_refused_on_the_dashboard(app, make_admin):
    c = app.test_client()
    login(c, make_admin(region=None))
    r = c.get("/dashboard")
    assert r.status_code == 403 and "Geen toegang" in r.get_data(as_text=True)
    assert c.get("/beheer").status_code == 200


@pytest.mark.parametrize("path", ["/dashboard", "/beheer"])
def test_anonymous_visitor_is_sent_to_login_and_back(app, make_org, make_admin, path):
    c = app.test_client()
    r = c.get(path)
    assert r.status_code == 302
    assert r.location.startswith("/login") and f"next={path}" in r.location
    email = make_org()[1] if path == "/dashboard" else make_admin()
    r = c.post(r.location, data={"email": email, "password": PASSWORD})
    assert r.status_code == 302 and r.location == path


def test_login_never_redirects_to_another_site(app, make_org):
    _, email = make_org()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example",
                   "http:evil.example"):
        c = app.test_client()
        r = c.post("/login", query_string={"next": target}, data={"email": email, "password": PASSWORD})
        assert r.status_code == 302
        assert "evil.example" not in r.location and r.location.endswith("/dashboard"), target


# --- error pages -------------------------------------------------------------------------------

def test_unknown_page_gives_a_dutch_404(client):
    r = client.get("/bestaat-niet")
    assert r.status_code == 404
    page = r.get_data(as_text=True)
    assert "Pagina niet gevonden" in page and 'lang="nl-BE"' in page
    assert "Not Found" not in page


def test_wrong_method_gives_a_dutch_405(client):
    r = client.put("/login")
    assert r.status_code == 405 and "Niet toegestaan" in r.get_data(as_text=True)


def test_crashing_page_gives_a_dutch_500_without_traceback(make_app, caplog):
    app = make_app()

    def boom():
        raise RuntimeError("geheime details van de crash")

    app.add_url_rule("/boom", "boom", boom)
    caplog.set_level(logging.ERROR)
    r = app.test_client().get("/boom")
    assert r.status_code == 500
    page = r.get_data(as_text=True)
    assert "Er ging iets mis" in page
    assert "geheime details" not in page and "RuntimeError" not in page
    _assert_no_technical_details(page)
    # the operator still finds it in the log
    assert any("RuntimeError" in rec.getMessage() for rec in caplog.records)


@pytest.fixture
def down_app(make_app):
    """An app whose database does not answer (create_app must still start)."""
    return make_app(DATABASE_URL=DB_DOWN)


def test_database_down_gives_a_dutch_503_page(down_app):
    c = down_app.test_client()
    assert c.get("/login").status_code == 200  # pages without data still work
    r = c.post("/login", data={"email": "iemand@example.be", "password": "een wachtwoord"})
    assert r.status_code == 503
    page = r.get_data(as_text=True)
    assert "Tijdelijk niet beschikbaar" in page
    _assert_no_technical_details(page)


def test_database_down_healthz_answers_503(app, down_app):
    assert app.test_client().get("/healthz").status_code == 200
    r = down_app.test_client().get("/healthz")
    assert r.status_code == 503
    _assert_no_technical_details(r.get_data(as_text=True))


def test_database_down_while_logged_in_gives_the_dutch_503_page(org_client, down_app):
    """A user who is logged in when the database goes away sees the 503 page, not a crash."""
    c = down_app.test_client()
    c.set_cookie(SESSION_COOKIE, org_client.get_cookie(SESSION_COOKIE).value)
    for path in ("/dashboard", "/login", "/"):
        r = c.get(path)
        assert r.status_code == 503, path
        page = r.get_data(as_text=True)
        assert "Tijdelijk niet beschikbaar" in page, path
        _assert_no_technical_details(page)
    r = c.get("/healthz")
    assert r.status_code == 503 and r.get_data(as_text=True) == "database unavailable"
