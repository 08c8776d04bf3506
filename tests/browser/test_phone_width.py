"""Every screen at phone width (SPEC §12, issue 12 point 2): at 390×844 no page scrolls sideways
— every organisation, beheer (superbeheerder and provinciebeheerder), public and login page
(tests/pages.py) — tables become stacked rows, and long choice labels stay readable."""

import re

import pytest
from generated import build_world
from pages import ERROR_FORMS, page_urls, visitors
from playwright.sync_api import expect
from support import PASSWORD

from browser.support import CSP_LISTENER, ConsoleErrors, axe_check, login_in_browser

PHONE = {"width": 390, "height": 844}

# the widest thing on the page, to say what sticks out
WIDEST = """() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > document.documentElement.clientWidth + 0.5 && r.width > 0)
      out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} right=${Math.round(r.right)}`);
  }
  return out.slice(0, 6);
}"""


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


def _phone(browser, console_errors):
    context = browser.new_context(viewport=PHONE, locale="nl-BE", timezone_id="Europe/Brussels",
                                  device_scale_factor=1, is_mobile=True, has_touch=True)
    context.add_init_script(CSP_LISTENER)
    context.on("console", console_errors.on_console)
    return context


def test_no_page_scrolls_sideways_at_390px(browser, app, live_server, make_org, make_admin):
    world = build_world(app, make_org, make_admin)
    clients = visitors(app, world)
    plan = page_urls(app, world, clients)
    logins = {"org": world.orgs["limburg"].email, "super": world.admins["super"],
              "province": world.admins["limburg"]}
    console_errors = ConsoleErrors()
    console_errors.allow(r"status of 404 .*/bestaat-niet")
    too_wide, visited = [], 0
    for visitor, urls in plan.items():
        context = _phone(browser, console_errors)
        page = context.new_page()
        try:
            if visitor in logins:
                login_in_browser(page, live_server, logins[visitor])
            elif visitor == "second_step":
                page.goto(f"{live_server.url}/login")
                page.get_by_label("E-mailadres").fill(world.orgs["antwerpen"].email)
                page.get_by_label("Wachtwoord").fill(PASSWORD)
                page.get_by_role("button", name="Aanmelden").click()
                expect(page).to_have_url(f"{live_server.url}/login/code")
            forms = [(u.format(**world.values), f) for v, u, f in ERROR_FORMS if v == visitor]
            for url in urls + [u for u, _ in forms]:
                page.goto(live_server.url + url)
                if url in dict(forms):  # the form sent with wrong values comes back with errors
                    for name, value in dict(forms)[url].items():
                        field = page.locator(f'main form[method=post] [name="{name}"]')
                        if field.count():
                            field.first.evaluate("(e, v) => { e.value = v; }", value)
                    with page.expect_navigation():
                        page.locator("main form[method=post] [type=submit]").last.evaluate(
                            "b => { b.form.noValidate = true; b.form.requestSubmit(b); }")
                visited += 1
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    too_wide.append(f"{visitor} {url}: {width}px {page.evaluate(WIDEST)}")
        finally:
            context.close()
    assert visited > 60, visited
    assert not too_wide, f"{len(too_wide)} page(s) scroll sideways at 390px:\n  " + \
        "\n  ".join(too_wide)
    assert not console_errors.unexpected(), console_errors.unexpected()


def test_phone_dashboard_stacks_rows_and_keeps_the_actions_on_screen(page, live_server, make_org):
    from helpers import add_client, add_period
    from support import logged_in_client
    _, email = make_org(name="Atelier met een heel lange naam voor een telefoonscherm vzw")
    c = logged_in_client(live_server.app, email)
    nr = add_client(c, oud_volgnummer="OUD-17", naam="Mieke Vermeulen")
    add_period(c, nr)
    page.set_viewport_size(PHONE)
    login_in_browser(page, live_server, email)
    page.goto(f"{live_server.url}/dashboard")
    row = page.locator("#client-list tbody tr").first
    # one block per client, each value with its column name in front of it
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    labels = row.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert labels[:3] == ['"Nr"', '"Nr (oud)"', '"Naam"'], labels
    expect(row.get_by_role("cell", name=re.compile(r"^Naam\s*Mieke Vermeulen$"))).to_be_visible()
    # the actions are on screen, not beyond the right edge
    for control in (page.get_by_role("link", name="+ Voeg een nieuwe cliënt toe"),
                    row.get_by_role("link", name=re.compile("Periode bewerken")),
                    page.get_by_role("button", name="Zoeken")):
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    axe_check(page)
    # at desktop width it is an ordinary table again
    page.set_viewport_size({"width": 1280, "height": 800})
    assert row.evaluate("r => getComputedStyle(r).display") == "table-row"


FITS = """s => {
    const probe = document.createElement("span");
    probe.textContent = s.options[s.selectedIndex].text;
    probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap;font:"
                          + getComputedStyle(s).font;
    document.body.append(probe);
    const text = probe.getBoundingClientRect().width;
    probe.remove();
    const box = s.getBoundingClientRect();
    return {text, inner: s.clientWidth - 40,  // less the padding and the arrow
            lines: Math.round(box.height / parseFloat(getComputedStyle(s).lineHeight)),
            right: box.right};
}"""


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_long_choice_labels_are_shown_whole(page, live_server, make_org, viewport):
    """The client form's long choices (up to 110 characters) are not cut off: the chosen
    label wraps inside the field, which stays on screen."""
    _, email = make_org()
    page.set_viewport_size(viewport)
    login_in_browser(page, live_server, email)
    page.goto(f"{live_server.url}/clienten/nieuw")
    for label, choice in (("Welk hoofdinkomen geniet de arbeidszorgmedewerker?",
                           "Inkomensvervangende tegemoetkoming"),
                          ("Heeft de persoon ooit gewerkt in het bezoldigde circuit?",
                           re.compile("^Ja, in het beschermd circuit"))):
        select = page.get_by_label(label)
        if isinstance(choice, str):
            select.select_option(label=choice)
        else:
            value = select.locator("option").filter(has_text=choice).get_attribute("value")
            select.select_option(value)
        fits = select.evaluate(FITS)
        assert fits["right"] <= viewport["width"], fits
        assert fits["text"] <= fits["inner"] or fits["lines"] >= 2, (label, fits)
