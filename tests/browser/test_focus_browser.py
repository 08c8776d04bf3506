"""Keyboard and screen readers (SPEC §12): the focus stays where the user is after an htmx swap
(the search box keeps focus and caret while typing; a tab or pager link chosen with the keyboard
keeps the focus), the client count is visible and announced outside the swapped part, and a
failed form shows an error summary that takes the focus and links to each faulty field."""

from __future__ import annotations

from playwright.sync_api import expect

from browser.support import axe_check, login_in_browser
from browser.test_clients_browser import LONG_AGO, YESTERDAY, first_cells, seed, tab

ACTIVE_ID = "document.activeElement && document.activeElement.id"


def _dashboard(page, live_server, make_org, specs) -> None:
    org_id, email = make_org()
    seed(live_server.app, org_id, *specs)
    login_in_browser(page, live_server, email)


def test_the_search_box_keeps_focus_and_caret_while_the_list_is_swapped(page, live_server,
                                                                         make_org):
    _dashboard(page, live_server, make_org,
               [dict(start=LONG_AGO, old=f"ZK-{i:02d}") for i in range(12)])
    count = page.locator("#client-count")
    expect(count).to_be_visible()
    expect(count).to_have_text("12 cliënten gevonden")
    page.locator("#zoek").click()
    page.keyboard.type("ZK-1", delay=40)
    expect(count).to_have_text("2 cliënten gevonden")  # ZK-10, ZK-11: the list was swapped
    assert page.evaluate(ACTIVE_ID) == "zoek"
    assert page.evaluate("[document.activeElement.value, document.activeElement.selectionStart]") \
        == ["ZK-1", 4]
    page.keyboard.type("1")  # typing goes on where it was
    expect(count).to_have_text("1 cliënt gevonden")
    assert page.evaluate(ACTIVE_ID) == "zoek"
    expect(page.locator("#zoek")).to_have_value("ZK-11")
    # the count is announced by the live region outside the swapped list
    live = page.locator("#client-count-live")
    expect(live).to_have_text("1 cliënt gevonden")
    assert live.get_attribute("aria-live") == "polite"
    assert page.locator("#client-list [aria-live]").count() == 0
    axe_check(page)


def test_a_tab_or_pager_link_chosen_with_the_keyboard_keeps_the_focus(page, live_server,
                                                                       make_org):
    _dashboard(page, live_server, make_org,
               [dict(start=LONG_AGO) for _ in range(60)]
               + [dict(start=LONG_AGO, end=YESTERDAY) for _ in range(2)])
    inactive = tab(page, "Niet-actieve cliënten")
    inactive.focus()
    page.keyboard.press("Enter")
    expect(inactive).to_have_attribute("aria-current", "page")
    expect(inactive).to_be_focused()
    expect(page.locator("#client-count")).to_have_text("2 cliënten gevonden")
    expect(page.locator("#client-count-live")).to_have_text("2 cliënten gevonden")

    active = tab(page, "Actieve cliënten")
    active.focus()
    page.keyboard.press("Enter")
    expect(active).to_have_attribute("aria-current", "page")
    expect(active).to_be_focused()
    following = page.get_by_role("link", name="Volgende →")
    following.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Paginering")).to_contain_text("Pagina 2 van 2")
    expect(first_cells(page).first).to_have_text("51")
    # "Volgende" is gone on the last page: the focus goes to the current tab, not to the top
    expect(tab(page, "Actieve cliënten")).to_be_focused()
    assert page.evaluate("document.activeElement !== document.body")


def test_a_failed_client_form_focuses_an_error_summary_linking_to_each_field(page, live_server,
                                                                             make_org):
    _dashboard(page, live_server, make_org, [])
    page.goto(f"{live_server.url}/clienten/nieuw")
    page.get_by_label("Postcode woonplaats").fill("12")
    page.get_by_role("button", name="Opslaan").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading", name="Er is een probleem")).to_be_visible()
    links = summary.get_by_role("link")
    assert links.count() >= 3  # the birth date, the postcode, the choices left empty
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")
        assert target.startswith("#") and page.locator(target).count() == 1, target
    postcode_link = summary.get_by_role("link", name="Postcode woonplaats", exact=False)
    expect(postcode_link).to_contain_text("Geef een Belgische postcode")
    postcode_link.click()
    expect(page.get_by_label("Postcode woonplaats")).to_be_focused()
    axe_check(page)


def test_a_failed_login_focuses_its_error_summary(page, live_server, make_org):
    _, email = make_org()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("niet het wachtwoord")
    page.get_by_role("button", name="Aanmelden").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Er is een probleem")
    expect(summary).to_contain_text("Aanmelden mislukt")
    axe_check(page)
