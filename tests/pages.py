"""Every page a person can see, for the whole-site checks (valid HTML, phone width): generated
from app.url_map over the world of tests/generated.py, for each kind of visitor, plus forms that
come back with errors. A new GET route is covered the day it is added (or the test fails).

visitors(app, world) -> {visitor: test client}; page_urls(app, world) -> {visitor: [url, ...]};
ERROR_FORMS: (visitor, url template, posted fields) that must come back with field errors.
"""

from __future__ import annotations

import re

from support import login

# Visitors: nobody logged in, an organisation (Limburg), the superbeheerder, the
# provinciebeheerder of Limburg, someone between the password and the code of a login.
VISITORS = ("anonymous", "org", "super", "province", "second_step")

# Not a page: files, health check, static files.
NOT_PAGES = ("/static/", "/healthz", "/favicon.ico")

# Query variants that show another state of a page.
EXTRA = {
    "org": ["/dashboard?tab=actief", "/dashboard?tab=inactief", "/dashboard?sort=nr_desc",
            "/dashboard?q=1", "/dashboard?q=999999"],
    "super": ["/beheer/statistieken?jaar=2024", "/beheer/organisaties?status=actief",
              "/beheer/organisaties?q=limburg", "/beheer/audit?soort=login",
              "/beheer/organisaties/{org_id}?nr={nr}", "/beheer/organisaties/{org_id}?nr=x"],
    "province": ["/beheer/statistieken?jaar=2024"],
    "anonymous": ["/arbeidszorginitiatieven?regio=limburg", "/bestaat-niet"],
}

# Forms that come back with errors: (visitor, url, fields). The CSRF token is added by the
# test client.
ERROR_FORMS = [
    ("anonymous", "/login", {"email": "geen-adres", "password": ""}),
    ("anonymous", "/password/new", {"email": ""}),
    ("anonymous", "/password/edit/{token}", {"password": "kort", "password2": "anders"}),
    ("org", "/clienten/nieuw", {"name": "", "birth_date": "31/02/2020"}),
    ("org", "/clienten/{nr}/bewerken", {"birth_date": "x"}),
    ("org", "/clienten/{nr}/periodes/nieuw", {"start_date": "x", "hours": "abc"}),
    ("org", "/clienten/{nr}/periodes/{period_id}/bewerken", {"start_date": "", "hours": "-1"}),
    ("org", "/profiel", {"website": "ftp://x", "description": "x" * 601}),
    ("org", "/organisatie/logins", {"email": "geen-adres"}),
    ("org", "/account/wachtwoord", {"current": "", "password": "kort"}),
    ("super", "/beheer/organisaties/nieuw", {"name": "", "email": "x"}),
    ("super", "/beheer/beheerders/nieuw", {"email": "x"}),
    ("super", "/beheer/beheerders/{account_id}/bewerken", {"email": "x"}),
    ("province", "/beheer/organisaties/{org_id}/bewerken", {"name": "", "email": "x"}),
    ("province", "/beheer/clienten/{client_id}/verwijderen", {"reden": "", "password": ""}),
    ("super", "/beheer/organisaties/{org_id}/import", {}),
    ("super", "/account/tweestapsverificatie", {"code": "1"}),
]


# Routes that are never a page of their own (they redirect).
REDIRECTS = {"/"}


def visitors(app, world) -> dict:
    """A test client per visitor, and world.values extended (`world.rule_values`) with the
    objects some pages need: a colleague login, the link tokens of a login-address change.
    The Antwerpen organisation turns two-step verification on, and the visitor "second_step"
    has typed its password and sees /login/code."""
    from sqlalchemy import select

    from app.auth import login_change
    from app.clients import logins
    from app.db import session
    from app.models import Account, Organisation

    clients = {"anonymous": app.test_client()}
    for visitor, email in (("org", world.orgs["limburg"].email), ("super", world.admins["super"]),
                           ("province", world.admins["limburg"])):
        c = app.test_client()
        assert login(c, email).status_code == 302, f"login as {visitor} failed"
        clients[visitor] = c
    antwerpen = world.orgs["antwerpen"]
    with app.app_context():
        colleague = logins.invite(session.get(Organisation, world.orgs["limburg"].org_id),
                                  "collega@example.be")
        main = session.scalar(select(Account).where(Account.email == antwerpen.email))
        requested = login_change.request_change(main, "ander-adres@example.be", world.other_admin_id)
        session.commit()
        world.rule_values = {
            "/organisatie/logins/<int:account_id>/verwijderen": {"account_id": colleague.id},
            "/login-wijziging/annuleren/<token>": {"token": requested.cancel_token},
            "/login-wijziging/bevestigen/<token>": {"token": requested.confirm_token},
        }
    # two-step verification through its pages; the recovery codes page is kept
    import pyotp
    c = app.test_client()
    assert login(c, antwerpen.email).status_code == 302
    page = c.get("/account/tweestapsverificatie").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([^<]+)</code>', page).group(1).replace(" ", "")
    token = re.search(r'name="setup" type="hidden" value="([^"]+)"', page).group(1)
    shown = c.post("/account/tweestapsverificatie", data={"setup": token,
                                                         "code": pyotp.TOTP(secret).now()})
    assert shown.status_code == 200
    world.recovery_codes_page = shown.get_data(as_text=True)
    second = app.test_client()
    assert login(second, antwerpen.email).status_code == 302
    clients["second_step"] = second
    return clients


def _get_rules(app):
    from generated import methods
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" in methods(rule) and not rule.rule.startswith(NOT_PAGES):
            yield rule


def page_urls(app, world, clients) -> dict[str, list[str]]:
    """For each visitor, every GET URL that answers it with an HTML page (200). Fails when a
    GET route answers nobody with a page or a file (a new route no visitor can open)."""
    from generated import urls
    found = {v: [] for v in VISITORS}
    unreachable = []
    for rule in _get_rules(app):
        if rule.rule in REDIRECTS:
            continue
        seen = False
        for url in urls(rule, dict(world.values, **world.rule_values.get(rule.rule, {}))):
            for visitor in VISITORS:
                response = clients[visitor].get(url)
                response.get_data()  # a streamed file is read to its end
                response.close()
                if response.status_code != 200:
                    continue
                seen = True
                if response.mimetype == "text/html":
                    found[visitor].append(url)
                if visitor == "anonymous":
                    break  # a public page looks the same for everyone
        if not seen:
            unreachable.append(rule.rule)
    assert not unreachable, f"GET routes that no visitor could open: {unreachable}"
    for visitor, extra in EXTRA.items():
        found[visitor] += [u.format(**world.values) for u in extra]
    return found
