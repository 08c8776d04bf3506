"""Two-step verification in a real browser: set-up from the page, login with a code, axe on the
new pages, and every step with JavaScript switched off."""

import re

import pyotp
import pytest
from playwright.sync_api import expect
from support import PASSWORD

from app.auth import twofactor
from browser.support import axe_check


@pytest.fixture
def clock(monkeypatch):
    """The app's clock for codes (the server runs in this process), moved step by step so that
    set-up and login each have a fresh code."""
    now = [1_800_000_015.0]
    monkeypatch.setattr(twofactor, "clock", lambda: now[0])

    class Clock:
        def code(self, secret: str) -> str:
            return pyotp.TOTP(secret).at(now[0])

        def next_step(self) -> None:
            now[0] += 30
    return Clock()


def _password_step(page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()


def _set_up(page, clock) -> list[str]:
    """On the set-up page: read the secret, type the first code; returns the recovery codes."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie instellen")
    expect(page.get_by_role("img", name=re.compile("QR-code"))).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code uit je authenticator-app").fill(clock.code(secret))
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Herstelcodes")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.secret = secret
    return codes


def test_organisation_sets_up_2fa_and_logs_in_with_a_code(page, live_server, make_org, clock):
    _, email = make_org(name="De Werkplaats vzw")
    _password_step(page, live_server.url, email)
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Tweestapsverificatie").click()
    expect(page).to_have_url(f"{live_server.url}/account/tweestapsverificatie")
    axe_check(page)
    # a wrong first code: the message sits on the field, accessibly
    page.get_by_label("Code uit je authenticator-app").fill("12345")
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    expect(page.locator("#code-error")).to_contain_text("Deze code klopt niet")
    axe_check(page)
    _set_up(page, clock)
    axe_check(page)
    page.get_by_role("link", name="Ik heb de codes bewaard, ga verder").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    page.goto(f"{live_server.url}/account/tweestapsverificatie")
    expect(page.locator("main")).to_contain_text("staat aan")
    axe_check(page)
    page.get_by_role("button", name="Afmelden").click()

    clock.next_step()
    _password_step(page, live_server.url, email)
    expect(page).to_have_url(f"{live_server.url}/login/code")
    axe_check(page)
    page.get_by_label("Code").fill("000000" if clock.code(page.secret) != "000000" else "111111")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.locator("#code-error")).to_contain_text("Deze code klopt niet")
    axe_check(page)
    page.get_by_label("Code").fill(clock.code(page.secret))
    page.get_by_role("button", name="Bevestigen").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("De Werkplaats vzw")


def test_every_step_works_without_javascript(browser, make_app, make_live_server, make_admin,
                                              clock):
    """A beheerder when 2FA is required: set-up after the password, login with a code, a
    recovery code, turning it off — all plain forms."""
    server = make_live_server(make_app(REQUIRE_2FA_BEHEER=True))
    email = make_admin()
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    page = context.new_page()
    try:
        _password_step(page, server.url, email)
        expect(page).to_have_url(f"{server.url}/account/tweestapsverificatie")
        page.goto(f"{server.url}/beheer/organisaties")
        expect(page).to_have_url(f"{server.url}/account/tweestapsverificatie")
        expect(page.locator(".flashes")).to_contain_text("Stel eerst tweestapsverificatie in")
        codes = _set_up(page, clock)
        page.get_by_role("link", name="Ik heb de codes bewaard, ga verder").click()
        expect(page).to_have_url(f"{server.url}/beheer")
        page.goto(f"{server.url}/beheer/organisaties")
        expect(page).to_have_url(f"{server.url}/beheer/organisaties")
        page.get_by_role("button", name="Afmelden").click()

        clock.next_step()
        _password_step(page, server.url, email)
        expect(page).to_have_url(f"{server.url}/login/code")
        page.goto(f"{server.url}/beheer/organisaties")  # nothing opens before the code
        expect(page).to_have_url(re.compile(r"/login\?next="))
        page.goto(f"{server.url}/login/code")
        page.get_by_label("Code").fill(clock.code(page.secret))
        page.get_by_role("button", name="Bevestigen").click()
        expect(page).to_have_url(f"{server.url}/beheer")
        page.get_by_role("button", name="Afmelden").click()

        _password_step(page, server.url, email)
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Bevestigen").click()
        expect(page).to_have_url(f"{server.url}/beheer")

        page.goto(f"{server.url}/account/tweestapsverificatie")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_label(re.compile("herstelcode")).fill(codes[1])
        page.get_by_role("button", name="Tweestapsverificatie uitzetten").click()
        expect(page.locator(".flashes")).to_contain_text("Tweestapsverificatie staat uit")
        expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie instellen")
    finally:
        context.close()
