"""The beheer back end in a real browser: statistics page, an export download, axe on every page."""

import csv
import io

from helpers import add_client, add_period, first_code
from playwright.sync_api import expect
from sqlalchemy import select
from support import PASSWORD, login

from app.db import session
from app.models import Client
from browser.support import axe_check, login_in_browser


def _data(app, make_org):
    """A Limburg organisation with two clients, one of them stopped in 2024."""
    org_id, email = make_org(name="=Atelier Limburg", region="limburg")  # a formula-like name
    c = app.test_client()
    login(c, email, PASSWORD)
    nr = add_client(c, naam="ZZCANARY Browser")
    add_period(c, nr, startdatum="2023-05-01", einddatum="2024-03-31",
               reden_stopzetting=first_code("reden_stopzetting"), perspectief=first_code("perspectief"))
    nr2 = add_client(c, oud_volgnummer="=1+1")
    add_period(c, nr2, startdatum="2024-01-15")
    return org_id


def test_statistics_page_and_csv_download(page, live_server, app, make_org, make_admin):
    _data(app, make_org)
    login_in_browser(page, live_server, make_admin("limburg"))
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Statistieken").click()
    page.get_by_label("Jaar", exact=True).select_option("2024")
    page.get_by_role("button", name="Toon").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2024")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    axe_check(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV (2024)").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    raw = open(download.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf") and b"ZZCANARY" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3  # header + two periods overlapping 2024
    assert any(cell == "'=Atelier Limburg" for row in rows for cell in row)  # neutralised
    assert b"=1+1" not in raw  # the organisation's own Nr (oud) never reaches a beheerder


def test_beheer_pages_have_no_accessibility_violations(page, live_server, app, make_org, make_admin):
    org_id = _data(app, make_org)
    with app.app_context():
        client_id = session.scalar(select(Client.id).where(Client.organisation_id == org_id).limit(1))
    login_in_browser(page, live_server, make_admin(None))
    for path in ("/beheer", "/beheer/organisaties", f"/beheer/organisaties/{org_id}",
                 f"/beheer/organisaties/{org_id}/bewerken", "/beheer/organisaties/nieuw",
                 f"/beheer/clienten/{client_id}/verwijderen", "/beheer/statistieken?jaar=2024",
                 "/beheer/keuzelijsten", "/beheer/keuzelijsten/perspectief", "/beheer/beheerders",
                 "/beheer/beheerders/nieuw", "/beheer/audit", f"/beheer/organisaties/{org_id}/import"):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert "ZZCANARY" not in page.content(), path
        axe_check(page)
