"""A failed form shows the error summary once, at the top (GOV.UK pattern; SPEC §12): role
"alert", "Er is een probleem", a link to each faulty field's id (which exists on the page), and
the marker app.js focuses. Implemented once in app/templates/_macros/forms.html."""

import re

import pytest

SUMMARY = re.compile(r'<div class="error-summary" role="alert" tabindex="-1" data-error-summary>'
                     r'(.*?)</div>', re.S)


def _summary(page: str) -> tuple[str, list[str]]:
    found = SUMMARY.findall(page)
    assert len(found) == 1, "expected exactly one error summary"
    body = found[0]
    assert "Er is een probleem" in body
    targets = re.findall(r'<a href="#([^"]+)">', body)
    for target in targets:
        assert f'id="{target}"' in page, f"the summary links to #{target}, not on the page"
    return body, targets


@pytest.mark.parametrize("path, data, expected", [
    ("/clienten/nieuw", {"naam": "x", "postcode_woonplaats": "12"},
     {"geboortedatum", "postcode_woonplaats", "geslacht"}),
    ("/profiel", {"postcode": "abc", "website": "geen adres"}, {"postcode", "website"}),
    ("/account/wachtwoord", {"current_password": "", "password": "", "password_confirm": ""},
     None),
    ("/organisatie/logins", {"email": "geen-adres"}, {"email"}),
])
def test_organisation_and_account_forms(org_client, path, data, expected):
    page = org_client.post(path, data=data).get_data(as_text=True)
    body, targets = _summary(page)
    assert targets, "no links to the faulty fields"
    if expected:
        assert expected <= set(targets), targets


def test_a_period_form(org_client):
    from helpers import add_client
    nr = add_client(org_client)
    page = org_client.post(f"/clienten/{nr}/periodes/nieuw",
                           data={"uren": "veel", "startdatum": "31/02/2024"}).get_data(as_text=True)
    _, targets = _summary(page)
    assert {"uren", "startdatum"} <= set(targets)


def test_login_and_forgotten_password(client, make_org):
    _, email = make_org()
    page = client.post("/login", data={"email": email, "password": "fout"}).get_data(as_text=True)
    body, targets = _summary(page)
    assert "Aanmelden mislukt" in body and targets == []
    _, targets = _summary(client.post("/password/new", data={"email": ""}).get_data(as_text=True))
    assert targets == ["email"]


def test_no_summary_without_errors(org_client):
    assert "data-error-summary" not in org_client.get("/clienten/nieuw").get_data(as_text=True)
