"""Accessibility (axe-core, WCAG 2.1 A/AA) of the public pages and /profiel, and the htmx filter."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from app.db import session
from app.models import Account, Organisation
from browser.support import axe_check, login_in_browser

PUBLIC_PAGES = ("/login", "/password/new", "/arbeidszorginitiatieven", "/contact", "/help",
                "/toegankelijkheid")


@pytest.fixture
def public_data(app, make_org, make_admin):
    """Two organisations on the public page and one beheerder with contact details."""
    shown = [("Atelier De Brug", "limburg", "atelierwerk,groen_en_tuinwerk",
              "https://www.doeners.be/org/de-brug", None),
             ("Groen Antwerpen", "antwerpen", "groen_en_tuinwerk", None, "https://www.groen.be")]
    for name, region, werkvormen, doeners, website in shown:
        org_id, _ = make_org(name=name, region=region)
        with app.app_context():
            session.execute(update(Organisation).where(Organisation.id == org_id).values(
                show_public=True, werkvormen=werkvormen, doeners_url=doeners, website=website,
                municipality="Genk", street="Kerkstraat 1", postcode="3600",
                description="Wij bieden arbeidszorg.\nIn een atelier."))
            session.commit()
    email = make_admin(region="limburg")
    with app.app_context():
        session.execute(update(Account).where(Account.email == email).values(
            contact_organisation="Steunpunt Arbeidszorg Limburg", contact_name="Dirk Michiels",
            contact_phone="011/67.21.72"))
        session.commit()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_axe_violations(page, live_server, public_data, path):
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("navigation", name="Voettekst")
           .get_by_role("link", name="Toegankelijkheid")).to_be_visible()
    axe_check(page)


def test_profile_page_has_no_axe_violations(page, live_server, make_org):
    _, email = make_org(name="De Werkplaats vzw")
    login_in_browser(page, live_server, email)
    page.goto(f"{live_server.url}/profiel")
    expect(page.get_by_role("heading", level=1)).to_have_text("Publiek profiel")
    axe_check(page)
    # the form with errors on it is accessible too
    page.get_by_label("Website").fill("ftp://x")
    page.get_by_label("Korte beschrijving").fill("x" * 601)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Website")).to_have_attribute("aria-invalid", "true")
    axe_check(page)


def test_profile_saved_and_shown_on_the_public_page(page, live_server, make_org):
    _, email = make_org(name="De Werkplaats vzw")
    login_in_browser(page, live_server, email)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Profiel").click()
    page.get_by_label("Gemeente").fill("Hasselt")
    page.get_by_label("Pagina op doeners.be").fill("https://www.doeners.be/org/werkplaats")
    page.get_by_label("Atelierwerk").check()
    page.get_by_label("Korte beschrijving").fill("<b>Hout</b> en metaal")
    page.get_by_label("Toon mijn organisatie op de publieke pagina").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(f"{live_server.url}/profiel")
    expect(page.get_by_role("status")).to_have_text("Je publieke profiel werd opgeslagen.")
    page.goto(f"{live_server.url}/arbeidszorginitiatieven")
    tile = page.locator(".tile", has=page.get_by_role("heading", name="De Werkplaats vzw"))
    expect(tile).to_contain_text("<b>Hout</b> en metaal")
    expect(tile.get_by_role("link", name=re.compile("Bekijk op doeners.be"))).to_have_attribute(
        "href", "https://www.doeners.be/org/werkplaats")


def test_filter_swaps_the_tiles_and_pushes_the_url(page, live_server, public_data):
    page.goto(f"{live_server.url}/arbeidszorginitiatieven")
    tiles = page.locator("#tiles .tile h2")
    expect(tiles).to_have_text(["Atelier De Brug", "Groen Antwerpen"])
    page.get_by_label("Regio").select_option("limburg")
    expect(page).to_have_url(re.compile(r"/arbeidszorginitiatieven\?regio=limburg"))
    expect(tiles).to_have_text(["Atelier De Brug"])
    expect(page.get_by_role("heading", level=1)).to_have_count(1)  # only the tiles were swapped
    page.get_by_label("Regio").select_option("")
    page.get_by_label("Werkvorm").select_option("groen_en_tuinwerk")
    expect(tiles).to_have_text(["Atelier De Brug", "Groen Antwerpen"])
    page.get_by_label("Werkvorm").select_option("atelierwerk")
    expect(tiles).to_have_text(["Atelier De Brug"])
    axe_check(page)
    page.go_back()  # htmx reloads the page from the server (no history cache)
    expect(page).to_have_url(re.compile(r"werkvorm=groen_en_tuinwerk"))
    expect(tiles).to_have_text(["Atelier De Brug", "Groen Antwerpen"])
    expect(page.get_by_label("Werkvorm")).to_have_value("groen_en_tuinwerk")
    page.wait_for_load_state("networkidle")  # let the reload finish before the server stops


def test_filter_works_without_javascript(browser, live_server, public_data):
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/arbeidszorginitiatieven")
        page.get_by_label("Regio").select_option("antwerpen")
        page.get_by_role("button", name="Toon").click()
        expect(page).to_have_url(re.compile(r"regio=antwerpen"))
        expect(page.locator("#tiles .tile h2")).to_have_text(["Groen Antwerpen"])
    finally:
        context.close()


def test_keyboard_reaches_the_filter_and_the_tile_links(page, live_server, public_data):
    page.goto(f"{live_server.url}/arbeidszorginitiatieven")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()
    page.keyboard.press("Enter")
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate(
            "document.activeElement.id || document.activeElement.textContent.trim()"))
    assert focused[:3] == ["regio", "werkvorm", "Toon"], focused
    assert any("Bekijk op doeners.be" in f for f in focused), focused
