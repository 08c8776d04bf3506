"""The organisation's client pages in a real browser, the way the manual (§2) walks through them.

Bulk data is created through the services (not the UI) to keep every test to a few seconds.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from helpers import client_values, first_code
from playwright.sync_api import expect
from sqlalchemy import delete, func, select
from support import PASSWORD

from app.clients import services
from app.db import session
from app.models import Client, LoginSession, Organisation, Period
from browser.support import (
    DEFAULT_TIMEOUT_MS,
    NAVIGATION_TIMEOUT_MS,
    axe_check,
    login_in_browser,
)

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)
LONG_AGO = TODAY - timedelta(days=90)


def nl(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- data through the services --------------------------------------------------------------

def seed(app, org_id: int, *specs: dict) -> None:
    """Clients (and their periods) straight through the services, numbered 1, 2, 3 … in order.

    A spec: name, old (oud volgnummer), start/end (one period; no start = no period).
    """
    with app.app_context():
        org = session.get(Organisation, org_id)
        for i, spec in enumerate(specs):
            values = client_values(birth_date=date(1970, 1, 1) + timedelta(days=i), old_nr=spec.get("old"))
            client = services.create_client(org, values, spec.get("name"))
            if spec.get("start"):
                end = spec.get("end")
                services.add_period(client, {
                    "hours": Decimal("16"), "start_date": spec["start"], "end_date": end,
                    "reden_stopzetting": first_code("reden_stopzetting") if end else None,
                    "perspectief": first_code("perspectief") if end else None})
        session.commit()


def active(n: int, **extra) -> list[dict]:
    return [dict(start=LONG_AGO, **extra) for _ in range(n)]


def count(app, model) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(model))


# --- what the page shows ----------------------------------------------------------------------

def rows(page):
    return page.locator("#client-list tbody tr")


def first_cells(page):
    """The Nr column of the list (a locator; use with expect().to_have_text([...]))."""
    return page.locator("#client-list tbody tr td:first-child")


def tab(page, label: str):
    return page.get_by_role("list", name="Cliënten").get_by_role("link", name=label, exact=True)


def set_marker(page) -> None:
    """A value on window that only survives as long as no full page load happens."""
    page.evaluate("window.__marker = 1")


def marker_present(page) -> bool:
    return page.evaluate("window.__marker === 1")


def dashboard_requests(page, live_server) -> list[dict]:
    """Record every request to /dashboard with the htmx headers it carried."""
    seen: list[dict] = []

    def on_request(request):
        if request.url.startswith(f"{live_server.url}/dashboard"):
            headers = request.headers
            seen.append({"url": request.url[len(live_server.url):],
                         "document": request.resource_type == "document",
                         "hx": headers.get("hx-request"),
                         "restore": headers.get("hx-history-restore-request")})
    page.on("request", on_request)
    return seen


def logged_in(page, live_server, make_org, *specs, name="De Werkplaats vzw") -> str:
    """A new organisation with these clients, logged in on its dashboard; returns its e-mail."""
    org_id, email = make_org(name=name)
    seed(live_server.app, org_id, *specs)
    login_in_browser(page, live_server, email)
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    return email


def fill_client_form(page, *, skip_select: str | None = None, postcode: str = "3500") -> None:
    page.get_by_label("Naam", exact=True).fill("Jan Peeters")
    page.get_by_label("Geboortedatum").fill("1985-06-13")
    page.get_by_label("Postcode woonplaats").fill(postcode)
    page.get_by_label("Postcode tewerkstelling").fill("3600")
    selects = page.locator("form select")
    assert selects.count() == 12  # geslacht, burgerlijke staat and the ten other code lists
    for i in range(selects.count()):
        select = selects.nth(i)
        if select.get_attribute("id") != skip_select:
            select.select_option(index=1)  # the first real option after "— Kies —"


# --- 1. the wizard --------------------------------------------------------------------------------

def test_wizard_new_client_then_period_lands_on_the_dashboard(page, live_server, make_org):
    logged_in(page, live_server, make_org)
    page.get_by_role("link", name="+ Voeg een nieuwe cliënt toe").click()
    expect(page).to_have_url(f"{live_server.url}/clienten/nieuw")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe cliënt")
    fill_client_form(page)
    expect(page.get_by_label("Geslacht")).not_to_have_value("")
    page.get_by_role("button", name="Opslaan").click()

    expect(page).to_have_url(f"{live_server.url}/clienten/1/periodes/nieuw?stap=2")
    expect(page.get_by_role("heading", level=1)).to_have_text("Periode toevoegen")
    expect(page.locator(".flash-success")).to_have_text(
        "Cliënt 1 werd opgeslagen. Voeg nu de begeleidingsperiode toe.")
    expect(page.get_by_label("Cliënt", exact=True)).to_have_value("1")
    expect(page.get_by_label("Cliënt", exact=True)).to_have_attribute("readonly", "")
    start = TODAY - timedelta(days=10)
    page.get_by_label("Aantal uren").fill("16,5")
    page.get_by_label("Startdatum").fill(start.isoformat())
    page.get_by_role("button", name="Opslaan").click()

    expect(page).to_have_url(f"{live_server.url}/dashboard")  # the list as it was left (§12)
    expect(page.locator(".flash-success")).to_have_text(
        "De begeleidingsperiode van cliënt 1 werd opgeslagen. De cliënt staat bij Actieve cliënten.")
    expect(tab(page, "Actieve cliënten")).to_have_attribute("aria-current", "page")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.locator("td")).to_have_text(
        ["1", "", "Jan Peeters", nl(start), "", re.compile("Periode bewerken of afsluiten")])
    with live_server.app.app_context():
        client = session.scalar(select(Client))
        assert (client.nr, client.postcode_woonplaats, client.postcode_tewerkstelling) == (1, "3500", "3600")
        assert [(p.hours, p.start_date, p.end_date) for p in client.periods] == [
            (Decimal("16.5"), start, None)]


# --- 2. search as you type -----------------------------------------------------------------------

def test_search_as_you_type_updates_the_list_without_a_page_load(page, live_server, make_org):
    specs = active(12, name="Iemand")
    specs[4]["old"] = "B-77"  # client 5
    logged_in(page, live_server, make_org, *specs)
    expect(rows(page)).to_have_count(12)
    requests = dashboard_requests(page, live_server)
    set_marker(page)

    page.get_by_label("Zoek").press_sequentially("12")
    expect(page).to_have_url(re.compile(r"/dashboard\?.*\bq=12\b"))
    expect(first_cells(page)).to_have_text(["12"])
    assert marker_present(page), "the search reloaded the page"
    # only htmx requests (typing "1" then "2" within the 300 ms delay normally makes just one)
    assert requests and all((r["document"], r["hx"]) == (False, "true") for r in requests), requests
    assert "q=12" in requests[-1]["url"], requests
    expect(page.locator("#client-list")).not_to_contain_text("Aanmelden")

    page.get_by_label("Zoek").fill("b-7")  # the oud volgnummer, case-insensitive, by its start
    expect(page).to_have_url(re.compile(r"\bq=b-7\b"))
    expect(first_cells(page)).to_have_text(["5"])
    expect(rows(page).first.locator("td").nth(1)).to_have_text("B-77")

    page.get_by_label("Zoek").fill("999")
    expect(page.locator("#client-list")).to_contain_text("Geen cliënten gevonden.")
    page.get_by_label("Zoek").fill("")
    expect(rows(page)).to_have_count(12)
    assert marker_present(page)
    assert all(not r["document"] for r in requests), requests


# --- 3. tabs, sort and pager --------------------------------------------------------------------

def test_tabs_switch_by_htmx_and_an_empty_tab_says_so(page, live_server, make_org):
    logged_in(page, live_server, make_org, *active(3))
    set_marker(page)
    tab(page, "Niet-actieve cliënten").click()
    expect(page).to_have_url(re.compile(r"/dashboard\?tab=inactief$"))
    expect(page.locator("#client-list")).to_contain_text("Geen cliënten gevonden.")
    expect(tab(page, "Niet-actieve cliënten")).to_have_attribute("aria-current", "page")
    expect(tab(page, "Actieve cliënten")).not_to_have_attribute("aria-current", "page")
    assert marker_present(page)

    tab(page, "Actieve cliënten").click()
    expect(page).to_have_url(re.compile(r"/dashboard\?tab=actief$"))
    expect(first_cells(page)).to_have_text(["1", "2", "3"])
    assert marker_present(page)


def test_sort_select_and_pager(page, live_server, make_org):
    specs = active(55)
    specs[9]["old"] = "1"  # client 10 has the lowest oud volgnummer, client 3 the highest
    specs[2]["old"] = "900"
    logged_in(page, live_server, make_org, *specs)
    expect(page.get_by_role("navigation", name="Paginering")).to_contain_text("Pagina 1 van 2")
    expect(rows(page)).to_have_count(50)
    expect(first_cells(page).first).to_have_text("1")
    set_marker(page)

    page.get_by_label("Sorteren op").select_option(label="volgnummer (hoog naar laag)")
    expect(page).to_have_url(re.compile(r"\bsort=nr_desc\b"))
    expect(first_cells(page).first).to_have_text("55")
    expect(first_cells(page).nth(1)).to_have_text("54")

    page.get_by_role("link", name="Volgende →").click()
    expect(page.get_by_role("navigation", name="Paginering")).to_contain_text("Pagina 2 van 2")
    expect(page).to_have_url(re.compile(r"\bpage=2\b.*\bsort=nr_desc\b|\bsort=nr_desc\b.*\bpage=2\b"))
    expect(first_cells(page)).to_have_text(["5", "4", "3", "2", "1"])  # the sort is kept
    expect(page.get_by_role("link", name="Volgende →")).to_have_count(0)
    page.get_by_role("link", name="← Vorige").click()
    expect(page.get_by_role("navigation", name="Paginering")).to_contain_text("Pagina 1 van 2")
    expect(first_cells(page).first).to_have_text("55")

    page.get_by_label("Sorteren op").select_option("oud_asc")
    expect(first_cells(page).first).to_have_text("10")
    expect(first_cells(page).nth(1)).to_have_text("3")
    assert marker_present(page)


# --- 4. closing a period and starting a new one ------------------------------------------------

def test_close_a_period_then_start_a_new_one(page, live_server, make_org):
    logged_in(page, live_server, make_org, dict(name="Jan Peeters", start=LONG_AGO))
    page.get_by_role("link", name="Periode bewerken of afsluiten voor cliënt 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewerk begeleidingsperiode")
    expect(page.get_by_label("Aantal uren")).to_have_value("16")
    expect(page.get_by_label("Startdatum")).to_have_value(LONG_AGO.isoformat())
    page.get_by_label("Einddatum").fill(YESTERDAY.isoformat())
    page.get_by_label("Reden van stopzetting").select_option(index=1)
    page.get_by_label("Perspectief na stopzetting").select_option(index=1)
    page.get_by_role("button", name="Opslaan").click()

    # back to the list as it was left (SPEC §12: the active tab); the message says where it went
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.locator(".flash-success")).to_have_text(
        "De begeleidingsperiode van cliënt 1 werd opgeslagen. De cliënt staat bij Niet-actieve cliënten.")
    expect(tab(page, "Actieve cliënten")).to_have_attribute("aria-current", "page")
    expect(page.locator("#client-list")).to_contain_text("Geen cliënten gevonden.")
    tab(page, "Niet-actieve cliënten").click()
    expect(tab(page, "Niet-actieve cliënten")).to_have_attribute("aria-current", "page")
    expect(rows(page).first.locator("td")).to_have_text(
        ["1", "", "Jan Peeters", nl(LONG_AGO), nl(YESTERDAY), re.compile("Nieuwe periode starten")])

    page.get_by_role("link", name="Nieuwe periode starten voor cliënt 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periode toevoegen")
    expect(page.get_by_label("Cliënt", exact=True)).to_have_value("1")
    page.get_by_label("Aantal uren").fill("12")
    page.get_by_label("Startdatum").fill(TODAY.isoformat())
    page.get_by_role("button", name="Opslaan").click()

    expect(page).to_have_url(f"{live_server.url}/dashboard")  # the list as it was left (§12)
    expect(page.locator(".flash-success")).to_contain_text("De cliënt staat bij Actieve cliënten.")
    expect(tab(page, "Niet-actieve cliënten")).to_have_attribute("aria-current", "page")
    expect(page.locator("#client-list")).to_contain_text("Geen cliënten gevonden.")
    tab(page, "Actieve cliënten").click()
    expect(rows(page).first.locator("td")).to_have_text(
        ["1", "", "Jan Peeters", nl(TODAY), "", re.compile("Periode bewerken of afsluiten")])
    assert count(live_server.app, Period) == 2


# --- 5. back, forward and reload -----------------------------------------------------------------

def _history(page, action, shows) -> None:
    """go_back/go_forward, then the expected state, then wait until the page is complete.

    With historyCacheSize 0 htmx has no copy of the previous state and, with
    refreshOnHistoryMiss, reloads the page: the server renders that URL again. The next step
    must wait for the reloaded page's deferred htmx to be set up, or its popstate would go by
    unhandled (the URL would change, the list not).
    """
    action()
    shows()
    # a function, not an expression: Playwright would eval() an expression on every poll,
    # which the page's CSP (no 'unsafe-eval') rightly blocks
    page.wait_for_function("() => document.readyState === 'complete' && !!window.htmx")


def test_back_forward_and_reload_restore_the_list_and_keep_no_names_in_storage(
        page, live_server, make_org):
    specs = [dict(name=n, start=LONG_AGO) for n in ("Jan Peeters", "An Janssens", "Piet Claes")]
    specs.append(dict(name="Mieke Maes", start=LONG_AGO, end=YESTERDAY))
    logged_in(page, live_server, make_org, *specs)
    requests = dashboard_requests(page, live_server)
    zoek = page.get_by_label("Zoek")
    base = f"{live_server.url}/dashboard"

    def shows_active_all():
        expect(page).to_have_url(f"{base}?tab=actief")
        expect(tab(page, "Actieve cliënten")).to_have_attribute("aria-current", "page")
        expect(first_cells(page)).to_have_text(["1", "2", "3"])
        expect(zoek).to_have_value("")

    def shows_inactive():
        expect(page).to_have_url(f"{base}?tab=inactief")
        expect(tab(page, "Niet-actieve cliënten")).to_have_attribute("aria-current", "page")
        expect(first_cells(page)).to_have_text(["4"])
        expect(rows(page).first).to_contain_text("Mieke Maes")
        expect(zoek).to_have_value("")

    def shows_search():
        expect(page).to_have_url(re.compile(r"/dashboard\?.*\bq=2\b"))
        expect(page).to_have_url(re.compile(r"\btab=actief\b"))
        expect(first_cells(page)).to_have_text(["2"])
        expect(rows(page).first).to_contain_text("An Janssens")
        expect(zoek).to_have_value("2")

    # three htmx navigations, each pushing a URL
    set_marker(page)
    tab(page, "Niet-actieve cliënten").click()
    shows_inactive()
    tab(page, "Actieve cliënten").click()
    shows_active_all()
    zoek.fill("2")
    shows_search()
    assert marker_present(page)
    assert [(r["document"], r["hx"]) for r in requests] == [(False, "true")] * 3, requests

    _history(page, page.go_back, shows_active_all)
    _history(page, page.go_back, shows_inactive)
    _history(page, page.go_forward, shows_active_all)
    _history(page, page.go_forward, shows_search)
    # each step back/forward was answered by the server, for that URL (a page reload with the
    # current htmx config, an htmx history-restore request if refreshOnHistoryMiss were off)
    restored = [(r["url"], r["document"] or r["restore"] == "true") for r in requests[3:]]
    assert restored == [("/dashboard?tab=actief", True), ("/dashboard?tab=inactief", True),
                        ("/dashboard?tab=actief", True), ("/dashboard?q=2&sort=nr_asc&tab=actief", True)], \
        requests

    with page.expect_navigation():
        page.reload()
    shows_search()

    # no copy of the list (with client names) is kept in the browser's storage
    stored = page.evaluate("""() => {
        const dump = (s) => Object.fromEntries(Array.from({length: s.length}, (_, i) => s.key(i))
                                                    .map((k) => [k, s.getItem(k)]));
        return {local: dump(localStorage), session: dump(sessionStorage)};
    }""")
    for area in stored.values():
        assert not [k for k in area if "htmx-history" in k], stored
    text = json.dumps(stored, ensure_ascii=False)
    for spec in specs:
        assert spec["name"] not in text, stored


# --- 6. validation in the browser -------------------------------------------------------------

def test_invalid_client_form_shows_dutch_errors_and_keeps_the_input(page, live_server, make_org):
    logged_in(page, live_server, make_org)
    page.goto(f"{live_server.url}/clienten/nieuw")
    fill_client_form(page, skip_select="geslacht", postcode="12")
    chosen = page.get_by_label("Burgerlijke staat").input_value()
    page.get_by_role("button", name="Opslaan").click()

    expect(page).to_have_url(f"{live_server.url}/clienten/nieuw")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text(
        "Het formulier bevat fouten. Er werd niets opgeslagen. Verbeter de aangeduide velden.")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_in_viewport()

    postcode = page.get_by_label("Postcode woonplaats")
    expect(page.locator("#postcode_woonplaats-error")).to_have_text(
        "Geef een Belgische postcode van 4 cijfers (1000–9999) of 'buitenland'.")
    expect(postcode).to_have_attribute("aria-invalid", "true")
    expect(postcode).to_have_attribute("aria-describedby", re.compile(r"\bpostcode_woonplaats-error\b"))
    expect(postcode).to_have_value("12")
    geslacht = page.get_by_label("Geslacht")
    expect(page.locator("#geslacht-error")).to_have_text("Maak een keuze.")
    expect(geslacht).to_have_attribute("aria-invalid", "true")
    expect(geslacht).to_have_value("")
    expect(page.locator(".error")).to_have_count(2)  # the valid fields carry no message

    expect(page.get_by_label("Naam", exact=True)).to_have_value("Jan Peeters")
    expect(page.get_by_label("Geboortedatum")).to_have_value("1985-06-13")
    expect(page.get_by_label("Postcode tewerkstelling")).to_have_value("3600")
    expect(page.get_by_label("Burgerlijke staat")).to_have_value(chosen)
    assert count(live_server.app, Client) == 0

    # corrected, it saves
    postcode.fill("3500")
    geslacht.select_option(index=1)
    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(f"{live_server.url}/clienten/1/periodes/nieuw?stap=2")
    assert count(live_server.app, Client) == 1


# --- 7. without JavaScript ---------------------------------------------------------------------

def test_dashboard_works_without_javascript(browser, live_server, make_org):
    specs = active(55)
    specs.append(dict(name="Mieke Maes", start=LONG_AGO, end=YESTERDAY))  # client 56
    org_id, email = make_org()
    seed(live_server.app, org_id, *specs)
    context = browser.new_context(java_script_enabled=False, locale="nl-BE",
                                  timezone_id="Europe/Brussels")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    try:
        page = context.new_page()
        login_in_browser(page, live_server, email)
        base = f"{live_server.url}/dashboard"
        expect(page).to_have_url(base)
        expect(page.get_by_role("navigation", name="Paginering")).to_contain_text("Pagina 1 van 2")

        with page.expect_navigation():
            page.get_by_role("link", name="Volgende →").click()
        expect(page).to_have_url(f"{base}?tab=actief&page=2")
        expect(page.get_by_role("navigation", name="Paginering")).to_contain_text("Pagina 2 van 2")
        expect(first_cells(page)).to_have_text(["51", "52", "53", "54", "55"])

        with page.expect_navigation():
            tab(page, "Niet-actieve cliënten").click()
        expect(page).to_have_url(f"{base}?tab=inactief")
        expect(first_cells(page)).to_have_text(["56"])
        expect(rows(page).first).to_contain_text("Mieke Maes")

        with page.expect_navigation():
            tab(page, "Actieve cliënten").click()
        page.get_by_label("Sorteren op").select_option("nr_desc")
        assert page.url == f"{base}?tab=actief"  # no JavaScript: nothing happens on change
        with page.expect_navigation():
            page.get_by_role("button", name="Zoeken").click()
        expect(page).to_have_url(re.compile(r"\bsort=nr_desc\b"))
        expect(page).to_have_url(re.compile(r"\btab=actief\b"))
        expect(first_cells(page).first).to_have_text("55")

        page.get_by_label("Zoek").fill("7")
        with page.expect_navigation():
            page.get_by_label("Zoek").press("Enter")
        expect(page).to_have_url(re.compile(r"\bq=7\b"))
        expect(first_cells(page)).to_have_text(["7"])
        expect(page.get_by_label("Zoek")).to_have_value("7")
        expect(page.get_by_label("Sorteren op")).to_have_value("nr_desc")

        # the search also works in the inactive tab (its hidden tab field belongs to the form)
        with page.expect_navigation():
            tab(page, "Niet-actieve cliënten").click()
        expect(page).to_have_url(re.compile(r"\btab=inactief\b.*\bq=7\b|\bq=7\b.*\btab=inactief\b"))
        expect(page.locator("#client-list")).to_contain_text("Geen cliënten gevonden.")
        page.get_by_label("Zoek").fill("56")
        with page.expect_navigation():
            page.get_by_role("button", name="Zoeken").click()
        expect(page).to_have_url(re.compile(r"\btab=inactief\b"))
        expect(first_cells(page)).to_have_text(["56"])
    finally:
        context.close()


# --- 8. accessibility -----------------------------------------------------------------------------

def test_dashboard_and_client_information_have_no_wcag_violations(page, live_server, make_org):
    specs = active(52, name="Jan Peeters")
    specs[0]["old"] = "A-1"
    specs.append(dict(name="Mieke Maes", start=LONG_AGO, end=YESTERDAY))
    specs.append(dict(name="Zonder Periode"))  # listed with "Nog geen begeleidingsperiode"
    logged_in(page, live_server, make_org, *specs)
    expect(page.get_by_role("navigation", name="Paginering")).to_be_visible()
    axe_check(page)  # with rows and the pager
    page.get_by_role("link", name="Volgende →").click()
    expect(page.get_by_text("Nog geen begeleidingsperiode")).to_be_visible()
    axe_check(page)  # after an htmx swap
    tab(page, "Niet-actieve cliënten").click()
    expect(first_cells(page)).to_have_text(["53"])
    axe_check(page)
    page.get_by_label("Zoek").fill("999")
    expect(page.locator("#client-list")).to_contain_text("Geen cliënten gevonden.")
    axe_check(page)

    page.goto(f"{live_server.url}/clienten/1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cliëntinformatie – cliënt 1")
    expect(page.get_by_role("heading", name="Overzicht begeleidingsperiodes")).to_be_visible()
    axe_check(page)
    page.goto(f"{live_server.url}/clienten/53")  # inactive: "Nieuwe begeleidingsperiode starten"
    axe_check(page)


def test_client_and_period_forms_have_no_wcag_violations(page, live_server, make_org):
    logged_in(page, live_server, make_org, dict(name="Jan Peeters", start=LONG_AGO))
    page.goto(f"{live_server.url}/clienten/nieuw")
    axe_check(page)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)  # every field with its error
    fill_client_form(page, postcode="12")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".error")).to_have_count(1)
    axe_check(page)

    postcode = page.get_by_label("Postcode woonplaats")
    postcode.fill("3500")
    page.get_by_label("Geboortedatum").fill("1970-01-01")  # as client 1: the duplicate warning
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".warning")).to_contain_text("Mogelijk dubbele registratie.")
    expect(page.get_by_label("Ja, dit is een andere cliënt: toch opslaan")).to_be_visible()
    axe_check(page)

    page.goto(f"{live_server.url}/clienten/1/bewerken")
    axe_check(page)

    page.goto(f"{live_server.url}/clienten/1/periodes/nieuw?stap=2")  # step 2 of the wizard
    expect(page.get_by_role("heading", level=1)).to_have_text("Periode toevoegen")
    axe_check(page)
    page.get_by_role("link", name="← Terug naar overzicht").click()
    page.get_by_role("link", name="Periode bewerken of afsluiten voor cliënt 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewerk begeleidingsperiode")
    axe_check(page)
    page.get_by_label("Einddatum").fill(YESTERDAY.isoformat())  # without reden and perspectief
    page.get_by_label("Aantal uren").fill("40")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error")).not_to_have_count(0)
    axe_check(page)


# --- 9. an expired session during an htmx request ------------------------------------------------

@pytest.mark.parametrize("how", ["revoked-on-the-server", "cookies-cleared"])
def test_expired_session_during_a_search_leads_to_the_login_page(page, live_server, make_org, how):
    email = logged_in(page, live_server, make_org, *active(3, name="Jan Peeters"))
    expect(rows(page)).to_have_count(3)
    if how == "revoked-on-the-server":
        with live_server.app.app_context():
            session.execute(delete(LoginSession))
            session.commit()
    else:
        page.context.clear_cookies()

    with page.expect_navigation(url=re.compile(r"/login\b")):
        page.get_by_label("Zoek").fill("2")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)dashboard(\?|%3F).*q(=|%3D)2"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden")
    expect(page.locator("#client-list")).to_have_count(0)  # a page of its own, not a swap
    expect(page.locator("form")).not_to_have_count(0)
    assert page.locator("input[type=password]").count() == 1
    if how == "revoked-on-the-server":
        expect(page.locator(".flashes")).to_contain_text("Je sessie is verlopen. Meld je opnieuw aan.")

    # logging in again leads back to the search, as a whole page
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page).to_have_url(re.compile(r"/dashboard\?q=2&sort=nr_asc&tab=actief$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("De Werkplaats vzw")
    expect(first_cells(page)).to_have_text(["2"])
    expect(page.get_by_label("Zoek")).to_have_value("2")
