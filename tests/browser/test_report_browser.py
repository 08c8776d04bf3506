"""The yearly report in a real browser: the superbeheerder's report with the trend and the regions
side by side, and an organisation's own figures (/cijfers): table of contents, charts, axe."""

import re

from playwright.sync_api import expect
from world import CANARY, build_world

from browser.support import axe_check, login_in_browser


def test_report_for_all_regions_reads_as_a_report(page, live_server, app, make_org, make_admin):
    world = build_world(app, make_org, make_admin)
    login_in_browser(page, live_server, world["admins"]["super"])
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Statistieken").click()
    page.get_by_label("Jaar", exact=True).select_option("2025")
    page.get_by_role("button", name="Toon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistieken 2025 – alle regio's")
    toc = page.get_by_role("navigation", name="Inhoud van het rapport")
    toc.get_by_role("link", name="Evolutie 2021–2025").click()
    expect(page).to_have_url(re.compile(r"#evolutie$"))
    trend = page.locator("#grafiek-evolutie")
    expect(trend).to_be_visible()
    expect(trend.locator("polyline")).to_have_count(7)
    table = page.get_by_role("table", name="Kerncijfers per jaar, 2021–2025")
    expect(table.get_by_role("row", name=re.compile("^Actieve cliënten"))).to_have_text(
        re.compile(r"Actieve cliënten\s*1\s*2\s*3\s*5\s*6"))
    toc.get_by_role("link", name="Geslacht", exact=True).click()
    regions = page.get_by_role("table", name="Geslacht van de actieve cliënten per regio (aantallen)")
    expect(regions).to_be_visible()
    expect(regions.get_by_role("columnheader", name="Vlaanderen", exact=True)).to_be_visible()
    expect(regions.get_by_role("row", name=re.compile("^Man"))).to_have_text(
        re.compile(r"Man\s*1\s*2\s*0\s*0\s*0\s*0\s*3"))
    assert CANARY not in page.content()
    axe_check(page)


def test_own_figures_from_the_menu(page, live_server, app, make_org, make_admin):
    world = build_world(app, make_org, make_admin)
    login_in_browser(page, live_server, world["limburg_email"])
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Cijfers").click()
    page.get_by_label("Jaar", exact=True).select_option("2025")
    page.get_by_role("button", name="Toon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cijfers 2025 – Atelier Hasselt")
    key = page.get_by_role("table", name="Kerncijfers 2024 en 2025")
    expect(key.get_by_role("row", name=re.compile("^Actieve cliënten"))).to_have_text(
        re.compile(r"Actieve cliënten\s*4\s*4\s*0"))
    page.get_by_role("navigation", name="Inhoud van het rapport").get_by_role(
        "link", name="Participatieladder").click()
    expect(page.locator("#grafiek-ladder")).to_be_visible()
    assert "Werkhuis Antwerpen" not in page.content() and "per regio" not in page.content()
    axe_check(page)
