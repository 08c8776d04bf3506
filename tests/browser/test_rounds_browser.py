"""A registration round in a real browser: a beheerder opens it with the form, the organisation
follows a checklist link and confirms, the beheerder asks for the reminder and confirms the
question; axe on every page of the way (the round pages and the dashboard with the checklist)."""

import re
from datetime import date, timedelta

from helpers import add_client, add_period
from playwright.sync_api import expect
from support import login

from browser.support import axe_check, login_in_browser


def _switch(page, live_server, email):
    page.context.clear_cookies()
    login_in_browser(page, live_server, email)


def test_a_round_from_opening_to_reminder(page, live_server, app, make_org, make_admin):
    org_id, org_email = make_org(name="Atelier Ronde", region="limburg")
    make_org(name="Werkhuis Stil", region="limburg")  # never confirms: the reminder's addressee
    c = app.test_client()
    login(c, org_email)
    without_period = add_client(c, naam="ZZCANARY Ronde")
    old_open = add_client(c)
    add_period(c, old_open, startdatum=(date.today() - timedelta(days=900)).isoformat())
    year, deadline = date.today().year - 1, date.today() + timedelta(days=45)

    _switch(page, live_server, make_admin("limburg"))
    page.get_by_role("link", name="Registratierondes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registratierondes")
    axe_check(page)
    page.get_by_role("button", name="Ronde openen").click()  # empty: Dutch field errors
    expect(page.locator("#jaar-error")).to_have_text("Geef het jaar van de registraties (bv. 2025).")
    axe_check(page)
    page.get_by_label("Jaar").fill(str(year))
    page.get_by_label("Deadline").fill(deadline.isoformat())
    page.get_by_role("button", name="Ronde openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Registratieronde {year}")
    expect(page.get_by_role("row", name=re.compile("Atelier Ronde"))).to_contain_text("Nog niet bevestigd")
    round_url = page.url
    axe_check(page)

    _switch(page, live_server, org_email)
    checklist = page.locator(".registration-round")
    expect(checklist.get_by_role("heading", level=2)).to_have_text(f"Registratieronde {year}")
    expect(checklist).to_contain_text(f"{deadline:%d/%m/%Y}")
    axe_check(page)
    checklist.get_by_role("link", name=f"cliënt {old_open}").click()
    expect(page).to_have_url(re.compile(rf"/clienten/{old_open}$"))
    page.go_back()
    expect(checklist.get_by_role("link", name=f"cliënt {without_period}")).to_be_visible()
    page.get_by_role("button", name=f"Mijn registraties voor {year} zijn volledig").click()
    expect(page.locator(".registration-round")).to_contain_text(f"door {org_email}")
    expect(page.get_by_role("button", name=re.compile("zijn volledig"))).to_have_count(0)
    axe_check(page)

    _switch(page, live_server, make_admin("limburg"))
    page.goto(round_url)
    expect(page.get_by_role("row", name=re.compile("Atelier Ronde"))).to_contain_text(
        "door hoofdlogin")
    assert "ZZCANARY" not in page.content() and org_email not in page.content()
    page.get_by_role("link", name="Herinnering versturen…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Herinnering versturen")
    expect(page.locator("main")).to_contain_text("1 organisatie")
    axe_check(page)
    page.get_by_role("button", name="Herinnering versturen").click()
    expect(page.locator(".flashes")).to_contain_text("De herinnering werd verstuurd naar 1 organisatie")
    expect(page.locator(".round-reminder")).to_contain_text("Herinnering verstuurd op")
    axe_check(page)
