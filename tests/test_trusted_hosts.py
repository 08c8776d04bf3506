"""A request for a Host the site does not go by gets a Dutch 400, so no redirect or link is ever
built from an attacker's Host header. TRUSTED_HOSTS defaults to BASE_URL's host (and loopback)."""

import pytest
from live import AppProcess, Session
from support import PASSWORD

EVIL = "evil.example"
# werkzeug answers a path with a double slash with an absolute redirect built from the Host
DOUBLE_SLASH = "/password//new"


def _refused(status, headers, body) -> bool:
    return (status == 400 and "Ongeldige aanvraag" in body
            and EVIL not in (headers.get("Location") or "") and EVIL not in body)


@pytest.mark.parametrize("path", ["/", DOUBLE_SLASH, "/login", "/beheer//organisaties"])
def test_foreign_host_gets_a_dutch_400_and_no_redirect(client, path):
    r = client.get(path, headers={"Host": EVIL})
    assert _refused(r.status_code, r.headers, r.get_data(as_text=True)), (r.status_code, r.location)


def test_foreign_host_with_the_site_as_suffix_or_prefix_is_refused(client):
    for host in (f"arbeidszorg.test.{EVIL}", f"{EVIL}:80", f"x{EVIL}"):
        assert client.get(DOUBLE_SLASH, headers={"Host": host}).status_code == 400


def test_the_sites_own_host_and_loopback_are_answered(client):
    r = client.get(DOUBLE_SLASH, headers={"Host": "arbeidszorg.test"})
    assert r.status_code == 308 and r.location == "http://arbeidszorg.test/password/new"
    assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 302
    assert client.get("/", headers={"Host": "127.0.0.1"}).status_code == 302


def test_trusted_hosts_can_be_set_explicitly(make_app):
    app = make_app(TRUSTED_HOSTS="registratie.example.be, .arbeidszorg.be")
    assert app.config["TRUSTED_HOSTS"] == ["registratie.example.be", ".arbeidszorg.be"]
    c = app.test_client()
    assert c.get("/", headers={"Host": "registratie.example.be"}).status_code == 302
    assert c.get("/", headers={"Host": "www.arbeidszorg.be"}).status_code == 302
    assert c.get("/", headers={"Host": "arbeidszorg.test"}).status_code == 400
    assert make_app(TRUSTED_HOSTS="*").test_client().get(
        "/", headers={"Host": EVIL}).status_code == 302


def test_logged_in_user_with_a_foreign_host_gets_the_error_page(org_client):
    r = org_client.get("/dashboard", headers={"Host": EVIL})
    assert _refused(r.status_code, r.headers, r.get_data(as_text=True))
    assert org_client.get("/dashboard").status_code == 200  # the session is unharmed


def test_behind_a_proxy_the_forwarded_host_is_checked(make_app, make_org):
    app = make_app(TRUSTED_PROXIES=1)
    _, email = make_org()
    c = app.test_client()
    assert c.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    r = c.get("/dashboard", headers={"X-Forwarded-Host": EVIL})
    assert _refused(r.status_code, r.headers, r.get_data(as_text=True))
    assert c.get("/dashboard", headers={"X-Forwarded-Host": "arbeidszorg.test"}).status_code == 200


@pytest.fixture
def server(tmp_path, db_url):
    srv = AppProcess(tmp_path / "live-instance", db_url, threads=2)
    yield srv
    srv.stop()


def test_real_http_foreign_host_is_refused(server):
    """Through waitress, which hands the client's Host header to the app as it is."""
    s = Session(server)
    for path in ("/", DOUBLE_SLASH, "/login"):
        assert _refused(*s.get(path, headers={"Host": EVIL})), path
    status, headers, _ = s.get(DOUBLE_SLASH, headers={"Host": "arbeidszorg.test"})
    assert status == 308 and headers["Location"] == "http://arbeidszorg.test/password/new"
    assert s.get("/healthz")[0] == 200  # loopback (127.0.0.1:port) is answered
