"""Beheer confirmations and the readable audit log in the browser: *Deactiveren* asks on a page
of its own, which works without JavaScript; the audit log reads as Dutch sentences (axe-clean)."""

import re

from playwright.sync_api import expect

from browser.support import axe_check, login_in_browser


def test_deactivating_asks_first_without_javascript(browser, live_server, make_org, make_admin):
    org_id, _ = make_org(name="Atelier Zonder Script")
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    try:
        page = context.new_page()
        login_in_browser(page, live_server, make_admin("limburg"))
        page.goto(f"{live_server.url}/beheer/organisaties/{org_id}")
        page.get_by_role("link", name="Deactiveren").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Atelier Zonder Script deactiveren?")
        page.get_by_role("link", name="Annuleren").click()  # changing one's mind changes nothing
        expect(page.get_by_role("heading", level=1)).to_have_text("Atelier Zonder Script")
        expect(page.locator("dl.data")).to_contain_text("Actief")
        page.get_by_role("link", name="Deactiveren").click()
        page.get_by_role("button", name="Atelier Zonder Script deactiveren").click()
        expect(page.get_by_role("status")).to_contain_text("Atelier Zonder Script werd gedeactiveerd")
        expect(page.locator("dl.data")).to_contain_text("Gedeactiveerd")
    finally:
        context.close()


def test_confirm_page_and_audit_log_are_accessible(page, live_server, make_org, make_admin):
    org_id, _ = make_org(name="Atelier Audit")
    login_in_browser(page, live_server, make_admin(None))
    page.goto(f"{live_server.url}/beheer/organisaties/{org_id}/deactiveren")
    axe_check(page)
    page.get_by_role("button", name="Atelier Audit deactiveren").click()
    page.goto(f"{live_server.url}/beheer/audit")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Omschrijving")).to_be_visible()
    expect(table).to_contain_text("Organisatie: gedeactiveerd: de organisatie kan niet meer aanmelden.")
    expect(table).to_contain_text(re.compile(r"Aangemeld vanaf een (nieuw|vertrouwd) toestel\."))
    expect(table).not_to_contain_text("status:")
    axe_check(page)
