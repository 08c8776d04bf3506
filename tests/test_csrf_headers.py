"""CSRF protection on forms and htmx requests; security headers and cookie flags."""

import re

import pytest
from support import PASSWORD, SESSION_COOKIE, link_in, login

CSRF_MESSAGE = "Je sessie is verlopen of het formulier is ongeldig"


def _assert_csrf_refused(response):
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Ongeldige aanvraag" in page and CSRF_MESSAGE in page


# --- CSRF --------------------------------------------------------------------------------------

def test_login_without_csrf_token_is_refused_in_dutch(app, make_org):
    _, email = make_org()
    c = app.test_client()
    _assert_csrf_refused(c.post("/login", data={"email": email, "password": PASSWORD}, csrf=False))
    assert c.get("/dashboard").status_code == 302  # not logged in
    # with a forged token too
    r = c.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": "vervalst"})
    _assert_csrf_refused(r)


def test_forgotten_password_and_new_password_forms_need_a_csrf_token(mail_app, make_org):
    _, email = make_org()
    c = mail_app.test_client()
    _assert_csrf_refused(c.post("/password/new", data={"email": email}, csrf=False))
    c.post("/password/new", data={"email": email})
    link = link_in(mail_app.smtp.wait_for(1)[0])
    assert len(mail_app.smtp.messages) == 1  # the refused post sent nothing
    new = "een nieuw wachtwoord hier"
    _assert_csrf_refused(c.post(link, data={"password": new, "password_confirm": new}, csrf=False))
    assert login(mail_app.test_client(), email, new).status_code == 200  # unchanged
    assert c.get(link).status_code == 200  # and the link still works


def test_logout_without_csrf_token_is_refused_and_keeps_the_session(org_client):
    _assert_csrf_refused(org_client.post("/logout", csrf=False))
    assert org_client.get("/dashboard").status_code == 200


def test_htmx_post_with_the_csrf_header_is_accepted(org_client):
    token = org_client.csrf_token()
    r = org_client.post("/logout", csrf=False, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert r.status_code == 302
    assert org_client.get("/dashboard").status_code == 302


def test_htmx_post_with_a_wrong_csrf_header_is_refused(org_client):
    r = org_client.post("/logout", csrf=False,
                        headers={"HX-Request": "true", "X-CSRFToken": "niet-het-juiste-token"})
    _assert_csrf_refused(r)
    assert org_client.get("/dashboard").status_code == 200


def test_csrf_token_of_another_session_is_refused(app, org_client):
    stranger = app.test_client()
    token = stranger.csrf_token()
    _assert_csrf_refused(org_client.post("/logout", data={"csrf_token": token}, csrf=False))
    assert org_client.get("/dashboard").status_code == 200


def test_every_page_carries_the_csrf_token_for_htmx(org_client):
    page = org_client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'<body data-hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'', page)


# --- headers -----------------------------------------------------------------------------------

def _csp(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no CSP on {response.request.path}"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def _assert_security_headers(response):
    csp = _csp(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "*" not in script_src
    assert csp.get("frame-ancestors") == ["'none'"]
    assert csp.get("object-src") == ["'none'"]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in (
        "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")


def _responses(app, org_client):
    anonymous = app.test_client()
    return {
        "login page": anonymous.get("/login"),
        "forgotten password": anonymous.get("/password/new"),
        "404 page": anonymous.get("/bestaat-niet"),
        "static file": anonymous.get("/static/css/app.css"),
        "healthz": anonymous.get("/healthz"),
        "redirect": anonymous.get("/dashboard"),
        "dashboard": org_client.get("/dashboard"),
        "static file when logged in": org_client.get("/static/css/app.css"),
    }


def test_security_headers_on_every_kind_of_response(app, org_client):
    for name, response in _responses(app, org_client).items():
        assert response.status_code in (200, 302, 404), name
        try:
            _assert_security_headers(response)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


def test_pages_have_no_inline_scripts_or_event_handlers(app, org_client):
    for name, response in _responses(app, org_client).items():
        if response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), f"inline script on {name}"
        assert not re.search(r"\son[a-z]+=", page), f"inline event handler on {name}"
        assert "javascript:" not in page, name


def test_authenticated_pages_are_not_cached(app, org_client, make_admin):
    assert "no-store" in org_client.get("/dashboard").headers.get("Cache-Control", "")
    admin = app.test_client()
    login(admin, make_admin())
    assert "no-store" in admin.get("/beheer").headers.get("Cache-Control", "")


def _session_set_cookie(response) -> str:
    cookies = [v for v in response.headers.getlist("Set-Cookie") if v.startswith(SESSION_COOKIE + "=")]
    assert cookies, "no session cookie was set"
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax_but_not_secure_over_http(app, make_org):
    _, email = make_org()
    c = app.test_client()
    cookie = _session_set_cookie(login(c, email)).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie
    assert "Strict-Transport-Security" not in c.get("/dashboard").headers


@pytest.fixture
def https_app(make_app):
    return make_app(BASE_URL="https://x.test")


def test_session_cookie_is_secure_when_base_url_is_https(https_app, make_org):
    _, email = make_org()
    c = https_app.test_client()
    anonymous_cookie = _session_set_cookie(c.get("/login")).lower()
    assert "secure" in anonymous_cookie
    r = login(c, email)
    assert r.status_code == 302
    cookie = _session_set_cookie(r).lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "max-age=" in c.get("/dashboard").headers.get("Strict-Transport-Security", "")
