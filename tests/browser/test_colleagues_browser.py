"""Colleague logins in a real browser: invite, accept, log in as the colleague, remove; axe clean;
every step also works with JavaScript off."""

import re

from helpers import client_values
from playwright.sync_api import expect
from support import link_in

from app.clients import services
from app.db import session
from app.models import Organisation
from browser.support import DEFAULT_TIMEOUT_MS, NAVIGATION_TIMEOUT_MS, axe_check, login_in_browser

COLLEAGUE = "an.collega@example.be"
COLLEAGUE_PASSWORD = "een eigen en lang wachtwoord voor An"
NAME = "Mieke Vanhoof"


def _with_a_named_client(app, org_id):
    with app.app_context():
        services.create_client(session.get(Organisation, org_id), client_values(), NAME)
        session.commit()


def _invite(page, server):
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Logins van de organisatie").click()
    expect(page).to_have_url(f"{server.url}/organisatie/logins")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logins van de organisatie")
    page.get_by_label("E-mailadres van je collega").fill(COLLEAGUE)
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_role("status")).to_contain_text(f"uitnodiging gestuurd naar {COLLEAGUE}")
    row = page.get_by_role("row").filter(has_text=COLLEAGUE)
    expect(row).to_contain_text("uitnodiging verstuurd")


def _accept_and_log_in(colleague_page, server, msg):
    colleague_page.goto(server.url + link_in(msg))
    expect(colleague_page.get_by_role("heading", level=1)).to_be_visible()
    colleague_page.get_by_label("Nieuw wachtwoord", exact=True).fill(COLLEAGUE_PASSWORD)
    colleague_page.get_by_label("Herhaal het nieuwe wachtwoord").fill(COLLEAGUE_PASSWORD)
    colleague_page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(colleague_page).to_have_url(f"{server.url}/login")
    login_in_browser(colleague_page, server, COLLEAGUE, COLLEAGUE_PASSWORD)
    expect(colleague_page).to_have_url(f"{server.url}/dashboard")
    expect(colleague_page.locator("#client-list")).to_contain_text(NAME)


def _remove(page, server):
    page.get_by_role("link", name=f"Verwijderen ({COLLEAGUE})").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Login {COLLEAGUE} verwijderen")
    page.get_by_role("button", name=f"Login {COLLEAGUE} verwijderen").click()
    expect(page).to_have_url(f"{server.url}/organisatie/logins")
    expect(page.get_by_role("status")).to_contain_text("werd verwijderd")
    expect(page.get_by_role("row").filter(has_text=COLLEAGUE)).to_have_count(0)


def test_invite_accept_log_in_as_the_colleague_and_remove(page, browser, make_live_server,
                                                          mail_app, make_org):
    org_id, email = make_org(name="Atelier De Brug")
    _with_a_named_client(mail_app, org_id)
    server = make_live_server(mail_app)
    login_in_browser(page, server, email)
    _invite(page, server)
    axe_check(page)

    colleague_context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels")
    colleague_context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        colleague_page = colleague_context.new_page()
        _accept_and_log_in(colleague_page, server, mail_app.smtp.wait_for(1)[0])

        page.reload()
        row = page.get_by_role("row").filter(has_text=COLLEAGUE)
        expect(row).not_to_contain_text("uitnodiging verstuurd")
        expect(row).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"))
        axe_check(page)
        page.get_by_role("link", name=f"Verwijderen ({COLLEAGUE})").click()
        axe_check(page)
        page.go_back()
        _remove(page, server)

        colleague_page.reload()
        expect(colleague_page).to_have_url(re.compile(r"/login"))
    finally:
        colleague_context.close()


def test_every_step_works_without_javascript(browser, make_live_server, mail_app, make_org):
    org_id, email = make_org(name="Atelier De Brug")
    _with_a_named_client(mail_app, org_id)
    server = make_live_server(mail_app)
    contexts = [browser.new_context(java_script_enabled=False, locale="nl-BE",
                                    timezone_id="Europe/Brussels") for _ in range(2)]
    try:
        for context in contexts:
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        page, colleague_page = (context.new_page() for context in contexts)
        login_in_browser(page, server, email)
        _invite(page, server)
        _accept_and_log_in(colleague_page, server, mail_app.smtp.wait_for(1)[0])
        page.reload()
        _remove(page, server)
        colleague_page.reload()
        expect(colleague_page).to_have_url(re.compile(r"/login"))
    finally:
        for context in contexts:
            context.close()
