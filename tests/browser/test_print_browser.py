"""The own caseload in a real browser: printing the dashboard (print media: no navigation,
menus, buttons, search form or pager; the print view has every row of the tab), downloading
the own export, and the statistics workbook from the statistics page."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
from helpers import client_values
from playwright.sync_api import expect

from app.clients import services
from app.db import session
from app.models import Organisation
from browser.support import axe_check, login_in_browser


def _seed(app, org_id, active, inactive):
    with app.app_context():
        org = session.get(Organisation, org_id)
        for i in range(active + inactive):
            client = services.create_client(
                org, client_values(birth_date=date(1970, 1, 1) + timedelta(days=i)), f"Persoon {i + 1}")
            stopped = i >= active
            services.add_period(client, {
                "hours": Decimal(16), "start_date": date(2020, 1, 1),
                "end_date": date(2021, 1, 1) if stopped else None,
                "reden_stopzetting": "andere" if stopped else None,
                "perspectief": "onbekend" if stopped else None})
        session.commit()


def _workbook(download):
    """The downloaded file (Playwright stores it without an extension, which openpyxl wants)."""
    with open(download.path(), "rb") as file:
        return openpyxl.load_workbook(io.BytesIO(file.read()))


def _visible(page, selectors):
    return {s: page.locator(s).first.is_visible() for s in selectors}


def test_printing_the_dashboard(page, live_server, app, make_org):
    org_id, email = make_org(name="Drukkerij vzw")
    _seed(app, org_id, active=55, inactive=2)
    login_in_browser(page, live_server, email)
    # on screen: menu, search form, pager and the print link are there
    chrome = ["header.site-header", "nav[aria-label=Hoofdmenu]", "#search-form", ".pager",
              "ul.tabs", ".caseload-tools", "footer.site-footer"]
    assert all(_visible(page, chrome).values())
    page.emulate_media(media="print")
    assert _visible(page, chrome) == dict.fromkeys(chrome, False)
    expect(page.locator("#client-list table")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()  # the organisation's name
    expect(page.locator("#client-list caption")).to_have_text("Actieve cliënten")
    expect(page.locator("#client-list caption")).to_have_css("position", "static")
    expect(page.locator(".actions > a")).to_be_hidden()  # "Logins van de organisatie"
    expect(page.locator("#client-list tbody td:last-child").first).to_be_hidden()  # the actions
    expect(page.locator("#client-list .print-only")).to_have_text(
        "Pagina 1 van 2. Alle 55 cliënten van dit tabblad: kies ‘Afdrukken’ boven de lijst.")
    page.emulate_media(media="screen")

    page.locator(".list-print a").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard?tab=actief&print=1")
    expect(page.locator("tbody tr")).to_have_count(55)
    expect(page.get_by_role("heading", level=1)).to_have_text("Drukkerij vzw: Actieve cliënten")
    axe_check(page)
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.get_by_role("button", name="Afdrukken").click()
    assert page.evaluate("window.__printed === true")
    page.emulate_media(media="print")
    expect(page.locator(".print-controls")).to_be_hidden()
    expect(page.locator("tbody tr").nth(54)).to_be_visible()
    assert page.locator("nav").count() == 0
    page.emulate_media(media="screen")
    page.get_by_role("link", name="← Terug naar het dashboard").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard?tab=actief")


def test_downloading_the_own_caseload(page, live_server, app, make_org):
    org_id, email = make_org(name="Exporteur vzw")
    _seed(app, org_id, active=2, inactive=1)
    login_in_browser(page, live_server, email)
    with page.expect_download() as info:
        page.locator(".caseload-tools").get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == f"clienten-{date.today():%d-%m-%Y}.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read()),
                           delimiter=";"))
    assert [row[2] for row in rows[1:]] == ["Persoon 1", "Persoon 2", "Persoon 3"]
    with page.expect_download() as info:
        page.locator(".caseload-tools").get_by_role("link", name="Excel").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    sheet = _workbook(info.value).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "Persoon 1", "Persoon 2", "Persoon 3"]


def test_statistics_workbook_from_the_statistics_page(page, live_server, app, make_org, make_admin):
    org_id, _ = make_org(name="Atelier Limburg")
    _seed(app, org_id, active=3, inactive=1)
    login_in_browser(page, live_server, make_admin("limburg"))
    page.goto(f"{live_server.url}/beheer/statistieken?jaar=2020")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download als Excel-werkboek (.xlsx)").click()
    download = info.value
    assert download.suggested_filename == "statistieken-2020-limburg.xlsx"
    book = _workbook(download)
    assert book.sheetnames[:4] == ["Overzicht", "Kerncijfers", "Evolutie kerncijfers", "Leeftijd"]
    assert "Geslacht" in book.sheetnames and "Geslacht per regio" not in book.sheetnames
    assert book["Kerncijfers"]["C6"].value == 4  # active clients in 2020
    assert book["Evolutie kerncijfers"]["F6"].value == 4  # the trend ends with the same year
    assert all(len(book[name]._charts) == 1 for name in book.sheetnames[1:])
    assert book["Evolutie kerncijfers"]._charts[0].tagname == "lineChart"
