"""Lists keep their state (SPEC §12) in a real browser: the menu link and the return after
saving a period show the dashboard with the tab, search, sort and page the user left."""

from __future__ import annotations

from playwright.sync_api import expect

from browser.support import login_in_browser
from browser.test_clients_browser import LONG_AGO, first_cells, seed, tab


def test_the_dashboard_comes_back_as_it_was_left(page, live_server, make_org):
    org_id, email = make_org()
    # 130 active clients, old numbers A-000 … A-129
    seed(live_server.app, org_id, *[dict(start=LONG_AGO, old=f"A-{i:03d}") for i in range(130)])
    login_in_browser(page, live_server, email)
    page.get_by_label("Sorteren op").select_option("nr_desc")
    expect(first_cells(page).first).to_have_text("130")
    page.get_by_label("Zoek").fill("A-0")
    # A-000 … A-099: clients 1 … 100, two pages
    expect(page.get_by_role("navigation", name="Paginering")).to_contain_text("Pagina 1 van 2")
    page.get_by_role("link", name="Volgende →").click()
    expect(page.get_by_role("navigation", name="Paginering")).to_contain_text("Pagina 2 van 2")
    expect(first_cells(page).first).to_have_text("50")

    page.get_by_role("link", name="Cliëntinformatie van cliënt 50").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("50")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Dashboard").click()

    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.get_by_label("Zoek")).to_have_value("A-0")
    expect(page.get_by_label("Sorteren op")).to_have_value("nr_desc")
    expect(page.get_by_role("navigation", name="Paginering")).to_contain_text("Pagina 2 van 2")
    expect(first_cells(page).first).to_have_text("50")
    expect(tab(page, "Actieve cliënten")).to_have_attribute("aria-current", "page")

    # saving a period: back to the same list
    page.get_by_role("link", name="Periode bewerken of afsluiten voor cliënt 49").click()
    page.get_by_label("Aantal uren").fill("20")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".flash-success")).to_contain_text("cliënt 49 werd opgeslagen")
    expect(page.get_by_label("Zoek")).to_have_value("A-0")
    expect(page.get_by_role("navigation", name="Paginering")).to_contain_text("Pagina 2 van 2")
    expect(first_cells(page).first).to_have_text("50")
