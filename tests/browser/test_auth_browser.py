"""Logging in and out, forgotten password, accessibility and CSP in a real browser."""

import re

import pytest
from playwright.sync_api import expect
from support import PASSWORD, link_in

from browser.support import axe_check, login_in_browser

NEW_PASSWORD = "een nieuw en lang wachtwoord"


def test_organisation_logs_in_through_the_form_and_sees_its_dashboard(page, live_server, make_org):
    _, email = make_org(name="De Werkplaats vzw")
    page.goto(f"{live_server.url}/login")
    expect(page).to_have_title(re.compile(r"^Aanmelden – "))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("De Werkplaats vzw")
    expect(page.get_by_role("navigation", name="Hoofdmenu")
           .get_by_role("button", name="Afmelden")).to_be_visible()


def test_wrong_password_shows_the_dutch_message(page, live_server, make_org):
    _, email = make_org()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("verkeerd-wachtwoord-123")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Aanmelden mislukt: controleer je e-mailadres en wachtwoord.")
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{live_server.url}/dashboard")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)dashboard$"))


def test_logout_with_the_afmelden_button(page, live_server, make_org):
    _, email = make_org()
    login_in_browser(page, live_server, email)
    page.get_by_role("button", name="Afmelden").click()
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_role("status")).to_have_text("Je bent afgemeld.")
    expect(page.get_by_role("button", name="Afmelden")).to_have_count(0)
    page.goto(f"{live_server.url}/dashboard")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_forgotten_password_mail_link_and_new_password(page, make_live_server, mail_app, make_org):
    _, email = make_org()
    server = make_live_server(mail_app)
    page.goto(f"{server.url}/login")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(page).to_have_url(f"{server.url}/password/new")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_role("button", name="Verstuur de link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer je mailbox")

    (msg,) = mail_app.smtp.wait_for(1)
    page.goto(server.url + link_in(msg))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw wachtwoord kiezen")
    axe_check(page)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page).to_have_url(f"{server.url}/login")
    expect(page.get_by_role("status")).to_contain_text("Je wachtwoord is ingesteld.")
    login_in_browser(page, server, email, NEW_PASSWORD)
    expect(page).to_have_url(f"{server.url}/dashboard")


def test_htmx_is_loaded_under_the_csp_with_eval_disabled(page, live_server, make_org):
    _, email = make_org()
    login_in_browser(page, live_server, email)
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.allowScriptTags") is False
    assert page.evaluate("htmx.config.selfRequestsOnly") is True
    headers = page.evaluate("document.body.getAttribute('data-hx-headers')")
    assert re.fullmatch(r'\{"X-CSRFToken": "[^"]+"\}', headers)


# --- accessibility (axe-core, WCAG 2.1 A/AA) ------------------------------------------------

@pytest.mark.parametrize("path", ["/login", "/password/new"])
def test_public_pages_have_no_wcag_violations(page, live_server, path):
    page.goto(live_server.url + path)
    axe_check(page)


def test_login_form_with_errors_has_no_wcag_violations(page, live_server, make_org):
    _, email = make_org()
    page.goto(f"{live_server.url}/login")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator("#email-error")).to_have_text("Dit veld is verplicht.")
    expect(page.get_by_label("E-mailadres")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("E-mailadres")).to_have_attribute("aria-describedby", "email-error")
    axe_check(page)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("verkeerd-wachtwoord-123")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("alert")).to_contain_text("Aanmelden mislukt")
    axe_check(page)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page, live_server):
    page.goto(f"{live_server.url}/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#inhoud")).to_be_focused()


def test_error_page_has_no_wcag_violations(page, live_server, console_errors):
    console_errors.allow(r"status of 404")  # the 404 of the page itself
    page.goto(f"{live_server.url}/bestaat-niet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
    axe_check(page)


def test_dashboard_has_no_wcag_violations(page, live_server, make_org):
    _, email = make_org(name="Arbeidszorg Testgem vzw")
    login_in_browser(page, live_server, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Arbeidszorg Testgem vzw")
    axe_check(page)


@pytest.mark.parametrize("region", ["antwerpen", None], ids=["provincie", "super"])
def test_beheer_has_no_wcag_violations(page, live_server, make_admin, region):
    email = make_admin(region)
    login_in_browser(page, live_server, email)
    expect(page).to_have_url(f"{live_server.url}/beheer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beheer")
    axe_check(page)
