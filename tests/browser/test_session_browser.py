"""Nothing typed is lost (SPEC §12), in a real browser: the session warning with *Aangemeld
blijven*, and a client form posted after the session expired that comes back after logging in."""

from __future__ import annotations

import re
import time

from helpers import client_form
from playwright.sync_api import expect
from support import PASSWORD

from app.auth import drafts
from browser.support import axe_check, login_in_browser

NAME = "Jozefien Vandenabeele-Kint"


def _fill(page, data: dict) -> None:
    for name, value in data.items():
        field = page.locator(f"[name='{name}']")
        if field.count() == 0 or not field.is_visible():
            continue
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _remaining(page, live_server) -> int:
    """What the server says (the same cookies as the page; asking does not renew)."""
    return page.request.get(f"{live_server.url}/sessie").json()["remaining"]


def test_a_client_typed_before_the_session_expired_comes_back_after_login(page, live_server,
                                                                          make_org):
    app = live_server.app
    _, email = make_org()
    login_in_browser(page, live_server, email)
    page.goto(f"{live_server.url}/clienten/nieuw")
    data = client_form(naam=NAME, oud_volgnummer="OUD-9", postcode_woonplaats="3520",
                       geboortedatum="1979-04-21")
    _fill(page, data)

    app.config["SESSION_IDLE_MINUTES"] = 0.01  # the session ends while the form is being typed
    time.sleep(1.5)
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    app.config["SESSION_IDLE_MINUTES"] = 30
    assert "/login" in page.url
    expect(page.get_by_text(drafts.KEPT)).to_be_visible()

    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelden").click()
    assert page.url.endswith("/clienten/nieuw")
    expect(page.get_by_text(drafts.NOTICE)).to_be_visible()
    expect(page.get_by_label("Naam")).to_have_value(NAME)
    expect(page.locator("[name='oud_volgnummer']")).to_have_value("OUD-9")
    expect(page.locator("[name='postcode_woonplaats']")).to_have_value("3520")
    expect(page.locator("[name='geboortedatum']")).to_have_value("1979-04-21")
    axe_check(page)

    # nothing was submitted by itself; the user presses Opslaan and it is stored
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    assert re.search(r"/clienten/\d+/periodes/nieuw", page.url), page.url
    nr = re.search(r"/clienten/(\d+)/", page.url).group(1)
    page.goto(f"{live_server.url}/clienten/{nr}")
    expect(page.get_by_text(NAME)).to_be_visible()


def test_the_warning_appears_before_the_timeout_and_renews_the_session(page, live_server,
                                                                       make_org):
    app = live_server.app
    app.config.update(SESSION_IDLE_MINUTES=0.25, SESSION_WARNING_SECONDS=12)  # warn after 3 s
    _, email = make_org()
    login_in_browser(page, live_server, email)
    search = page.locator("#zoek")
    search.focus()
    dialog = page.get_by_role("alertdialog", name="Je sessie loopt bijna af")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=8000)
    button = dialog.get_by_role("button", name="Aangemeld blijven")
    expect(button).to_be_focused()
    expect(dialog.get_by_role("button", name="Sluiten")).to_be_hidden()
    expect(dialog.get_by_text("Zonder activiteit word je over")).to_be_visible()
    expect(dialog.get_by_text("Je sessie is verlopen")).to_be_hidden()
    assert _remaining(page, live_server) <= 12
    axe_check(page)

    button.click()
    expect(dialog).to_be_hidden()
    expect(search).to_be_focused()  # back where the user was
    assert _remaining(page, live_server) >= 13  # renewed: the full 15 seconds again (minus a moment)


def test_a_session_renewed_in_another_tab_postpones_the_warning(page, live_server, make_org):
    app = live_server.app
    app.config.update(SESSION_IDLE_MINUTES=0.5, SESSION_WARNING_SECONDS=25)  # warn after 5 s
    _, email = make_org()
    login_in_browser(page, live_server, email)
    start = time.monotonic()
    token = re.search(r'"X-CSRFToken": "([^"]+)"',
                      page.get_attribute("body", "data-hx-headers")).group(1)
    time.sleep(2)
    # another tab of the same browser presses *Aangemeld blijven* (same cookies)
    other = page.context.new_page()
    other.goto(f"{live_server.url}/dashboard")
    other.close()
    assert page.request.post(f"{live_server.url}/sessie/verlengen",
                             headers={"X-CSRFToken": token}).ok
    dialog = page.get_by_role("alertdialog")
    # at 5 s this page asks the server, learns of the renewal and waits ~2 s more
    time.sleep(max(0, 6.2 - (time.monotonic() - start)))
    expect(dialog).to_be_hidden(timeout=1)
    expect(dialog).to_be_visible(timeout=5000)


def test_the_warning_says_when_the_session_has_ended(page, live_server, make_org):
    app = live_server.app
    app.config.update(SESSION_IDLE_MINUTES=0.1, SESSION_WARNING_SECONDS=5)  # warn after 1 s
    _, email = make_org()
    login_in_browser(page, live_server, email)
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=5000)
    expect(dialog.get_by_text("Je sessie is verlopen")).to_be_visible(timeout=10000)
    expect(dialog.get_by_role("button", name="Aangemeld blijven")).to_be_hidden()
    close = dialog.get_by_role("button", name="Sluiten")
    expect(close).to_be_focused()
    close.click()
    expect(dialog).to_be_hidden()


def test_a_form_left_open_while_logging_in_again_in_another_tab_comes_back(page, live_server,
                                                                           make_org):
    _, email = make_org()
    login_in_browser(page, live_server, email)
    page.goto(f"{live_server.url}/clienten/nieuw")
    _fill(page, client_form(naam=NAME, postcode_woonplaats="3520", geboortedatum="1979-04-21"))
    # another tab of the same browser: logged out, logged in again (a new cookie and token)
    other = page.context.new_page()
    other.goto(f"{live_server.url}/dashboard")
    with other.expect_navigation():
        other.get_by_role("button", name="Afmelden").click()
    login_in_browser(other, live_server, email)
    other.close()

    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    assert page.url.endswith("/clienten/nieuw")
    expect(page.get_by_text(drafts.NOTICE)).to_be_visible()
    expect(page.get_by_label("Naam")).to_have_value(NAME)
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    assert re.search(r"/clienten/\d+/periodes/nieuw", page.url), page.url
